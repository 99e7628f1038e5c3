package storage

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"
)

// dueKeyLen is the length of a due key: due time (8), kind (1), event id
// (8), reminder offset (8).
const dueKeyLen = 25

// dueNanos is t as an index time: Unix nanoseconds as a uint64, which
// sorts in time order. ok is false for times an index cannot hold (before
// 1970, after 2200).
func dueNanos(t time.Time) (uint64, bool) {
	if t.IsZero() {
		return 0, false
	}
	if y := t.Year(); y < 1970 || y > 2200 {
		return 0, false
	}
	return uint64(t.UnixNano()), true
}

func dueKey(at uint64, kind DueKind, eventID int64, offset time.Duration) []byte {
	k := make([]byte, dueKeyLen)
	binary.BigEndian.PutUint64(k, at)
	k[8] = byte(kind)
	binary.BigEndian.PutUint64(k[9:], uint64(eventID))
	binary.BigEndian.PutUint64(k[17:], uint64(offset))
	return k
}

func remSentKey(eventID int64, offset time.Duration) []byte {
	return append(itob(eventID), itob(int64(offset))...)
}

// dueWork is one piece of an event's schedule.
type dueWork struct {
	kind   DueKind
	offset time.Duration
	at     time.Time
	ns     uint64
}

func (w dueWork) key(eventID int64) []byte { return dueKey(w.ns, w.kind, eventID, w.offset) }

// schedule lists every piece of work e would have if published, whatever
// has been sent already: a reminder per positive offset, the deadline
// notice, the finish. It depends only on e and the store's zone, so the
// keys of a stored event can be recomputed to delete them.
func (s *Store) schedule(e Event) []dueWork {
	var list []dueWork
	for _, off := range e.Reminders {
		if off <= 0 {
			continue
		}
		at := e.Start.Add(-off)
		if ns, ok := dueNanos(at); ok {
			list = append(list, dueWork{kind: DueReminder, offset: off, at: at, ns: ns})
		}
	}
	if at, ok := s.deadlineNoticeAt(e); ok {
		if ns, ok := dueNanos(at); ok {
			list = append(list, dueWork{kind: DueDeadline, at: at, ns: ns})
		}
	}
	at := finishAt(e)
	if ns, ok := dueNanos(at); ok {
		list = append(list, dueWork{kind: DueFinish, at: at, ns: ns})
	}
	return list
}

// deadlineNoticeAt is 10:00 in the store's zone on the calendar day before
// the deadline's day there; ok is false without a deadline or when that
// time is not before the deadline.
func (s *Store) deadlineNoticeAt(e Event) (time.Time, bool) {
	if e.Deadline.IsZero() {
		return time.Time{}, false
	}
	y, m, d := e.Deadline.In(s.loc).Date()
	at := time.Date(y, m, d-1, 10, 0, 0, 0, s.loc)
	return at, at.Before(e.Deadline)
}

// noticeWindow is how long after its 10:00 a deadline notice may still go
// out: until 21:00 the same day.
const noticeWindow = 11 * time.Hour

// finishAt is when e is over: its End, or Start + FinishAfter without one.
func finishAt(e Event) time.Time {
	if !e.End.IsZero() {
		return e.End
	}
	return e.Start.Add(FinishAfter)
}

