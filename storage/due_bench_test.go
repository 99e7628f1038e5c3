package storage

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// benchRenderer renders nothing much: the benchmarks measure the store.
type benchRenderer struct{}

func (benchRenderer) Reminder(u User, e Event, offset time.Duration) Content {
	return Content{Text: e.Title}
}
func (benchRenderer) DeadlineNotice(u User, e Event) Content { return Content{Text: e.Title} }
func (benchRenderer) Finished(u User, e Event) Content       { return Content{Text: e.Title} }

// addDueEvents creates n published events, each from start(i) with
// reminders offsets(i), and signs up users perEvent users (ids from
// firstUser, stored and active) for each, in one transaction through the
// same code as CreateEvent and Register, so the indexes are as in use.
func addDueEvents(b *testing.B, s *Store, n, perEvent int, firstUser int64, now time.Time,
	start func(i int) time.Time, offsets func(i int) []time.Duration) {
	b.Helper()
	err := s.DB().Update(func(tx *bolt.Tx) error {
		events := tx.Bucket(bucketEvents)
		user := firstUser
		for i := range n {
			e := testEvent("Семинар")
			e.Start, e.Reminders, e.CreatedAt, e.UpdatedAt = start(i), offsets(i), now, now
			seq, err := events.NextSequence()
			if err != nil {
				return err
			}
			e.ID = int64(seq)
			if err := putJSON(events, itob(e.ID), e); err != nil {
				return err
			}
			if err := tx.Bucket(bucketEventsByStart).Put(startKey(e.Start, e.ID), nil); err != nil {
				return err
			}
			if err := s.reindexDue(tx, nil, &e, now); err != nil {
				return err
			}
			for range perEvent {
				if err := putUser(tx, User{ID: user, ChatID: user, Lang: "ru", Registered: true, Active: true}, now, true); err != nil {
					return err
				}
				if _, err := register(tx, SignUp{EventID: e.ID, UserID: user}, now); err != nil {
					return err
				}
				user++
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}

// BenchmarkRunDueIdle is a tick with nothing due on 1,000 events (two
// reminders and a finish each in the index) and 10,000 registrations. scheduler's BenchmarkTickIdle does the same at 100 times
// the size.
func BenchmarkRunDueIdle(b *testing.B) {
	ctx := context.Background()
	s := openTestStore(b, filepath.Join(b.TempDir(), "due.db"), Options{Now: func() time.Time { return t0 }})
	addDueEvents(b, s, 1_000, 10, 1, t0,
		func(i int) time.Time { return t0.Add(30*24*time.Hour + time.Duration(i)*time.Hour) },
		func(int) []time.Duration { return []time.Duration{24 * time.Hour, 2 * time.Hour} })
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		items, err := s.RunDue(ctx, t0, benchRenderer{}, 2000)
		if err != nil || len(items) != 0 {
			b.Fatalf("RunDue = %d items, %v", len(items), err)
		}
	}
}

// BenchmarkRunDue1000 is a tick with 1,000 reminders due, each to one
// participant: one transaction enqueues 1,000 messages. Each iteration adds
// its 1,000 events outside the timer, their reminders due at that
// iteration's now.
func BenchmarkRunDue1000(b *testing.B) {
	ctx := context.Background()
	s := openTestStore(b, filepath.Join(b.TempDir(), "due.db"), Options{Now: func() time.Time { return t0 }})
	start := t0.Add(365 * 24 * time.Hour)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		now := t0.Add(time.Duration(i+1) * time.Minute)
		addDueEvents(b, s, 1_000, 1, int64(i)*1_000+1, t0,
			func(int) time.Time { return start },
			func(int) []time.Duration { return []time.Duration{start.Sub(now)} })
		b.StartTimer()
		items, err := s.RunDue(ctx, now, benchRenderer{}, 0)
		if err != nil || len(items) != 1_000 {
			b.Fatalf("RunDue = %d items, %v", len(items), err)
		}
	}
}
