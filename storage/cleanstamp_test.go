package storage

import (
	"bytes"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// garblePage overwrites page id of the database at path with garbage in
// place, keeping its modification time when keepTime is set.
func garblePage(t *testing.T, path string, id, pageSize int, keepTime bool) {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt(bytes.Repeat([]byte{0xA5}, pageSize), int64(id*pageSize)); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if keepTime {
		if err := os.Chtimes(path, time.Time{}, info.ModTime()); err != nil {
			t.Fatal(err)
		}
	}
}

// openLogged opens path and returns the store (nil on error), what Open
// logged and the error.
func openLogged(path string) (*Store, string, error) {
	var log strings.Builder
	s, err := Open(path, Options{Logger: slog.New(slog.NewTextHandler(&log, nil))})
	return s, log.String(), err
}

const skippedLog = "the full check is skipped"

// TestCleanStamp: after a clean Close the next Open skips the full check,
// and removes the stamp before it writes (so a crash leaves none); a file
// changed after the Close, even at once, is checked in full and its damage
// found; so is one whose stamp is gone, as after a crash, even when the
// damage kept the file's time; and one restored from a backup.
func TestCleanStamp(t *testing.T) {
	path, pageSize := checkFixture(t)
	if _, err := os.Stat(stampPath(path)); err != nil {
		t.Fatalf("no stamp after a clean Close: %v", err)
	}
	s, log, err := openLogged(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(log, skippedLog) {
		t.Errorf("a clean reopen ran the full check; log: %s", log)
	}
	if _, err := os.Stat(stampPath(path)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the stamp is still there while the store is open: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	victim := usedPages(t, path)[3]

	t.Run("changed at once after the close", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "v.db")
		if err := copyFileSync(path, p); err != nil {
			t.Fatal(err)
		}
		s, err := Open(p, Options{}) // copied: a new inode, checked in full, then closed cleanly
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		garblePage(t, p, victim, pageSize, false)
		if _, log, err := openLogged(p); !errors.Is(err, ErrDamaged) || strings.Contains(log, skippedLog) {
			t.Errorf("Open after a write since the clean close = %v; log: %s", err, log)
		}
	})
	t.Run("no stamp, as after a crash", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "v.db")
		if err := copyFileSync(path, p); err != nil {
			t.Fatal(err)
		}
		garblePage(t, p, victim, pageSize, true)
		if _, log, err := openLogged(p); !errors.Is(err, ErrDamaged) || strings.Contains(log, skippedLog) {
			t.Errorf("Open without a stamp = %v; log: %s", err, log)
		}
	})
	t.Run("restored", func(t *testing.T) {
		dir := t.TempDir()
		p, backup := filepath.Join(dir, "v.db"), filepath.Join(dir, "backup.db")
		for _, dst := range []string{p, backup} {
			if err := copyFileSync(path, dst); err != nil {
				t.Fatal(err)
			}
		}
		s, err := Open(p, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		if err := Restore(backup, p, time.Second); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(stampPath(p)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("the stamp survived a restore: %v", err)
		}
		s, log, err := openLogged(p)
		if err != nil {
			t.Fatal(err)
		}
		s.Close()
		if strings.Contains(log, skippedLog) {
			t.Errorf("a restored file skipped the full check; log: %s", log)
		}
	})
}
