package scheduler

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"vmeste/storage"
	"vmeste/telegram"
)

// SenderConfig tunes the outbox sender. Zero values take the defaults.
type SenderConfig struct {
	// Limiter is the gateway's overall limiter (telegram.Gateway.Limiter),
	// shared with the bot's replies, whose bulk lane the sender takes. nil
	// means one of its own at Rate.
	Limiter *telegram.Limiter
	// PaidLimiter, when paid broadcasts are on, is their own limiter
	// (telegram.Gateway.BulkLimiter): mass sends (Paid) wait for it and go
	// as paid broadcasts; every other entry still waits for Limiter and
	// goes unpaid. nil: everything takes Limiter, unpaid.
	PaidLimiter *telegram.Limiter
	// Rate is the most messages per second of a limiter of the sender's
	// own (default 25), 1% under it as the gateway's.
	Rate int
	// Workers is how many sends may be in flight at once: at most this many
	// messages can be sent twice after a crash. Each worker sends and then
	// commits (bbolt's Batch waits up to 10 ms, then fsyncs), some 12 ms a
	// message, so the default, Rate/40 and at least 8, leaves twice the
	// throughput Rate needs.
	Workers int
	// Pacer keeps the per-chat limits, shared with the bot's replies (the
	// gateway's); nil means a pacer of its own.
	Pacer *telegram.Pacer
	// MaxAttempts bounds the tries of one entry after errors of the server
	// that were the entry's own, while Telegram answered other calls
	// (default 5). Outages and flood control do not count (the gateway
	// tells them apart; an error it did not classify counts). Backoff is the
	// first wait between them, doubled each time (default 2 s).
	MaxAttempts int
	Backoff     telegram.Backoff
	// SendTimeout bounds one Bot API call (default 30 s).
	SendTimeout time.Duration
	Logger      *slog.Logger
	// Metrics, if set, counts each recorded result by origin and state and
	// measures how late reminders go out (metrics.go). nil records nothing.
	Metrics *Metrics
}

// Sender drains the outbox within Telegram's limits. Each entry's result is
// committed right after its send, so a crash re-sends at most the entries
// that were in flight (Workers) and skips none.
type Sender struct {
	store  *storage.Store
	tg     Telegram
	cfg    SenderConfig
	log    *slog.Logger
	rate   *telegram.Limiter
	paid   *telegram.Limiter // nil: paid broadcasts off
	limits *telegram.Pacer

	mu       sync.Mutex
	inflight map[int64]bool
	progress chan struct{}
}

// NewSender returns a sender; start it with Run.
func NewSender(store *storage.Store, tg Telegram, cfg SenderConfig) *Sender {
	if cfg.Rate <= 0 {
		cfg.Rate = 25
	}
	if cfg.Workers <= 0 {
		cfg.Workers = max(8, cfg.Rate/40)
	}
	if cfg.Limiter == nil {
		cfg.Limiter = telegram.NewLimiter(float64(cfg.Rate) * 0.99)
	}
	if cfg.Pacer == nil {
		cfg.Pacer = telegram.NewPacer(telegram.PrivateBurst, telegram.GroupPerMinute)
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 5
	}
	if cfg.Backoff.First <= 0 {
		cfg.Backoff.First = 2 * time.Second
	}
	if cfg.Backoff.Max <= 0 {
		cfg.Backoff.Max = cfg.Backoff.First << 6
	}
	if cfg.SendTimeout <= 0 {
		cfg.SendTimeout = 30 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Sender{
		store:    store,
		tg:       tg,
		cfg:      cfg,
		log:      cfg.Logger,
		rate:     cfg.Limiter,
		paid:     cfg.PaidLimiter,
		limits:   cfg.Pacer,
		inflight: map[int64]bool{},
		progress: make(chan struct{}, 1),
	}
}

// passSize is how many pending entries one read takes.
const passSize = 256

// Run sends until ctx ends, then waits for the sends in flight to finish
// and be recorded.
func (s *Sender) Run(ctx context.Context) error {
	work := make(chan storage.OutboxEntry)
	// A slot is taken before an entry's limits are checked and given back
	// when its send is recorded, so that an entry never waits for a worker
	// after the checks: a 429 or another send to its chat meanwhile would
	// not be seen.
	slots := make(chan struct{}, s.cfg.Workers)
	var wg sync.WaitGroup
	// Sends in flight at shutdown finish and are recorded.
	sendCtx := context.WithoutCancel(ctx)
	for range s.cfg.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for e := range work {
				s.deliver(sendCtx, e)
				<-slots
			}
		}()
	}
	defer func() {
		close(work)
		wg.Wait()
	}()

	var after int64
	dispatched := false
	var earliest time.Time
	for ctx.Err() == nil {
		entries, err := s.store.PendingOutbox(ctx, after, passSize)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			s.log.Error("outbox: read pending", "error", err)
			s.idle(ctx, time.Now().Add(time.Second))
			continue
		}
		if len(entries) == 0 {
			// End of a pass. Go round again at once if it sent anything;
			// otherwise wait for news or for the first entry to come due.
			if !dispatched {
				s.idle(ctx, earliest)
			}
			after, dispatched, earliest = 0, false, time.Time{}
			continue
		}
		for _, e := range entries {
			after = e.ID
			if s.isInflight(e.ID) {
				continue
			}
			// An expired entry is only recorded as skipped: it takes
			// nothing of the limits (after an outage there may be many).
			expired := !e.ExpiresAt.IsZero() && !time.Now().Before(e.ExpiresAt)
			if at := s.readyAt(e); !expired && at.After(time.Now()) {
				earliest = earlier(earliest, at)
				continue
			}
			select {
			case slots <- struct{}{}:
			case <-ctx.Done():
				return nil
			}
			if !expired {
				// An album is as many messages as it has files, to the
				// overall limit and to the chat's.
				n := e.Content.Messages()
				lim, _ := s.limiterFor(e)
				for range n {
					if err := lim.Wait(ctx, telegram.LaneBulk); err != nil {
						return nil
					}
				}
				if at := s.readyAt(e); at.After(time.Now()) { // a 429 came in meanwhile
					<-slots
					earliest = earlier(earliest, at)
					continue
				}
				s.limits.TakeN(e.ChatID, time.Now(), n)
			}
			s.setInflight(e.ID, true)
			select {
			case work <- e:
				dispatched = true
			case <-ctx.Done():
				s.setInflight(e.ID, false)
				return nil
			}
		}
	}
	return nil
}

