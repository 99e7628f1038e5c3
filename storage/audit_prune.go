package storage

import (
	"context"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// PruneAudit deletes the audit entries made before before, with their
// index rows, oldest first, as Prune does its records (transactions of at
// most 1,000 deletions; ctx checked before each), and returns how many it
// deleted. A before later than now minus MinKeep is taken as that. An
// entry that cannot be decoded is kept (its index rows could not be
// found) and reported in the error once the rest is done.
func (s *Store) PruneAudit(ctx context.Context, before time.Time) (int, error) {
	if limit := s.now().Add(-MinKeep); before.After(limit) {
		before = limit
	}
	cut := before.UnixNano()
	n, _, err := s.sweep(ctx, sweep{bucket: bucketAudit,
		check: func(_ *bolt.Tx, k, v []byte) (bool, []byte, bool, error) {
			if len(k) != 16 {
				return false, nil, false, fmt.Errorf("key %x: bad length", k)
			}
			// Keys sort by time: the first young one ends the walk.
			if at := btoi(k[:8]); at < 0 || at >= cut {
				return false, nil, true, nil
			}
			var e AuditEntry
			return true, nil, false, jsonUnmarshal(v, &e)
		},
		drop: func(tx *bolt.Tx, k, v []byte) error {
			var e AuditEntry
			if err := jsonUnmarshal(v, &e); err != nil {
				return err
			}
			for _, r := range auditIndexRows(e, k) {
				if err := tx.Bucket(r.bucket).Delete(r.key); err != nil {
					return err
				}
			}
			return nil
		}})
	if err != nil {
		return n, fmt.Errorf("storage: prune audit: %w", err)
	}
	return n, nil
}
