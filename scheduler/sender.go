package scheduler

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"vmeste/flood"
	"vmeste/storage"
)

// SenderConfig tunes the outbox sender. Zero values take the defaults.
type SenderConfig struct {
	// Rate is the most messages per second overall (default 25). The
	// sender keeps 1% under it: Telegram counts arrivals over sliding
	// windows, and requests arrive with jitter.
	Rate int
	// Workers is how many sends may be in flight at once: at most this many
	// messages can be sent twice after a crash. Each worker sends and then
	// commits (bbolt's Batch waits up to 10 ms, then fsyncs), some 12 ms a
	// message, so the default, Rate/40 and at least 8, leaves twice the
	// throughput Rate needs.
	Workers int
	// Pacer keeps the per-chat limits, shared with the bot's replies; nil
	// means a pacer of its own (bursts of 3, 20 a minute to a group).
	Pacer *flood.Pacer
	// MaxAttempts bounds tries after 5xx answers and timeouts (default 5);
	// Backoff is the first wait between them, doubled each time (default 2 s).
	MaxAttempts int
	Backoff     time.Duration
	// SendTimeout bounds one Bot API call (default 30 s).
	SendTimeout time.Duration
	Logger      *slog.Logger
}

// Sender drains the outbox within Telegram's limits. Each entry's result is
// committed right after its send, so a crash re-sends at most the entries
// that were in flight (Workers) and skips none.
type Sender struct {
	store  *storage.Store
	tg     Telegram
	cfg    SenderConfig
	log    *slog.Logger
	rate   *rate.Limiter
	limits *flood.Pacer

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
	if cfg.Pacer == nil {
		cfg.Pacer = flood.New(3, 20)
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 5
	}
	if cfg.Backoff <= 0 {
		cfg.Backoff = 2 * time.Second
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
		rate:     rate.NewLimiter(rate.Limit(float64(cfg.Rate)*0.99), 1),
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
			if at := s.readyAt(e); at.After(time.Now()) {
				earliest = earlier(earliest, at)
				continue
			}
			select {
			case slots <- struct{}{}:
			case <-ctx.Done():
				return nil
			}
			if err := s.rate.Wait(ctx); err != nil {
				return nil
			}
			if at := s.readyAt(e); at.After(time.Now()) { // a 429 came in meanwhile
				<-slots
				earliest = earlier(earliest, at)
				continue
			}
			s.limits.Take(e.ChatID, e.Group(), time.Now())
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

// readyAt is when e may be sent: its own retry time and its chat's limits.
func (s *Sender) readyAt(e storage.OutboxEntry) time.Time {
	at := s.limits.ReadyAtBulk(e.ChatID, e.Group())
	if e.NotBefore.After(at) {
		at = e.NotBefore
	}
	return at
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
	var v verdict
	if !active {
		v.outcome = storage.Outcome{State: storage.OutboxSkipped, Reason: ReasonInactive}
	} else {
		sendCtx, cancel := context.WithTimeout(ctx, s.cfg.SendTimeout)
		msgID, err := s.tg.Send(sendCtx, e.ChatID, e.Content)
		cancel()
		now := time.Now()
		v = s.classify(e, msgID, err, now)
		if v.pause > 0 {
			s.limits.Pause(e.ChatID, v.global, now.Add(v.pause))
		}
		if err != nil {
			s.log.Warn("outbox: send failed", "entry", e.ID, "chat_id", e.ChatID, "attempt", e.Attempts+1,
				"state", v.outcome.State, "reason", v.outcome.Reason, "error", err)
		}
	}
	// Recording the result is retried here rather than the send: an entry
	// left pending after a delivered send would be delivered again.
	for attempt := 0; ; attempt++ {
		err := s.store.CompleteOutbox(ctx, e.ID, v.outcome)
		if err == nil {
			return
		}
		s.log.Error("outbox: record result", "entry", e.ID, "attempt", attempt+1, "error", err)
		if attempt == 4 {
			return
		}
		t := time.NewTimer(time.Duration(100<<attempt) * time.Millisecond)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}

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
