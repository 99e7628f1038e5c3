package storage

import (
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// ownerOrg decides, inside tx, the organisation a new event belongs to:
// the organisation of its author (e.CreatedBy) when the author is stored
// with one; otherwise e.OwnerOrg as the caller gave it; otherwise the
// first organiser. An author with no organisation (an admin named in the
// configuration who never chose one) thus hands the event to the
// organisation that runs it. 0 when none of these is known.
func ownerOrg(tx *bolt.Tx, e Event) (int64, error) {
	if e.CreatedBy != 0 {
		var u User
		switch err := getJSON(tx.Bucket(bucketUsers), itob(e.CreatedBy), &u); {
		case err == nil && u.OrgID != 0:
			return u.OrgID, nil
		case err != nil && !errors.Is(err, ErrNotFound):
			return 0, fmt.Errorf("author %d: %w", e.CreatedBy, err)
		}
	}
	if e.OwnerOrg != 0 {
		return e.OwnerOrg, nil
	}
	if len(e.Organisers) > 0 {
		return e.Organisers[0], nil
	}
	return 0, nil
}
