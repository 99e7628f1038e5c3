package storage

import (
	"context"
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// ErrAlreadyQueued is returned by EnqueueOnce when entries of the same
// origin are still waiting to be sent.
var ErrAlreadyQueued = errors.New("storage: already queued")

// EnqueueOnce adds entries to the outbox, each with origin, in one
// transaction, unless entries of that origin are still pending: then it
// adds nothing and returns how many are pending with ErrAlreadyQueued. So
// a coordinator who presses a button that sends many messages twice, or
// again while the first ones go out, gets them once; once they have gone
// (sent, failed or skipped) the same origin may be enqueued again.
//
// It walks the pending index, which is short unless a broadcast is
// going out.
func (s *Store) EnqueueOnce(ctx context.Context, origin Origin, entries []OutboxEntry) (int, error) {
	pending := 0
	err := s.update(ctx, func(tx *bolt.Tx) error {
		pending = 0
		out := tx.Bucket(bucketOutbox)
		c := tx.Bucket(bucketOutboxPending).Cursor()
		for k, _ := c.First(); k != nil; k, _ = c.Next() {
			var e OutboxEntry
			if err := getJSON(out, k, &e); err != nil {
				return fmt.Errorf("entry %d: %w", btoi(k), err)
			}
			if e.Origin == origin {
				pending++
			}
		}
		if pending > 0 {
			return ErrAlreadyQueued
		}
		for i := range entries {
			entries[i].Origin = origin
		}
		return enqueue(tx, entries, s.now())
	})
	if errors.Is(err, ErrAlreadyQueued) {
		return pending, err
	}
	if err != nil {
		return 0, fmt.Errorf("storage: enqueue %s %q: %w", origin.Kind, origin.Key, err)
	}
	s.signalEnqueued()
	return 0, nil
}
