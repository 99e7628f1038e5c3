package storage

import (
	"context"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

const benchUsers = 10_000

// benchStore opens a database holding 20 organisations and benchUsers users,
// written in one transaction so that setup costs one fsync, not ten thousand.
func benchStore(b *testing.B) *Store {
	b.Helper()
	s := openTestStore(b, filepath.Join(b.TempDir(), "bench.db"), Options{})
	if s.DB().NoSync {
		b.Fatal("NoSync is on; the write benchmarks must pay for fsync")
	}
	now := time.Now()
	err := s.DB().Update(func(tx *bolt.Tx) error {
		var orgs []int64
		for i := range 20 {
			o := Organisation{Name: fmt.Sprintf("Школа №%d", i+1), Kind: KindSchool}
			if err := createOrg(tx, &o, now); err != nil {
				return err
			}
			orgs = append(orgs, o.ID)
		}
		for id := int64(1); id <= benchUsers; id++ {
			u := benchUser(id, orgs[id%int64(len(orgs))], 0)
			if err := putUser(tx, u, now, true); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return s
}

func benchUser(id, org int64, n int) User {
	return User{
		ID: id, ChatID: id, OrgID: org, Lang: "ru", Registered: true, Active: true,
		FullName: fmt.Sprintf("Учитель %d (%d)", id, n), Position: "учитель начальных классов",
	}
}

// BenchmarkUserRead looks users up by id in a database of benchUsers users.
func BenchmarkUserRead(b *testing.B) {
	ctx := context.Background()
	s := benchStore(b)
	b.ReportAllocs()
	var i int64
	for b.Loop() {
		id := i%benchUsers + 1
		if _, err := s.User(ctx, id); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkUserWrite replaces existing users one transaction (and one fsync)
// at a time.
func BenchmarkUserWrite(b *testing.B) {
	ctx := context.Background()
	s := benchStore(b)
	b.ReportAllocs()
	var i int64
	for b.Loop() {
		id := i%benchUsers + 1
		if err := s.PutUser(ctx, benchUser(id, id%20+1, int(i))); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkUserWriteParallel is BenchmarkUserWrite from GOMAXPROCS
// goroutines; bbolt serialises the writers, so this measures contention.
func BenchmarkUserWriteParallel(b *testing.B) {
	ctx := context.Background()
	s := benchStore(b)
	b.ReportAllocs()
	var n atomic.Int64
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			id := i%benchUsers + 1
			if err := s.PutUser(ctx, benchUser(id, id%20+1, int(i))); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
