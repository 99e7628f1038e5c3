// Package scheduler runs what the bot does on its own initiative: the
// outbox sender that delivers announcements within Telegram's limits, the
// broadcast reporter, and the cron jobs: the tick (reminders, deadline
// notices, finished events), the weekly digest, the daily summary and,
// nightly, the prune (storage.Store.Prune) followed by the backup. It meets
// the bot package only in storage: the bot enqueues, the scheduler sends.
package scheduler
