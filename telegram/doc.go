// Package telegram is the one gateway to the Bot API. Everything the bot
// says goes through a Gateway: replies to users (Reply, EditReply, Answer)
// and bulk sends by the outbox (Post, Revise after the caller's own
// admission with AdmitBulk or the shared Limiter and Pacer). It imports
// nothing of ours.
//
// # Limits
//
// One Limiter keeps the overall rate (Config.Rate, about 30 a second at
// Telegram) with two lanes: replies first, bulk taking what replies
// leave. One Pacer keeps the per-chat limits: bursts of three then one a
// second to a private chat, twenty a minute to a group; bulk sends never
// burst (one a second to a private chat, one every three seconds to a
// group). A 429 pauses for its retry_after every send, or only a group
// that was busy lately (its own limit); a 429 on a call that is not a
// message (a callback's answer) pauses nothing else.
//
// With Config.PaidBroadcast set, bulk messages (Message.Bulk) carry
// allow_paid_broadcast and wait for a Limiter of their own at that rate
// (BulkLimiter; Telegram allows up to 1000 a second, paid for in Stars);
// replies keep the shared one, a 429 on a paid send pauses only the paid
// one, and the per-chat pacing is the same for both.
//
// # Errors
//
// Every failed send, edit or answer is an *Error with a Class (unless its
// caller cancelled it): whose fault it is (the recipient's, the message's,
// or the bot's) and whether to try again. Callers switch on ClassOf, never
// on Telegram's descriptions. A message Telegram accepted but whose answer
// this build cannot read counts as sent: sending it again would duplicate
// it.
//
// # Outages
//
// When a call fails with a 5xx, a timeout or a network error, the gateway
// asks getMe. If that fails too, Telegram is unreachable: every send is
// held, a probe runs with backoff until Telegram answers, Health says why,
// and the failed call is of ClassOutage — not the message's fault, so
// callers keep it and try again. Replies are tried again until
// Config.ReplyMaxWait.
//
// With Config.Metrics set, the gateway counts every attempt to send or
// edit a message by lane, method and result, every 429 by method, and
// times the limiter's waits (metrics.go); the registerer is the caller's,
// so the package imports nothing of the application's.
//
// # Caveats
//
// A send that reached Telegram but whose answer was lost (a timeout) is
// sent again: at most the sends in flight are duplicated. After Close
// during an outage the limiter stays held: sends wait until their
// contexts end.
package telegram
