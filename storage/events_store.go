package storage

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"
)

// startKey is the events_by_start key of an event: its start in Unix
// nanoseconds as a big-endian uint64, then its id. Starts before 1970 would
// sort after every later one; events are never that old.
func startKey(start time.Time, id int64) []byte {
	k := make([]byte, 16)
	binary.BigEndian.PutUint64(k, uint64(start.UnixNano()))
	binary.BigEndian.PutUint64(k[8:], uint64(id))
	return k
}

// checkEventTimes refuses an event whose start cannot be indexed.
func checkEventTimes(e Event) error {
	if e.Start.IsZero() {
		return errors.New("no start time")
	}
	if y := e.Start.Year(); y < 1970 || y > 2200 {
		return fmt.Errorf("start %s out of range", e.Start.Format(time.RFC3339))
	}
	return nil
}

// CreateEvent stores a new event and returns it with its ID, CreatedAt and
// UpdatedAt set (to the store's clock), indexed by its start. Status is kept
// as given, draft or published; an empty status is stored as a draft, any
// other status is refused, as is an event without a start. Taken and
// Waiting start at zero whatever e holds. OwnerOrg is decided in the same
// transaction (see ownerOrg): the organisation of the stored user
// e.CreatedBy, else e.OwnerOrg as given, else the first organiser.
// A Form that fails Form.Validate is refused (the error wraps ErrBadForm);
// its LastQuestionID is set to its highest question id. An organiser that
// is not a stored organisation is refused with ErrOrgGone.
func (s *Store) CreateEvent(ctx context.Context, e Event) (Event, error) {
	if e.Status == "" {
		e.Status = EventDraft
	}
	if e.Status != EventDraft && e.Status != EventPublished {
		return Event{}, fmt.Errorf("storage: create event: status %q: want draft or published", e.Status)
	}
	if err := checkEventTimes(e); err != nil {
		return Event{}, fmt.Errorf("storage: create event: %w", err)
	}
	now := s.now()
	e.CreatedAt, e.UpdatedAt, e.Taken, e.Waiting = now, now, 0, 0
	err := s.update(ctx, func(tx *bolt.Tx) error {
		if err := s.createEventTx(tx, &e, now); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, eventAudit(AuditEventCreate, e))
	})
	if err != nil {
		return Event{}, fmt.Errorf("storage: create event: %w", err)
	}
	return e, nil
}

// createEventTx is CreateEvent's work inside tx: it validates the form,
// gives e its id and owner, stores and indexes it. e's status, times and
// counters are the caller's to set.
func (s *Store) createEventTx(tx *bolt.Tx, e *Event, now time.Time) error {
	if err := e.Form.Validate(); err != nil {
		return err
	}
	if err := checkOrganisers(tx, nil, e.Organisers); err != nil {
		return err
	}
	e.Form.LastQuestionID = e.Form.lastQuestionID()
	e.Revision = 0 // a new event, even one copied from another
	events := tx.Bucket(bucketEvents)
	seq, err := events.NextSequence()
	if err != nil {
		return err
	}
	e.ID = int64(seq)
	if e.OwnerOrg, err = ownerOrg(tx, *e); err != nil {
		return err
	}
	if err := putEvent(tx, *e); err != nil {
		return err
	}
	if err := tx.Bucket(bucketEventsByStart).Put(startKey(e.Start, e.ID), nil); err != nil {
		return err
	}
	return s.reindexDue(tx, nil, e, now)
}

// Event returns the event with id, any status, or ErrNotFound.
func (s *Store) Event(ctx context.Context, id int64) (Event, error) {
	var e Event
	err := s.view(ctx, func(tx *bolt.Tx) error { return getJSON(tx.Bucket(bucketEvents), itob(id), &e) })
	if err != nil {
		return Event{}, fmt.Errorf("storage: event %d: %w", id, err)
	}
	return e, nil
}

