// Package bot is Vmeste's Telegram face: it polls for updates (or receives
// them by webhook, webhook.go), hands each to
// a per-user queue, and routes it to the command, button or wizard step
// that answers it.
//
// # Basics
//
// New checks the token with getMe and loads nothing else; Run polls until its
// context ends, then finishes the handlers in flight and confirms what was
// handled to Telegram. Every command and button is registered in routes.go,
// so the whole command surface is in one file. What a user may do to one
// event (its organisation's coordinators, co-organisers, a draft's author,
// admins) is the one table in storage/access.go (access.go gives it the
// bot's names), applied by the one loader of an event, eventFor. The
// coordinators' Mini App (package webapp) is offered from here
// (miniapp.go: the web_app buttons, the menu button) and renders its
// notices through the Notice* methods, so that both faces say the same. Consent to the processing of personal data gates
// everything but public event information and the person's rights
// (consent.go, routes.go's consentFree); /mydata and /forget are in
// privacy.go, handing an event to another author in handover.go. An
// event's documents (diplomas, certificates) are issued, printed, zipped
// and verified in certificates*.go; verifying one is the only thing /start
// does for a stranger without storing them. /audit, the admins' view of
// the audit trail, is in audit*.go.
//
// Updates from one user are handled one at a time, in the order they came;
// different users are served in parallel, at most Config.Workers at once.
// Every handler runs behind the middleware in middleware.go: a panic is
// recovered and answered with an apology, one log line is written per
// update, the user is loaded (and created on first contact), and every
// callback query is answered. The sender is put in the context as the
// actor of whatever the update changes (storage.WithActor).
//
// # Caveats
//
// The poller saves each batch of updates in bbolt's inbox before it
// confirms them to Telegram, and an update leaves the inbox once handled;
// at start the inbox is handled again. In webhook mode WebhookHandler
// commits each update to the same inbox before it answers 200, and
// remembers its id in bbolt for a day, so that Telegram's second delivery
// is not handled again. Nothing a user sent is lost, but an
// update handled in the last moment before a crash may be handled twice:
// handlers must tolerate that (wizard steps check their state). Wizard state lives in bbolt (see
// storage.Conversation), never only in memory, one wizard at a time: a
// command or button that begins another while one is in progress asks
// first whether to continue or leave it (wizard.go). A card's sign-up
// buttons carry the state they were drawn for; a press after it moved on
// redraws the current card instead of acting. Roles are checked on the
// server for every command and every button: callback data is never
// trusted.
package bot
