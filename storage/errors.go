package storage

import "errors"

var (
	// ErrNotFound is returned when the requested record does not exist.
	ErrNotFound = errors.New("storage: not found")

	// ErrLocked is returned by Open when another process holds the database
	// file for longer than the lock timeout.
	ErrLocked = errors.New("storage: database is held by another process")

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
)
