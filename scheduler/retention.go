package scheduler

import (
	"context"
	"time"
)

// DefaultRetention is how long finished work is kept when Config.Retention
// is 0: ninety days.
const DefaultRetention = 90 * 24 * time.Hour

// DefaultAuditRetention is how long the audit trail is kept when
// Config.AuditRetention is 0: a year (8760h).
const DefaultAuditRetention = 365 * 24 * time.Hour

// MaxRetention is the longest Config.Retention may be: ten years.
const MaxRetention = 10 * 365 * 24 * time.Hour

// Nightly runs at the backup's time: it prunes what the database no longer
// needs, then writes the backup. The prune goes first so that the backup
// does not carry rows that were due to go (and the file it copies stops
// growing); both in one job, so that cron's SkipIfStillRunning keeps them
// from overlapping and a slow prune delays the backup instead of racing
// it. A prune that fails is logged and the backup is written all the same.
func (s *Scheduler) Nightly(ctx context.Context) {
	s.Prune(ctx)
	if ctx.Err() != nil {
		return
	}
	s.BackupNow(ctx)
}

// Prune deletes the finished outbox entries, sign-up keys, marks and
// periods older than Config.Retention (see storage.Store.Prune), then the
// audit entries older than Config.AuditRetention, and logs what it
// deleted.
func (s *Scheduler) Prune(ctx context.Context) {
	s.cfg.Metrics.job(jobPrune, func() error { return s.pruneAll(ctx) })
}

// pruneAll is Prune, returning the first error: the finished records
// first, then the audit trail, which has its own, longer, retention
// (storage.Store.PruneAudit: the entries with their index rows).
func (s *Scheduler) pruneAll(ctx context.Context) error {
	err := s.pruneOlder("", s.cfg.Retention, func(before time.Time) ([]any, error) {
		st, err := s.store.Prune(ctx, before)
		return []any{"outbox", st.Outbox, "signups", st.Signups, "reminder_marks", st.Reminders,
			"deadline_marks", st.Deadlines, "periods", st.Periods, "transactions", st.Transactions}, err
	})
	if ctx.Err() != nil {
		return err
	}
	auditErr := s.pruneOlder(" audit", s.cfg.AuditRetention, func(before time.Time) ([]any, error) {
		n, err := s.store.PruneAudit(ctx, before)
		return []any{"entries", n}, err
	})
	if err == nil {
		err = auditErr
	}
	return err
}

// pruneOlder runs one prune of what is older than keep and logs it: "scheduler:
// pruned<what>" with what run counted, or "scheduler: prune<what>" with
// the error, which it returns.
func (s *Scheduler) pruneOlder(what string, keep time.Duration, run func(before time.Time) ([]any, error)) error {
	before := s.cfg.Now().Add(-keep)
	began := time.Now()
	counts, err := run(before)
	attrs := append([]any{"before", before.In(s.cfg.Location).Format(time.DateTime)}, counts...)
	attrs = append(attrs, "took", time.Since(began).Round(time.Millisecond))
	if err != nil {
		s.log.Error("scheduler: prune"+what, append(attrs, "error", err)...)
		return err
	}
	s.log.Info("scheduler: pruned"+what, attrs...)
	return nil
}
