// Package scheduler runs what the bot does on its own initiative: the
// outbox Sender, which delivers what the bot enqueued (announcements,
// reminders, notices, digests) through the gateway's bulk lane; the
// broadcast Reporter; and the Scheduler's cron jobs: the tick (due
// reminders, deadline notices, finished events), the weekly digest, the
// daily summary and, nightly, the prune of what is older than
// VMESTE_KEEP (storage.Store.Prune) followed by the backup. It meets the
// bot package only in storage (the outbox, the due index) and in the
// telegram gateway's limits; the bot renders every word it sends
// (Messages) and prints every certificate it uploads (Gateway.Render,
// called when such an entry is sent: no PDF is stored). Metrics, shared
// by the Scheduler and the Sender, counts and times what they do for
// Prometheus and reads the outbox's backlog at each scrape.
package scheduler
