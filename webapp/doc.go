// Package webapp is the bot's Mini App: the coordinators' and admins'
// web pages inside Telegram (My events, the event editor, Participants,
// the Dashboard), served by the bot's own HTTP server under Path and
// standing on the same storage rules as the chat.
//
// # Basics
//
// New makes an App from the store, the catalogs and a Config (the bot's
// token, to check initData; the admins; the bot's Notices, so that a
// change made in the page tells people what the same change in the chat
// would); main mounts App.Handler at Path when VMESTE_PUBLIC_URL and
// VMESTE_HTTP are set. Every page is rendered on the server with
// html/template from the locale catalogs in the user's language; app.js
// (static/) adds Telegram's theme, signs every request with initData and
// swaps the pages in without a reload.
//
// Who may do what is storage.May, the chat's table; every write is one
// storage call the chat makes too (CreateEvent, UpdateEventAt,
// PublishEvent, SetAttendance, SetResult), run with App.actor's context;
// the rules are decided in those calls' transactions, and their sentinel
// errors become the chat's words.
//
// # Caveats
//
// initData travels only in the X-Telegram-Init-Data header: a GET without
// it gets the shell page, which holds no data and asks again with it.
// There are no cookies and no other token: a cross-site form cannot set
// the header, and no CORS header is ever sent, so a POST that carries
// valid initData came from the page. The header is checked on every
// request (HMAC with the bot's token, auth_date within a day) and the user
// and role are read from bbolt each time.
//
// The regulations (a file kept by Telegram) are attached in the chat, not
// in the page.
package webapp
