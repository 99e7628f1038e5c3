package storage

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// checkBenchUsers fills a database of about 100 MB: users and their
// organisation index, written the way PutUser writes them.
const checkBenchUsers = 100_000

// BenchmarkCheckAtOpen measures the start-up check of a live database of
// about 100 MB, in parts: the header (two meta pages, plain reads), the
// walk of every page under the guard, bbolt's Tx.Check alone, and all of it
// as Open runs it (checkExisting), with the file in the page cache and, as
// after a reboot, not (open-check-cold).
func BenchmarkCheckAtOpen(b *testing.B) {
	path := filepath.Join(b.TempDir(), "big.db")
	s, err := Open(path, Options{NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now()
	var orgs []int64
	if err := s.DB().Update(func(tx *bolt.Tx) error {
		for i := range 50 {
			o := Organisation{Name: fmt.Sprintf("Школа №%d", i+1), Kind: KindSchool}
			if err := createOrg(tx, &o, now); err != nil {
				return err
			}
			orgs = append(orgs, o.ID)
		}
		return nil
	}); err != nil {
		b.Fatal(err)
	}
	const chunk = 25_000
	for first := int64(1); first <= checkBenchUsers; first += chunk {
		if err := s.DB().Update(func(tx *bolt.Tx) error {
			for id := first; id < first+chunk; id++ {
				u := benchUser(id, orgs[id%int64(len(orgs))], 0)
				u.Position = "учитель начальных классов, классный руководитель 3 «Б» класса"
				if err := putUser(tx, u, now, true); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			b.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		b.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	mb := float64(info.Size()) / (1 << 20)

	b.Run("header", func(b *testing.B) {
		for b.Loop() {
			if _, err := checkHeader(path, false); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(mb, "MB")
	})
	b.Run("walk", func(b *testing.B) {
		for b.Loop() {
			if err := viewChecked(path, time.Second, func(tx *bolt.Tx) error { readPages(tx); return nil }); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(mb, "MB")
	})
	b.Run("check", func(b *testing.B) {
		db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
		if err != nil {
			b.Fatal(err)
		}
		defer db.Close()
		for b.Loop() {
			if err := db.View(func(tx *bolt.Tx) error {
				for err := range tx.Check() {
					return err
				}
				return nil
			}); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(mb, "MB")
	})
	b.Run("open-check-cold", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			dropCache(b, path)
			b.StartTimer()
			if err := checkExisting(path, time.Second, slog.Default()); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(mb, "MB")
	})
	b.Run("open-check", func(b *testing.B) {
		for b.Loop() {
			if err := checkExisting(path, time.Second, slog.Default()); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(mb, "MB")
	})
}

// dropCache asks the kernel to drop the file's pages from the page cache
// (posix_fadvise POSIX_FADV_DONTNEED), after writing back dirty ones.
func dropCache(tb testing.TB, path string) {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		tb.Fatal(err)
	}
	const fadvDontNeed = 4
	if _, _, errno := syscall.Syscall6(syscall.SYS_FADVISE64, f.Fd(), 0, 0, fadvDontNeed, 0, 0); errno != 0 {
		tb.Fatalf("fadvise: %v", errno)
	}
}