// reindexDue keeps the due index in step with a change of an event inside
// tx: it deletes every key old (the stored event before the change; nil for
// a new one) could have, and adds next's keys if next is published (nil:
// none). now decides what is already past:
//
//   - a reminder already sent for next's Start is not added again; one sent
//     for another start is added only if its new due time is after now; one
//     already due when the event is first published is not added; one
//     never sent that comes due through an edit is added (RunDue then sends
//     it if the event has not started, or skips it);
//   - the deadline notice is added only while the deadline is after now and
//     a notice for the same due time has not been sent; a due time already
//     past makes it due at once;
//   - the finish is always added, so an event published after its end is
//     finished at the next tick.
func (s *Store) reindexDue(tx *bolt.Tx, old, next *Event, now time.Time) error {
	due := tx.Bucket(bucketDue)
	if old != nil {
		for _, w := range s.schedule(*old) {
			if err := due.Delete(w.key(old.ID)); err != nil {
				return err
			}
		}
	}
	if next == nil || next.Status != EventPublished {
		return nil
	}
	remSent := tx.Bucket(bucketRemindersSent)
	// A reminder whose time has already passed when the event is first
	// published is pointless (people sign up after the announcement); after
	// that, one that comes due through an edit is sent at once.
	firstPublication := old == nil || old.Status != EventPublished
	for _, w := range s.schedule(*next) {
		switch w.kind {
		case DueReminder:
			if firstPublication && !w.at.After(now) {
				continue
			}
			if v := remSent.Get(remSentKey(next.ID, w.offset)); len(v) == 8 {
				if btoi(v) == next.Start.UnixNano() || !w.at.After(now) {
					continue
				}
			}
		case DueDeadline:
			if !next.Deadline.After(now) {
				continue
			}
			if v := tx.Bucket(bucketDeadlineSent).Get(itob(next.ID)); len(v) == 8 && uint64(btoi(v)) == w.ns {
				continue
			}
		}
		if err := due.Put(w.key(next.ID), nil); err != nil {
			return err
		}
	}
	return nil
}

// RunDue does the scheduled work due at now, in one write transaction: it
// walks the due index from the soonest key while the due time is at or
// before now, at most limit keys (0 or less: no limit), deletes each key
// and, in the same transaction:
//
//   - DueReminder: if the event is published, has not started at now, and
//     the reminder was not sent for this Start already, enqueues
//     r.Reminder(user, event, offset) to every participant with a confirmed
//     registration whose user is active (announcements off or not), origin
//     OriginReminder "rem:<event>:<offset seconds>:<start unix>", and
//     records it in reminders_sent;
//   - DueDeadline: if the event is published and now is before its
//     deadline, enqueues r.DeadlineNotice(user, event) to every active,
//     registered user with announcements on who has no confirmed or
//     waitlisted registration for it, origin notice "deadline:<event>";
//   - DueFinish: if the event is published, sets it finished (its other
//     keys go too) and enqueues r.Finished(creator, event) to its CreatedBy
//     user when they are stored and active, origin notice
//     "finished:<event>".
//
// Work that no longer applies (the event is gone, not published, started,
// or the key no longer matches its times) is returned with Skipped set and
// enqueues nothing. Because the key is deleted in the transaction that
// enqueues, each piece of work is done once, across any number of restarts.
// It returns the keys it handled in due order, and signals Enqueued after
// the commit when it enqueued anything.
//
// When nothing is due it costs one read transaction and one cursor step.
// The renderer runs inside the transaction and must only compute.
func (s *Store) RunDue(ctx context.Context, now time.Time, r Renderer, limit int) ([]DueItem, error) {
	if r == nil {
		return nil, errors.New("storage: run due: nil renderer")
	}
	nowNs, ok := dueNanos(now)
	if !ok {
		return nil, nil
	}
	isDue := func(k []byte) bool { return k != nil && binary.BigEndian.Uint64(k) <= nowNs }
	// Look first in a read transaction: an empty write transaction still
	// writes and fsyncs the meta page.
	var anyDue bool
	if err := s.view(ctx, func(tx *bolt.Tx) error {
		k, _ := tx.Bucket(bucketDue).Cursor().First()
		anyDue = isDue(k)
		return nil
	}); err != nil {
		return nil, fmt.Errorf("storage: run due: %w", err)
	}
	if !anyDue {
		return nil, nil
	}
	var (
		items []DueItem
		sent  int
	)
	err := s.update(ctx, func(tx *bolt.Tx) error {
		items, sent = nil, 0
		due := tx.Bucket(bucketDue)
		// Collect first: deleting keys under a cursor can skip keys.
		var keys [][]byte
		c := due.Cursor()
		for k, _ := c.First(); isDue(k) && (limit <= 0 || len(keys) < limit); k, _ = c.Next() {
			keys = append(keys, bytes.Clone(k))
		}
		for _, k := range keys {
			// A finish earlier in this walk may have removed the event's
			// other keys.
			if got, _ := due.Cursor().Seek(k); !bytes.Equal(got, k) {
				continue
			}
			if err := due.Delete(k); err != nil {
				return err
			}
			// One broken item must not stop the others: its key is
			// dropped and the error reported with it.
			it, err := s.safeRunDueItem(tx, k, now, r)
			if err != nil {
				it.Skipped, it.Messages, it.Err = true, 0, err
			}
			items = append(items, it)
			sent += it.Messages
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("storage: run due: %w", err)
	}
	if sent > 0 {
		s.signalEnqueued()
	}
	return items, nil
}

// safeRunDueItem is runDueItem with a renderer's panic turned into an
// error.
func (s *Store) safeRunDueItem(tx *bolt.Tx, k []byte, now time.Time, r Renderer) (it DueItem, err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("panic: %v", v)
		}
	}()
	return s.runDueItem(tx, k, now, r)
}

