package storage

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// checkFixture writes a real database of a few hundred users (dozens of
// pages) under t.TempDir() and returns its path and page size.
func checkFixture(t *testing.T) (string, int) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "good.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	if err := s.DB().Update(func(tx *bolt.Tx) error {
		o := Organisation{Name: "Школа №1", Kind: KindSchool}
		if err := createOrg(tx, &o, now); err != nil {
			return err
		}
		for id := int64(1); id <= 300; id++ {
			if err := putUser(tx, benchUser(id, o.ID, 0), now, true); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	pageSize := s.DB().Info().PageSize
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return path, pageSize
}

// usedPages lists the branch and leaf pages of the database at path: the
// pages whose damage a check must find (damage to a free page is harmless).
func usedPages(t *testing.T, path string) []int {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, PreLoadFreelist: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var ids []int
	if err := db.View(func(tx *bolt.Tx) error {
		for id := 2; ; id++ {
			info, err := tx.Page(id)
			if err != nil || info == nil {
				return err
			}
			if info.Type == "branch" || info.Type == "leaf" {
				ids = append(ids, id)
				id += info.OverflowCount
			}
		}
	}); err != nil {
		t.Fatal(err)
	}
	return ids
}

// spoilCopy copies src to a new file in dir and changes it with spoil.
func spoilCopy(t *testing.T, src, dir, name string, spoil func(data []byte) []byte) string {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, spoil(data), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestDamagedFiles(t *testing.T) {
	good, pageSize := checkFixture(t)
	dir := t.TempDir()
	pages := usedPages(t, good)
	if len(pages) < 10 {
		t.Fatalf("the fixture has %d used pages; want dozens", len(pages))
	}
	rng := rand.New(rand.NewPCG(8, 2026))
	victim := pages[rng.IntN(len(pages))]
	garbage := make([]byte, pageSize)
	for i := range garbage {
		garbage[i] = byte(rng.Uint32())
	}
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89")
	flip := func(off int) func([]byte) []byte {
		return func(d []byte) []byte { d[off] ^= 0xff; return d }
	}
	const txidAt = pageHeaderSize + 48 // inside the checksummed part of a meta

	tests := []struct {
		name  string
		spoil func([]byte) []byte
		// open is what Open says ("" for success); verify is what
		// VerifyBackup says. Both are substrings of a DamageError's Reason;
		// "*" is any DamageError.
		open, verify string
		cause        error // errors.Is of the error, besides ErrDamaged
	}{
		{"good", func(d []byte) []byte { return d }, "", "", nil},
		{"empty", func([]byte) []byte { return nil }, "", "empty file", nil},
		{"cut to 8 KiB", func(d []byte) []byte { return d[:8<<10] }, "cut short", "cut short", nil},
		{"cut to 16 KiB", func(d []byte) []byte { return d[:16<<10] }, "cut short", "cut short", nil},
		{"cut inside the first page", func(d []byte) []byte { return d[:pageSize/2] }, "shorter than two pages", "shorter than two pages", nil},
		{"cut between pages", func(d []byte) []byte { return d[:len(d)-100] }, "not a whole number", "not a whole number", nil},
		{"text", func([]byte) []byte { return []byte("not a database at all, just text") }, "not a bbolt database", "not a bbolt database", berrors.ErrInvalid},
		{"png", func([]byte) []byte { return png }, "not a bbolt database", "not a bbolt database", berrors.ErrInvalid},
		{"zeros", func(d []byte) []byte { return make([]byte, len(d)) }, "not a bbolt database", "not a bbolt database", berrors.ErrInvalid},
		{"meta 0 checksum", flip(txidAt), "", "meta page 0: invalid checksum", berrors.ErrChecksum},
		{"meta 1 checksum", flip(pageSize + txidAt), "", "meta page 1: invalid checksum", berrors.ErrChecksum},
		{"meta 1 version", flip(pageSize + pageHeaderSize + 4), "", "meta page 1: format version", berrors.ErrVersionMismatch},
		{"both metas", func(d []byte) []byte { return flip(pageSize + txidAt)(flip(txidAt)(d)) }, "meta page 0: invalid checksum", "meta page 0: invalid checksum", berrors.ErrChecksum},
		{"random page", func(d []byte) []byte {
			copy(d[victim*pageSize:], garbage)
			return d
		}, "cannot be read", "cannot be read", nil},
		// The header says the right page, the rest is garbage: what that
		// trips is up to the garbage, but it must be found, without a crash.
		{"page body", func(d []byte) []byte {
			copy(d[victim*pageSize+pageHeaderSize:(victim+1)*pageSize], garbage)
			return d
		}, "*", "*", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			check := func(what string, err error, want string) {
				t.Helper()
				if want == "" {
					return
				}
				for _, word := range []string{"panic", "goroutine", "SIGBUS"} {
					if strings.Contains(fmt.Sprint(err), word) {
						t.Errorf("%s = %v: says %q", what, err, word)
					}
				}
				if !errors.Is(err, ErrDamaged) {
					t.Fatalf("%s = %v; want ErrDamaged", what, err)
				}
				t.Logf("%s: %v", what, err)
				if want == "*" {
					return
				}
				var de *DamageError
				if !errors.As(err, &de) || !strings.Contains(de.Reason, want) {
					t.Fatalf("%s = %v; want a reason with %q", what, err, want)
				}
				if tt.cause != nil && !errors.Is(err, tt.cause) {
					t.Errorf("%s = %v; want it to match %v", what, err, tt.cause)
				}
			}

			backup := spoilCopy(t, good, dir, strings.ReplaceAll(tt.name, " ", "-")+".backup", tt.spoil)
			err := VerifyBackup(backup)
			if tt.verify == "" && err != nil {
				t.Fatalf("VerifyBackup = %v; want nil", err)
			}
			check("VerifyBackup", err, tt.verify)

			live := spoilCopy(t, good, dir, strings.ReplaceAll(tt.name, " ", "-")+".db", tt.spoil)
			before, _ := os.ReadFile(live)
			var log bytes.Buffer
			s, err := Open(live, Options{LockTimeout: 100 * time.Millisecond, Logger: slog.New(slog.NewTextHandler(&log, nil))})
			if err == nil {
				if cerr := s.Close(); cerr != nil {
					t.Fatal(cerr)
				}
				if tt.open != "" {
					t.Fatalf("Open succeeded; want %q", tt.open)
				}
				if strings.HasPrefix(tt.name, "meta") && !strings.Contains(log.String(), "meta page is invalid") {
					t.Errorf("Open did not log the invalid meta page; log: %s", log.String())
				}
				return
			}
			if tt.open == "" {
				t.Fatalf("Open = %v; want success", err)
			}
			check("Open", err, tt.open)
			if !strings.HasPrefix(err.Error(), "storage: open "+live+": ") {
				t.Errorf("Open = %q; want it to start with storage: open %s:", err, live)
			}
			if after, _ := os.ReadFile(live); !bytes.Equal(before, after) {
				t.Errorf("Open changed the damaged file")
			}
			if _, err := os.Stat(live + ".restore"); err == nil {
				t.Error("a .restore file is left")
			}
		})
	}
}