// readyAt is when e may be sent: its own retry time, its chat's limits
// and a pause of every send (a 429 on the overall limit).
func (s *Sender) readyAt(e storage.OutboxEntry) time.Time {
	at := s.limits.ReadyAtBulk(e.ChatID)
	if e.NotBefore.After(at) {
		at = e.NotBefore
	}
	lim, _ := s.limiterFor(e)
	if p := lim.PausedUntil(); p.After(at) {
		at = p
	}
	return at
}

// limiterFor is the limiter e waits for and whether it goes as a paid
// broadcast: the paid one for a mass send (Paid) while paid broadcasts
// are on, else the shared one.
func (s *Sender) limiterFor(e storage.OutboxEntry) (*telegram.Limiter, bool) {
	if s.paid != nil && Paid(e.Origin) {
		return s.paid, true
	}
	return s.rate, false
}

// idle waits for an enqueue, a finished send, until (if set; at most a
// second) or the end of ctx.
func (s *Sender) idle(ctx context.Context, until time.Time) {
	wait := time.Second
	if !until.IsZero() {
		wait = min(wait, max(time.Until(until), time.Millisecond))
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-s.store.Enqueued():
	case <-s.progress:
	case <-t.C:
	}
}

// deliver sends one entry and records what happened.
func (s *Sender) deliver(ctx context.Context, e storage.OutboxEntry) {
	defer func() {
		s.setInflight(e.ID, false)
		select {
		case s.progress <- struct{}{}:
		default:
		}
	}()
	// Read it again: the pass that dispatched it may have read it before
	// an earlier send of it was recorded.
	fresh, ok, active, err := s.store.ToSend(ctx, e.ID, time.Now())
	if err != nil {
		s.log.Error("outbox: read entry", "entry", e.ID, "error", err)
		return
	}
	if !ok {
		return
	}
	e = fresh
	lim, paid := s.limiterFor(e)
	var outcome storage.Outcome
	switch now := time.Now(); {
	case !active:
		outcome = storage.Outcome{State: storage.OutboxSkipped, Reason: storage.ReasonInactive}
	case !e.ExpiresAt.IsZero() && !now.Before(e.ExpiresAt):
		// Held up past its time (Telegram was unreachable): skipped, as a
		// reminder that fell due while the bot was down is.
		outcome = storage.Outcome{State: storage.OutboxSkipped, Reason: storage.ReasonExpired}
		s.log.Warn("outbox: skipped, too late to send", "entry", e.ID, "origin", e.Origin.Kind, "key", e.Origin.Key,
			"expired", e.ExpiresAt, "late", now.Sub(e.ExpiresAt))
	case lim.PausedUntil().After(now):
		// A 429 paused every send after this one was dispatched: it waits
		// too, untried.
		outcome = storage.Outcome{State: storage.OutboxPending, RetryAt: lim.PausedUntil(), Reason: storage.ReasonRetryAfter, Uncounted: true}
	default:
		sendCtx, cancel := context.WithTimeout(ctx, s.cfg.SendTimeout)
		msgID, err := s.tg.Send(sendCtx, e.ChatID, e.Content, paid)
		cancel()
		outcome = s.classify(e, msgID, err, time.Now())
		if err != nil {
			s.log.Warn("outbox: send failed", "entry", e.ID, "chat_id", e.ChatID, "attempt", e.Attempts+1,
				"state", outcome.State, "reason", outcome.Reason, "error", err)
		}
	}
	// Recording the result is retried here rather than the send: an entry
	// left pending after a delivered send would be delivered again.
	for attempt := 0; ; attempt++ {
		err := s.store.CompleteOutbox(ctx, e.ID, outcome)
		if err == nil {
			s.cfg.Metrics.outboxDone(e, outcome.State)
			return
		}
		s.log.Error("outbox: record result", "entry", e.ID, "attempt", attempt+1, "error", err)
		if attempt == 4 {
			return
		}
		if telegram.Sleep(ctx, recordBackoff.Delay(attempt)) != nil {
			return
		}
	}
}

// recordBackoff spaces the tries to record a send's result.
var recordBackoff = telegram.Backoff{First: 100 * time.Millisecond, Max: 2 * time.Second}

func (s *Sender) isInflight(id int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.inflight[id]
}

func (s *Sender) setInflight(id int64, on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if on {
		s.inflight[id] = true
	} else {
		delete(s.inflight, id)
	}
}

func earlier(a, b time.Time) time.Time {
	if a.IsZero() || b.Before(a) {
		return b
	}
	return a
}
