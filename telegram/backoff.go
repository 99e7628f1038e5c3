package telegram

import (
	"context"
	"time"
)

// Backoff is an exponential backoff: First, doubled on each step up to
// Max. The zero value waits 100 ms, then up to 5 s.
type Backoff struct {
	First, Max time.Duration
}

// Delay is the wait before try number attempt+1 (attempt 0 is the first
// retry).
func (b Backoff) Delay(attempt int) time.Duration {
	first, most := b.First, b.Max
	if first <= 0 {
		first = 100 * time.Millisecond
	}
	if most <= 0 {
		most = 5 * time.Second
	}
	d := first
	for range min(attempt, 32) {
		if d *= 2; d >= most {
			return most
		}
	}
	return min(d, most)
}

// Sleep waits d or until ctx ends; it returns ctx's error in that case.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
