package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"vmeste/storage"
	"vmeste/telegramtest"
)

// runWithin runs the built binary with only the given environment and
// args, under a 5 s deadline that it must not hit, and returns its exit
// code and what it wrote.
func runWithin(t *testing.T, env []string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}, env...)
	cmd.Dir = t.TempDir() // default paths (data/backups) land there, not in the source tree
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("still running after 5 s; stderr:\n%s", errOut.String())
	}
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		t.Fatalf("run: %v", err)
	}
	return code, out.String(), errOut.String()
}

// oneLine checks that out is exactly one line, naming every one of names,
// with no trace of a crash and no token.
func oneLine(t *testing.T, out string, names ...string) {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if out == "" || len(lines) != 1 {
		t.Fatalf("output has %d lines, want one:\n%s", len(lines), out)
	}
	for _, name := range names {
		if !strings.Contains(lines[0], name) {
			t.Errorf("%q does not name %s", lines[0], name)
		}
	}
	for _, word := range []string{"panic", "goroutine", "SIGBUS", "SIGSEGV", telegramtest.Token} {
		if strings.Contains(out, word) {
			t.Errorf("the output says %q: %s", word, out)
		}
	}
}

// damageFixture writes a real database of a few hundred users under
// t.TempDir() and returns its bytes.
func damageFixture(t *testing.T) []byte {
	t.Helper()
	path := filepath.Join(t.TempDir(), "vmeste.db")
	s, err := storage.Open(path, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	org := mustOrg(ctx, t, s, appSchool)
	for id := int64(1000); id < 1400; id++ {
		u := storage.User{ID: id, ChatID: id, FullName: fmt.Sprintf("Учитель %d", id), OrgID: org,
			Position: "учитель начальных классов", Role: storage.RoleTeacher, Lang: "ru", Registered: true, Active: true}
		if err := s.PutUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// randomUsedPage picks, with a seeded generator, one branch or leaf page of
// the database in data: a page a check must read (damage to a free page is
// harmless, and pages 0 and 1 are the meta pages). It returns the page and
// the database's page size.
func randomUsedPage(t *testing.T, data []byte, seed uint64) (page, pageSize int) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "pages.db")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, PreLoadFreelist: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var used []int
	if err := db.View(func(tx *bolt.Tx) error {
		for id := 2; ; id++ {
			info, err := tx.Page(id)
			if err != nil || info == nil {
				return err
			}
			if info.Type == "branch" || info.Type == "leaf" {
				used = append(used, id)
				id += info.OverflowCount
			}
		}
	}); err != nil {
		t.Fatal(err)
	}
	if len(used) < 10 {
		t.Fatalf("the fixture has %d used pages; want dozens", len(used))
	}
	return used[rand.New(rand.NewPCG(seed, 0)).IntN(len(used))], db.Info().PageSize
}

// TestDamagedDatabaseFiles gives the built binary damaged database files,
// as its database and as a backup to -restore: each time it must end at
// once with one line naming the file, and leave every file as it was.
func TestDamagedDatabaseFiles(t *testing.T) {
	emu := telegramtest.New()
	defer emu.Close()
	good := damageFixture(t)
	victim, pageSize := randomUsedPage(t, good, 8)
	garbage := make([]byte, pageSize)
	rng := rand.New(rand.NewPCG(8, 2026))
	for i := range garbage {
		garbage[i] = byte(rng.Uint32())
	}
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89" +
		"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")
	env := []string{"TELEGRAM_BOT_TOKEN=" + telegramtest.Token, "TELEGRAM_API_URL=" + emu.URL(), "VMESTE_HTTP="}

	for _, tc := range []struct {
		name   string
		damage func() []byte
		reason string
	}{
		{"cut to 8 KiB", func() []byte { return bytes.Clone(good[:8<<10]) }, "cut short"},
		{"cut to 16 KiB", func() []byte { return bytes.Clone(good[:16<<10]) }, "cut short"},
		{"random page", func() []byte {
			d := bytes.Clone(good)
			copy(d[victim*pageSize:], garbage)
			return d
		}, "cannot be read"},
		{"a PNG named vmeste.db", func() []byte { return png }, "not a bbolt database"},
	} {
		t.Run("database "+tc.name, func(t *testing.T) {
			dir := t.TempDir()
			db := filepath.Join(dir, "vmeste.db")
			damaged := tc.damage()
			if err := os.WriteFile(db, damaged, 0o600); err != nil {
				t.Fatal(err)
			}
			getMe := emu.Calls("getMe")
			code, stdout, stderr := runWithin(t, env, "-db", db, "-backup-dir", filepath.Join(dir, "backups"))
			if code == 0 {
				t.Fatalf("exit 0, want non-zero; stderr: %s", stderr)
			}
			oneLine(t, stderr, "VMESTE_DB", db+" is damaged", tc.reason)
			if stdout != "" {
				t.Errorf("stdout: %q; want nothing", stdout)
			}
			if after, err := os.ReadFile(db); err != nil || !bytes.Equal(after, damaged) {
				t.Errorf("the damaged file was changed (%v)", err)
			}
			if n := emu.Calls("getMe"); n != getMe {
				t.Errorf("the bot connected to Telegram (%d getMe calls)", n-getMe)
			}
		})
		t.Run("backup "+tc.name, func(t *testing.T) {
			dir := t.TempDir()
			db := filepath.Join(dir, "vmeste.db")
			backup := filepath.Join(dir, "backups", "vmeste-20261202-030000.000.db")
			if err := os.MkdirAll(filepath.Dir(backup), 0o750); err != nil {
				t.Fatal(err)
			}
			damaged := tc.damage()
			if err := os.WriteFile(backup, damaged, 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(db, good, 0o600); err != nil {
				t.Fatal(err)
			}
			code, stdout, stderr := runWithin(t, nil, "-db", db, "-restore", backup)
			if code == 0 {
				t.Fatalf("exit 0, want non-zero; stdout: %s; stderr: %s", stdout, stderr)
			}
			oneLine(t, stdout+stderr, backup+" is damaged", tc.reason)
			if after, err := os.ReadFile(db); err != nil || !bytes.Equal(after, good) {
				t.Errorf("the database was changed (%v)", err)
			}
			if after, err := os.ReadFile(backup); err != nil || !bytes.Equal(after, damaged) {
				t.Errorf("the backup was changed (%v)", err)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 2 { // vmeste.db, backups
				var names []string
				for _, e := range entries {
					names = append(names, e.Name())
				}
				t.Errorf("the folder holds %v; want vmeste.db and backups only", names)
			}
		})
	}
}

// TestUnusableBackupDir checks that a backup folder that cannot be written
// ends the process at start, before it opens the database or connects to
// Telegram.
func TestUnusableBackupDir(t *testing.T) {
	emu := telegramtest.New()
	defer emu.Close()
	env := []string{"TELEGRAM_BOT_TOKEN=" + telegramtest.Token, "TELEGRAM_API_URL=" + emu.URL(), "VMESTE_HTTP="}
	dir := t.TempDir()
	file := filepath.Join(dir, "not-a-folder")
	if err := os.WriteFile(file, []byte("a file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// The tests run as root, which may write anywhere chmod forbids; these
	// places cannot be written by anyone.
	for _, tc := range []struct {
		name, dir, reason string
	}{
		{"a regular file in its place", file, "not a directory"},
		{"a folder under a regular file", filepath.Join(file, "backups"), "not a directory"},
		{"a folder in /proc", "/proc/vmeste/backups", "cannot write"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			getMe := emu.Calls("getMe")
			db := filepath.Join(t.TempDir(), "vmeste.db")
			code, stdout, stderr := runWithin(t, env, "-db", db, "-backup-dir", tc.dir)
			if code != 2 {
				t.Fatalf("exit %d, want 2; stderr: %s", code, stderr)
			}
			oneLine(t, stderr, "VMESTE_BACKUP_DIR", tc.dir, tc.reason)
			if stdout != "" {
				t.Errorf("stdout: %q; want nothing", stdout)
			}
			if n := emu.Calls("getMe"); n != getMe {
				t.Errorf("the bot connected to Telegram (%d getMe calls)", n-getMe)
			}
			if _, err := os.Stat(db); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("the database was created before the folder was checked (%v)", err)
			}
		})
	}
	if data, err := os.ReadFile(file); err != nil || string(data) != "a file\n" {
		t.Errorf("the file in the folder's place was changed: %q, %v", data, err)
	}
}
