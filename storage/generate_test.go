package storage

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// TestGenerateDistrict generates a small district and checks that it is a
// database the bot can use: it opens (the full check passes), every record
// is there with every index, each event's Taken is its registrations, the
// published events are in the due index, and the report reads it.
func TestGenerateDistrict(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "district.db")
	size := Size{Teachers: 500, Orgs: 20, Events: 1_000, Regs: 10_000}
	got, err := GenerateDistrict(ctx, path, size)
	if err != nil {
		t.Fatal(err)
	}
	if got.TeacherBytes <= 0 || got.EventBytes <= 0 || got.RegBytes <= 0 || got.FileBytes < got.TeacherBytes+got.EventBytes+got.RegBytes {
		t.Errorf("bytes: teachers %d, events %d, registrations %d, file %d", got.TeacherBytes, got.EventBytes, got.RegBytes, got.FileBytes)
	}
	if _, err := GenerateDistrict(ctx, path, size); err == nil {
		t.Error("a second GenerateDistrict over the same file succeeded")
	}
	s := openTestStore(t, path, Options{Now: func() time.Time { return got.Now }})
	counts := map[string]int{}
	published, dueEvents := map[int64]bool{}, map[int64]bool{}
	err = s.DB().View(func(tx *bolt.Tx) error {
		for _, name := range [][]byte{bucketUsers, bucketOrgs, bucketOrgUser, bucketEvents, bucketEventsByStart, bucketReportEvents,
			bucketRegs, bucketReportRegs, bucketRegsByUser, bucketRegsByTime} {
			counts[string(name)] = tx.Bucket(name).Stats().KeyN
		}
		regs := tx.Bucket(bucketRegs).Cursor()
		if err := tx.Bucket(bucketEvents).ForEach(func(k, v []byte) error {
			var e Event
			if err := jsonUnmarshal(v, &e); err != nil {
				return err
			}
			n := 0
			for rk, _ := regs.Seek(k); rk != nil && bytes.HasPrefix(rk, k); rk, _ = regs.Next() {
				n++
			}
			if n != e.Taken || e.Taken > e.Capacity {
				t.Errorf("event %d: Taken %d, capacity %d, %d registrations", e.ID, e.Taken, e.Capacity, n)
			}
			if e.Status == EventPublished {
				published[e.ID] = true
			}
			return nil
		}); err != nil {
			return err
		}
		return tx.Bucket(bucketDue).ForEach(func(k, _ []byte) error {
			dueEvents[btoi(k[9:17])] = true
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]int{"users": 500, "orgs": 20, "org_users": 500, "events": 1_000, "events_by_start": 1_000,
		"report_events": 1_000, "regs": 10_000, "report_regs": 10_000, "regs_by_user": 10_000, "regs_by_time": 10_000} {
		if counts[name] != want {
			t.Errorf("bucket %s holds %d keys, want %d", name, counts[name], want)
		}
	}
	if len(published) == 0 || len(published) != len(dueEvents) {
		t.Errorf("%d published events, %d in the due index", len(published), len(dueEvents))
	}
	c, err := s.Coverage(ctx, CoverageQuery{From: got.Now.AddDate(-1, 0, 0), To: got.Now, Now: got.Now})
	if err != nil || c.Total.EventsHeld == 0 {
		t.Errorf("Coverage = %d events held, %v", c.Total.EventsHeld, err)
	}
	regs, err := s.UserRegistrations(ctx, 7)
	if err != nil || len(regs) == 0 {
		t.Errorf("UserRegistrations(7) = %d, %v", len(regs), err)
	}
}
