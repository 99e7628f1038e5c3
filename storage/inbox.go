package storage

import (
	"context"
	"encoding/binary"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// InboxUpdate is a Telegram update as received, kept until it is handled.
type InboxUpdate struct {
	ID   int64
	Data []byte // the update's JSON
}

var keyInboxMax = []byte("max")

// SaveUpdates stores received updates before they are confirmed to
// Telegram, with the highest update id seen, in one transaction: from then
// on they survive a crash and are handled after a restart (Inbox).
func (s *Store) SaveUpdates(ctx context.Context, updates []InboxUpdate) error {
	err := s.update(ctx, func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketInbox)
		var maxID int64
		for _, u := range updates {
			if err := b.Put(itob(u.ID), u.Data); err != nil {
				return err
			}
			maxID = max(maxID, u.ID)
		}
		if maxID > 0 {
			meta := tx.Bucket(bucketMeta)
			if v := meta.Get(keyInboxMax); v == nil || int64(binary.BigEndian.Uint64(v)) < maxID {
				return meta.Put(keyInboxMax, itob(maxID))
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("storage: save updates: %w", err)
	}
	return nil
}

// DoneUpdates forgets handled updates, in one transaction.
func (s *Store) DoneUpdates(ctx context.Context, ids []int64) error {
	err := s.update(ctx, func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketInbox)
		for _, id := range ids {
			if err := b.Delete(itob(id)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("storage: done updates: %w", err)
	}
	return nil
}

// Inbox returns the updates received but not yet handled, oldest first,
// and the highest update id ever saved (0 if none).
func (s *Store) Inbox(ctx context.Context) ([]InboxUpdate, int64, error) {
	var list []InboxUpdate
	var maxID int64
	err := s.view(ctx, func(tx *bolt.Tx) error {
		if v := tx.Bucket(bucketMeta).Get(keyInboxMax); v != nil {
			maxID = int64(binary.BigEndian.Uint64(v))
		}
		return tx.Bucket(bucketInbox).ForEach(func(k, v []byte) error {
			list = append(list, InboxUpdate{ID: btoi(k), Data: append([]byte(nil), v...)})
			return nil
		})
	})
	if err != nil {
		return nil, 0, fmt.Errorf("storage: inbox: %w", err)
	}
	return list, maxID, nil
}
