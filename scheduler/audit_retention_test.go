package scheduler_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"vmeste/scheduler"
	"vmeste/storage"
)

// TestNightlyPrunesTheAudit: entries older than AuditRetention go (with
// their index rows: the organisation's filter finds none); younger ones,
// and everything within VMESTE_KEEP's shorter retention, stay.
func TestNightlyPrunesTheAudit(t *testing.T) {
	ctx := storage.WithActor(context.Background(), 42)
	e := newEnv(t)
	old, err := e.store.CreateOrganisation(ctx, storage.Organisation{Name: "МКОУ «СОШ №2»", Kind: storage.KindSchool})
	if err != nil {
		t.Fatal(err)
	}
	e.clock.set(e.clock.Now().Add(scheduler.DefaultAuditRetention + time.Hour))
	young, err := e.store.CreateOrganisation(ctx, storage.Organisation{Name: "МКОУ «СОШ №3»", Kind: storage.KindSchool})
	if err != nil {
		t.Fatal(err)
	}
	var logs syncBuffer
	sched, err := scheduler.New(e.store, messages{}, scheduler.Config{Location: moscow, Tick: time.Second,
		Digest: "0 9 * * 1", Summary: "0 18 * * *", Backup: "0 3 * * *", BackupDir: filepath.Join(t.TempDir(), "b"),
		Now: e.clock.Now, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	_, before, err := e.store.AuditPage(ctx, storage.AuditFilter{}, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	sched.Nightly(context.Background())
	_, after, err := e.store.AuditPage(ctx, storage.AuditFilter{}, 0, 0)
	if err != nil || after != 1 {
		t.Errorf("entries after the prune: %d (%v), want 1: the young one", after, err)
	}
	for _, c := range []struct {
		org  int64
		want int
	}{{old, 0}, {young, 1}} {
		list, total, err := e.store.AuditPage(ctx, storage.AuditFilter{Org: c.org}, 0, 0)
		if err != nil || total != c.want || len(list) != c.want {
			t.Errorf("organisation %d: %d entries (%v), want %d", c.org, total, err, c.want)
		}
	}
	if want := fmt.Sprintf("entries=%d ", before-after); !strings.Contains(logs.String(), "scheduler: pruned audit") || !strings.Contains(logs.String(), want) {
		t.Errorf("log %q; want a line of the audit entries pruned (%s)", logs.String(), want)
	}
}

func TestAuditRetentionBounds(t *testing.T) {
	e := newEnv(t)
	for _, keep := range []time.Duration{time.Hour, scheduler.MaxRetention + time.Hour} {
		_, err := scheduler.New(e.store, messages{}, scheduler.Config{Tick: time.Second, Digest: "0 9 * * 1",
			Summary: "0 18 * * *", Backup: "0 3 * * *", AuditRetention: keep})
		var se *scheduler.SettingError
		if !errors.As(err, &se) || se.Setting != "audit-keep" {
			t.Errorf("AuditRetention %v: %v; want a SettingError for audit-keep", keep, err)
		}
	}
}
