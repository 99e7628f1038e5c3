package storage

import (
	bolt "go.etcd.io/bbolt"
)

// A store is tainted once this run had a failure that may have left the
// file other than bbolt's commits describe: a panic inside a transaction
// (bbolt panics on a damaged page; a panic of our own code there is
// counted too, on the safe side) or a write transaction whose function
// succeeded but whose commit did not (a write or fsync failed, or
// beforeCommit's injected failure). A tainted store's Close writes no
// clean-shutdown stamp, so the next Open runs the full check exactly when
// it may be needed. Ordinary refusals — an error the transaction's
// function returns (ErrNotFound, a rule's error), a cancelled context —
// do not taint.

// Tainted reports whether this run had such a failure.
func (s *Store) Tainted() bool { return s.tainted.Load() }

// taintOnPanic marks the store tainted if a panic is unwinding, and lets
// it go on. Deferred by every transaction.
func (s *Store) taintOnPanic() {
	if v := recover(); v != nil {
		s.tainted.Store(true)
		panic(v)
	}
}

// commit runs fn in a write transaction through run (bbolt's Update or
// Batch), then hook if set (beforeCommit, tests only), tainting the store
// when the transaction failed although fn did not: the failure was the
// commit's (or hook's, standing for it). fn may run more than once
// (Batch).
func (s *Store) commit(run func(func(*bolt.Tx) error) error, fn func(tx *bolt.Tx) error, hook func() error) error {
	defer s.taintOnPanic()
	var fnErr error
	err := run(func(tx *bolt.Tx) error {
		if fnErr = fn(tx); fnErr != nil || hook == nil {
			return fnErr
		}
		return hook()
	})
	if err != nil && fnErr == nil {
		s.tainted.Store(true)
	}
	return err
}

// batch is bbolt's Batch through commit: concurrent callers share one
// commit; fn may run more than once and must be idempotent.
func (s *Store) batch(fn func(tx *bolt.Tx) error) error { return s.commit(s.db.Batch, fn, nil) }
