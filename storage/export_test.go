package storage

import bolt "go.etcd.io/bbolt"

// Hooks for this package's tests only.

// DB exposes the bbolt handle, for tests that write raw keys.
func (s *Store) DB() *bolt.DB { return s.db }