// TestRestoreRefusesDamage checks that a damaged backup leaves the
// database it was to replace as it was.
func TestRestoreRefusesDamage(t *testing.T) {
	good, _ := checkFixture(t)
	dir := t.TempDir()
	dst := spoilCopy(t, good, dir, "vmeste.db", func(d []byte) []byte { return d })
	before, _ := os.ReadFile(dst)
	src := spoilCopy(t, good, dir, "cut.db", func(d []byte) []byte { return d[:16<<10] })
	err := Restore(src, dst, 100*time.Millisecond)
	if !errors.Is(err, ErrDamaged) {
		t.Fatalf("Restore = %v; want ErrDamaged", err)
	}
	if after, _ := os.ReadFile(dst); !bytes.Equal(before, after) {
		t.Error("Restore changed the database")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("the folder holds %d files; want the two it had", len(entries))
	}
}

// TestRestoreOverDamagedDatabase checks that a damaged database can be
// replaced: Restore tests its lock without letting bbolt read it.
func TestRestoreOverDamagedDatabase(t *testing.T) {
	good, _ := checkFixture(t)
	dir := t.TempDir()
	dst := spoilCopy(t, good, dir, "vmeste.db", func(d []byte) []byte { return d[:8<<10] })
	if err := Restore(good, dst, 100*time.Millisecond); err != nil {
		t.Fatalf("Restore = %v", err)
	}
	if err := VerifyBackup(dst); err != nil {
		t.Fatalf("the restored database: %v", err)
	}
}

// TestGuardedRecoversFault reads a shared map past the end of its file:
// SIGBUS, which guarded must turn into a DamageError.
func TestGuardedRecoversFault(t *testing.T) {
	path := filepath.Join(t.TempDir(), "short")
	if err := os.WriteFile(path, make([]byte, 4096), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	data, err := syscall.Mmap(int(f.Fd()), 0, 3*4096, syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Munmap(data)
	var b byte
	err = guarded(func() error {
		b = data[2*4096+1]
		return nil
	})
	if !errors.Is(err, ErrDamaged) {
		t.Fatalf("guarded = %v (read %d); want ErrDamaged", err, b)
	}
	if !strings.Contains(err.Error(), "cut short") {
		t.Errorf("guarded = %v; want it to say the file may be cut short", err)
	}
	// A plain panic too.
	if err := guarded(func() error { panic("assertion failed: page 7") }); !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), "assertion failed: page 7") {
		t.Errorf("guarded = %v; want a DamageError with the panic's text", err)
	}
}