// UpdateEvent replaces the editable fields of the stored event e.ID (title,
// kind, description, start, end, place, organisers, audience, unit, team
// size, capacity, deadline, reminders, regulations, application form) with e's, keeping its
// ID, CreatedBy, OwnerOrg, CreatedAt, Status and counters (e's Revision
// is ignored), sets UpdatedAt, raises Revision and moves
// its start index, deciding every sign-up rule in the same transaction,
// against what is signed up at that moment (not when the edit was opened):
//
//   - a capacity (other than 0, no limit) below the seats taken is refused
//     with a *LimitError wrapping ErrCapacityBelowTaken;
//   - a TeamLimit below the largest team signed up (confirmed or
//     waitlisted) is refused with a *LimitError wrapping
//     ErrTeamSizeBelowTaken;
//   - a Form that fails Form.Validate, or that gives a new question an id
//     the form had before (a removed question's), is refused with an error
//     wrapping ErrBadForm; the form's LastQuestionID never goes down;
//   - a Form.OrgQuota (other than 0, no limit) below the active
//     applications one organisation has is refused with a *LimitError
//     wrapping ErrQuotaBelowTaken (OrgTaken: that figure);
//   - a refused edit changes nothing;
//   - registrations are never touched by a change of the form: answers to
//     a removed question, pupils of a form that no longer lists them and
//     works beyond a lowered limit stay stored (hidden, not deleted);
//   - if the event is published and the (new) start has not come, seats the
//     edit freed (capacity raised or removed) go to the waitlist, first in
//     line first, each promoted user who is active being sent
//     promoted(user, event) (origin notice "promote:<event>:<user>") as
//     CancelRegistration does; a nil promoted promotes but enqueues nothing;
//   - if the stored event is published and its start, end or place
//     changed, changed(user, before, after) is enqueued (origin notice
//     "change:<id>") to every confirmed and waitlisted participant whose
//     user is active (the just promoted included); a nil changed enqueues
//     nothing.
//
// also (an author's notice of an admin's change, say) is enqueued in the
// same transaction when the edit is saved, and not when it is refused.
//
// A cancelled event is not edited (ErrEventCancelled), and an organiser
// the edit adds that is not a stored organisation is refused (ErrOrgGone;
// one already listed stays, even if its organisation was removed since).
//
// It returns what it decided: the event before and after, the change
// notices enqueued and who was promoted. ErrNotFound when there is no such
// event.
func (s *Store) UpdateEvent(ctx context.Context, e Event, changed ChangeNotify, promoted Notify, also ...OutboxEntry) (EventUpdate, error) {
	return s.updateEvent(ctx, e, anyRevision, changed, promoted, also...)
}

// anyRevision is updateEvent's revision for an edit that does not check it.
const anyRevision = -1

// UpdateEventAt is UpdateEvent for an edit made from the event as it was
// at revision (its Revision when the form was read): if the stored event's
// Revision is another, someone changed it since, and the edit is refused
// with ErrEventChanged and changes nothing, so that an old form never
// silently undoes a newer change.
func (s *Store) UpdateEventAt(ctx context.Context, e Event, revision int, changed ChangeNotify, promoted Notify, also ...OutboxEntry) (EventUpdate, error) {
	if revision < 0 {
		return EventUpdate{}, fmt.Errorf("storage: update event %d: negative revision %d", e.ID, revision)
	}
	return s.updateEvent(ctx, e, revision, changed, promoted, also...)
}

