package telegram

import (
	"sync"
	"time"
)

// Pacer keeps Telegram's per-chat flood limits on our side, shared by every
// sender: replies and the outbox.
//
// Telegram asks for about one message a second to one chat ("short bursts
// pass") and twenty a minute to one group, and answers 429 with
// retry_after beyond that. A Pacer lets a private chat have burst messages
// in any burst seconds (a reply of two or three messages passes, a stream
// is held to one a second) and a group groupPerMinute a minute, and
// records pauses ordered by 429s for one chat. Bulk senders (ReadyAtBulk)
// never burst: a full second after any message to a private chat, three
// seconds to a group. The overall limit is the Limiter's.
//
// Pacer is safe for concurrent use. The zero value is not usable; use
// NewPacer.
type Pacer struct {
	mu       sync.Mutex
	burst    int
	groupN   int
	margin   time.Duration
	recent   map[int64][]time.Time // chat → its last sends, oldest first
	paused   map[int64]time.Time   // chat → no sends before
	lastTidy time.Time
}

// NewPacer returns a pacer: burst messages in any burst seconds to a
// private chat (burst 1 is one a second, strictly), groupPerMinute to a
// group.
func NewPacer(burst, groupPerMinute int) *Pacer {
	return &Pacer{
		burst:  max(1, burst),
		groupN: max(1, groupPerMinute),
		margin: 20 * time.Millisecond,
		recent: map[int64][]time.Time{},
		paused: map[int64]time.Time{},
	}
}

// Telegram's per-chat limits as the bot keeps them: bursts of three to a
// private chat, twenty a minute to a group.
const (
	PrivateBurst   = 3
	GroupPerMinute = 20
)

func (p *Pacer) window(group bool) (int, time.Duration) {
	if group {
		return p.groupN, time.Minute
	}
	return p.burst, time.Duration(p.burst) * time.Second
}

// ReadyAt is the earliest time a reply may go to chat.
func (p *Pacer) ReadyAt(chat int64) time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.readyAtLocked(chat)
}

func (p *Pacer) readyAtLocked(chat int64) time.Time {
	at := p.paused[chat]
	n, span := p.window(IsGroup(chat))
	if r := p.recent[chat]; len(r) >= n {
		if t := r[len(r)-n].Add(span + p.margin); t.After(at) {
			at = t
		}
	}
	return at
}

// ReadyAtBulk is ReadyAt for bulk sends (the outbox), which never burst:
// a private chat gets at most one message a second and a group one every
// minute ÷ groupPerMinute (3 s), whoever sent the one before.
func (p *Pacer) ReadyAtBulk(chat int64) time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	at := p.readyAtLocked(chat)
	if r := p.recent[chat]; len(r) > 0 {
		if t := r[len(r)-1].Add(p.bulkGap(chat) + p.margin); t.After(at) {
			at = t
		}
	}
	return at
}

// bulkGap is the least time between two bulk messages to chat.
func (p *Pacer) bulkGap(chat int64) time.Duration {
	if IsGroup(chat) {
		return time.Minute / time.Duration(p.groupN)
	}
	return time.Second
}

// Take records a message sent to chat at now.
func (p *Pacer) Take(chat int64, now time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.takeLocked(chat, now)
}

// TakeN records n messages sent to chat at once from now (an album of
// n): to the per-chat limits they count as n bulk messages one bulk gap
// apart, so the chat's next message waits until the last of them would
// have gone.
func (p *Pacer) TakeN(chat int64, now time.Time, n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	gap := p.bulkGap(chat)
	for i := range max(n, 1) {
		p.takeLocked(chat, now.Add(time.Duration(i)*gap))
	}
}

// TakeIfReady records a message to chat at now and returns true if a
// reply may go now; otherwise it records nothing and returns when it may.
func (p *Pacer) TakeIfReady(chat int64, now time.Time) (time.Time, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if at := p.readyAtLocked(chat); at.After(now) {
		return at, false
	}
	p.takeLocked(chat, now)
	return now, true
}

func (p *Pacer) takeLocked(chat int64, now time.Time) {
	n, _ := p.window(IsGroup(chat))
	r := append(p.recent[chat], now)
	if len(r) > n {
		r = r[len(r)-n:]
	}
	p.recent[chat] = r
	if now.Sub(p.lastTidy) > time.Minute {
		p.tidyLocked(now)
	}
}

// Pause holds sends to chat until until.
func (p *Pacer) Pause(chat int64, until time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if until.After(p.paused[chat]) {
		p.paused[chat] = until
	}
}

// BusyGroup reports whether a group got at least half its per-minute
// limit in the last minute, or a message in the last bulk gap: a 429 for
// it is then likely its own limit.
func (p *Pacer) BusyGroup(chat int64, now time.Time) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	r := p.recent[chat]
	for _, t := range r {
		if now.Sub(t) < time.Minute {
			n++
		}
	}
	return n*2 >= p.groupN || (len(r) > 0 && now.Sub(r[len(r)-1]) < p.bulkGap(chat))
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
