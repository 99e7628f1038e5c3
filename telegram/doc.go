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
// burst. A 429 pauses the chat or everything, as its retry_after says.
//
// # Errors
//
// Every failed call is an *Error with a Class: whose fault it is (the
// recipient's, the message's, or the bot's) and whether to try again.
// Callers switch on ClassOf, never on Telegram's descriptions.
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
// # Caveats
//
// A send that reached Telegram but whose answer was lost (a timeout) is
// sent again: at most the sends in flight are duplicated.
package telegram
