package storage

import (
	"errors"
	"fmt"
)

var (
	// ErrNotFound is returned when the requested record does not exist.
	ErrNotFound = errors.New("storage: not found")

	// ErrLocked is returned by Open when another process holds the database
	// file for longer than the lock timeout.
	ErrLocked = errors.New("storage: database is held by another process")

	// ErrDamaged is returned when the file is not a usable bbolt database or
	// fails its consistency check. The error that wraps it is a
	// *DamageError, whose Reason says what is wrong.
	ErrDamaged = errors.New("storage: database file is damaged")

	// ErrInUse is returned by RemoveOrganisation while users still belong to
	// the organisation.
	ErrInUse = errors.New("storage: organisation still has users")

	// ErrDuplicate is returned when an organisation with the same name
	// (compared case-insensitively) already exists.
	ErrDuplicate = errors.New("storage: duplicate name")

	// ErrInviteUsed is returned by RedeemInvite for an invitation that was
	// already used or revoked.
	ErrInviteUsed = errors.New("storage: invitation already used")

	// ErrInviteExpired is returned by RedeemInvite for an invitation past its
	// expiry time.
	ErrInviteExpired = errors.New("storage: invitation expired")

	// ErrNotConfirmed is returned by SetAttendance and SetResult for a
	// participant whose registration is not confirmed (waitlisted): only
	// those who had a seat are marked and given a place.
	ErrNotConfirmed = errors.New("storage: registration not confirmed")

	// ErrEventCancelled is returned by UpdateEvent for an event that is
	// cancelled: a cancelled event is not edited.
	ErrEventCancelled = errors.New("storage: event cancelled")

	// ErrStartPassed is returned by PublishEvent when the draft's start is
	// not in the future (by the store's clock).
	ErrStartPassed = errors.New("storage: event start has passed")

	// ErrEventChanged is returned by UpdateEventAt when the stored event's
	// Revision is not the one the edit was made from: someone changed it
	// while the form was open.
	ErrEventChanged = errors.New("storage: event changed since it was read")

	// ErrOrgGone is returned by CreateEvent and UpdateEvent when an
	// organiser (one the edit adds) is not a stored organisation.
	ErrOrgGone = errors.New("storage: organisation does not exist")
)

// DamageError says what is wrong with a damaged database file. It matches
// ErrDamaged under errors.Is; errors.As gives the Reason, a plain phrase for
// a one-line message ("meta page 0: invalid checksum").
type DamageError struct {
	// Reason says what is wrong, without the file's name.
	Reason string
	// Err is the underlying cause (bbolt's error, a recovered fault), or nil.
	Err error
}

func (e *DamageError) Error() string { return "damaged: " + e.Reason }

// Is reports whether target is ErrDamaged.
func (e *DamageError) Is(target error) bool { return target == ErrDamaged }

// Unwrap returns the underlying cause.
func (e *DamageError) Unwrap() error { return e.Err }

func damaged(cause error, format string, args ...any) *DamageError {
	return &DamageError{Reason: fmt.Sprintf(format, args...), Err: cause}
}
