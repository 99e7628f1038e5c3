package scheduler

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/robfig/cron/v3"

	"vmeste/storage"
)

// Messages renders what the scheduler sends, in each recipient's language.
// The bot implements it (main wires them together); its methods only
// compute, because storage calls some of them inside transactions.
type Messages interface {
	storage.Renderer
	BroadcastMessages
	// Digest renders the week's events for u; ok is false to send nothing.
	Digest(u storage.User, events []storage.Event, from time.Time) (c storage.Content, ok bool)
	// Summary renders a coordinator's new sign-ups of the last day.
	Summary(u storage.User, items []storage.SummaryItem) storage.Content
}

// Config is the scheduler's part of the configuration.
type Config struct {
	Location *time.Location
	// Tick is how often due reminders and notices are looked for.
	Tick time.Duration
	// Digest, Summary and Backup are cron specs (standard five fields).
	Digest, Summary, Backup string
	BackupDir               string
	// Keep is how many backups to keep (default 14).
	Keep int
	// Retention is how long finished work (sent messages, sign-up keys,
	// marks, periods) is kept before the nightly prune deletes it, from
	// storage.MinKeep to MaxRetention; 0 means DefaultRetention.
	Retention time.Duration
	// AuditRetention is how long the audit trail's entries are kept,
	// from storage.MinKeep to MaxRetention; 0 means DefaultAuditRetention.
	AuditRetention time.Duration
	Now            func() time.Time
	Logger         *slog.Logger
	// Metrics, if set, times every job and counts its results (jobs by
	// name: tick, digest, summary, prune, backup) and records the last
	// backup's result (metrics.go). nil records nothing.
	Metrics *Metrics
}

// Scheduler runs the periodic work: the tick (reminders, deadline notices,
// finished events), the weekly digest, the daily summary and, nightly, the
// prune and the backup. Cron keeps nothing across restarts, so every "was it done?" lives
// in bbolt: the due index, the periods sent, the outbox.
type Scheduler struct {
	store *storage.Store
	msgs  Messages
	cfg   Config
	log   *slog.Logger
	cron  *cron.Cron
	// runCtx is Run's context, handed to the cron jobs so that shutdown
	// cuts a long job (a backup) short.
	runCtx context.Context
}

// SettingError names the configuration setting a spec came from.
type SettingError struct {
	Setting string
	Err     error
}

func (e *SettingError) Error() string { return fmt.Sprintf("%s: %v", e.Setting, e.Err) }
func (e *SettingError) Unwrap() error { return e.Err }

// New checks the specs and builds the cron with the district's location,
// Recover and SkipIfStillRunning. It starts nothing.
func New(store *storage.Store, msgs Messages, cfg Config) (*Scheduler, error) {
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Keep <= 0 {
		cfg.Keep = 14
	}
	if cfg.Tick < time.Second || cfg.Tick > 10*time.Minute {
		return nil, &SettingError{"tick", fmt.Errorf("%v is not between 1s and 10m", cfg.Tick)}
	}
	if cfg.Retention == 0 {
		cfg.Retention = DefaultRetention
	}
	if cfg.Retention < storage.MinKeep || cfg.Retention > MaxRetention {
		return nil, &SettingError{"keep", fmt.Errorf("%v is not between %v and %v", cfg.Retention, storage.MinKeep, MaxRetention)}
	}
	if cfg.AuditRetention == 0 {
		cfg.AuditRetention = DefaultAuditRetention
	}
	if cfg.AuditRetention < storage.MinKeep || cfg.AuditRetention > MaxRetention {
		return nil, &SettingError{"audit-keep", fmt.Errorf("%v is not between %v and %v", cfg.AuditRetention, storage.MinKeep, MaxRetention)}
	}
	log := cronLogger{cfg.Logger}
	c := cron.New(cron.WithLocation(cfg.Location), cron.WithLogger(log),
		cron.WithChain(cron.Recover(log), cron.SkipIfStillRunning(log)))
	s := &Scheduler{store: store, msgs: msgs, cfg: cfg, log: cfg.Logger, cron: c, runCtx: context.Background()}
	jobs := []struct {
		setting, spec string
		run           func(context.Context)
	}{
		{"tick", "@every " + cfg.Tick.String(), s.Tick},
		{"digest", cfg.Digest, s.SendDigest},
		{"summary", cfg.Summary, s.SendSummaries},
		{"backup", cfg.Backup, s.Nightly}, // the prune, then the backup
	}
	for _, j := range jobs {
		run := j.run
		if _, err := c.AddFunc(j.spec, func() { run(s.runCtx) }); err != nil {
			return nil, &SettingError{j.setting, fmt.Errorf("bad cron spec %q: %w", j.spec, err)}
		}
	}
	return s, nil
}

// Run does at once what fell due while the bot was down, then runs the cron
// until ctx ends, and waits for the jobs running then to finish.
func (s *Scheduler) Run(ctx context.Context) error {
	s.runCtx = ctx
	s.Tick(ctx)
	s.CatchUp(ctx)
	s.log.Info("scheduler: started; what fell due while down is done")
	s.cron.Start()
	<-ctx.Done()
	<-s.cron.Stop().Done()
	return nil
}

