package main

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"vmeste/storage"
	"vmeste/telegramtest"
)

// procStatus reads a field in kB (VmRSS, VmHWM) of /proc/<pid>/status, in
// bytes; 0 if unknown.
func procStatus(pid int, field string) int64 {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(data)) {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// TestStartupOnABigDatabase starts the built binary on a database of
// 100,000 events and 1,000,000 registrations (storage.GenerateDistrict,
// about half a minute) and times it from exec to "vmeste started" (the
// lock, the open and its check, the migrations, getMe and the menus, the
// scheduler and the sender started): after a clean shutdown it must be
// under 2 s; after a SIGKILL (the full check of every page) the time is
// logged. It logs the resident set at that moment. Not in -short: CI runs
// it once in its non-short section.
func TestStartupOnABigDatabase(t *testing.T) {
	if testing.Short() {
		t.Skip("generates a database of a million registrations")
	}
	emu := telegramtest.New()
	defer emu.Close()
	db := filepath.Join(t.TempDir(), "vmeste.db")
	got, err := storage.GenerateDistrict(context.Background(), db, storage.Size{Teachers: 10_000, Orgs: 100, Events: 100_000, Regs: 1_000_000})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("generated %.0f MB in %s", float64(got.FileBytes)/1e6, got.Took.Round(time.Millisecond))
	for _, c := range []struct {
		name  string
		clean bool
		stop  syscall.Signal
	}{{"after generation", true, syscall.SIGTERM}, {"after SIGTERM", true, syscall.SIGKILL}, {"after SIGKILL", false, syscall.SIGTERM}} {
		start := time.Now()
		// The zone the database was generated in: another one reindexes
		// every event's due work once, at the first start in it.
		cmd, stderr := startBinary(t, emu, db, "28", "-tz", "UTC")
		if !waitFor(t, 30*time.Second, func() bool { return strings.Contains(stderr.String(), "vmeste started") }) {
			t.Fatalf("%s: not started within 30 s:\n%s", c.name, stderr)
		}
		took := time.Since(start)
		rss, peak := procStatus(cmd.Process.Pid, "VmRSS"), procStatus(cmd.Process.Pid, "VmHWM")
		t.Logf("%s: started in %s, resident set %.1f MB (peak %.1f MB)", c.name, took.Round(time.Millisecond), float64(rss)/1e6, float64(peak)/1e6)
		if skipped := strings.Contains(stderr.String(), "full check is skipped"); skipped != c.clean {
			t.Errorf("%s: full check skipped %v, want %v", c.name, skipped, c.clean)
		}
		if c.clean && took > 2*time.Second {
			t.Errorf("%s: startup took %s, want under 2 s", c.name, took)
		}
		if err := cmd.Process.Signal(c.stop); err != nil {
			t.Fatal(err)
		}
		err := cmd.Wait()
		if c.stop == syscall.SIGTERM && err != nil {
			t.Fatalf("%s: exit after SIGTERM: %v\n%s", c.name, err, stderr)
		}
	}
}
