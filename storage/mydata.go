package storage

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
)

// PersonalData is everything the store keeps about one person, for
// /mydata: what a user may ask to see under the law on personal data.
type PersonalData struct {
	User User
	// Org is the user's organisation; nil when they have none (or it was
	// removed).
	Org *Organisation
	// Registrations are every sign-up of theirs in any state, cancelled
	// ones included (they still hold what was entered), each with its
	// event, by the event's start, latest first.
	Registrations []MyRegistration
	// EventsCreated are the events whose author (CreatedBy) they are, any
	// status, latest start first.
	EventsCreated []Event
	// Broadcasts are the announcements they sent, newest first.
	Broadcasts []Broadcast
	// OrgRequests are their requests for a missing organisation.
	OrgRequests []OrgRequest
	// Certificates are the documents issued to them (revoked ones
	// included), in issue order: what each prints of them.
	Certificates []Certificate
	// Wizards are their wizard in progress and their parked drafts: what
	// they were doing and when, not the half-typed contents.
	Wizards []WizardTrace
	// CalendarFeed reports whether they have a calendar feed link (a
	// token that opens their calendar: calfeed.go).
	CalendarFeed bool
}

// WizardTrace names a stored wizard of the user.
type WizardTrace struct {
	Flow      string
	Step      string
	Parked    bool
	UpdatedAt time.Time
}

// PersonalData gathers, in one read transaction, what the store keeps
// about userID. ErrNotFound (wrapped) when there is no such user.
func (s *Store) PersonalData(ctx context.Context, userID int64) (PersonalData, error) {
	var d PersonalData
	err := s.view(ctx, func(tx *bolt.Tx) error {
		d = PersonalData{}
		if err := getJSON(tx.Bucket(bucketUsers), itob(userID), &d.User); err != nil {
			return err
		}
		if d.User.OrgID != 0 {
			var o Organisation
			switch err := getJSON(tx.Bucket(bucketOrgs), itob(d.User.OrgID), &o); {
			case err == nil:
				d.Org = &o
			case !errors.Is(err, ErrNotFound):
				return fmt.Errorf("organisation %d: %w", d.User.OrgID, err)
			}
		}
		regs, events := tx.Bucket(bucketRegs), tx.Bucket(bucketEvents)
		prefix := itob(userID)
		c := tx.Bucket(bucketRegsByUser).Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			eventID := btoi(k[8:])
			var m MyRegistration
			if err := getJSON(regs, regKey(eventID, userID), &m.Registration); err != nil {
				return fmt.Errorf("registration for event %d: %w", eventID, err)
			}
			if err := getJSON(events, itob(eventID), &m.Event); err != nil {
				return fmt.Errorf("event %d: %w", eventID, err)
			}
			d.Registrations = append(d.Registrations, m)
		}
		if err := events.ForEach(func(_, v []byte) error {
			var e Event
			if err := jsonUnmarshal(v, &e); err != nil {
				return err
			}
			if e.CreatedBy == userID {
				d.EventsCreated = append(d.EventsCreated, e)
			}
			return nil
		}); err != nil {
			return err
		}
		bc := tx.Bucket(bucketBroadcasts).Cursor()
		for k, v := bc.Last(); k != nil; k, v = bc.Prev() {
			var b Broadcast
			if err := jsonUnmarshal(v, &b); err != nil {
				return err
			}
			if b.AuthorID == userID {
				d.Broadcasts = append(d.Broadcasts, b)
			}
		}
		if err := tx.Bucket(bucketOrgRequests).ForEach(func(_, v []byte) error {
			var r OrgRequest
			if err := jsonUnmarshal(v, &r); err != nil {
				return err
			}
			if r.UserID == userID {
				d.OrgRequests = append(d.OrgRequests, r)
			}
			return nil
		}); err != nil {
			return err
		}
		var err error
		if d.Certificates, err = userCertificates(tx, userID); err != nil {
			return err
		}
		cc := tx.Bucket(bucketConvs).Cursor()
		for k, v := cc.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = cc.Next() {
			var conv Conversation
			if err := jsonUnmarshal(v, &conv); err != nil {
				return err
			}
			d.Wizards = append(d.Wizards, WizardTrace{Flow: conv.Flow, Step: conv.Step, Parked: len(k) > 8, UpdatedAt: conv.UpdatedAt})
		}
		d.CalendarFeed = tx.Bucket(bucketCalFeeds).Get(prefix) != nil
		return nil
	})
	if err != nil {
		return PersonalData{}, fmt.Errorf("storage: personal data of %d: %w", userID, err)
	}
	slices.SortStableFunc(d.Registrations, func(a, b MyRegistration) int {
		return cmp.Or(b.Event.Start.Compare(a.Event.Start), cmp.Compare(b.EventID, a.EventID))
	})
	slices.SortStableFunc(d.EventsCreated, func(a, b Event) int {
		return cmp.Or(b.Start.Compare(a.Start), cmp.Compare(b.ID, a.ID))
	})
	return d, nil
}
