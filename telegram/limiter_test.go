package telegram

import (
	"context"
	"errors"
	"runtime"
	"testing"
	"time"
)

// queue starts a waiter in lane and returns once it is queued; the lane is
// sent on granted when it is granted.
func queue(t *testing.T, l *Limiter, lane Lane, granted chan<- Lane) {
	t.Helper()
	before := l.Waiting(lane)
	go func() {
		if err := l.Wait(context.Background(), lane); err != nil {
			t.Error(err)
		}
		granted <- lane
	}()
	for l.Waiting(lane) == before {
		runtime.Gosched()
	}
}

func TestLimiterServesRepliesBeforeBulk(t *testing.T) {
	l := NewLimiter(20) // a grant every 50 ms
	for range catchUp + 1 {
		// An idle limiter's banked grants go back to back; use them up so
		// that the grants below are an interval apart and in order.
		if err := l.Wait(context.Background(), LaneBulk); err != nil {
			t.Fatal(err)
		}
	}
	l.Hold() // queue everyone first
	arrivals := []Lane{LaneBulk, LaneBulk, LaneReply, LaneBulk, LaneReply}
	granted := make(chan Lane, len(arrivals))
	for _, lane := range arrivals {
		queue(t, l, lane, granted)
	}
	l.Release()
	want := []Lane{LaneReply, LaneReply, LaneBulk, LaneBulk, LaneBulk}
	for i, w := range want {
		if got := <-granted; got != w {
			t.Fatalf("grant %d went to lane %d, want %d (replies first)", i, got, w)
		}
	}
}

func TestLimiterKeepsTheRate(t *testing.T) {
	const rate, n = 100.0, 21
	l := NewLimiter(rate)
	start := time.Now()
	for range n {
		if err := l.Wait(context.Background(), LaneBulk); err != nil {
			t.Fatal(err)
		}
	}
	// The first grants are at once (an idle limiter banks catchUp), then
	// one every 10 ms.
	if elapsed, min := time.Since(start), time.Duration(n-1-catchUp)*time.Second/rate; elapsed < min {
		t.Errorf("%d grants in %v, want at least %v at %v/s", n, elapsed, min, rate)
	}
}

func TestLimiterPauseHoldsEveryLane(t *testing.T) {
	l := NewLimiter(1000)
	until := time.Now().Add(150 * time.Millisecond)
	l.Pause(until)
	for _, lane := range []Lane{LaneReply, LaneBulk} {
		if err := l.Wait(context.Background(), lane); err != nil {
			t.Fatal(err)
		}
		if now := time.Now(); now.Before(until) {
			t.Errorf("lane %d granted %v before the pause ended", lane, until.Sub(now))
		}
	}
}

func TestLimiterWaitEndsWithItsContext(t *testing.T) {
	l := NewLimiter(1)
	l.Hold()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := l.Wait(ctx, LaneReply); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Wait = %v, want the context's deadline", err)
	}
	if n := l.Waiting(LaneReply); n != 0 {
		t.Errorf("%d waiters left behind by a cancelled Wait", n)
	}
}

func TestBackoffDelay(t *testing.T) {
	b := Backoff{First: time.Second, Max: 5 * time.Second}
	for attempt, want := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 5 * time.Second, 5 * time.Second} {
		if got := b.Delay(attempt); got != want {
			t.Errorf("Delay(%d) = %v, want %v", attempt, got, want)
		}
	}
	if got := b.Delay(1000); got != 5*time.Second {
		t.Errorf("Delay(1000) = %v, want the maximum", got)
	}
}
