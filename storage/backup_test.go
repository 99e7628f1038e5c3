package storage

import (
	"context"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// backupTo writes a backup of s into a new file under dir.
func backupTo(t *testing.T, s *Store, path string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Backup(context.Background(), f); err != nil {
		t.Fatalf("Backup: %v", err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestBackupWhileRegistering(t *testing.T) {
	ctx := context.Background()
	s, clk, _ := newDueStore(t)
	e := testEvent("Большой концерт")
	e.Capacity = 0
	e = mustCreateEvent(t, s, e)

	const writers, perWriter = 20, 30
	var (
		mu        sync.Mutex
		committed []int64
		wg        sync.WaitGroup
		errs      = make(chan error, writers)
		enough    = make(chan struct{})
		once      sync.Once
	)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perWriter {
				user := int64(1000 + w*perWriter + i)
				if _, err := s.Register(ctx, SignUp{EventID: e.ID, UserID: user}, clk.Now()); err != nil {
					errs <- err
					return
				}
				mu.Lock()
				committed = append(committed, user)
				if len(committed) >= writers*perWriter/3 {
					once.Do(func() { close(enough) })
				}
				mu.Unlock()
			}
		}()
	}
	<-enough // a third of the sign-ups are in; the rest are being written
	mu.Lock()
	before := append([]int64(nil), committed...)
	mu.Unlock()
	path := filepath.Join(t.TempDir(), "backup.db")
	backupTo(t, s, path)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("Register: %v", err)
	}

	if err := VerifyBackup(path); err != nil {
		t.Fatalf("VerifyBackup: %v", err)
	}
	b, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	for _, user := range before {
		if r, err := b.Registration(ctx, e.ID, user); err != nil || r.State != RegConfirmed {
			t.Fatalf("user %d, committed before the backup: %+v, %v", user, r, err)
		}
	}
	t.Logf("%d of %d sign-ups committed before the backup began", len(before), writers*perWriter)
}

func TestRestore(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	dst := filepath.Join(dir, "vmeste.db")
	s, err := Open(dst, Options{LockTimeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	kept := mustCreateEvent(t, s, testEvent("До копии"))
	backup := filepath.Join(dir, "backup.db")
	backupTo(t, s, backup)
	lost := mustCreateEvent(t, s, testEvent("После копии"))

	if err := Restore(backup, dst, 100*time.Millisecond); !errors.Is(err, ErrLocked) {
		t.Fatalf("Restore while open = %v; want ErrLocked", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := Restore(backup, dst, 100*time.Millisecond); err != nil {
		t.Fatalf("Restore: %v", err)
	}
	if _, err := os.Stat(dst + ".restore"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the temporary copy is left: %v", err)
	}
	r, err := Open(dst, Options{LockTimeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if got := mustEvent(t, r, kept.ID); got.Title != kept.Title {
		t.Errorf("restored event %d = %q", kept.ID, got.Title)
	}
	if _, err := r.Event(ctx, lost.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("event written after the backup: %v; want ErrNotFound", err)
	}

	// Into a folder with no database yet.
	fresh := filepath.Join(dir, "new", "vmeste.db")
	if err := Restore(backup, fresh, 0); err != nil {
		t.Fatalf("Restore to a new path: %v", err)
	}
	if err := VerifyBackup(fresh); err != nil {
		t.Fatal(err)
	}
}

func TestVerifyBackupRefuses(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.db")
	s, err := Open(good, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// spoil copies good to name and changes it with fn.
	spoil := func(name string, fn func(tx *bolt.Tx) error) string {
		path := filepath.Join(dir, name)
		if err := copyFileSync(good, path); err != nil {
			t.Fatal(err)
		}
		db, err := bolt.Open(path, 0o600, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if err := db.Update(fn); err != nil {
			t.Fatal(err)
		}
		return path
	}
	garbage := filepath.Join(dir, "garbage.db")
	if err := os.WriteFile(garbage, []byte("not a database at all, just text"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		path string
	}{
		{"missing file", filepath.Join(dir, "nothing.db")},
		{"not bbolt", garbage},
		{"bucket missing", spoil("nodue.db", func(tx *bolt.Tx) error { return tx.DeleteBucket(bucketDue) })},
		{"newer schema", spoil("future.db", func(tx *bolt.Tx) error {
			v := make([]byte, 8)
			binary.BigEndian.PutUint64(v, SchemaVersion()+1)
			return tx.Bucket(bucketMeta).Put(keySchema, v)
		})},
	}
	if err := VerifyBackup(good); err != nil {
		t.Fatalf("VerifyBackup(good) = %v", err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := VerifyBackup(tt.path); err == nil {
				t.Fatal("VerifyBackup = nil; want an error")
			}
			if err := Restore(tt.path, filepath.Join(dir, "target.db"), 0); err == nil {
				t.Fatal("Restore = nil; want an error")
			}
		})
	}
}
