package storage

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// PruneAudit deletes the audit entries made before before, with their
// index rows, oldest first, in transactions of at most pruneBatch entries
// (so it never holds the writer long), and returns how many it deleted.
// A before later than now minus MinKeep is taken as that. An entry that
// cannot be decoded is deleted with the index rows its key alone finds
// none of: better a stray index row (skipped by the readers) than an
// entry kept for ever. ctx is checked before each transaction.
func (s *Store) PruneAudit(ctx context.Context, before time.Time) (int, error) {
	if limit := s.now().Add(-MinKeep); before.After(limit) {
		before = limit
	}
	cut := uint64(before.UnixNano())
	deleted := 0
	for {
		n := 0
		err := s.update(ctx, func(tx *bolt.Tx) error {
			n = 0
			b := tx.Bucket(bucketAudit)
			var doomed [][]byte
			var rows []auditIndexRow
			c := b.Cursor()
			for k, v := c.First(); k != nil && len(doomed) < pruneBatch; k, v = c.Next() {
				if len(k) != 16 || beUint64(k) >= cut {
					break
				}
				doomed = append(doomed, bytes.Clone(k))
				var e AuditEntry
				if jsonUnmarshal(v, &e) == nil {
					rows = append(rows, auditIndexRows(e, bytes.Clone(k))...)
				}
			}
			if len(doomed) == 0 {
				return errNothingToDelete
			}
			for _, k := range doomed {
				if err := b.Delete(k); err != nil {
					return err
				}
			}
			for _, r := range rows {
				if err := tx.Bucket(r.bucket).Delete(r.key); err != nil {
					return err
				}
			}
			n = len(doomed)
			return nil
		})
		switch {
		case errors.Is(err, errNothingToDelete):
			return deleted, nil
		case err != nil:
			return deleted, fmt.Errorf("storage: prune audit: %w", err)
		}
		deleted += n
		if n < pruneBatch {
			return deleted, nil
		}
	}
}

func beUint64(b []byte) uint64 { return uint64(btoi(b[:8])) }