// updateEvent is UpdateEvent and UpdateEventAt: revision is the one the
// edit expects, or anyRevision.
func (s *Store) updateEvent(ctx context.Context, e Event, revision int, changed ChangeNotify, promoted Notify, also ...OutboxEntry) (EventUpdate, error) {
	if err := checkEventTimes(e); err != nil {
		return EventUpdate{}, fmt.Errorf("storage: update event %d: %w", e.ID, err)
	}
	now := s.now()
	var (
		out      EventUpdate
		notified bool
	)
	err := s.update(ctx, func(tx *bolt.Tx) error {
		out, notified = EventUpdate{}, false
		events := tx.Bucket(bucketEvents)
		var old Event
		if err := getJSON(events, itob(e.ID), &old); err != nil {
			return err
		}
		if old.Status == EventCancelled {
			return ErrEventCancelled
		}
		if revision != anyRevision && old.Revision != revision {
			return fmt.Errorf("%w: revision %d, edit made from %d", ErrEventChanged, old.Revision, revision)
		}
		if err := checkOrganisers(tx, old.Organisers, e.Organisers); err != nil {
			return err
		}
		e.CreatedBy, e.CreatedAt, e.Taken, e.Waiting, e.Status = old.CreatedBy, old.CreatedAt, old.Taken, old.Waiting, old.Status
		e.OwnerOrg = old.OwnerOrg // decided at creation; an edit never moves it
		e.Revision = old.Revision
		e.touch(now)
		if err := checkFormEdit(old.Form, &e.Form); err != nil {
			return err
		}
		if err := checkLimits(tx, old, e); err != nil {
			return err
		}
		if e.Status == EventPublished && now.Before(e.Start) {
			list, n, err := promoteWhileFree(tx, &e, promoted, now)
			if err != nil {
				return err
			}
			out.Promoted, notified = list, n
		}
		if !old.Start.Equal(e.Start) {
			idx := tx.Bucket(bucketEventsByStart)
			if err := idx.Delete(startKey(old.Start, e.ID)); err != nil {
				return err
			}
			if err := idx.Put(startKey(e.Start, e.ID), nil); err != nil {
				return err
			}
		}
		if err := putEvent(tx, e); err != nil {
			return err
		}
		if err := s.reindexDue(tx, &old, &e, now); err != nil {
			return err
		}
		out.Before, out.Event = old, e
		// Saved unchanged (the form opened and saved as it was): the
		// event is stored, but the audit records nothing.
		if changes := eventChanges(old, e, s.loc); len(changes) > 0 {
			edit := eventAudit(AuditEventEdit, e)
			edit.Details = changes
			if err := s.appendAudit(ctx, tx, edit); err != nil {
				return err
			}
		}
		if len(also) > 0 {
			if err := enqueue(tx, also, now); err != nil {
				return err
			}
			notified = true
		}
		moved := !old.Start.Equal(e.Start) || !old.End.Equal(e.End) || old.Place != e.Place
		if old.Status != EventPublished || !moved || changed == nil {
			return nil
		}
		n, err := notifyParticipants(tx, e, func(u User, after Event) Content { return changed(u, old, after) },
			"change:"+strconv.FormatInt(e.ID, 10), now)
		out.Notified = n
		notified = notified || n > 0
		return err
	})
	if err != nil {
		return EventUpdate{}, fmt.Errorf("storage: update event %d: %w", e.ID, err)
	}
	if notified {
		s.signalEnqueued()
	}
	return out, nil
}

