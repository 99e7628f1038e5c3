package storage

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

func TestCheck(t *testing.T) {
	good, pageSize := checkFixture(t)
	if err := Check(good, time.Second); err != nil {
		t.Errorf("Check(good) = %v", err)
	}
	bad := spoilCopy(t, good, t.TempDir(), "bad.db", func(d []byte) []byte {
		victim := usedPages(t, good)[3]
		copy(d[victim*pageSize:], bytes.Repeat([]byte{0xA5}, pageSize))
		return d
	})
	if err := Check(bad, time.Second); !errors.Is(err, ErrDamaged) {
		t.Errorf("Check(damaged) = %v, want ErrDamaged", err)
	}
	if err := Check(filepath.Join(t.TempDir(), "none.db"), time.Second); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Check(missing) = %v, want fs.ErrNotExist", err)
	}
	s := openTestStore(t, filepath.Join(t.TempDir(), "open.db"), Options{})
	if err := Check(s.DB().Path(), 100*time.Millisecond); !errors.Is(err, ErrLocked) {
		t.Errorf("Check(held by a running store) = %v, want ErrLocked", err)
	}
}

// TestCompact: a database with half its users deleted compacts to a
// smaller file holding the same records and bucket sequences, without a
// clean stamp (the next Open checks it in full); a running store, or a
// damaged file, is refused and left as it was.
func TestCompact(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "v.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	var org Organisation
	if err := s.DB().Update(func(tx *bolt.Tx) error {
		org = Organisation{Name: "Школа №1", Kind: KindSchool}
		if err := createOrg(tx, &org, now); err != nil {
			return err
		}
		for id := int64(1); id <= 5_000; id++ {
			if err := putUser(tx, benchUser(id, org.ID, 0), now, true); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := s.DB().Update(func(tx *bolt.Tx) error {
		for id := int64(1); id <= 5_000; id += 2 {
			if err := tx.Bucket(bucketUsers).Delete(itob(id)); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := Compact(path, 100*time.Millisecond); !errors.Is(err, ErrLocked) {
		t.Errorf("Compact while the store is open = %v, want ErrLocked", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	got, err := Compact(path, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if got.After >= got.Before || got.After <= 0 {
		t.Errorf("Compact: %d bytes before, %d after; want fewer", got.Before, got.After)
	}
	if _, err := os.Stat(stampPath(path)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the clean stamp survived the compaction: %v", err)
	}
	if _, err := os.Stat(path + ".compact"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the temporary copy is left: %v", err)
	}
	s, log, err := openLogged(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if bytes.Contains([]byte(log), []byte(skippedLog)) {
		t.Errorf("the compacted file skipped the full check: %s", log)
	}
	users, err := s.Users(ctx)
	if err != nil || len(users) != 2_500 {
		t.Errorf("Users after compaction: %d, %v", len(users), err)
	}
	id, err := s.CreateOrganisation(ctx, Organisation{Name: "Школа №2", Kind: KindSchool})
	if err != nil || id != org.ID+1 {
		t.Errorf("the next organisation id after compaction is %d (%v), want %d: the bucket sequence was lost", id, err, org.ID+1)
	}

	good, pageSize := checkFixture(t)
	bad := spoilCopy(t, good, t.TempDir(), "bad.db", func(d []byte) []byte {
		copy(d[usedPages(t, good)[3]*pageSize:], bytes.Repeat([]byte{0xA5}, pageSize))
		return d
	})
	before, _ := os.ReadFile(bad)
	if _, err := Compact(bad, time.Second); !errors.Is(err, ErrDamaged) {
		t.Errorf("Compact(damaged) = %v, want ErrDamaged", err)
	}
	if after, _ := os.ReadFile(bad); !bytes.Equal(before, after) {
		t.Error("Compact changed a damaged file")
	}
}

// TestCompactKeepsModeAndOwner: the compacted file has the original's
// permission bits and, when Compact runs as root, its owner and group, so
// that `sudo vmeste -compact` leaves a file the service's user can open. A
// failed fsync of the folder after the rename is a warning: the compacted
// file is in place and Compact succeeds.
func TestCompactKeepsModeAndOwner(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o640); err != nil {
		t.Fatal(err)
	}
	const uid, gid = 65534, 65534 // nobody
	asRoot := os.Geteuid() == 0
	if asRoot {
		if err := os.Chown(path, uid, gid); err != nil {
			t.Fatal(err)
		}
	}
	errSync := errors.New("injected folder fsync failure")
	compactSyncDir = func(string) error { return errSync }
	defer func() { compactSyncDir = syncDir }()

	got, err := Compact(path, time.Second)
	if err != nil {
		t.Fatalf("Compact = %v; a failed folder sync after the rename is a warning", err)
	}
	if !errors.Is(got.SyncWarning, errSync) {
		t.Errorf("SyncWarning = %v, want the folder's fsync failure", got.SyncWarning)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o640 {
		t.Errorf("compacted file's mode %v, want the original's 0640", info.Mode().Perm())
	}
	st := info.Sys().(*syscall.Stat_t)
	wantUID, wantGID := uint32(os.Geteuid()), uint32(os.Getegid())
	if asRoot {
		wantUID, wantGID = uid, gid
	}
	if st.Uid != wantUID || st.Gid != wantGID {
		t.Errorf("compacted file owned by %d:%d, want %d:%d", st.Uid, st.Gid, wantUID, wantGID)
	}
	if got.Before <= 0 {
		t.Errorf("Before = %d", got.Before)
	}
}
