package telegram

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// outage is what the gateway knows of Telegram being unreachable: since
// when, and whether a probe is under way.
type outage struct {
	mu      sync.Mutex
	down    bool
	since   time.Time
	reason  string
	probing chan struct{} // closed when the probe in flight ends
}

// probeTimeout bounds one probe (getMe).
const probeTimeout = 5 * time.Second

// unreachable is asked after a call failed in a way that may be Telegram's
// (a 5xx, a timeout, the network) or the bot's (a refused token): it
// probes with getMe, once for all the callers that ask at the same time,
// on a context of its own (at most probeTimeout), so that a caller's
// deadline does not make the probe fail. If the probe fails too, every
// send is held (the limiter), a background probe runs until Telegram
// answers, and unreachable returns true: the failure was not the
// message's. If the probe succeeds it returns false.
func (g *Gateway) unreachable() bool {
	o := &g.outage
	o.mu.Lock()
	if o.down {
		o.mu.Unlock()
		return true
	}
	if wait := o.probing; wait != nil {
		o.mu.Unlock()
		<-wait // at most probeTimeout
		o.mu.Lock()
		defer o.mu.Unlock()
		return o.down
	}
	done := make(chan struct{})
	o.probing = done
	o.mu.Unlock()

	err := g.probe(context.Background())

	o.mu.Lock()
	o.probing = nil
	if err != nil {
		o.down, o.since, o.reason = true, time.Now(), err.Error()
		for _, l := range g.limiters() {
			l.Hold()
		}
		go g.probeUntilUp()
	}
	down := o.down
	o.mu.Unlock()
	close(done)
	if down && err != nil {
		g.log.Warn("telegram: unreachable; every send waits until it answers", "error", err)
	}
	return down
}

// CheckReachable is unreachable for callers outside the gateway that saw
// Telegram fail (the update poller): it reports whether Telegram is
// unreachable, holding every send if so.
func (g *Gateway) CheckReachable() bool { return !g.unreachable() }

func (g *Gateway) probe(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	_, err := g.Me(ctx)
	return err
}

// probeUntilUp probes with backoff until Telegram answers (then releases
// every send) or the gateway is closed.
func (g *Gateway) probeUntilUp() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-g.closed:
			cancel()
		case <-ctx.Done():
		}
	}()
	for attempt := 0; ; attempt++ {
		if Sleep(ctx, g.cfg.Probe.Delay(attempt)) != nil {
			return
		}
		err := g.probe(ctx)
		if ctx.Err() != nil {
			return
		}
		o := &g.outage
		o.mu.Lock()
		if err != nil {
			o.reason = err.Error()
			o.mu.Unlock()
			continue
		}
		since := o.since
		o.down, o.since, o.reason = false, time.Time{}, ""
		// Released under the lock, so that a new outage's Hold cannot
		// come between and be undone.
		for _, l := range g.limiters() {
			l.Release()
		}
		o.mu.Unlock()
		g.log.Info("telegram: reachable again; sends resume", "after", time.Since(since).Round(time.Millisecond))
		return
	}
}

// Health is "" while Telegram answers; otherwise why the gateway holds
// its sends: unreachable since when and why, or a long flood wait.
func (g *Gateway) Health() string {
	o := &g.outage
	o.mu.Lock()
	down, since, reason := o.down, o.since, o.reason
	o.mu.Unlock()
	if down {
		return fmt.Sprintf("telegram unreachable for %s: %s", time.Since(since).Round(time.Second), reason)
	}
	if until := g.limiter.PausedUntil(); time.Until(until) > healthyPause {
		return fmt.Sprintf("telegram flood control: every send waits %s", time.Until(until).Round(time.Second))
	}
	return ""
}

// healthyPause is the longest flood wait that still counts as healthy.
const healthyPause = time.Minute