// runDueItem does the work of due key k (already deleted) inside tx.
func (s *Store) runDueItem(tx *bolt.Tx, k []byte, now time.Time, r Renderer) (DueItem, error) {
	if len(k) != dueKeyLen {
		return DueItem{}, fmt.Errorf("due key %x: bad length", k)
	}
	ns := binary.BigEndian.Uint64(k)
	it := DueItem{
		Kind:    DueKind(k[8]),
		EventID: btoi(k[9:17]),
		Offset:  time.Duration(btoi(k[17:])),
		Due:     time.Unix(0, int64(ns)).In(s.loc),
	}
	events := tx.Bucket(bucketEvents)
	var e Event
	switch err := getJSON(events, itob(it.EventID), &e); {
	case errors.Is(err, ErrNotFound):
		it.Skipped = true
		return it, nil
	case err != nil:
		return it, err
	}
	// The key must be one the event has now: anything else is stale.
	current := false
	if e.Status == EventPublished {
		for _, w := range s.schedule(e) {
			if w.kind == it.Kind && w.offset == it.Offset && w.ns == ns {
				current = true
				break
			}
		}
	}
	if !current {
		it.Skipped = true
		return it, nil
	}
	var (
		entries []OutboxEntry
		err     error
	)
	switch it.Kind {
	case DueReminder:
		entries, err = s.remind(tx, e, it.Offset, now, r)
	case DueDeadline:
		entries, err = s.deadlineNotice(tx, e, ns, now, r)
	case DueFinish:
		entries, err = s.finish(tx, e, now, r)
	default:
		return it, fmt.Errorf("unknown due kind %q", it.Kind)
	}
	if err != nil {
		return it, err
	}
	if entries == nil {
		it.Skipped = true
		return it, nil
	}
	it.Messages = len(entries)
	if len(entries) == 0 {
		return it, nil
	}
	return it, enqueue(tx, entries, now)
}

// remind builds a reminder's entries and records it sent; nil when it no
// longer applies (the event has started, or it was sent for this Start).
func (s *Store) remind(tx *bolt.Tx, e Event, offset time.Duration, now time.Time, r Renderer) ([]OutboxEntry, error) {
	if !now.Before(e.Start) {
		return nil, nil
	}
	sentKey := remSentKey(e.ID, offset)
	remSent := tx.Bucket(bucketRemindersSent)
	if v := remSent.Get(sentKey); len(v) == 8 && btoi(v) == e.Start.UnixNano() {
		return nil, nil
	}
	// After downtime (or a move closer) several reminders of one event can
	// be overdue at once: only the nearest to the start is sent; the
	// earlier ones are superseded and recorded as sent.
	for _, other := range e.Reminders {
		if other > 0 && other < offset && !e.Start.Add(-other).After(now) {
			return nil, remSent.Put(sentKey, itob(e.Start.UnixNano()))
		}
	}
	users := tx.Bucket(bucketUsers)
	origin := Origin{Kind: OriginReminder, Key: "rem:" + strconv.FormatInt(e.ID, 10) + ":" +
		strconv.FormatInt(int64(offset/time.Second), 10) + ":" + strconv.FormatInt(e.Start.Unix(), 10)}
	entries := []OutboxEntry{}
	err := forEventRegs(tx, e.ID, func(reg Registration) error {
		if reg.State != RegConfirmed {
			return nil
		}
		u, ok, err := activeUser(users, reg.UserID)
		if err != nil || !ok {
			return err
		}
		// Held up past the start (Telegram unreachable), it is skipped:
		// a reminder of what has begun is noise.
		entries = append(entries, OutboxEntry{ChatID: u.ChatID, UserID: u.ID, Content: r.Reminder(u, e, offset), Origin: origin, ExpiresAt: e.Start, DueAt: e.Start.Add(-offset)})
		return nil
	})
	if err != nil {
		return nil, err
	}
	return entries, remSent.Put(sentKey, itob(e.Start.UnixNano()))
}

