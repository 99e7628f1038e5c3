package storage

import (
	"context"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

// scaleSize is the database of issue 14's "how far one process goes":
// 100,000 events and 1,000,000 registrations of 10,000 teachers in 100
// organisations.
var scaleSize = Size{Teachers: 10_000, Orgs: 100, Events: 100_000, Regs: 1_000_000}

// generateScale writes the scaleSize district under tb's temporary folder
// and logs what it cost.
func generateScale(tb testing.TB) (string, Generated) {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "district.db")
	got, err := GenerateDistrict(context.Background(), path, scaleSize)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Logf("generated %d teachers, %d events, %d registrations in %s: file %.1f MB; %.0f B a teacher, %.0f B an event, %.0f B a registration",
		got.Teachers, got.Events, got.Regs, got.Took.Round(time.Millisecond), float64(got.FileBytes)/1e6,
		float64(got.TeacherBytes)/float64(got.Teachers), float64(got.EventBytes)/float64(got.Events), float64(got.RegBytes)/float64(got.Regs))
	return path, got
}

// TestOpenOnABigDatabase opens the scaleSize database the way serve
// does (the lock, the check, the buckets, the migrations) and wants it done
// in under 2 s after a clean shutdown, with the file cached and dropped
// from the page cache. After an unclean one (no stamp: the full check) it
// logs the time. It logs the memory the open store holds. It generates
// 480 MB in about half a minute: not in -short.
func TestOpenOnABigDatabase(t *testing.T) {
	if testing.Short() {
		t.Skip("generates a database of a million registrations; CI runs it in its non-short section")
	}
	path, got := generateScale(t)
	for _, c := range []struct {
		name          string
		clean, cached bool
	}{{"clean cached", true, true}, {"clean uncached", true, false}, {"unclean cached", false, true}, {"unclean uncached", false, false}} {
		t.Run(c.name, func(t *testing.T) {
			if !c.clean {
				if err := removeCleanStamp(path); err != nil {
					t.Fatal(err)
				}
			}
			if !c.cached {
				dropCache(t, path)
			}
			runtime.GC()
			debug.FreeOSMemory()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			start := time.Now()
			s, err := Open(path, Options{Now: func() time.Time { return got.Now }})
			took := time.Since(start)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if err := s.Ping(context.Background()); err != nil {
				t.Fatal(err)
			}
			runtime.GC()
			debug.FreeOSMemory()
			runtime.ReadMemStats(&after)
			t.Logf("%s: open of %.0f MB took %s; heap in use %+.2f MB (the root package's TestStartupOnABigDatabase reads the process's resident set)",
				c.name, float64(got.FileBytes)/1e6, took.Round(time.Millisecond),
				float64(int64(after.HeapInuse)-int64(before.HeapInuse))/1e6)
			if c.clean && took > 2*time.Second {
				t.Errorf("startup after a clean shutdown took %s, want under 2 s", took)
			}
		})
	}
}

// BenchmarkScale is what the bot's recurring work costs on the scaleSize
// database (generated once, about half a minute; not in -short):
//
//   - tick: the due tick with nothing due (RunDue over the due index of
//     the published events, some 2,400 with two reminders and an end);
//
//   - tick-day: the tick that finds a whole day's reminders due at once
//     (a day's events and their participants: the outbox entries
//     enqueued in one transaction), once per iteration, each a day later;
//
//   - report: the coverage report for the last school year;
//
//   - broadcast: preparing an announcement to every teacher (the
//     audience read and the outbox enqueue of 10,000 entries, one commit).
//
//     go test -run '^$' -bench BenchmarkScale -benchtime 10x ./storage
func BenchmarkScale(b *testing.B) {
	if testing.Short() {
		b.Skip("generates a database of a million registrations")
	}
	ctx := context.Background()
	path, got := generateScale(b)
	s := openTestStore(b, path, Options{Now: func() time.Time { return got.Now }})
	b.Run("tick", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			items, err := s.RunDue(ctx, got.Now, benchRenderer{}, 2000)
			if err != nil || len(items) != 0 {
				b.Fatalf("RunDue = %d items, %v", len(items), err)
			}
		}
	})
	b.Run("tick-day", func(b *testing.B) {
		b.ReportAllocs()
		day, items := 0, 0
		for b.Loop() {
			day++
			due, err := s.RunDue(ctx, got.Now.AddDate(0, 0, day), benchRenderer{}, 0)
			if err != nil {
				b.Fatal(err)
			}
			items += len(due)
		}
		b.ReportMetric(float64(items)/float64(day), "items/op")
	})
	b.Run("report", func(b *testing.B) {
		b.ReportAllocs()
		q := CoverageQuery{From: time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC), Now: got.Now}
		for b.Loop() {
			c, err := s.Coverage(ctx, q)
			if err != nil || c.Total.EventsHeld == 0 {
				b.Fatalf("Coverage = %d events held, %v", c.Total.EventsHeld, err)
			}
		}
	})
	b.Run("broadcast", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			recipients, err := s.AudienceRecipients(ctx, Audience{Kind: AudienceAllTeachers}, 0)
			if err != nil || len(recipients) != got.Teachers {
				b.Fatalf("audience: %d recipients, %v", len(recipients), err)
			}
			bc, err := s.CreateBroadcast(ctx, Broadcast{AuthorID: 50, AuthorChat: 50, SourceChat: 50, SourceMessage: 2}, recipients, nil)
			if err != nil || bc.Total != got.Teachers {
				b.Fatalf("CreateBroadcast: %d, %v", bc.Total, err)
			}
		}
	})
}
