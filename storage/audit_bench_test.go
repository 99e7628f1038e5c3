package storage

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// auditBenchStore is a store with n audit entries spread over 1,000
// events, 200 people and 50 organisations, a minute apart.
func auditBenchStore(b *testing.B, n int) *Store {
	b.Helper()
	clk := newTestClock()
	s := openTestStore(b, filepath.Join(b.TempDir(), "audit.db"), Options{Now: clk.Now, NoSync: true})
	for done := 0; done < n; {
		err := s.db.Update(func(tx *bolt.Tx) error {
			for i := 0; i < 10_000 && done < n; i, done = i+1, done+1 {
				clk.Advance(time.Minute)
				ctx := WithActor(context.Background(), int64(1+done%200))
				e := AuditEntry{Action: AuditEventEdit, Kind: AuditObjEvent, ObjectID: int64(1 + done%1000),
					Event: int64(1 + done%1000), Org: int64(1 + done%50),
					Details: []AuditChange{{Field: "place", Before: "ЦРТДиЮ", After: "Стадион «Тырныауз»"}}}
				if err := s.appendAudit(ctx, tx, e); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	return s
}

// BenchmarkAuditPage: the first page (10 entries, and the filter's total)
// out of 100,000 entries: one event's (100 entries), one person's (500),
// everything.
func BenchmarkAuditPage(b *testing.B) {
	s := auditBenchStore(b, 100_000)
	ctx := context.Background()
	for _, c := range []struct {
		name string
		f    AuditFilter
	}{{"event", AuditFilter{Event: 42}}, {"person", AuditFilter{User: 42}}, {"all", AuditFilter{}}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if list, _, err := s.AuditPage(ctx, c.f, 0, 10); err != nil || len(list) != 10 {
					b.Fatal(err, len(list))
				}
			}
		})
	}
}

// BenchmarkAuditAppend: a change's transaction (an event of 1 KB put
// back) without and with its audit entry (NoSync: the commit's fsync,
// the same for both, is left out).
func BenchmarkAuditAppend(b *testing.B) {
	s := auditBenchStore(b, 0)
	ctx := WithActor(context.Background(), 7)
	e := AuditEntry{Action: AuditEventEdit, Kind: AuditObjEvent, ObjectID: 1, Event: 1, Org: 1,
		Details: []AuditChange{{Field: "place", Before: "ЦРТДиЮ", After: "Стадион «Тырныауз»"}}}
	ev := testEvent("Безопасное колесо")
	ev.ID, ev.Description = 1, string(make([]byte, 1024))
	for _, audited := range []bool{false, true} {
		name := map[bool]string{false: "change", true: "change+audit"}[audited]
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if err := s.db.Update(func(tx *bolt.Tx) error {
					if err := putJSON(tx.Bucket(bucketEvents), itob(ev.ID), ev); err != nil {
						return err
					}
					if audited {
						return s.appendAudit(ctx, tx, e)
					}
					return nil
				}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
