package storage

import (
	"context"
	"encoding/json"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// signupParallelism makes RunParallel use 100 goroutines on a 2-CPU
// machine (it starts parallelism × GOMAXPROCS of them).
const signupParallelism = 50

// signupEvents is how many big events the sign-ups are spread over.
const signupEvents = 4

// BenchmarkSignup measures sign-ups per second from about 100 concurrent
// goroutines with fsync on (bbolt's default options):
//
//   - raw: bare db.Batch puts of a registration-sized value under unique
//     keys, the engine's own limit on this disk;
//   - update: our sign-up (register) with one db.Update, one commit, each;
//   - batched: Store.Register, as the bot signs up (db.Batch).
//
// Each sub-benchmark opens a fresh database; every operation signs up a
// distinct user for one of signupEvents events with room for all.
func BenchmarkSignup(b *testing.B) {
	b.Run("raw", func(b *testing.B) {
		s := signupStore(b)
		value := make([]byte, signupValueSize(b))
		for i := range value {
			value[i] = byte('a' + i%26)
		}
		bucket := []byte("bench")
		if err := s.DB().Update(func(tx *bolt.Tx) error {
			_, err := tx.CreateBucketIfNotExists(bucket)
			return err
		}); err != nil {
			b.Fatal(err)
		}
		var n atomic.Int64
		runSignups(b, func() error {
			key := itob(n.Add(1))
			return s.DB().Batch(func(tx *bolt.Tx) error { return tx.Bucket(bucket).Put(key, value) })
		})
	})
	b.Run("update", func(b *testing.B) {
		s := signupStore(b)
		events := signupEventIDs(b, s)
		now := t0
		var n atomic.Int64
		runSignups(b, func() error {
			i := n.Add(1)
			su := SignUp{EventID: events[i%signupEvents], UserID: i}
			return s.DB().Update(func(tx *bolt.Tx) error {
				_, err := register(tx, su, now)
				return err
			})
		})
	})
	b.Run("batched", func(b *testing.B) {
		ctx := context.Background()
		s := signupStore(b)
		events := signupEventIDs(b, s)
		now := t0
		var n atomic.Int64
		runSignups(b, func() error {
			i := n.Add(1)
			_, err := s.Register(ctx, SignUp{EventID: events[i%signupEvents], UserID: i}, now)
			return err
		})
	})
}

// runSignups runs signUp b.N times from signupParallelism × GOMAXPROCS
// goroutines and reports the rate as signups/s.
func runSignups(b *testing.B, signUp func() error) { runParallelRate(b, "signups/s", signUp) }

// runParallelRate runs op b.N times from signupParallelism × GOMAXPROCS
// goroutines and reports the rate in unit (per second of wall time).
func runParallelRate(b *testing.B, unit string, op func() error) {
	b.ReportAllocs()
	b.SetParallelism(signupParallelism)
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := op(); err != nil {
				b.Error(err)
				return
			}
		}
	})
	elapsed := time.Since(start)
	b.StopTimer()
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), unit)
}

func signupStore(b *testing.B) *Store {
	b.Helper()
	s := openTestStore(b, filepath.Join(b.TempDir(), "signup.db"), Options{Now: func() time.Time { return t0 }})
	if s.DB().NoSync {
		b.Fatal("NoSync is on; the sign-up benchmarks must pay for fsync")
	}
	return s
}

// signupEventIDs creates signupEvents published events, a week ahead, with
// more seats than any run signs up.
func signupEventIDs(b *testing.B, s *Store) []int64 {
	b.Helper()
	var ids []int64
	for range signupEvents {
		e := testEvent("Безопасное колесо")
		e.Capacity = 10_000_000
		ids = append(ids, mustCreateEvent(b, s, e).ID)
	}
	return ids
}

// signupValueSize is the size of a stored Registration's JSON: a team's,
// with a class name and Moscow times with nanoseconds (about 200 bytes).
func signupValueSize(b *testing.B) int {
	b.Helper()
	at := time.Date(2026, time.November, 26, 10, 0, 0, 123456789, time.FixedZone("MSK", 3*3600))
	data, err := json.Marshal(Registration{
		EventID: 42, UserID: 1_234_567_890, TeamSize: 12, TeamName: "5 «А»",
		State: RegWaitlist, WaitSeq: 1234, CreatedAt: at, UpdatedAt: at,
	})
	if err != nil {
		b.Fatal(err)
	}
	return len(data)
}
