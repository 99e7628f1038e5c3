package scheduler

import (
	"sync"
	"time"
)

// chatLimits keeps Telegram's per-chat limits on our side: one message a
// second to a private chat, twenty a minute to a group, and pauses ordered
// by 429s. It is safe for concurrent use.
type chatLimits struct {
	mu      sync.Mutex
	private time.Duration // minimum gap between two messages to one private chat
	groupN  int           // messages per groupSpan to one group
	span    time.Duration
	margin  time.Duration
	last    map[int64]time.Time   // private chat → last send
	recent  map[int64][]time.Time // group → its last groupN sends, oldest first
	paused  map[int64]time.Time   // chat → no sends before
	global  time.Time             // no sends at all before
}

func newChatLimits(perGroupPerMinute int) *chatLimits {
	return &chatLimits{
		private: time.Second,
		groupN:  perGroupPerMinute,
		span:    time.Minute,
		margin:  20 * time.Millisecond,
		last:    map[int64]time.Time{},
		recent:  map[int64][]time.Time{},
		paused:  map[int64]time.Time{},
	}
}

// readyAt is the earliest time a message may go to chat.
func (l *chatLimits) readyAt(chat int64, group bool) time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	at := l.global
	if p := l.paused[chat]; p.After(at) {
		at = p
	}
	if group {
		if r := l.recent[chat]; len(r) >= l.groupN && l.groupN > 0 {
			if t := r[0].Add(l.span + l.margin); t.After(at) {
				at = t
			}
		}
	} else if last, ok := l.last[chat]; ok {
		if t := last.Add(l.private + l.margin); t.After(at) {
			at = t
		}
	}
	return at
}

// take records a send to chat at now.
func (l *chatLimits) take(chat int64, group bool, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if group {
		r := append(l.recent[chat], now)
		if len(r) > l.groupN {
			r = r[len(r)-l.groupN:]
		}
		l.recent[chat] = r
		return
	}
	l.last[chat] = now
}

// pause holds sends to chat (or all, if global) until until.
func (l *chatLimits) pause(chat int64, global bool, until time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if global {
		if until.After(l.global) {
			l.global = until
		}
		return
	}
	if until.After(l.paused[chat]) {
		l.paused[chat] = until
	}
}

// forget drops what is known of chats idle for longer than any limit, so
// the maps do not grow with every chat ever written to.
func (l *chatLimits) forget(now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for c, t := range l.last {
		if now.Sub(t) > l.private+l.margin {
			delete(l.last, c)
		}
	}
	for c, r := range l.recent {
		if len(r) == 0 || now.Sub(r[len(r)-1]) > l.span+l.margin {
			delete(l.recent, c)
		}
	}
	for c, t := range l.paused {
		if now.After(t) {
			delete(l.paused, c)
		}
	}
}
