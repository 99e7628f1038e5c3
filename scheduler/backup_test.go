package scheduler_test

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"vmeste/scheduler"
	"vmeste/storage"
)

func TestBackupsAreCheckedAndPruned(t *testing.T) {
	e := newEnv(t)
	ev := e.event(nil)
	users := e.users(100, 3, storage.RoleTeacher)
	e.signUp(ev, users...)
	var paths []string
	for i := 0; i < 16; i++ {
		e.clock.set(e.clock.Now().Add(24 * time.Hour))
		p, err := e.sched.Backup(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	dir := filepath.Dir(paths[0])
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, en := range entries {
		names = append(names, en.Name())
	}
	sort.Strings(names)
	if len(names) != 14 || names[0] != filepath.Base(paths[2]) || names[13] != filepath.Base(paths[15]) {
		t.Fatalf("kept %v, want the newest 14", names)
	}
	if err := storage.VerifyBackup(paths[15]); err != nil {
		t.Fatal(err)
	}
	// The copy holds the sign-ups.
	restored := filepath.Join(t.TempDir(), "restored.db")
	if err := storage.Restore(paths[15], restored, time.Second); err != nil {
		t.Fatal(err)
	}
	s, err := storage.Open(restored, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	list, err := s.Participants(context.Background(), ev.ID)
	if err != nil || len(list) != 3 {
		t.Fatalf("participants in the backup: %d, %v", len(list), err)
	}
}

func TestCheckBackupDir(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	fresh := filepath.Join(dir, "a", "b", "backups")
	if err := scheduler.CheckBackupDir(fresh); err != nil {
		t.Fatalf("CheckBackupDir(new folder) = %v", err)
	}
	if entries, err := os.ReadDir(fresh); err != nil || len(entries) != 0 {
		t.Errorf("the folder holds %d entries (%v); want the test file gone", len(entries), err)
	}
	for _, bad := range []string{file, filepath.Join(file, "backups"), "/proc/vmeste/backups"} {
		if err := scheduler.CheckBackupDir(bad); err == nil {
			t.Errorf("CheckBackupDir(%s) = nil; want an error", bad)
		}
	}
}
