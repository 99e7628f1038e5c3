package storage

import (
	"context"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// maxConsents bounds the answers kept per user: the latest decides, the
// ones before it are the history /mydata shows. A user who answers more
// often than this loses the oldest.
const maxConsents = 50

// SetConsent appends c (the answer, its time and the version of the text
// answered) to the stored user's Consents, in one transaction. ErrNotFound
// (wrapped) when there is no such user. The user's other fields are left
// as stored.
func (s *Store) SetConsent(ctx context.Context, userID int64, c Consent) error {
	err := s.update(ctx, func(tx *bolt.Tx) error {
		users := tx.Bucket(bucketUsers)
		var u User
		if err := getJSON(users, itob(userID), &u); err != nil {
			return err
		}
		u.Consents = append(u.Consents, c)
		if n := len(u.Consents); n > maxConsents {
			u.Consents = append([]Consent(nil), u.Consents[n-maxConsents:]...)
		}
		u.UpdatedAt = s.now()
		return putJSON(users, itob(userID), u)
	})
	if err != nil {
		return fmt.Errorf("storage: set consent of %d: %w", userID, err)
	}
	return nil
}
