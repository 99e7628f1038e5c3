package scheduler_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"vmeste/scheduler"
	"vmeste/storage"
)

// The large database of BenchmarkTickIdle: 100,000 published events (two
// reminders each, all ahead) and 1,000,000 registrations, built once per
// run with fsync off, then opened normally for the timed part.
const (
	bigEvents        = 100_000
	bigRegistrations = 1_000_000
	bigUsers         = 20
)

var big struct {
	once  sync.Once
	path  string
	epoch time.Time
	err   error
}

func bigDatabase(b *testing.B) (string, time.Time) {
	b.Helper()
	big.once.Do(func() {
		dir, err := os.MkdirTemp("", "vmeste-bench")
		if err != nil {
			big.err = err
			return
		}
		big.path = filepath.Join(dir, "big.db")
		big.epoch = time.Date(2027, time.January, 10, 9, 0, 0, 0, moscow)
		big.err = buildBig(big.path, big.epoch)
	})
	if big.err != nil {
		b.Fatal(big.err)
	}
	return big.path, big.epoch
}

func buildBig(path string, epoch time.Time) error {
	ctx := context.Background()
	s, err := storage.Open(path, storage.Options{NoSync: true, Location: moscow, Now: func() time.Time { return epoch }})
	if err != nil {
		return err
	}
	defer s.Close()
	org, err := s.CreateOrganisation(ctx, storage.Organisation{Name: "СОШ", Kind: storage.KindSchool})
	if err != nil {
		return err
	}
	for u := int64(1); u <= bigUsers; u++ {
		if err := s.PutUser(ctx, storage.User{ID: u, ChatID: u, OrgID: org, Role: storage.RoleTeacher, Registered: true, Active: true}); err != nil {
			return err
		}
	}
	ids := make([]int64, bigEvents)
	for i := range ids {
		e, err := s.CreateEvent(ctx, storage.Event{Title: fmt.Sprintf("Событие %d", i), Kind: storage.EventSeminar,
			Start: epoch.Add(48*time.Hour + time.Duration(i)*time.Minute), Place: "ЦРТДиЮ", Organisers: []int64{org},
			Unit: storage.UnitIndividual, Status: storage.EventPublished, Reminders: []time.Duration{24 * time.Hour, 2 * time.Hour}})
		if err != nil {
			return err
		}
		ids[i] = e.ID
	}
	// One registration per (user, event) pair, from many goroutines so that
	// bbolt's Batch fills.
	const workers = 1000
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < bigRegistrations; i += workers {
				su := storage.SignUp{EventID: ids[i%bigEvents], UserID: int64(i/bigEvents) + 1}
				if _, err := s.Register(ctx, su, epoch); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	return <-errs
}

func quietScheduler(b *testing.B, store *storage.Store, now func() time.Time) *scheduler.Scheduler {
	b.Helper()
	s, err := scheduler.New(store, messages{}, scheduler.Config{Location: moscow, Tick: time.Second,
		Digest: "0 9 * * 1", Summary: "0 18 * * *", Backup: "0 3 * * *", BackupDir: b.TempDir(),
		Now: now, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	return s
}

// BenchmarkTickIdle: a tick with nothing due on 100,000 events and
// 1,000,000 registrations. Target: under 1 ms.
func BenchmarkTickIdle(b *testing.B) {
	path, epoch := bigDatabase(b)
	store, err := storage.Open(path, storage.Options{Location: moscow, Now: func() time.Time { return epoch }})
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	sched := quietScheduler(b, store, func() time.Time { return epoch })
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		sched.Tick(ctx)
	}
	b.StopTimer()
	if n, _ := store.OutboxPendingCount(ctx); n != 0 {
		b.Fatalf("an idle tick enqueued %d messages", n)
	}
}

// BenchmarkTick1000Due: a tick that finds 1,000 reminders due, each to one
// participant (fsync on), and enqueues them in one transaction.
func BenchmarkTick1000Due(b *testing.B) {
	ctx := context.Background()
	start := time.Date(2027, time.February, 1, 10, 0, 0, 0, moscow)
	now := start.Add(-30 * 24 * time.Hour)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	store, err := storage.Open(filepath.Join(b.TempDir(), "due.db"), storage.Options{Location: moscow, Now: clock})
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	org, _ := store.CreateOrganisation(ctx, storage.Organisation{Name: "СОШ", Kind: storage.KindSchool})
	if err := store.PutUser(ctx, storage.User{ID: 1, ChatID: 1, OrgID: org, Role: storage.RoleTeacher, Registered: true, Active: true}); err != nil {
		b.Fatal(err)
	}
	sched := quietScheduler(b, store, clock)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		eventStart := start.Add(time.Duration(i) * 24 * time.Hour)
		for k := 0; k < 1000; k++ {
			e, err := store.CreateEvent(ctx, storage.Event{Title: "Семинар", Kind: storage.EventSeminar, Start: eventStart,
				Place: "ЦРТДиЮ", Organisers: []int64{org}, Unit: storage.UnitIndividual, Status: storage.EventPublished,
				Reminders: []time.Duration{time.Hour}})
			if err != nil {
				b.Fatal(err)
			}
			if _, err := store.Register(ctx, storage.SignUp{EventID: e.ID, UserID: 1}, clock()); err != nil {
				b.Fatal(err)
			}
		}
		before, _ := store.OutboxPendingCount(ctx)
		mu.Lock()
		now = eventStart.Add(-time.Hour)
		mu.Unlock()
		b.StartTimer()
		sched.Tick(ctx)
		b.StopTimer()
		after, _ := store.OutboxPendingCount(ctx)
		if after-before != 1000 {
			b.Fatalf("the tick enqueued %d reminders, want 1000", after-before)
		}
		mu.Lock()
		now = eventStart.Add(-23 * time.Hour) // the next iteration's events are created before their due time
		mu.Unlock()
		b.StartTimer()
	}
}

// BenchmarkReminderLatency runs the real scheduler (cron, a 1 s tick) on
// the wall clock with 20 reminders falling due over 2 s, and reports the
// worst time from a reminder's due time to its enqueueing. Target: at most
// one tick period.
func BenchmarkReminderLatency(b *testing.B) {
	const tick = time.Second
	ctx := context.Background()
	worst := time.Duration(0)
	for i := 0; i < b.N; i++ {
		store, err := storage.Open(filepath.Join(b.TempDir(), fmt.Sprintf("lat%d.db", i)), storage.Options{Location: moscow})
		if err != nil {
			b.Fatal(err)
		}
		org, _ := store.CreateOrganisation(ctx, storage.Organisation{Name: "СОШ", Kind: storage.KindSchool})
		if err := store.PutUser(ctx, storage.User{ID: 1, ChatID: 1, OrgID: org, Role: storage.RoleTeacher, Registered: true, Active: true}); err != nil {
			b.Fatal(err)
		}
		t0 := time.Now().Add(500 * time.Millisecond)
		due := map[int64]time.Time{}
		for k := 0; k < 20; k++ {
			d := t0.Add(time.Duration(k) * 100 * time.Millisecond)
			e, err := store.CreateEvent(ctx, storage.Event{Title: "Семинар", Kind: storage.EventSeminar, Start: d.Add(time.Hour),
				Place: "ЦРТДиЮ", Organisers: []int64{org}, Unit: storage.UnitIndividual, Status: storage.EventPublished,
				Reminders: []time.Duration{time.Hour}})
			if err != nil {
				b.Fatal(err)
			}
			if _, err := store.Register(ctx, storage.SignUp{EventID: e.ID, UserID: 1}, time.Now()); err != nil {
				b.Fatal(err)
			}
			due[e.ID] = d
		}
		sched, err := scheduler.New(store, messages{}, scheduler.Config{Location: moscow, Tick: tick,
			Digest: "0 9 * * 1", Summary: "0 18 * * *", Backup: "0 3 * * *", BackupDir: b.TempDir(),
			Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if err != nil {
			b.Fatal(err)
		}
		runCtx, stop := context.WithDeadline(ctx, t0.Add(2*time.Second+tick+200*time.Millisecond))
		_ = sched.Run(runCtx)
		stop()
		entries, err := store.PendingOutbox(ctx, 0, 100)
		if err != nil {
			b.Fatal(err)
		}
		if len(entries) != len(due) {
			b.Fatalf("%d reminders enqueued, want %d", len(entries), len(due))
		}
		for _, e := range entries {
			var id int64
			fmt.Sscanf(e.Content.Text, "reminder %d", &id)
			if late := e.CreatedAt.Sub(due[id]); late > worst {
				worst = late
			}
		}
		store.Close()
	}
	b.ReportMetric(float64(worst.Milliseconds()), "max_late_ms")
	b.ReportMetric(float64(tick.Milliseconds()), "tick_ms")
	if worst > tick {
		b.Errorf("a reminder was enqueued %v after its due time; the tick is %v", worst, tick)
	}
}

func TestMain(m *testing.M) {
	code := m.Run()
	if big.path != "" {
		os.RemoveAll(filepath.Dir(big.path))
	}
	os.Exit(code)
}
