package storage

import (
	"encoding/binary"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// migrations[i] brings a database from schema version i to i+1. They run at
// Open, inside the same transaction that creates the buckets, so a failed
// migration leaves the file as it was. Append only; never edit one that has
// shipped.
var migrations = []func(tx *bolt.Tx) error{
	// 0 → 1: the initial layout; the buckets are created before migrations run.
	func(*bolt.Tx) error { return nil },
}

// SchemaVersion is the version a database has after Open.
func SchemaVersion() uint64 { return uint64(len(migrations)) }

func migrate(tx *bolt.Tx) error {
	meta := tx.Bucket(bucketMeta)
	var version uint64
	if v := meta.Get(keySchema); v != nil {
		version = binary.BigEndian.Uint64(v)
	}
	if version > uint64(len(migrations)) {
		return fmt.Errorf("schema version %d is newer than this binary knows (%d)", version, len(migrations))
	}
	for ; version < uint64(len(migrations)); version++ {
		if err := migrations[version](tx); err != nil {
			return fmt.Errorf("migrate %d→%d: %w", version, version+1, err)
		}
	}
	buf := make([]byte, 8)
	binary.BigEndian.PutUint64(buf, version)
	return meta.Put(keySchema, buf)
}

// Schema returns the database's schema version.
func (s *Store) Schema() (uint64, error) {
	var v uint64
	err := s.db.View(func(tx *bolt.Tx) error {
		if b := tx.Bucket(bucketMeta).Get(keySchema); b != nil {
			v = binary.BigEndian.Uint64(b)
		}
		return nil
	})
	return v, err
}
