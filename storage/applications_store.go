package storage

import (
	"context"
	"errors"
	"time"
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
	return Registration{}, errors.New("storage: UpdateApplication: not implemented yet")
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
	return Registration{}, errors.New("storage: AddWork: not implemented yet")
}

// RemoveWork removes the work with fileUniqueID from the application of
// the user's active registration, under AddWork's time rule
// (ErrWorksClosed after Until); ErrNotFound when no such work is held.
func (s *Store) RemoveWork(ctx context.Context, eventID, userID int64, fileUniqueID string, now time.Time) (Registration, error) {
	return Registration{}, errors.New("storage: RemoveWork: not implemented yet")
}