// tickLimit bounds one RunDue transaction; a tick repeats until done.
const tickLimit = 2000

// Tick puts the due reminders, deadline notices and finished-event notices
// into the outbox, marking them done in the same transaction.
func (s *Scheduler) Tick(ctx context.Context) {
	s.cfg.Metrics.job(jobTick, func() error { return s.tick(ctx) })
}

// tick is Tick, returning the error that cut it short.
func (s *Scheduler) tick(ctx context.Context) error {
	for {
		items, err := s.store.RunDue(ctx, s.cfg.Now(), s.msgs, tickLimit)
		if err != nil {
			if ctx.Err() == nil {
				s.log.Error("scheduler: tick", "error", err)
			}
			return err
		}
		for _, it := range items {
			if it.Err != nil {
				s.log.Error("scheduler: item dropped", "kind", string(it.Kind), "event", it.EventID,
					"offset", it.Offset, "due", it.Due, "error", it.Err)
				continue
			}
			if it.Skipped {
				s.log.Info("scheduler: skipped, no longer applies", "kind", string(it.Kind), "event", it.EventID,
					"offset", it.Offset, "due", it.Due)
				continue
			}
			s.log.Info("scheduler: done", "kind", string(it.Kind), "event", it.EventID, "offset", it.Offset,
				"due", it.Due, "messages", it.Messages, "late", s.cfg.Now().Sub(it.Due))
		}
		if len(items) < tickLimit {
			return nil
		}
	}
}

// Catch-up windows: a digest or summary whose time passed while the bot was
// down is sent at start if it is not older than this.
const (
	digestCatchUp  = 24 * time.Hour
	summaryCatchUp = 6 * time.Hour
)

// CatchUp sends the digest and the summary whose last scheduled time fell
// while the bot was down (cron does not replay missed runs), if that time
// is recent; the period kept in bbolt makes a second run do nothing.
func (s *Scheduler) CatchUp(ctx context.Context) {
	now := s.cfg.Now().In(s.cfg.Location)
	for _, j := range []struct {
		name, spec string
		grace      time.Duration
		run        func(context.Context, time.Time) error
	}{{jobDigest, s.cfg.Digest, digestCatchUp, s.digestAt}, {jobSummary, s.cfg.Summary, summaryCatchUp, s.summariesAt}} {
		sched, err := cron.ParseStandard(j.spec)
		if err != nil {
			continue // New has checked it
		}
		if prev := lastRun(sched, now, j.grace); !prev.IsZero() {
			s.cfg.Metrics.job(j.name, func() error { return j.run(ctx, prev) })
		}
	}
}

// lastRun is the schedule's latest time in (now−within, now], or zero.
func lastRun(sched cron.Schedule, now time.Time, within time.Duration) time.Time {
	var last time.Time
	for t := sched.Next(now.Add(-within)); !t.IsZero() && !t.After(now); t = sched.Next(t) {
		last = t
	}
	return last
}

// SendDigest enqueues the weekly digest of the next seven days' events,
// once per day it runs on (the period is the date).
func (s *Scheduler) SendDigest(ctx context.Context) {
	s.cfg.Metrics.job(jobDigest, func() error { return s.digestAt(ctx, s.cfg.Now()) })
}

// digestAt is the digest of the run scheduled at at.
func (s *Scheduler) digestAt(ctx context.Context, at time.Time) error {
	now := at.In(s.cfg.Location)
	period := now.Format("2006-01-02")
	y, m, d := now.Date()
	end := time.Date(y, m, d+7, 0, 0, 0, 0, s.cfg.Location) // through the sixth day after today
	from := now
	if real := s.cfg.Now(); real.After(from) { // a late (caught-up) digest lists no past events
		from = real
	}
	n, err := s.store.EnqueueDigest(ctx, period, from, end, func(u storage.User, events []storage.Event) (storage.Content, bool) {
		return s.msgs.Digest(u, events, now)
	})
	if err != nil {
		s.log.Error("scheduler: digest", "error", err)
		return err
	}
	s.log.Info("scheduler: digest", "period", period, "messages", n)
	return nil
}

// SendSummaries enqueues each coordinator's summary of the sign-ups to
// their events in the last 24 hours, when there are any.
func (s *Scheduler) SendSummaries(ctx context.Context) {
	s.cfg.Metrics.job(jobSummary, func() error { return s.summariesAt(ctx, s.cfg.Now()) })
}

// summariesAt is the summary of the run scheduled at at.
func (s *Scheduler) summariesAt(ctx context.Context, at time.Time) error {
	now := at.In(s.cfg.Location)
	period := now.Format("2006-01-02")
	n, err := s.store.EnqueueSummaries(ctx, period, now.Add(-24*time.Hour), now, s.msgs.Summary)
	if err != nil {
		s.log.Error("scheduler: summary", "error", err)
		return err
	}
	s.log.Info("scheduler: summaries", "period", period, "messages", n)
	return nil
}

// cronLogger adapts slog to cron's logger.
type cronLogger struct{ l *slog.Logger }

func (c cronLogger) Info(msg string, kv ...any) { c.l.Debug("cron: "+msg, kv...) }
func (c cronLogger) Error(err error, msg string, kv ...any) {
	c.l.Error("cron: "+msg, append(kv, "error", err)...)
}
