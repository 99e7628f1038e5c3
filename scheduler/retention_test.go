package scheduler_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"vmeste/scheduler"
	"vmeste/storage"
)

// syncBuffer is a log sink safe for concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestNightlyPrunesBeforeTheBackup(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	users := e.users(100, 2, storage.RoleTeacher)
	if err := e.store.Enqueue(ctx, []storage.OutboxEntry{
		{ChatID: users[0], UserID: users[0], Content: storage.Content{Text: "old"}, Origin: storage.Origin{Kind: storage.OriginNotice, Key: "old"}},
	}); err != nil {
		t.Fatal(err)
	}
	if err := e.store.CompleteOutbox(ctx, 1, storage.Outcome{State: storage.OutboxSent, MessageID: 1}); err != nil {
		t.Fatal(err)
	}
	e.clock.set(e.clock.Now().Add(scheduler.DefaultRetention + time.Hour))
	if err := e.store.Enqueue(ctx, []storage.OutboxEntry{
		{ChatID: users[1], UserID: users[1], Content: storage.Content{Text: "young"}, Origin: storage.Origin{Kind: storage.OriginNotice, Key: "young"}},
	}); err != nil {
		t.Fatal(err)
	}

	var logs syncBuffer
	dir := filepath.Join(t.TempDir(), "backups")
	sched, err := scheduler.New(e.store, messages{}, scheduler.Config{Location: moscow, Tick: time.Second,
		Digest: "0 9 * * 1", Summary: "0 18 * * *", Backup: "0 3 * * *", BackupDir: dir,
		Now: e.clock.Now, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	sched.Nightly(ctx)

	if _, err := e.store.OutboxEntry(ctx, 1); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("old entry: %v; want it pruned", err)
	}
	if _, err := e.store.OutboxEntry(ctx, 2); err != nil {
		t.Errorf("young entry: %v; want it kept", err)
	}
	if !strings.Contains(logs.String(), "scheduler: pruned") || !strings.Contains(logs.String(), "outbox=1 ") {
		t.Errorf("log %q; want a line of what was pruned (outbox=1)", logs.String())
	}
	// The backup was written after the prune: the old entry is not in it.
	matches, err := filepath.Glob(filepath.Join(dir, "vmeste-*.db"))
	if err != nil || len(matches) != 1 {
		t.Fatalf("backups %v, %v; want one", matches, err)
	}
	restored := filepath.Join(t.TempDir(), "restored.db")
	if err := storage.Restore(matches[0], restored, time.Second); err != nil {
		t.Fatal(err)
	}
	s, err := storage.Open(restored, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.OutboxEntry(ctx, 1); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("old entry in the backup: %v; want it absent", err)
	}
}

func TestRetentionBounds(t *testing.T) {
	e := newEnv(t)
	for _, keep := range []time.Duration{time.Hour, storage.MinKeep - time.Second, scheduler.MaxRetention + time.Hour} {
		_, err := scheduler.New(e.store, messages{}, scheduler.Config{Tick: time.Second, Digest: "0 9 * * 1",
			Summary: "0 18 * * *", Backup: "0 3 * * *", Retention: keep})
		var se *scheduler.SettingError
		if !errors.As(err, &se) || se.Setting != "keep" {
			t.Errorf("Retention %v: %v; want a SettingError for keep", keep, err)
		}
	}
}
