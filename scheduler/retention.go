package scheduler

import (
	"context"
	"time"
)

// DefaultRetention is how long finished work is kept when Config.Retention
// is 0: ninety days.
const DefaultRetention = 90 * 24 * time.Hour

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
// periods older than Config.Retention (see storage.Store.Prune) and logs
// what it deleted.
func (s *Scheduler) Prune(ctx context.Context) {
	s.cfg.Metrics.job(jobPrune, func() error { return s.pruneOld(ctx) })
}

// pruneOld is Prune, returning its error.
func (s *Scheduler) pruneOld(ctx context.Context) error {
	before := s.cfg.Now().Add(-s.cfg.Retention)
	began := time.Now()
	st, err := s.store.Prune(ctx, before)
	attrs := []any{"before", before.In(s.cfg.Location).Format(time.DateTime),
		"outbox", st.Outbox, "signups", st.Signups, "reminder_marks", st.Reminders,
		"deadline_marks", st.Deadlines, "periods", st.Periods, "transactions", st.Transactions,
		"took", time.Since(began).Round(time.Millisecond)}
	if err != nil {
		s.log.Error("scheduler: prune", append(attrs, "error", err)...)
		return err
	}
	s.log.Info("scheduler: pruned", attrs...)
	return nil
}
