package telegramtest

import (
	"context"
	"encoding/json"
	"strconv"
	"time"
)

// Update kinds, as used by allowed_updates.
const (
	kindMessage       = "message"
	kindCallbackQuery = "callback_query"
	kindMyChatMember  = "my_chat_member"
)

type queuedUpdate struct {
	id   int64
	kind string
	data []byte // the encoded Update
}

// emitLocked queues an update and wakes long polls. Updates of a kind the
// bot excluded with allowed_updates are not created at all, as on Telegram
// (the setting affects updates created after the call).
func (s *Server) emitLocked(kind string, u *wireUpdate) int64 {
	if s.allowed != nil && !s.allowed[kind] {
		return 0
	}
	id := s.nextUpdateID
	s.nextUpdateID++
	u.UpdateID = id
	data, err := json.Marshal(u)
	if err != nil {
		panic("telegramtest: encode update: " + err.Error())
	}
	s.pending = append(s.pending, queuedUpdate{id: id, kind: kind, data: data})
	s.updSignal.fire()
	return id
}

// PendingUpdates is the number of updates not yet confirmed by getUpdates
// (including ones already returned but not confirmed by a later offset).
func (s *Server) PendingUpdates() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.pending)
}

// ConfirmedUpTo is the highest update_id confirmed (forgotten) through
// getUpdates' offset; first update id - 1 when none.
func (s *Server) ConfirmedUpTo() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.confirmedUpTo
}

// confirmLocked applies getUpdates' offset: a positive offset forgets every
// update with a smaller id; a negative one keeps only the last -offset.
func (s *Server) confirmLocked(offset int64) {
	drop := 0
	switch {
	case offset > 0:
		for drop < len(s.pending) && s.pending[drop].id < offset {
			drop++
		}
		if c := min(offset-1, s.nextUpdateID-1); c > s.confirmedUpTo {
			s.confirmedUpTo = c
		}
	case offset < 0:
		if keep := int(-offset); keep < len(s.pending) {
			drop = len(s.pending) - keep
		}
	}
	if drop == 0 {
		return
	}
	if last := s.pending[drop-1].id; last > s.confirmedUpTo {
		s.confirmedUpTo = last
	}
	clear(s.pending[:drop]) // release the encoded updates
	s.pending = s.pending[drop:]
	if len(s.pending) == 0 {
		s.pending = nil
	}
}

var emptyArray = []byte("[]")

// allowedUpdates reads allowed_updates (getUpdates, setWebhook): set is
// false when the parameter is absent (the last setting stays); an empty
// list is Telegram's default set (allowed nil).
func allowedUpdates(p *params) (allowed map[string]bool, set bool, r reply) {
	raw := p.str("allowed_updates")
	if raw == "" {
		return nil, false, reply{}
	}
	var kinds []string
	if err := json.Unmarshal([]byte(raw), &kinds); err != nil {
		return nil, false, badRequest("can't parse allowed_updates JSON array")
	}
	if len(kinds) > 0 {
		allowed = make(map[string]bool, len(kinds))
		for _, k := range kinds {
			allowed[k] = true
		}
	}
	return allowed, true, reply{}
}

func (s *Server) mGetUpdates(ctx context.Context, p *params) reply {
	offset, ok1 := p.int("offset")
	limit, ok2 := p.int("limit")
	timeout, ok3 := p.int("timeout")
	if !ok1 || !ok2 || !ok3 {
		return badRequest("wrong parameter value")
	}
	if limit <= 0 || limit > 100 {
		limit = 100
	}
	allowed, setAllowed, r := allowedUpdates(p)
	if r.failed() {
		return r
	}
	wait := time.Duration(max(timeout, 0)) * time.Second
	if s.longPollCap > 0 && wait > s.longPollCap {
		wait = s.longPollCap
	}
	var timer *time.Timer
	for {
		s.mu.Lock()
		if s.webhook != "" {
			s.mu.Unlock()
			return apiError(409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first")
		}
		if setAllowed {
			s.allowed, setAllowed = allowed, false
		}
		s.confirmLocked(offset)
		if n := min(int(limit), len(s.pending)); n > 0 || wait <= 0 {
			res := s.deliverLocked(n)
			s.mu.Unlock()
			return reply{raw: res}
		}
		wake := s.updSignal.wait()
		s.mu.Unlock()
		if timer == nil {
			timer = time.NewTimer(wait)
			defer timer.Stop()
		}
		select {
		case <-wake:
		case <-timer.C:
			return reply{raw: emptyArray}
		case <-ctx.Done():
			return reply{raw: emptyArray}
		case <-s.closing:
			return reply{raw: emptyArray}
		}
	}
}

// deliverLocked encodes the first n pending updates as a JSON array.
func (s *Server) deliverLocked(n int) []byte {
	if n == 0 {
		return emptyArray
	}
	size := 2
	for _, u := range s.pending[:n] {
		size += len(u.data) + 1
	}
	buf := make([]byte, 0, size)
	buf = append(buf, '[')
	for i, u := range s.pending[:n] {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, u.data...)
	}
	buf = append(buf, ']')
	if last := s.pending[n-1].id; last > s.deliveredUpTo {
		s.deliveredUpTo = last
		s.changed.fire()
	}
	return buf
}

// SendRawUpdate queues an update made of fields, raw JSON object members
// (`"message":{…}`), with the next update_id, which it returns: for tests
// of updates a bot cannot decode (a field of a type it does not expect, a
// kind it does not know). Nothing is checked.
func (s *Server) SendRawUpdate(fields string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := s.nextUpdateID
	s.nextUpdateID++
	data := []byte(`{"update_id":` + strconv.FormatInt(id, 10) + `,` + fields + `}`)
	s.pending = append(s.pending, queuedUpdate{id: id, kind: "raw", data: data})
	s.updSignal.fire()
	return id
}
