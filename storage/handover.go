package storage

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	bolt "go.etcd.io/bbolt"
)

// ErrNotOwnerCoordinator is returned by HandOverEvent when the person the
// event is handed to is not a registered coordinator of the event's owner
// organisation (as stored at that moment).
var ErrNotOwnerCoordinator = errors.New("storage: not a coordinator of the event's organisation")

// HandOverNotify renders the outbox message to u (the old or the new
// author) about event e handed from one author to another; from is a zero
// User with only ID set when the old author is not stored. Like Notify it
// runs inside the transaction: compute only.
type HandOverNotify func(u User, e Event, from, to User) Content

// HandOverEvent makes toUserID the author (CreatedBy) of the event, in one
// transaction, and returns the event as stored:
//
//   - ErrNotFound (wrapped) when there is no such event;
//   - ErrNotOwnerCoordinator unless toUserID is a registered coordinator
//     whose organisation is the event's OwnerOrg (which is not 0).
//
// Handing an event to its author changes nothing and tells nobody.
// Otherwise notify(recipient, event, old author, new author) is enqueued,
// in the same transaction, to the old author and to the new one, each if
// stored and active (origin notice "handover:<event>"); a nil notify
// tells nobody. Nothing else of the event changes: its owner organisation,
// schedule and sign-ups stay.
func (s *Store) HandOverEvent(ctx context.Context, eventID, toUserID int64, notify HandOverNotify) (Event, error) {
	now := s.now()
	var (
		e        Event
		notified bool
	)
	err := s.update(ctx, func(tx *bolt.Tx) error {
		notified = false
		events, users := tx.Bucket(bucketEvents), tx.Bucket(bucketUsers)
		if err := getJSON(events, itob(eventID), &e); err != nil {
			return fmt.Errorf("event: %w", err)
		}
		var to User
		switch err := getJSON(users, itob(toUserID), &to); {
		case errors.Is(err, ErrNotFound):
			return ErrNotOwnerCoordinator
		case err != nil:
			return fmt.Errorf("user %d: %w", toUserID, err)
		}
		if !to.Registered || to.Role != RoleCoordinator || e.OwnerOrg == 0 || to.OrgID != e.OwnerOrg {
			return ErrNotOwnerCoordinator
		}
		if e.CreatedBy == toUserID {
			return nil
		}
		from := User{ID: e.CreatedBy}
		if e.CreatedBy > 0 {
			if err := getJSON(users, itob(e.CreatedBy), &from); err != nil && !errors.Is(err, ErrNotFound) {
				return fmt.Errorf("author %d: %w", e.CreatedBy, err)
			}
		}
		e.CreatedBy = toUserID
		e.touch(now)
		if err := putEvent(tx, e); err != nil {
			return err
		}
		handed := eventAudit(AuditEventHandOver, e)
		handed.Subject = toUserID
		handed.Details = []AuditChange{{Field: "author", Before: strconv.FormatInt(from.ID, 10), After: strconv.FormatInt(toUserID, 10)}}
		if err := s.appendAudit(ctx, tx, handed); err != nil {
			return err
		}
		if notify == nil {
			return nil
		}
		var entries []OutboxEntry
		for _, u := range []User{from, to} {
			if u.ChatID == 0 || !u.Active {
				continue
			}
			entries = append(entries, OutboxEntry{ChatID: u.ChatID, UserID: u.ID, Content: notify(u, e, from, to),
				Origin: Origin{Kind: OriginNotice, Key: "handover:" + strconv.FormatInt(eventID, 10)}})
		}
		notified = len(entries) > 0
		return enqueue(tx, entries, now)
	})
	if err != nil {
		return Event{}, fmt.Errorf("storage: hand event %d over to %d: %w", eventID, toUserID, err)
	}
	if notified {
		s.signalEnqueued()
	}
	return e, nil
}