// checkLimits refuses an edit from old to e that would leave fewer seats
// than are taken, or a smaller team than one signed up, reading the
// registrations inside tx. The teams are walked only when the limit goes
// down: Register keeps every team within the limit of its time.
func checkLimits(tx *bolt.Tx, old, e Event) error {
	if e.Capacity != 0 && e.Capacity < old.Taken {
		return &LimitError{Err: ErrCapacityBelowTaken, Taken: old.Taken}
	}
	if err := checkQuota(tx, old, e); err != nil {
		return err
	}
	if e.TeamLimit() >= old.TeamLimit() {
		return nil
	}
	largest := 0
	err := forEventRegs(tx, e.ID, func(r Registration) error {
		if r.active() {
			largest = max(largest, r.TeamSize)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if largest > e.TeamLimit() {
		return &LimitError{Err: ErrTeamSizeBelowTaken, Taken: old.Taken, LargestTeam: largest}
	}
	return nil
}

// checkOrganisers refuses (ErrOrgGone) an organiser in orgs that is not a
// stored organisation, unless it is among kept (those an edited event
// listed already).
func checkOrganisers(tx *bolt.Tx, kept, orgs []int64) error {
	b := tx.Bucket(bucketOrgs)
	for _, id := range orgs {
		if slices.Contains(kept, id) {
			continue
		}
		if id <= 0 || b.Get(itob(id)) == nil {
			return fmt.Errorf("%w: organiser %d", ErrOrgGone, id)
		}
	}
	return nil
}

// checkFormEdit refuses a form that fails Validate or that gives a
// question added by the edit (an id old does not have) an id old had
// before, and carries old's LastQuestionID over to f.
func checkFormEdit(old Form, f *Form) error {
	if err := f.Validate(); err != nil {
		return err
	}
	last := old.lastQuestionID()
	for _, q := range f.Questions {
		if _, kept := old.Question(q.ID); !kept && q.ID <= last {
			return fmt.Errorf("%w: question id %d was used before (last %d)", ErrBadForm, q.ID, last)
		}
	}
	f.LastQuestionID = max(last, f.lastQuestionID())
	return nil
}

// checkQuota refuses an organisation quota below the active applications
// one organisation has, as the org_active counters that Register and the
// cancellations keep say (by the registration's OrgID; a sign-up of no
// organisation counts for none, as in Register's own check). They are
// read only when the quota goes down (or appears): Register keeps every
// organisation within the quota of its time.
func checkQuota(tx *bolt.Tx, old, e Event) error {
	q := e.Form.OrgQuota
	if q == 0 || (old.Form.OrgQuota != 0 && q >= old.Form.OrgQuota) {
		return nil
	}
	most := 0
	prefix := itob(e.ID)
	c := tx.Bucket(bucketOrgActive).Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		if len(v) != 8 {
			return fmt.Errorf("org_active %d/%d: bad value", e.ID, btoi(k[8:]))
		}
		most = max(most, int(btoi(v)))
	}
	if most > q {
		return &LimitError{Err: ErrQuotaBelowTaken, Taken: old.Taken, OrgTaken: most}
	}
	return nil
}

// PublishEvent makes a draft published and returns it, enqueueing also in
// the same transaction. An event that is not a draft is returned unchanged
// and nothing is enqueued. A draft whose start is not after the store's
// clock is refused with ErrStartPassed. ErrNotFound when there is no such
// event.
func (s *Store) PublishEvent(ctx context.Context, id int64, also ...OutboxEntry) (Event, error) {
	now := s.now()
	var (
		e      Event
		queued bool
	)
	err := s.update(ctx, func(tx *bolt.Tx) error {
		events := tx.Bucket(bucketEvents)
		e, queued = Event{}, false
		if err := getJSON(events, itob(id), &e); err != nil {
			return err
		}
		if e.Status != EventDraft {
			return nil
		}
		if !now.Before(e.Start) {
			return ErrStartPassed
		}
		old := e
		e.Status = EventPublished
		e.touch(now)
		if err := putEvent(tx, e); err != nil {
			return err
		}
		if len(also) > 0 {
			if err := enqueue(tx, also, now); err != nil {
				return err
			}
			queued = true
		}
		if err := s.reindexDue(tx, &old, &e, now); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, eventAudit(AuditEventPublish, e))
	})
	if err != nil {
		return Event{}, fmt.Errorf("storage: publish event %d: %w", id, err)
	}
	if queued {
		s.signalEnqueued()
	}
	return e, nil
}

// CancelEvent marks the event cancelled and enqueues notify(user, event)
// (origin notice "cancel:<id>") to every confirmed and waitlisted
// participant whose user is active, in the same transaction, returning the
// event and the count of notices. Registrations keep their state, so
// reports still show who had signed up. An event already cancelled or
// finished is returned unchanged and nobody is notified; a nil notify
// enqueues nothing. also is enqueued in the same transaction when the
// event is cancelled. ErrNotFound when there is no such event.
func (s *Store) CancelEvent(ctx context.Context, id int64, notify Notify, also ...OutboxEntry) (Event, int, error) {
	now := s.now()
	var (
		e    Event
		sent int
	)
	err := s.update(ctx, func(tx *bolt.Tx) error {
		e, sent = Event{}, 0
		events := tx.Bucket(bucketEvents)
		if err := getJSON(events, itob(id), &e); err != nil {
			return err
		}
		if e.Status == EventCancelled || e.Status == EventFinished {
			return nil
		}
		old := e
		e.Status = EventCancelled
		e.touch(now)
		if err := putEvent(tx, e); err != nil {
			return err
		}
		if err := s.reindexDue(tx, &old, &e, now); err != nil {
			return err
		}
		if err := enqueue(tx, also, now); err != nil {
			return err
		}
		n, err := notifyParticipants(tx, e, notify, "cancel:"+strconv.FormatInt(id, 10), now)
		sent = n
		if err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, eventAudit(AuditEventCancel, e))
	})
	if err != nil {
		return Event{}, 0, fmt.Errorf("storage: cancel event %d: %w", id, err)
	}
	if sent > 0 || len(also) > 0 {
		s.signalEnqueued()
	}
	return e, sent, nil
}

