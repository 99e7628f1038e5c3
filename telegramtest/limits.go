package telegramtest

import "time"

// Limits is Telegram-like flood control, counted over requests that create a
// message (sendMessage, sendDocument, sendPhoto, sendVideo, sendMediaGroup
// (one for the album), copyMessage) with sliding
// windows. Zero fields are off.
type Limits struct {
	Global            int // messages per second over all chats
	PerChat           int // messages per second to one private chat
	PerGroupPerMinute int // messages per minute to one group or supergroup
	// PerChatBurst models Telegram's "short bursts pass" for private
	// chats: with PerChatBurst = n > 1, a chat may get up to n×PerChat
	// messages in any n seconds (so a reply of two messages passes, a
	// steady stream is still held to PerChat a second). 0 or 1: strict.
	PerChatBurst int
	// PaidGlobal is messages per second over all chats for requests with
	// allow_paid_broadcast (Telegram's paid broadcasts: 1000); they are
	// not counted in Global. 0: such requests count in Global like any.
	PaidGlobal int
}

// A send that would exceed a limit is answered 429 with retry_after 1 (per
// second limits) or the seconds until the group's window frees, is not
// counted in the windows, and is counted by RateViolations.

// SetRateLimits replaces the limits and resets all windows.
func (s *Server) SetRateLimits(l Limits) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.setLimitsLocked(l)
}

// RateViolations counts 429 answers caused by Limits (not by FailNext).
func (s *Server) RateViolations() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rateViolations
}

func (s *Server) setLimitsLocked(l Limits) {
	s.limits = l
	s.global, s.paidGlobal = nil, nil
	if l.Global > 0 {
		s.global = newWindow(l.Global, time.Second)
	}
	if l.PaidGlobal > 0 {
		s.paidGlobal = newWindow(l.PaidGlobal, time.Second)
	}
	for _, cs := range s.chats {
		cs.rate = nil
	}
}

// rateLocked admits one message to cs (paid: with allow_paid_broadcast)
// or returns the 429 reply.
func (s *Server) rateLocked(cs *chatState, paid bool) reply {
	if s.limits == (Limits{}) {
		return reply{}
	}
	now := int64(time.Since(s.epoch))
	global := s.global
	if paid && s.paidGlobal != nil {
		global = s.paidGlobal
	}
	if global != nil && global.wait(now) > 0 {
		s.rateViolations++
		return tooMany(1)
	}
	if cs.rate == nil {
		switch {
		case cs.chat.Type == ChatPrivate && s.limits.PerChat > 0:
			burst := max(1, s.limits.PerChatBurst)
			cs.rate = newWindow(s.limits.PerChat*burst, time.Duration(burst)*time.Second)
		case cs.chat.Type != ChatPrivate && s.limits.PerGroupPerMinute > 0:
			cs.rate = newWindow(s.limits.PerGroupPerMinute, time.Minute)
		}
	}
	if cs.rate != nil {
		if d := cs.rate.wait(now); d > 0 {
			s.rateViolations++
			retry := 1
			if cs.rate.span > int64(time.Second) {
				retry = int((d + int64(time.Second) - 1) / int64(time.Second))
			}
			return tooMany(retry)
		}
		cs.rate.add(now)
	}
	if global != nil {
		global.add(now)
	}
	return reply{}
}

// window is a sliding-window counter: a ring of the last `limit` admission
// times. O(1) per check, memory O(limit).
type window struct {
	span  int64 // nanoseconds
	times []int64
	head  int // oldest entry when full
	n     int
}

func newWindow(limit int, span time.Duration) *window {
	return &window{span: int64(span), times: make([]int64, limit)}
}

// wait is how long (ns) until one more event fits; 0 if it fits now.
func (w *window) wait(now int64) int64 {
	if w.n < len(w.times) {
		return 0
	}
	if d := now - w.times[w.head]; d < w.span {
		return w.span - d
	}
	return 0
}

func (w *window) add(now int64) {
	if w.n < len(w.times) {
		w.times[(w.head+w.n)%len(w.times)] = now
		w.n++
		return
	}
	w.times[w.head] = now
	w.head = (w.head + 1) % len(w.times)
}
