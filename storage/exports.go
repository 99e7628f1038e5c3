package storage

import (
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
)

// What the exports (an event's participants, a period's events as a
// spreadsheet) read, each in one read transaction so that a file never
// mixes two states of the data.

// ExportRow is one sign-up in an event's export.
type ExportRow struct {
	Participant
	// Place is the place in the waitlist (1 is next in line); 0 for a
	// confirmed or cancelled sign-up.
	Place int
}

// EventExport is an event with every sign-up it has had.
type EventExport struct {
	Event Event
	// Rows are the confirmed sign-ups in the order they were made, then
	// the waitlist in line order, then the cancelled ones in the order
	// they were made (ties by user id).
	Rows []ExportRow
	// Orgs holds every organisation a row names (Registration.OrgID, or
	// the user's own for a sign-up older than that field) and every
	// organiser of the event, by id; one since removed is missing.
	Orgs map[int64]Organisation
}

// ExportEvent returns event eventID with all its sign-ups, their users and
// organisations, read in one transaction; ErrNotFound (wrapped) when there
// is no such event. The participants' file and the papers for the day (the
// sign-in sheet, the results protocol) are each made from one call. The result is personal data: the caller has checked
// that its user may see it.
func (s *Store) ExportEvent(ctx context.Context, eventID int64) (EventExport, error) {
	var out EventExport
	err := s.view(ctx, func(tx *bolt.Tx) error {
		out = EventExport{Orgs: map[int64]Organisation{}}
		if err := getJSON(tx.Bucket(bucketEvents), itob(eventID), &out.Event); err != nil {
			return err
		}
		active, err := participants(tx, eventID)
		if err != nil {
			return err
		}
		place := 0
		for _, p := range active {
			row := ExportRow{Participant: p}
			if p.State == RegWaitlist {
				place++
				row.Place = place
			}
			out.Rows = append(out.Rows, row)
		}
		users := tx.Bucket(bucketUsers)
		var cancelled []ExportRow
		if err := forEventRegs(tx, eventID, func(r Registration) error {
			if r.State != RegCancelled {
				return nil
			}
			p, err := withUser(users, r)
			cancelled = append(cancelled, ExportRow{Participant: p})
			return err
		}); err != nil {
			return err
		}
		slices.SortStableFunc(cancelled, func(a, b ExportRow) int {
			return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.UserID, b.UserID))
		})
		out.Rows = append(out.Rows, cancelled...)
		ids := slices.Clone(out.Event.Organisers)
		for _, r := range out.Rows {
			ids = append(ids, cmp.Or(r.OrgID, r.User.OrgID))
		}
		return readOrgs(tx, ids, out.Orgs)
	})
	if err != nil {
		return EventExport{}, fmt.Errorf("storage: export event %d: %w", eventID, err)
	}
	return out, nil
}

// readOrgs adds the organisations ids to into, skipping 0, repeats and
// organisations that are gone.
func readOrgs(tx *bolt.Tx, ids []int64, into map[int64]Organisation) error {
	orgs := tx.Bucket(bucketOrgs)
	for _, id := range ids {
		if _, ok := into[id]; ok || id == 0 {
			continue
		}
		var o Organisation
		switch err := getJSON(orgs, itob(id), &o); {
		case errors.Is(err, ErrNotFound):
			continue
		case err != nil:
			return fmt.Errorf("organisation %d: %w", id, err)
		}
		into[id] = o
	}
	return nil
}

// EventFigures is an event with the figures of its sign-ups.
type EventFigures struct {
	Event Event
	// Confirmed and Waitlist are the sign-ups holding a seat and those in
	// line, counted from the registrations.
	Confirmed, Waitlist int
	// Teams are the confirmed sign-ups that bring pupils; Pupils the
	// pupils they bring (the team sizes).
	Teams, Pupils int
	// Attended are the confirmed sign-ups marked as present.
	Attended int
	// Winners hold places 1–3; Laureates are the laureates.
	Winners, Laureates int
}

// PeriodExport is the events of a period with their figures.
type PeriodExport struct {
	// Events are in start order (ties by id).
	Events []EventFigures
	// Orgs holds every organiser of the events, by id.
	Orgs map[int64]Organisation
}

// ExportPeriod returns, read in one transaction, the events that start in
// [from, to) and that include accepts (drafts are left out before it is
// asked), each with its figures (forgotten participants count: their
// registrations keep state, team size, attendance and result). include
// runs inside the transaction: it must be quick and touch nothing else.
func (s *Store) ExportPeriod(ctx context.Context, from, to time.Time, include func(Event) bool) (PeriodExport, error) {
	var out PeriodExport
	err := s.view(ctx, func(tx *bolt.Tx) error {
		out = PeriodExport{Orgs: map[int64]Organisation{}}
		events := tx.Bucket(bucketEvents)
		seek := make([]byte, 8)
		binary.BigEndian.PutUint64(seek, uint64(max(from.UnixNano(), 0)))
		var ids []int64
		c := tx.Bucket(bucketEventsByStart).Cursor()
		for k, _ := c.Seek(seek); k != nil; k, _ = c.Next() {
			if int64(binary.BigEndian.Uint64(k[:8])) >= to.UnixNano() {
				break
			}
			var f EventFigures
			if err := getJSON(events, k[8:], &f.Event); err != nil {
				return fmt.Errorf("event %d: %w", btoi(k[8:]), err)
			}
			if f.Event.Status == EventDraft || f.Event.Start.Before(from) || !f.Event.Start.Before(to) || !include(f.Event) {
				continue
			}
			if err := countRegs(tx, &f); err != nil {
				return err
			}
			out.Events = append(out.Events, f)
			ids = append(ids, f.Event.Organisers...)
		}
		return readOrgs(tx, ids, out.Orgs)
	})
	if err != nil {
		return PeriodExport{}, fmt.Errorf("storage: export %s – %s: %w", from.Format(time.DateOnly), to.Format(time.DateOnly), err)
	}
	return out, nil
}

// countRegs fills f's figures from its event's registrations.
func countRegs(tx *bolt.Tx, f *EventFigures) error {
	prefix := itob(f.Event.ID)
	c := tx.Bucket(bucketRegs).Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		var r Registration
		if err := jsonUnmarshal(v, &r); err != nil {
			return fmt.Errorf("registration %d/%d: %w", f.Event.ID, btoi(k[8:]), err)
		}
		switch r.State {
		case RegWaitlist:
			f.Waitlist++
			continue
		case RegConfirmed:
		default:
			continue
		}
		f.Confirmed++
		if r.TeamSize > 0 {
			f.Teams++
			f.Pupils += r.TeamSize
		}
		if r.Attended != nil && *r.Attended {
			f.Attended++
		}
		switch r.Result {
		case ResultFirst, ResultSecond, ResultThird:
			f.Winners++
		case ResultLaureate:
			f.Laureates++
		}
	}
	return nil
}
