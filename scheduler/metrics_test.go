package scheduler_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"vmeste/scheduler"
	"vmeste/storage"
)

// gathered is the value of the series name{labels} in reg (a counter, a
// gauge or a histogram's count); ok is false when it is absent.
func gathered(t *testing.T, reg *prometheus.Registry, name string, labels map[string]string) (float64, bool) {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
	next:
		for _, m := range f.GetMetric() {
			if len(m.GetLabel()) != len(labels) {
				continue
			}
			for _, l := range m.GetLabel() {
				if labels[l.GetName()] != l.GetValue() {
					continue next
				}
			}
			return metricValue(m), true
		}
	}
	return 0, false
}

func metricValue(m *dto.Metric) float64 {
	switch {
	case m.Counter != nil:
		return m.Counter.GetValue()
	case m.Gauge != nil:
		return m.Gauge.GetValue()
	case m.Histogram != nil:
		return float64(m.Histogram.GetSampleCount())
	}
	return 0
}

// TestMetricsJobsBackupsAndOutbox: each job run is counted by result; the
// newest backup's age follows the scheduler's clock and the last attempt's
// result is 1 or 0; the outbox's depth and oldest entry are read from
// storage at each scrape.
func TestMetricsJobsBackupsAndOutbox(t *testing.T) {
	ctx := context.Background()
	c := &clock{now: time.Date(2027, time.March, 1, 9, 0, 0, 0, moscow)}
	store, err := storage.Open(filepath.Join(t.TempDir(), "v.db"), storage.Options{Now: c.Now, Location: moscow})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	newScheduler := func(backupDir string) (*scheduler.Scheduler, *prometheus.Registry) {
		reg := prometheus.NewRegistry()
		m, err := scheduler.NewMetrics(reg, store, backupDir, c.Now)
		if err != nil {
			t.Fatal(err)
		}
		s, err := scheduler.New(store, messages{}, scheduler.Config{Location: moscow, Tick: time.Second,
			Digest: "0 9 * * 1", Summary: "0 18 * * *", Backup: "0 3 * * *", BackupDir: backupDir,
			Now: c.Now, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Metrics: m})
		if err != nil {
			t.Fatal(err)
		}
		return s, reg
	}

	// A backup folder that is a file: the backup fails.
	notDir := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(notDir, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	bad, badReg := newScheduler(notDir)
	if _, ok := gathered(t, badReg, "vmeste_backup_last_success", nil); ok {
		t.Error("a backup result before any backup was attempted")
	}
	bad.BackupNow(ctx)
	if v, ok := gathered(t, badReg, "vmeste_backup_last_success", nil); !ok || v != 0 {
		t.Errorf("after a failed backup: last_success %v, %v; want 0", v, ok)
	}
	if v, _ := gathered(t, badReg, "vmeste_scheduler_jobs_total", map[string]string{"task": "backup", "result": "error"}); v != 1 {
		t.Errorf("failed backups counted: %v, want 1", v)
	}
	if _, ok := gathered(t, badReg, "vmeste_backup_age_seconds", nil); ok {
		t.Error("a backup age with no backup")
	}

	good, reg := newScheduler(filepath.Join(t.TempDir(), "b"))
	good.BackupNow(ctx)
	c.set(c.Now().Add(2 * time.Hour))
	if v, ok := gathered(t, reg, "vmeste_backup_last_success", nil); !ok || v != 1 {
		t.Errorf("after a backup: last_success %v, %v; want 1", v, ok)
	}
	if v, ok := gathered(t, reg, "vmeste_backup_age_seconds", nil); !ok || v != 7200 {
		t.Errorf("backup age %v, %v; want 7200 (two hours on the scheduler's clock)", v, ok)
	}
	good.Tick(ctx)
	good.Tick(ctx)
	if v, _ := gathered(t, reg, "vmeste_scheduler_jobs_total", map[string]string{"task": "tick", "result": "ok"}); v != 2 {
		t.Errorf("ticks counted: %v, want 2", v)
	}
	if v, _ := gathered(t, reg, "vmeste_scheduler_job_duration_seconds", map[string]string{"task": "tick"}); v != 2 {
		t.Errorf("ticks timed: %v, want 2", v)
	}

	enqueuedAt := c.Now()
	if err := store.Enqueue(ctx, []storage.OutboxEntry{{ChatID: 1, UserID: 1, Content: storage.Content{Text: "a"}},
		{ChatID: 2, UserID: 2, Content: storage.Content{Text: "b"}}}); err != nil {
		t.Fatal(err)
	}
	c.set(enqueuedAt.Add(90 * time.Second))
	if v, _ := gathered(t, reg, "vmeste_outbox_pending", nil); v != 2 {
		t.Errorf("outbox pending %v, want 2", v)
	}
	if v, _ := gathered(t, reg, "vmeste_outbox_oldest_pending_age_seconds", nil); v != 90 {
		t.Errorf("oldest pending entry's age %v, want 90", v)
	}
}

// TestMetricsBackupSeededAtStart: a process that finds a backup in the
// folder at start serves vmeste_backup_last_success 1 before its own first
// backup; one that finds none serves nothing, as before.
func TestMetricsBackupSeededAtStart(t *testing.T) {
	s := newStore(t)
	empty, full := t.TempDir(), t.TempDir()
	name := "vmeste-" + time.Date(2026, 12, 2, 23, 0, 0, 0, time.UTC).Format("20060102-150405.000") + ".db"
	if err := os.WriteFile(filepath.Join(full, name), []byte("backup"), 0o600); err != nil {
		t.Fatal(err)
	}
	// A backup cut short leaves only its .tmp: it seeds nothing.
	if err := os.WriteFile(filepath.Join(empty, name+".tmp"), []byte("half"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		dir    string
		served bool
	}{{empty, false}, {full, true}} {
		reg := prometheus.NewRegistry()
		if _, err := scheduler.NewMetrics(reg, s, c.dir, nil); err != nil {
			t.Fatal(err)
		}
		v, ok := gathered(t, reg, "vmeste_backup_last_success", nil)
		if ok != c.served || (ok && v != 1) {
			t.Errorf("backup folder with a backup %v: vmeste_backup_last_success %v (served %v)", c.served, v, ok)
		}
	}
}
