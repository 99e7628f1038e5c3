package storage

import (
	"bytes"
	"context"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// A parked conversation is a wizard the user left for another one but whose
// work is kept: a new event's draft, offered again in /drafts. Parked
// conversations live in the conversations bucket under the user's id
// followed by "p" and a sequence number, so they sort after the current
// one and in the order they were parked.

// ParkedConversation is a parked wizard and its number among the user's.
type ParkedConversation struct {
	Seq          int64
	Conversation Conversation
}

func parkedPrefix(userID int64) []byte { return append(itob(userID), 'p') }

// ParkConversation ends the user's wizard and keeps c as a parked one, in
// one transaction, returning its number.
func (s *Store) ParkConversation(ctx context.Context, userID int64, c Conversation) (int64, error) {
	var seq int64
	err := s.update(ctx, func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketConvs)
		n, err := b.NextSequence()
		if err != nil {
			return err
		}
		seq = int64(n)
		c.Interrupted, c.InterruptedBy = "", 0
		if err := putJSON(b, append(parkedPrefix(userID), itob(seq)...), c); err != nil {
			return err
		}
		return b.Delete(itob(userID))
	})
	if err != nil {
		return 0, fmt.Errorf("storage: park conversation of %d: %w", userID, err)
	}
	return seq, nil
}

// ParkedConversations returns the user's parked wizards, oldest first
// (none is not an error).
func (s *Store) ParkedConversations(ctx context.Context, userID int64) ([]ParkedConversation, error) {
	var list []ParkedConversation
	err := s.view(ctx, func(tx *bolt.Tx) error {
		prefix := parkedPrefix(userID)
		c := tx.Bucket(bucketConvs).Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			if len(k) != len(prefix)+8 {
				continue
			}
			var p ParkedConversation
			if err := jsonUnmarshal(v, &p.Conversation); err != nil {
				return err
			}
			p.Seq = btoi(k[len(prefix):])
			list = append(list, p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("storage: parked conversations of %d: %w", userID, err)
	}
	return list, nil
}

// UnparkConversation makes parked wizard seq the user's current one (its
// UpdatedAt set to now) and removes it from the parked ones, in one
// transaction, returning it. ErrNotFound when there is no such parked
// wizard. A current wizard, if any, is replaced: the caller asks first.
func (s *Store) UnparkConversation(ctx context.Context, userID, seq int64) (Conversation, error) {
	var c Conversation
	err := s.update(ctx, func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketConvs)
		key := append(parkedPrefix(userID), itob(seq)...)
		if err := getJSON(b, key, &c); err != nil {
			return err
		}
		c.UpdatedAt = s.now()
		if err := putJSON(b, itob(userID), c); err != nil {
			return err
		}
		return b.Delete(key)
	})
	if err != nil {
		return Conversation{}, fmt.Errorf("storage: unpark conversation %d of %d: %w", seq, userID, err)
	}
	return c, nil
}
