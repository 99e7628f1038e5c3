// Package flood keeps Telegram's per-chat flood limits on our side, shared
// by everything that sends: the bot's replies and the scheduler's outbox
// sender. It imports nothing of ours.
//
// Telegram asks for about one message a second to one chat ("short bursts
// pass") and twenty a minute to one group, and answers 429 with
// retry_after beyond that. A Pacer lets a private chat have burst messages
// in any burst seconds (a reply of two or three messages passes, a stream
// is held to one a second) and a group groupPerMinute a minute, and
// records pauses ordered by 429s, for one chat or for all. Bulk senders
// (ReadyAtBulk) also keep a full second after any message to a private
// chat: announcements and reminders never burst.
package flood

import (
	"context"
	"sync"
	"time"
)

// Pacer is safe for concurrent use. The zero value is not usable; use New.
type Pacer struct {
	mu       sync.Mutex
	burst    int
	groupN   int
	margin   time.Duration
	recent   map[int64][]time.Time // chat → its last sends, oldest first
	paused   map[int64]time.Time   // chat → no sends before
	global   time.Time             // no sends at all before
	lastTidy time.Time
}

// New returns a pacer: burst messages in any burst seconds to a private
// chat (burst 1 is one a second, strictly), groupPerMinute to a group.
func New(burst, groupPerMinute int) *Pacer {
	return &Pacer{
		burst:  max(1, burst),
		groupN: max(1, groupPerMinute),
		margin: 20 * time.Millisecond,
		recent: map[int64][]time.Time{},
		paused: map[int64]time.Time{},
	}
}

func (p *Pacer) window(group bool) (int, time.Duration) {
	if group {
		return p.groupN, time.Minute
	}
	return p.burst, time.Duration(p.burst) * time.Second
}

// ReadyAt is the earliest time a message may go to chat.
func (p *Pacer) ReadyAt(chat int64, group bool) time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.readyAtLocked(chat, group)
}

func (p *Pacer) readyAtLocked(chat int64, group bool) time.Time {
	at := p.global
	if t := p.paused[chat]; t.After(at) {
		at = t
	}
	n, span := p.window(group)
	if r := p.recent[chat]; len(r) >= n {
		if t := r[len(r)-n].Add(span + p.margin); t.After(at) {
			at = t
		}
	}
	return at
}

// ReadyAtBulk is ReadyAt for bulk sends (the outbox): a private chat also
// gets at most one message a second, whoever sent the one before.
func (p *Pacer) ReadyAtBulk(chat int64, group bool) time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	at := p.readyAtLocked(chat, group)
	if r := p.recent[chat]; !group && len(r) > 0 {
		if t := r[len(r)-1].Add(time.Second + p.margin); t.After(at) {
			at = t
		}
	}
	return at
}

// Take records a message sent to chat at now.
func (p *Pacer) Take(chat int64, group bool, now time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.takeLocked(chat, group, now)
}

func (p *Pacer) takeLocked(chat int64, group bool, now time.Time) {
	n, _ := p.window(group)
	r := append(p.recent[chat], now)
	if len(r) > n {
		r = r[len(r)-n:]
	}
	p.recent[chat] = r
	if now.Sub(p.lastTidy) > time.Minute {
		p.tidyLocked(now)
	}
}

// Wait blocks until a message may go to chat (at most max), then records
// it. It returns ctx's error if ctx ends first; when the wait would be
// longer than max it records nothing and returns ErrBusy.
func (p *Pacer) Wait(ctx context.Context, chat int64, group bool, max time.Duration) error {
	for {
		p.mu.Lock()
		now := time.Now()
		at := p.readyAtLocked(chat, group)
		if !at.After(now) {
			p.takeLocked(chat, group, now)
			p.mu.Unlock()
			return nil
		}
		p.mu.Unlock()
		wait := at.Sub(now)
		if wait > max {
			return ErrBusy
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// Pause holds sends to chat (or to every chat, if global) until until.
func (p *Pacer) Pause(chat int64, global bool, until time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if global {
		if until.After(p.global) {
			p.global = until
		}
		return
	}
	if until.After(p.paused[chat]) {
		p.paused[chat] = until
	}
}

// BusyGroup reports whether a group got at least half its per-minute
// limit in the last minute: a 429 for it is then likely its own limit.
func (p *Pacer) BusyGroup(chat int64, now time.Time) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, t := range p.recent[chat] {
		if now.Sub(t) < time.Minute {
			n++
		}
	}
	return n*2 >= p.groupN
}

// tidyLocked drops what is known of chats idle for longer than any limit,
// so the maps do not grow with every chat ever written to.
func (p *Pacer) tidyLocked(now time.Time) {
	p.lastTidy = now
	for c, r := range p.recent {
		if len(r) == 0 || now.Sub(r[len(r)-1]) > time.Minute+p.margin {
			delete(p.recent, c)
		}
	}
	for c, t := range p.paused {
		if now.After(t) {
			delete(p.paused, c)
		}
	}
}
