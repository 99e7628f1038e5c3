package storage

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
)

// A second press while the first one's messages wait adds nothing; once
// they are sent the same origin is taken again. Media survive the round
// trip through the outbox and a reopening of the file.
func TestEnqueueOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "once.db")
	s := openTestStore(t, path, Options{})
	ctx := context.Background()
	origin := Origin{Kind: OriginNotice, Key: "works:7:2001"}
	entries := func() []OutboxEntry {
		return []OutboxEntry{
			{ChatID: 2001, UserID: 2001, Content: Content{Text: "<b>СОШ №1</b>"}},
			{ChatID: 2001, UserID: 2001, Content: Content{Media: []Media{
				{Kind: WorkPhoto, FileID: "AgAC1", Caption: "Иванова М. П."}, {Kind: WorkVideo, FileID: "BAAC2"}}}},
		}
	}
	if n, err := s.EnqueueOnce(ctx, origin, entries()); err != nil || n != 0 {
		t.Fatalf("first: %d, %v", n, err)
	}
	if n, err := s.EnqueueOnce(ctx, origin, entries()); !errors.Is(err, ErrAlreadyQueued) || n != 2 {
		t.Fatalf("second while pending: %d, %v; want 2 pending, ErrAlreadyQueued", n, err)
	}
	other := Origin{Kind: OriginNotice, Key: "works:8:2001"}
	if _, err := s.EnqueueOnce(ctx, other, entries()[:1]); err != nil {
		t.Fatalf("another event's: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openTestStore(t, path, Options{})
	list, err := s.PendingOutbox(ctx, 0, 10)
	if err != nil || len(list) != 3 {
		t.Fatalf("pending after reopening: %d, %v", len(list), err)
	}
	if m := list[1].Content.Media; len(m) != 2 || m[0] != (Media{Kind: WorkPhoto, FileID: "AgAC1", Caption: "Иванова М. П."}) ||
		m[1].Kind != WorkVideo || list[1].Origin != origin {
		t.Fatalf("the album came back as %+v", list[1])
	}
	for _, e := range list[:2] {
		if err := s.CompleteOutbox(ctx, e.ID, Outcome{State: OutboxSent, MessageID: 1}); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := s.EnqueueOnce(ctx, origin, entries()); err != nil || n != 0 {
		t.Fatalf("again once sent: %d, %v", n, err)
	}
}
