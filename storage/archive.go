package storage

import (
	"context"
	"encoding/binary"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// The archive: events that have taken place, for /events «Прошедшие», and
// the events one coordinator organises, past included, for /myevents.

// Over reports whether the event has taken place at now: it is finished,
// or its end (its start plus FinishAfter when it has no end) has come. A
// cancelled event is never over; it did not take place.
func (e Event) Over(now time.Time) bool {
	if e.Status == EventCancelled {
		return false
	}
	return e.Status == EventFinished || !now.Before(finishAt(e))
}

// PastEvents returns the events that started before before and were
// published (finished ones included), latest first (ties by higher id), of
// the given kind ("" for any): the page [offset, offset+limit) of them,
// and how many there are in all. A limit of 0 or less means no limit.
// Drafts and cancelled events are left out. It walks events_by_start
// backwards from before, so upcoming events cost nothing.
func (s *Store) PastEvents(ctx context.Context, before time.Time, kind EventKind, offset, limit int) ([]Event, int, error) {
	offset = max(offset, 0)
	var (
		page  []Event
		total int
	)
	if before.IsZero() || before.Year() < 1970 {
		return nil, 0, nil
	}
	seek := make([]byte, 8)
	binary.BigEndian.PutUint64(seek, uint64(before.UnixNano()))
	err := s.view(ctx, func(tx *bolt.Tx) error {
		events := tx.Bucket(bucketEvents)
		c := tx.Bucket(bucketEventsByStart).Cursor()
		// Seek lands on the first key at or after before: step back from
		// it (or from the end, when every event is earlier).
		k, _ := c.Seek(seek)
		if k == nil {
			k, _ = c.Last()
		} else {
			k, _ = c.Prev()
		}
		for ; k != nil; k, _ = c.Prev() {
			var e Event
			if err := getJSON(events, k[8:], &e); err != nil {
				return fmt.Errorf("event %d: %w", btoi(k[8:]), err)
			}
			if !e.Start.Before(before) {
				continue
			}
			if (e.Status != EventPublished && e.Status != EventFinished) || (kind != "" && e.Kind != kind) {
				continue
			}
			if total >= offset && (limit <= 0 || total < offset+limit) {
				page = append(page, e)
			}
			total++
		}
		return nil
	})
	if err != nil {
		return nil, 0, fmt.Errorf("storage: past events: %w", err)
	}
	return page, total, nil
}

// OrganisedEvents returns, in start order (ties by id), every event of any
// status that userID created, or that organisation orgID owns or
// co-organises (orgID 0 matches no organisation). Who may see or act on
// each is the caller's decision: a co-organiser's colleague's draft is in
// the list. No events is an empty list, not an error.
func (s *Store) OrganisedEvents(ctx context.Context, userID, orgID int64) ([]Event, error) {
	var list []Event
	err := s.view(ctx, func(tx *bolt.Tx) error {
		list = nil
		events := tx.Bucket(bucketEvents)
		c := tx.Bucket(bucketEventsByStart).Cursor()
		for k, _ := c.First(); k != nil; k, _ = c.Next() {
			var e Event
			if err := getJSON(events, k[8:], &e); err != nil {
				return fmt.Errorf("event %d: %w", btoi(k[8:]), err)
			}
			if organisedBy(e, userID, orgID) {
				list = append(list, e)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("storage: events organised by user %d, organisation %d: %w", userID, orgID, err)
	}
	return list, nil
}

// organisedBy reports whether userID created e or orgID (not 0) owns or
// co-organises it.
func organisedBy(e Event, userID, orgID int64) bool {
	if userID != 0 && e.CreatedBy == userID {
		return true
	}
	if orgID == 0 {
		return false
	}
	if e.OwnerOrg == orgID {
		return true
	}
	for _, o := range e.Organisers {
		if o == orgID {
			return true
		}
	}
	return false
}
