package storage

import (
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
)

// claimPeriod reports whether key is not yet in the periods bucket and
// records it (with now) if so.
func claimPeriod(tx *bolt.Tx, key string, now time.Time) (bool, error) {
	periods := tx.Bucket(bucketPeriods)
	if periods.Get([]byte(key)) != nil {
		return false, nil
	}
	return true, periods.Put([]byte(key), itob(now.UnixNano()))
}

// DigestKeyPrefix begins the origin key of every digest entry (a notice):
// the scheduler sends those as mass sends.
const DigestKeyPrefix = "digest:"

// EnqueueDigest enqueues the digest for period (any non-empty name, such as
// a date) once: if "digest:"+period was recorded before it does nothing and
// returns 0. Otherwise, in one transaction, it collects the published
// events starting in [from, to) in start order (ties by id) and, for every
// active, registered user with a private chat who has not turned the digest
// off (NoDigest), calls render(user, events) and enqueues the content when
// render says ok (origin notice "digest:"+period); it records the period
// and returns how many it enqueued. render runs inside the transaction and
// must only compute; it must not keep or change events.
func (s *Store) EnqueueDigest(ctx context.Context, period string, from, to time.Time, render func(u User, events []Event) (Content, bool)) (int, error) {
	if period == "" || render == nil {
		return 0, errors.New("storage: enqueue digest: empty period or nil render")
	}
	key := DigestKeyPrefix + period
	return s.oncePerPeriod(ctx, key, func(tx *bolt.Tx) ([]OutboxEntry, error) {
		events, err := publishedBetween(tx, from, to)
		if err != nil {
			return nil, err
		}
		var entries []OutboxEntry
		err = tx.Bucket(bucketUsers).ForEach(func(_, v []byte) error {
			var u User
			if err := jsonUnmarshal(v, &u); err != nil {
				return err
			}
			if !u.Registered || !u.Active || u.ChatID == 0 || u.NoDigest {
				return nil
			}
			if c, ok := render(u, events[:len(events):len(events)]); ok {
				entries = append(entries, OutboxEntry{ChatID: u.ChatID, UserID: u.ID, Content: c,
					Origin: Origin{Kind: OriginNotice, Key: key}})
			}
			return nil
		})
		return entries, err
	})
}

// publishedBetween returns the published events starting in [from, to),
// in start order, walking events_by_start.
func publishedBetween(tx *bolt.Tx, from, to time.Time) ([]Event, error) {
	seek := make([]byte, 8)
	if ns, ok := dueNanos(from); ok {
		binary.BigEndian.PutUint64(seek, ns)
	}
	end, ok := dueNanos(to)
	if !ok {
		return nil, nil
	}
	events := tx.Bucket(bucketEvents)
	var list []Event
	c := tx.Bucket(bucketEventsByStart).Cursor()
	for k, _ := c.Seek(seek); k != nil && binary.BigEndian.Uint64(k) < end; k, _ = c.Next() {
		var e Event
		if err := getJSON(events, k[8:], &e); err != nil {
			return nil, fmt.Errorf("event %d: %w", btoi(k[8:]), err)
		}
		if e.Status == EventPublished {
			list = append(list, e)
		}
	}
	return list, nil
}

// EnqueueSummaries enqueues the coordinators' summaries for period once: if
// "summary:"+period was recorded before it does nothing and returns 0.
// Otherwise, in one transaction, it takes the sign-ups made in [since,
// until) that are still confirmed or waitlisted (regs_by_time), counts them
// per event (events since cancelled are left out), and for each event
// creator who is stored and active enqueues render(creator, items), items in
// event start order (ties by id), origin notice "summary:"+period. Creators
// with no new sign-ups get nothing. It records the period and returns how
// many summaries it enqueued. render runs inside the transaction and must
// only compute.
func (s *Store) EnqueueSummaries(ctx context.Context, period string, since, until time.Time, render func(u User, items []SummaryItem) Content) (int, error) {
	if period == "" || render == nil {
		return 0, errors.New("storage: enqueue summaries: empty period or nil render")
	}
	key := "summary:" + period
	return s.oncePerPeriod(ctx, key, func(tx *bolt.Tx) ([]OutboxEntry, error) {
		byCreator, err := newSignups(tx, since, until)
		if err != nil {
			return nil, err
		}
		creators := make([]int64, 0, len(byCreator))
		for id := range byCreator {
			creators = append(creators, id)
		}
		slices.Sort(creators)
		users := tx.Bucket(bucketUsers)
		var entries []OutboxEntry
		for _, id := range creators {
			u, ok, err := activeUser(users, id)
			if err != nil {
				return nil, err
			}
			if !ok {
				continue
			}
			items := byCreator[id]
			slices.SortFunc(items, func(a, b SummaryItem) int {
				return cmp.Or(a.Event.Start.Compare(b.Event.Start), cmp.Compare(a.Event.ID, b.Event.ID))
			})
			entries = append(entries, OutboxEntry{ChatID: u.ChatID, UserID: u.ID, Content: render(u, items),
				Origin: Origin{Kind: OriginNotice, Key: key}})
		}
		return entries, nil
	})
}

