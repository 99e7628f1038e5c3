package scheduler_test

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

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
