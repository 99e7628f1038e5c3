package storage

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// TestOutboxBacklog: the count follows enqueues and completions, and the
// oldest pending entry's time is the first enqueue still pending.
func TestOutboxBacklog(t *testing.T) {
	ctx := context.Background()
	s, clk := newTestStore(t)
	if n, oldest, err := s.OutboxBacklog(ctx); err != nil || n != 0 || !oldest.IsZero() {
		t.Fatalf("empty outbox: %d, %v, %v", n, oldest, err)
	}
	first := clk.Now()
	if err := s.Enqueue(ctx, []OutboxEntry{{ChatID: 1, UserID: 1, Content: Content{Text: "a"}}, {ChatID: 2, UserID: 2, Content: Content{Text: "b"}}}); err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Minute)
	if err := s.Enqueue(ctx, []OutboxEntry{{ChatID: 3, UserID: 3, Content: Content{Text: "c"}}}); err != nil {
		t.Fatal(err)
	}
	n, oldest, err := s.OutboxBacklog(ctx)
	if err != nil || n != 3 || !oldest.Equal(first) {
		t.Fatalf("after 3 enqueued: %d, %v (want %v), %v", n, oldest, first, err)
	}
	for _, id := range []int64{1, 2} {
		if err := s.CompleteOutbox(ctx, id, Outcome{State: OutboxSent, MessageID: 7}); err != nil {
			t.Fatal(err)
		}
	}
	n, oldest, err = s.OutboxBacklog(ctx)
	if err != nil || n != 1 || !oldest.Equal(first.Add(time.Minute)) {
		t.Fatalf("after 2 sent: %d, %v (want %v), %v", n, oldest, first.Add(time.Minute), err)
	}
	// A pending entry left for a retry later is still pending.
	if err := s.CompleteOutbox(ctx, 3, Outcome{State: OutboxPending, RetryAt: clk.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if n, _, err := s.OutboxBacklog(ctx); err != nil || n != 1 {
		t.Fatalf("after a retry was set: %d, %v", n, err)
	}
}

// BenchmarkOutboxBacklog is one scrape's read of the outbox's depth and
// oldest entry with 0, 10,000 and 100,000 entries pending.
func BenchmarkOutboxBacklog(b *testing.B) {
	for _, pending := range []int{0, 10_000, 100_000} {
		b.Run(fmt.Sprintf("pending=%d", pending), func(b *testing.B) {
			ctx := context.Background()
			s := openTestStore(b, filepath.Join(b.TempDir(), "bench.db"), Options{NoSync: true})
			err := s.DB().Update(func(tx *bolt.Tx) error {
				entries := make([]OutboxEntry, pending)
				for i := range entries {
					entries[i] = OutboxEntry{ChatID: int64(i + 1), UserID: int64(i + 1), Content: Content{Text: "Напоминание: семинар завтра в 10:00"}}
				}
				return enqueue(tx, entries, time.Now())
			})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				n, _, err := s.OutboxBacklog(ctx)
				if err != nil || n != pending {
					b.Fatalf("backlog %d, %v", n, err)
				}
			}
		})
	}
}
