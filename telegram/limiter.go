package telegram

import (
	"context"
	"sync"
	"time"
)

// Lane is a queue of the overall limiter. Replies to a user's own action
// go first; bulk sends (announcements, reminders, digests) take what
// replies leave.
type Lane int

// Lanes, in priority order.
const (
	LaneReply Lane = iota
	LaneBulk
)

// String names the lane in logs and metrics: "reply" or "bulk".
func (l Lane) String() string {
	if l == LaneReply {
		return "reply"
	}
	return "bulk"
}

// Limiter keeps the bot's overall rate: one message every 1/rate seconds
// for everything it sends, handed out first come, first served within a
// lane, and to the reply lane before the bulk lane. A 429 on the overall
// limit pauses it (Pause), and an outage holds it until the gateway's
// probe succeeds (Hold, Release).
//
// Limiter is safe for concurrent use. The zero value is not usable; use
// NewLimiter.
type Limiter struct {
	interval time.Duration

	mu     sync.Mutex
	next   time.Time // the next grant is not before
	until  time.Time // paused until (a 429)
	held   bool      // an outage: nothing is granted
	queues [2][]*waiter
	timer  *time.Timer
	// timerAt is when the armed timer fires (zero when none is armed).
	timerAt time.Time
	// observe, if set (by the gateway's metrics before any Wait), is told
	// how long each granted Wait took.
	observe func(Lane, time.Duration)
}

type waiter struct {
	ready   chan struct{}
	granted bool
}

// catchUp is how many intervals late grants may be made up for.
const catchUp = 2

// LimiterBurst is the most grants a Limiter makes back to back (after it
// was idle, or to catch up): its rate holds over any longer stretch.
const LimiterBurst = catchUp + 1

// NewLimiter returns a limiter of perSecond grants a second (at least 1).
func NewLimiter(perSecond float64) *Limiter {
	if perSecond < 1 {
		perSecond = 1
	}
	return &Limiter{interval: time.Duration(float64(time.Second) / perSecond)}
}

// Wait blocks until lane may send one message, or ctx ends (its error is
// returned and nothing is taken).
func (l *Limiter) Wait(ctx context.Context, lane Lane) error {
	w := &waiter{ready: make(chan struct{})}
	start := time.Now()
	l.mu.Lock()
	l.queues[lane] = append(l.queues[lane], w)
	l.pumpLocked(time.Now())
	l.mu.Unlock()
	select {
	case <-w.ready:
		if l.observe != nil {
			l.observe(lane, time.Since(start))
		}
		return nil
	case <-ctx.Done():
		l.mu.Lock()
		defer l.mu.Unlock()
		if w.granted {
			// Granted as ctx ended: the slot is lost, the rate is kept.
			return ctx.Err()
		}
		q := l.queues[lane]
		for i, x := range q {
			if x == w {
				l.queues[lane] = append(q[:i:i], q[i+1:]...)
				break
			}
		}
		return ctx.Err()
	}
}

// Pause holds every grant until until (a 429 on the overall limit).
func (l *Limiter) Pause(until time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if until.After(l.until) {
		l.until = until
	}
	l.pumpLocked(time.Now())
}

// PausedUntil is the end of the current pause (zero or past if none).
func (l *Limiter) PausedUntil() time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.until
}

// Hold stops every grant until Release: Telegram is unreachable.
func (l *Limiter) Hold() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.held = true
}

// Release ends a Hold; waiters are served again in order.
func (l *Limiter) Release() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.held = false
	l.pumpLocked(time.Now())
}

// Waiting is how many callers wait in lane.
func (l *Limiter) Waiting(lane Lane) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.queues[lane])
}

// pumpLocked grants what may be granted at now and arms the timer for the
// next grant.
func (l *Limiter) pumpLocked(now time.Time) {
	if l.held {
		return
	}
	for {
		lane := LaneReply
		if len(l.queues[lane]) == 0 {
			lane = LaneBulk
		}
		if len(l.queues[lane]) == 0 {
			return
		}
		at := l.next
		if l.until.After(at) {
			at = l.until
		}
		if at.After(now) {
			l.armLocked(at)
			return
		}
		w := l.queues[lane][0]
		l.queues[lane] = l.queues[lane][1:]
		w.granted = true
		close(w.ready)
		// A grant made late (timers and wake-ups are not exact) is made up
		// for: the schedule keeps its pace as long as it is at most
		// catchUp intervals behind. An idle limiter banks no more than
		// that, so at most catchUp+1 grants go back to back.
		base := l.next
		if floor := now.Add(-catchUp * l.interval); base.Before(floor) {
			base = floor
		}
		l.next = base.Add(l.interval)
	}
}

func (l *Limiter) armLocked(at time.Time) {
	if !l.timerAt.IsZero() && !l.timerAt.After(at) {
		return // an earlier timer will pump
	}
	if l.timer != nil {
		l.timer.Stop()
	}
	l.timerAt = at
	l.timer = time.AfterFunc(time.Until(at), func() {
		l.mu.Lock()
		defer l.mu.Unlock()
		l.timerAt = time.Time{}
		l.pumpLocked(time.Now())
	})
}
