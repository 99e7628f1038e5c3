package storage

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// TestCloseStampsOnlyUntainted: a run whose only failures were refusals
// (an error of the transaction's own function) closes with the
// clean-shutdown stamp; a run with a failed commit (beforeCommit's
// injected failure) or a panic inside a transaction closes without one,
// so that the next Open runs the full check.
func TestCloseStampsOnlyUntainted(t *testing.T) {
	ctx := context.Background()
	write := func(tx *bolt.Tx) error { return tx.Bucket(bucketMeta).Put([]byte("taint-test"), []byte("1")) }
	for _, c := range []struct {
		name    string
		do      func(t *testing.T, s *Store)
		tainted bool
	}{
		{"refusals", func(t *testing.T, s *Store) {
			if err := s.update(ctx, func(*bolt.Tx) error { return ErrNotFound }); !errors.Is(err, ErrNotFound) {
				t.Fatalf("update = %v, want ErrNotFound", err)
			}
			if err := s.batch(func(*bolt.Tx) error { return ErrSignUpClosed }); !errors.Is(err, ErrSignUpClosed) {
				t.Fatalf("batch = %v, want ErrSignUpClosed", err)
			}
			cancelled, cancel := context.WithCancel(ctx)
			cancel()
			if err := s.update(cancelled, write); !errors.Is(err, context.Canceled) {
				t.Fatalf("update with a cancelled context = %v", err)
			}
			if err := s.update(ctx, write); err != nil {
				t.Fatal(err)
			}
		}, false},
		{"failed commit", func(t *testing.T, s *Store) {
			s.beforeCommit = func() error { return errInjected }
			err := s.update(ctx, write)
			s.beforeCommit = nil
			if !errors.Is(err, errInjected) {
				t.Fatalf("update = %v, want the injected failure", err)
			}
			if err := s.update(ctx, write); err != nil { // later writes succeed
				t.Fatal(err)
			}
		}, true},
		{"panic in a read", func(t *testing.T, s *Store) {
			func() {
				defer func() {
					if recover() == nil {
						t.Fatal("the panic did not reach the caller")
					}
				}()
				_ = s.view(ctx, func(*bolt.Tx) error { panic("page out of bounds") })
			}()
		}, true},
		{"panic in a batch", func(t *testing.T, s *Store) {
			func() {
				defer func() { _ = recover() }()
				_ = s.batch(func(*bolt.Tx) error { panic("unexpected page type") })
			}()
		}, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "vmeste.db")
			s, err := Open(path, Options{})
			if err != nil {
				t.Fatal(err)
			}
			c.do(t, s)
			if got := s.Tainted(); got != c.tainted {
				t.Errorf("Tainted = %v, want %v", got, c.tainted)
			}
			if err := s.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
			_, err = os.Stat(stampPath(path))
			switch {
			case c.tainted && err == nil:
				t.Error("a tainted run left the clean-shutdown stamp: the next start would skip the full check")
			case !c.tainted && err != nil:
				t.Errorf("an untainted run left no stamp: %v", err)
			}
		})
	}
}
