package storage

import (
	"context"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// UpdateApplication replaces the application of the user's active
// registration for the event with app (works are kept as stored: AddWork
// and RemoveWork change them), in one transaction, until sign-up closes:
//
//   - ErrNotRegistered when the user has no active registration;
//   - ErrSignUpClosed at or after the event's SignUpClosesAt, or when the
//     event is not published;
//   - an *ApplicationError when app does not fit the form as stored now;
//   - ErrTeamTooLarge when the pupils are more than the event's MaxTeam.
//
// For a form with Pupils the team size becomes the list's length. The
// registration's Application.ChangedAt is set to now, so the event's
// coordinators see the change in their daily summary.
func (s *Store) UpdateApplication(ctx context.Context, eventID, userID int64, app Application, now time.Time) (Registration, error) {
	r, err := s.changeApplication(ctx, eventID, userID, now, func(e Event, r *Registration) error {
		if e.Status != EventPublished || !now.Before(e.SignUpClosesAt()) {
			return ErrSignUpClosed
		}
		size, err := checkApplication(e, &app, r.TeamSize)
		if err != nil {
			return err
		}
		if r.Application != nil {
			app.Works = r.Application.Works
		} else {
			app.Works = nil
		}
		r.TeamSize, r.Application = size, &app
		return nil
	})
	if err != nil {
		return Registration{}, fmt.Errorf("storage: update application %d/%d: %w", eventID, userID, err)
	}
	return r, nil
}

// AddWork appends w to the application of the user's active registration
// for the event, in one transaction:
//
//   - ErrNotRegistered when the user has no active registration;
//   - ErrWorksClosed when the event takes no works, or none of w.Kind, or
//     now is not before the works' Until (the event's SignUpClosesAt if the
//     form gives none);
//   - ErrWorksFull when the application holds Works.MaxFiles files;
//   - a file already held (same FileUniqueID) is not added twice: the
//     registration is returned unchanged with no error.
//
// AddedAt is set to now and Application.ChangedAt too.
func (s *Store) AddWork(ctx context.Context, eventID, userID int64, w Work, now time.Time) (Registration, error) {
	r, err := s.changeApplication(ctx, eventID, userID, now, func(e Event, r *Registration) error {
		if e.Status != EventPublished {
			return ErrWorksClosed
		}
		app := Application{}
		if r.Application != nil {
			app = *r.Application
		}
		for _, held := range app.Works {
			if held.FileUniqueID == w.FileUniqueID {
				return errUnchanged
			}
		}
		w.AddedBy, w.AddedAt = userID, now
		works := append(append([]Work(nil), app.Works...), w)
		if err := checkWorks(e, works, now); err != nil {
			return err
		}
		app.Works = works
		r.Application = &app
		return nil
	})
	if err != nil {
		return Registration{}, fmt.Errorf("storage: add work %d/%d: %w", eventID, userID, err)
	}
	return r, nil
}

// RemoveWork removes the work with fileUniqueID from the application of
// the user's active registration, under AddWork's time rule
// (ErrWorksClosed after Until); ErrNotFound when no such work is held.
func (s *Store) RemoveWork(ctx context.Context, eventID, userID int64, fileUniqueID string, now time.Time) (Registration, error) {
	r, err := s.changeApplication(ctx, eventID, userID, now, func(e Event, r *Registration) error {
		if e.Status != EventPublished || e.Form.Works == nil || !now.Before(worksCloseAt(e)) {
			return ErrWorksClosed
		}
		if r.Application == nil {
			return ErrNotFound
		}
		app := *r.Application
		kept := make([]Work, 0, len(app.Works))
		for _, w := range app.Works {
			if w.FileUniqueID != fileUniqueID {
				kept = append(kept, w)
			}
		}
		if len(kept) == len(app.Works) {
			return ErrNotFound
		}
		app.Works = kept
		r.Application = &app
		return nil
	})
	if err != nil {
		return Registration{}, fmt.Errorf("storage: remove work %d/%d: %w", eventID, userID, err)
	}
	return r, nil
}

// errUnchanged tells changeApplication that change left the registration
// as it was: nothing is written and the stored registration is returned.
var errUnchanged = errors.New("unchanged")

// changeApplication applies change to the user's active registration for
// the event with its event, in one transaction, and stores it with
// UpdatedAt and Application.ChangedAt now, moving its key in the
// regs_changed index (which the coordinators' daily summary reads).
func (s *Store) changeApplication(ctx context.Context, eventID, userID int64, now time.Time, change func(e Event, r *Registration) error) (Registration, error) {
	var out Registration
	err := s.update(ctx, func(tx *bolt.Tx) error {
		regs := tx.Bucket(bucketRegs)
		key := regKey(eventID, userID)
		var r Registration
		switch err := getJSON(regs, key, &r); {
		case errors.Is(err, ErrNotFound):
			return ErrNotRegistered
		case err != nil:
			return err
		}
		if !r.active() {
			return ErrNotRegistered
		}
		var e Event
		if err := getJSON(tx.Bucket(bucketEvents), itob(eventID), &e); err != nil {
			return fmt.Errorf("event: %w", err)
		}
		before := time.Time{}
		if r.Application != nil {
			before = r.Application.ChangedAt
		}
		switch err := change(e, &r); {
		case errors.Is(err, errUnchanged):
			out = r
			return nil
		case err != nil:
			return err
		}
		r.UpdatedAt = now
		r.Application.ChangedAt = now
		changed := tx.Bucket(bucketRegsChanged)
		if !before.IsZero() {
			if err := changed.Delete(regTimeKey(before, eventID, userID)); err != nil {
				return err
			}
		}
		if err := changed.Put(regTimeKey(now, eventID, userID), nil); err != nil {
			return err
		}
		out = r
		return putReg(tx, r)
	})
	return out, err
}