// SetEventStatus sets the event's status (one of the four EventStatus
// values; used to mark events finished) without notifying anyone.
// ErrNotFound when there is no such event.
func (s *Store) SetEventStatus(ctx context.Context, id int64, status EventStatus) error {
	switch status {
	case EventDraft, EventPublished, EventCancelled, EventFinished:
	default:
		return fmt.Errorf("storage: set event %d status: unknown status %q", id, status)
	}
	now := s.now()
	err := s.update(ctx, func(tx *bolt.Tx) error {
		events := tx.Bucket(bucketEvents)
		var e Event
		if err := getJSON(events, itob(id), &e); err != nil {
			return err
		}
		if e.Status == status {
			return nil
		}
		old := e
		e.Status = status
		e.touch(now)
		if err := putEvent(tx, e); err != nil {
			return err
		}
		return s.reindexDue(tx, &old, &e, now)
	})
	if err != nil {
		return fmt.Errorf("storage: set event %d status: %w", id, err)
	}
	return nil
}

// UpcomingEvents returns the published events starting at or after from,
// in start order (ties by id), of the given kind ("" for any): the page
// [offset, offset+limit) of them, and how many there are in all. A limit
// of 0 or less means no limit. It walks events_by_start from from, so past
// events cost nothing.
func (s *Store) UpcomingEvents(ctx context.Context, from time.Time, kind EventKind, offset, limit int) ([]Event, int, error) {
	offset = max(offset, 0)
	var (
		page  []Event
		total int
	)
	seek := make([]byte, 8)
	if !from.IsZero() && from.Year() >= 1970 {
		binary.BigEndian.PutUint64(seek, uint64(from.UnixNano()))
	}
	err := s.view(ctx, func(tx *bolt.Tx) error {
		events := tx.Bucket(bucketEvents)
		c := tx.Bucket(bucketEventsByStart).Cursor()
		for k, _ := c.Seek(seek); k != nil; k, _ = c.Next() {
			var e Event
			if err := getJSON(events, k[8:], &e); err != nil {
				return fmt.Errorf("event %d: %w", btoi(k[8:]), err)
			}
			if e.Status != EventPublished || (kind != "" && e.Kind != kind) {
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
		return nil, 0, fmt.Errorf("storage: upcoming events: %w", err)
	}
	return page, total, nil
}

// Drafts returns every draft event, newest (highest id) first.
func (s *Store) Drafts(ctx context.Context) ([]Event, error) {
	var list []Event
	err := s.view(ctx, func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketEvents).Cursor()
		for k, v := c.Last(); k != nil; k, v = c.Prev() {
			var e Event
			if err := jsonUnmarshal(v, &e); err != nil {
				return fmt.Errorf("event %d: %w", btoi(k), err)
			}
			if e.Status == EventDraft {
				list = append(list, e)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("storage: drafts: %w", err)
	}
	return list, nil
}

// notifyParticipants enqueues notify(user, e) with origin notice key to
// every confirmed and waitlisted participant of e whose user is active,
// inside tx, and returns how many it enqueued.
func notifyParticipants(tx *bolt.Tx, e Event, notify Notify, key string, now time.Time) (int, error) {
	if notify == nil {
		return 0, nil
	}
	users := tx.Bucket(bucketUsers)
	var entries []OutboxEntry
	err := forEventRegs(tx, e.ID, func(r Registration) error {
		if r.State != RegConfirmed && r.State != RegWaitlist {
			return nil
		}
		u, ok, err := activeUser(users, r.UserID)
		if err != nil || !ok {
			return err
		}
		entries = append(entries, OutboxEntry{
			ChatID: u.ChatID, UserID: u.ID, Content: notify(u, e),
			Origin: Origin{Kind: OriginNotice, Key: key},
		})
		return nil
	})
	if err != nil {
		return 0, err
	}
	if len(entries) == 0 {
		return 0, nil
	}
	return len(entries), enqueue(tx, entries, now)
}

// activeUser loads a user and reports whether a message can reach them:
// stored, active, with a private chat.
func activeUser(users *bolt.Bucket, id int64) (User, bool, error) {
	var u User
	switch err := getJSON(users, itob(id), &u); {
	case errors.Is(err, ErrNotFound):
		return User{}, false, nil
	case err != nil:
		return User{}, false, fmt.Errorf("user %d: %w", id, err)
	}
	return u, u.Active && u.ChatID != 0, nil
}

// forEventRegs calls fn for each registration (any state) of the event, in
// user id order.
func forEventRegs(tx *bolt.Tx, eventID int64, fn func(Registration) error) error {
	prefix := itob(eventID)
	c := tx.Bucket(bucketRegs).Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		var r Registration
		if err := jsonUnmarshal(v, &r); err != nil {
			return fmt.Errorf("registration %d/%d: %w", eventID, btoi(k[8:]), err)
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return nil
}
