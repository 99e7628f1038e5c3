// Package scheduler runs what the bot does on its own initiative: the
// outbox sender that delivers announcements within Telegram's limits, and
// (in later versions) cron jobs for reminders, digests and backups. It
// meets the bot package only in storage: the bot enqueues, the scheduler
// sends.
package scheduler