// deadlineNotice builds the deadline notice's entries and records it sent;
// nil when the deadline has passed.
func (s *Store) deadlineNotice(tx *bolt.Tx, e Event, ns uint64, now time.Time, r Renderer) ([]OutboxEntry, error) {
	if !now.Before(e.Deadline) {
		return nil, nil
	}
	// "Closes tomorrow" is true only on the day before, and nobody wants it
	// at night: past noticeWindow after its 10:00 (the bot was down, or the
	// event was published late) it is not sent.
	if now.Sub(time.Unix(0, int64(ns))) > noticeWindow {
		return nil, nil
	}
	regs := tx.Bucket(bucketRegs)
	origin := Origin{Kind: OriginNotice, Key: "deadline:" + strconv.FormatInt(e.ID, 10)}
	entries := []OutboxEntry{}
	err := tx.Bucket(bucketUsers).ForEach(func(_, v []byte) error {
		var u User
		if err := jsonUnmarshal(v, &u); err != nil {
			return err
		}
		if !u.Registered || !u.Active || u.ChatID == 0 || u.NoAnnouncements {
			return nil
		}
		if data := regs.Get(regKey(e.ID, u.ID)); data != nil {
			var reg Registration
			if err := jsonUnmarshal(data, &reg); err != nil {
				return fmt.Errorf("registration of user %d: %w", u.ID, err)
			}
			if reg.active() {
				return nil
			}
		}
		entries = append(entries, OutboxEntry{ChatID: u.ChatID, UserID: u.ID, Content: r.DeadlineNotice(u, e), Origin: origin, ExpiresAt: e.Deadline})
		return nil
	})
	if err != nil {
		return nil, err
	}
	return entries, tx.Bucket(bucketDeadlineSent).Put(itob(e.ID), itob(int64(ns)))
}

// finish marks e finished (dropping its other due keys) and builds the
// notice to its creator.
func (s *Store) finish(tx *bolt.Tx, e Event, now time.Time, r Renderer) ([]OutboxEntry, error) {
	old := e
	e.Status = EventFinished
	e.touch(now)
	if err := putEvent(tx, e); err != nil {
		return nil, err
	}
	if err := s.reindexDue(tx, &old, &e, now); err != nil {
		return nil, err
	}
	entries := []OutboxEntry{}
	u, ok, err := activeUser(tx.Bucket(bucketUsers), e.CreatedBy)
	if err != nil || !ok {
		return entries, err
	}
	return append(entries, OutboxEntry{
		ChatID: u.ChatID, UserID: u.ID, Content: r.Finished(u, e),
		Origin: Origin{Kind: OriginNotice, Key: "finished:" + strconv.FormatInt(e.ID, 10)},
	}), nil
}

// NextDue returns the due time of the soonest scheduled work; ok is false
// when nothing is scheduled.
func (s *Store) NextDue(ctx context.Context) (time.Time, bool, error) {
	var (
		at time.Time
		ok bool
	)
	err := s.view(ctx, func(tx *bolt.Tx) error {
		k, _ := tx.Bucket(bucketDue).Cursor().First()
		if len(k) >= 8 {
			at, ok = time.Unix(0, int64(binary.BigEndian.Uint64(k))).In(s.loc), true
		}
		return nil
	})
	if err != nil {
		return time.Time{}, false, fmt.Errorf("storage: next due: %w", err)
	}
	return at, ok, nil
}
