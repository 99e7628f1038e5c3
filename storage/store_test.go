package storage

import (
	"context"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// t0 is the fake clock's starting time.
var t0 = time.Date(2025, time.September, 1, 9, 0, 0, 0, time.UTC)

// testClock is an injected clock, safe for concurrent use.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func newTestClock() *testClock { return &testClock{now: t0} }

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d and returns the new time.
func (c *testClock) Advance(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	return c.now
}

// openTestStore opens path and closes it in t.Cleanup.
func openTestStore(tb testing.TB, path string, opts Options) *Store {
	tb.Helper()
	s, err := Open(path, opts)
	if err != nil {
		tb.Fatalf("Open(%s): %v", path, err)
	}
	tb.Cleanup(func() {
		if err := s.Close(); err != nil {
			tb.Errorf("Close: %v", err)
		}
	})
	return s
}

// newTestStore opens a fresh database under t.TempDir() with a fake clock.
func newTestStore(tb testing.TB) (*Store, *testClock) {
	tb.Helper()
	clk := newTestClock()
	path := filepath.Join(tb.TempDir(), "vmeste.db")
	return openTestStore(tb, path, Options{Now: clk.Now, LockTimeout: 100 * time.Millisecond}), clk
}

func mustCreateOrg(t *testing.T, s *Store, name string) int64 {
	t.Helper()
	id, err := s.CreateOrganisation(context.Background(), Organisation{Name: name, Kind: KindSchool})
	if err != nil {
		t.Fatalf("CreateOrganisation(%q): %v", name, err)
	}
	return id
}

func mustPutUser(t *testing.T, s *Store, u User) {
	t.Helper()
	if err := s.PutUser(context.Background(), u); err != nil {
		t.Fatalf("PutUser(%d): %v", u.ID, err)
	}
}

func mustUser(t *testing.T, s *Store, id int64) User {
	t.Helper()
	u, err := s.User(context.Background(), id)
	if err != nil {
		t.Fatalf("User(%d): %v", id, err)
	}
	return u
}

func TestOpenCreatesFolderAndBuckets(t *testing.T) {
	tests := []struct {
		name string
		rel  string // path of the database under the temp dir
	}{
		{"file in existing folder", "vmeste.db"},
		{"file in missing folders", filepath.Join("data", "nested", "vmeste.db")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), tt.rel)
			s := openTestStore(t, path, Options{Now: newTestClock().Now})

			if fi, err := os.Stat(path); err != nil || !fi.Mode().IsRegular() {
				t.Fatalf("database file %s: %v, %v", path, fi, err)
			}
			err := s.DB().View(func(tx *bolt.Tx) error {
				for _, name := range allBuckets {
					if tx.Bucket(name) == nil {
						t.Errorf("bucket %q missing", name)
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Ping(context.Background()); err != nil {
				t.Errorf("Ping: %v", err)
			}
			if v, err := s.Schema(); err != nil || v != SchemaVersion() {
				t.Errorf("Schema() = %d, %v; want %d", v, err, SchemaVersion())
			}
		})
	}
}

func TestSchemaReopenKeepsVersionAndData(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vmeste.db")
	clk := newTestClock()
	s, err := Open(path, Options{Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	id, err := s.CreateOrganisation(context.Background(), Organisation{Name: "Школа №1", Kind: KindSchool})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s = openTestStore(t, path, Options{Now: clk.Now})
	if v, err := s.Schema(); err != nil || v != SchemaVersion() {
		t.Errorf("after reopen Schema() = %d, %v; want %d", v, err, SchemaVersion())
	}
	if o, err := s.Organisation(context.Background(), id); err != nil || o.Name != "Школа №1" {
		t.Errorf("after reopen Organisation(%d) = %+v, %v", id, o, err)
	}
}

// writeSchema stores version v in the meta bucket, or removes the key when
// v is 0 (a file from before schema versions).
func writeSchema(t *testing.T, s *Store, v uint64) {
	t.Helper()
	err := s.DB().Update(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if v == 0 {
			return meta.Delete(keySchema)
		}
		buf := make([]byte, 8)
		binary.BigEndian.PutUint64(buf, v)
		return meta.Put(keySchema, buf)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestOpenSchemaVersions(t *testing.T) {
	tests := []struct {
		name    string
		stored  uint64 // 0: no schema key
		wantErr bool
		want    uint64 // the version in the file after Open (or after the refusal)
	}{
		{"no schema key is migrated", 0, false, SchemaVersion()},
		{"current version is kept", SchemaVersion(), false, SchemaVersion()},
		{"newer by one is refused", SchemaVersion() + 1, true, SchemaVersion() + 1},
		{"much newer is refused", SchemaVersion() + 40, true, SchemaVersion() + 40},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "vmeste.db")
			s, err := Open(path, Options{})
			if err != nil {
				t.Fatal(err)
			}
			writeSchema(t, s, tt.stored)
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}

			s, err = Open(path, Options{LockTimeout: 100 * time.Millisecond})
			if tt.wantErr {
				if err == nil {
					s.Close()
					t.Fatal("Open of a newer schema succeeded; want an error")
				}
				if !strings.Contains(err.Error(), "newer") {
					t.Errorf("Open error = %v; want it to say the schema is newer", err)
				}
				// The refusal must have released the file and changed nothing.
				s = openTestStore(t, path, Options{ReadOnly: true, LockTimeout: 100 * time.Millisecond})
			} else {
				if err != nil {
					t.Fatalf("Open: %v", err)
				}
				t.Cleanup(func() { s.Close() })
			}
			if v, err := s.Schema(); err != nil || v != tt.want {
				t.Errorf("Schema() = %d, %v; want %d", v, err, tt.want)
			}
		})
	}
}

// TestOpenLocked checks that a second Open of a file held by a first one
// fails with ErrLocked within the lock timeout. bbolt's flock belongs to the
// open file description, so two opens in one process conflict on Linux just
// as two processes would.
func TestOpenLocked(t *testing.T) {
	const timeout = 100 * time.Millisecond
	tests := []struct {
		name string
		opts Options
	}{
		{"read-write", Options{LockTimeout: timeout}},
		{"read-only", Options{LockTimeout: timeout, ReadOnly: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "vmeste.db")
			first, err := Open(path, Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { first.Close() })

			start := time.Now()
			second, err := Open(path, tt.opts)
			elapsed := time.Since(start)
			if err == nil {
				second.Close()
				t.Fatal("second Open succeeded while the first holds the file")
			}
			if !errors.Is(err, ErrLocked) {
				t.Fatalf("second Open error = %v; want ErrLocked", err)
			}
			// Well below the 1s default: the option was honoured.
			if elapsed > timeout+500*time.Millisecond {
				t.Errorf("second Open took %v; want about %v", elapsed, timeout)
			}

			if err := first.Close(); err != nil {
				t.Fatal(err)
			}
			again := openTestStore(t, path, tt.opts)
			if err := again.Ping(context.Background()); err != nil {
				t.Errorf("Ping after the first closed: %v", err)
			}
		})
	}
}

func TestLookupMissIsErrNotFound(t *testing.T) {
	ctx := context.Background()
	s, clk := newTestStore(t)
	orgID := mustCreateOrg(t, s, "Школа №1")
	mustPutUser(t, s, User{ID: 100, ChatID: 100, FullName: "Анна", OrgID: orgID})
	if err := s.CreateInvite(ctx, Invite{Code: "live", CreatedBy: 1, CreatedAt: clk.Now(), ExpiresAt: clk.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name string
		call func() error
	}{
		{"Organisation", func() error { _, err := s.Organisation(ctx, 999); return err }},
		{"UpdateOrganisation", func() error { return s.UpdateOrganisation(ctx, Organisation{ID: 999, Name: "x"}) }},
		{"RemoveOrganisation", func() error { return s.RemoveOrganisation(ctx, 999) }},
		{"User", func() error { _, err := s.User(ctx, 999); return err }},
		{"PutUser with unknown OrgID", func() error { return s.PutUser(ctx, User{ID: 101, OrgID: 999}) }},
		{"SetRole", func() error { return s.SetRole(ctx, 999, RoleCoordinator) }},
		{"Conversation", func() error { _, err := s.Conversation(ctx, 999); return err }},
		{"SaveUserEndConversation with unknown OrgID", func() error {
			return s.SaveUserEndConversation(ctx, User{ID: 102, OrgID: 999})
		}},
		{"RedeemInvite unknown code", func() error { return s.RedeemInvite(ctx, "nope", 100) }},
		{"RedeemInvite unknown user", func() error { return s.RedeemInvite(ctx, "live", 999) }},
		{"RevokeInvite", func() error { return s.RevokeInvite(ctx, "nope") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			if !errors.Is(err, ErrNotFound) {
				t.Fatalf("error = %v; want ErrNotFound", err)
			}
			if !IsNotFound(err) {
				t.Errorf("IsNotFound(%v) = false", err)
			}
		})
	}

	// The failed redemption by an unknown user left the invitation usable.
	if p, err := s.PendingInvites(ctx); err != nil || len(p) != 1 || p[0].Code != "live" {
		t.Errorf("PendingInvites() = %+v, %v; want the live invite", p, err)
	}
	// A miss returns the zero value, not a partial record.
	if u, err := s.User(ctx, 999); err == nil || !reflect.DeepEqual(u, User{}) {
		t.Errorf("User(999) = %+v, %v; want zero User and an error", u, err)
	}
}