// oncePerPeriod runs build once for key: in one transaction it claims the
// period (nothing happens, and 0 is returned, if it was claimed before),
// enqueues what build returns and records the period; it returns how many
// entries it enqueued.
func (s *Store) oncePerPeriod(ctx context.Context, key string, build func(tx *bolt.Tx) ([]OutboxEntry, error)) (int, error) {
	now := s.now()
	var n int
	err := s.update(ctx, func(tx *bolt.Tx) error {
		n = 0
		if ok, err := claimPeriod(tx, key, now); err != nil || !ok {
			return err
		}
		entries, err := build(tx)
		if err != nil || len(entries) == 0 {
			return err
		}
		n = len(entries)
		return enqueue(tx, entries, now)
	})
	if err != nil {
		return 0, fmt.Errorf("storage: enqueue %s: %w", key, err)
	}
	if n > 0 {
		s.signalEnqueued()
	}
	return n, nil
}

// newSignups counts, per event grouped by the event's creator, the
// sign-ups made in [since, until) and the applications changed in it that
// are confirmed or waitlisted now.
func newSignups(tx *bolt.Tx, since, until time.Time) (map[int64][]SummaryItem, error) {
	events := tx.Bucket(bucketEvents)
	var order []int64 // event ids in first-seen order
	seen := map[int64]bool{}
	note := func(id int64) {
		if !seen[id] {
			seen[id] = true
			order = append(order, id)
		}
	}
	counts, err := countIndexed(tx, bucketRegsByTime, since, until, func(r Registration) time.Time { return r.CreatedAt }, note)
	if err != nil {
		return nil, err
	}
	changed, err := countIndexed(tx, bucketRegsChanged, since, until, func(r Registration) time.Time {
		if r.Application == nil {
			return time.Time{}
		}
		return r.Application.ChangedAt
	}, note)
	if err != nil {
		return nil, err
	}
	byCreator := map[int64][]SummaryItem{}
	for _, id := range order {
		var e Event
		if err := getJSON(events, itob(id), &e); err != nil {
			if errors.Is(err, ErrNotFound) {
				continue
			}
			return nil, fmt.Errorf("event %d: %w", id, err)
		}
		if e.Status == EventCancelled {
			continue
		}
		byCreator[e.CreatedBy] = append(byCreator[e.CreatedBy], SummaryItem{Event: e, NewSignups: counts[id], Changed: changed[id]})
	}
	return byCreator, nil
}

// countIndexed counts per event the active registrations whose key in
// index (a regTimeKey) falls in [since, until) and is still the one their
// own time (at) gives; note is called with each event counted.
func countIndexed(tx *bolt.Tx, index []byte, since, until time.Time, at func(Registration) time.Time, note func(int64)) (map[int64]int, error) {
	seek := make([]byte, 8)
	if ns, ok := dueNanos(since); ok {
		binary.BigEndian.PutUint64(seek, ns)
	}
	end, ok := dueNanos(until)
	if !ok {
		return nil, nil
	}
	regs := tx.Bucket(bucketRegs)
	counts := map[int64]int{}
	c := tx.Bucket(index).Cursor()
	for k, _ := c.Seek(seek); k != nil && binary.BigEndian.Uint64(k) < end; k, _ = c.Next() {
		eventID, userID := btoi(k[8:16]), btoi(k[16:24])
		var r Registration
		switch err := getJSON(regs, regKey(eventID, userID), &r); {
		case errors.Is(err, ErrNotFound):
			continue
		case err != nil:
			return nil, fmt.Errorf("registration %d/%d: %w", eventID, userID, err)
		}
		// Only the record this key was made for, and only if it still holds.
		if !r.active() || at(r).UnixNano() != btoi(k[:8]) {
			continue
		}
		note(eventID)
		counts[eventID]++
	}
	return counts, nil
}
