package storage

import (
	"context"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// OutboxBacklog returns how many outbox entries wait to be sent and when
// the oldest of them was enqueued (zero when none waits), for the
// metrics. It reads no entry but the oldest: the pending index is keyed
// by id, which grows with each enqueue, so its first key is the oldest
// entry; the count is bbolt's key count of the index (8-byte keys with no
// values, a few hundred to a page), so a scrape costs a walk over the
// index's pages, not over the entries (see BenchmarkOutboxBacklog).
func (s *Store) OutboxBacklog(ctx context.Context) (pending int, oldest time.Time, err error) {
	err = s.view(ctx, func(tx *bolt.Tx) error {
		idx := tx.Bucket(bucketOutboxPending)
		pending = idx.Stats().KeyN
		k, _ := idx.Cursor().First()
		if k == nil {
			return nil
		}
		var e OutboxEntry
		if err := getJSON(tx.Bucket(bucketOutbox), k, &e); err != nil {
			return fmt.Errorf("entry %d: %w", btoi(k), err)
		}
		oldest = e.CreatedAt
		return nil
	})
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("storage: outbox backlog: %w", err)
	}
	return pending, oldest, nil
}
