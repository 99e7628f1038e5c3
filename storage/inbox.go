package storage

import (
	"context"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// InboxUpdate is a Telegram update as received, kept until it is handled.
type InboxUpdate struct {
	ID   int64
	Data []byte // the update's JSON
}

// SaveUpdates stores received updates before they are confirmed to
// Telegram, in one transaction: from then on they survive a crash and are
// handled after a restart (Inbox).
func (s *Store) SaveUpdates(ctx context.Context, updates []InboxUpdate) error {
	err := s.update(ctx, func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketInbox)
		for _, u := range updates {
			if err := b.Put(itob(u.ID), u.Data); err != nil {
				return err
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

// Inbox returns the updates received but not yet handled, in id order.
func (s *Store) Inbox(ctx context.Context) ([]InboxUpdate, error) {
	var list []InboxUpdate
	err := s.view(ctx, func(tx *bolt.Tx) error {
		return tx.Bucket(bucketInbox).ForEach(func(k, v []byte) error {
			list = append(list, InboxUpdate{ID: btoi(k), Data: append([]byte(nil), v...)})
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("storage: inbox: %w", err)
	}
	return list, nil
}
