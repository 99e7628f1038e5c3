package storage

import (
	"context"
	"errors"
	"testing"
)

// TestChangesEnqueueAlsoOnlyWhenMade: what a caller hands an event's
// change to enqueue with it (an author's notice) is enqueued in the same
// transaction when the change is made, and not when it is refused or
// there is nothing to change.
func TestChangesEnqueueAlsoOnlyWhenMade(t *testing.T) {
	ctx := context.Background()
	s, _ := newTestStore(t)
	pending := func() int {
		t.Helper()
		n, err := s.OutboxPendingCount(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	notice := func() OutboxEntry {
		return OutboxEntry{ChatID: 7, UserID: 7, Content: Content{Text: "изменено"}, Origin: Origin{Kind: OriginNotice, Key: "author:1"}}
	}

	e := testEvent("Безопасное колесо")
	e.Capacity = 3
	e = mustCreateEvent(t, s, e)
	for u := int64(1); u <= 3; u++ {
		mustRegister(t, s, e.ID, u, t0)
	}
	lower := e
	lower.Capacity = 1
	var limit *LimitError
	if _, err := s.UpdateEvent(ctx, lower, nil, nil, notice()); !errors.As(err, &limit) {
		t.Fatalf("UpdateEvent to capacity 1 with 3 seated = %v, want a LimitError", err)
	}
	if n := pending(); n != 0 {
		t.Fatalf("a refused edit enqueued %d entries", n)
	}
	title := e
	title.Title = "Безопасное колесо — 2027"
	if _, err := s.UpdateEvent(ctx, title, nil, nil, notice()); err != nil {
		t.Fatal(err)
	}
	if n := pending(); n != 1 {
		t.Fatalf("a saved edit enqueued %d entries, want its notice", n)
	}

	if _, err := s.PublishEvent(ctx, e.ID, notice()); err != nil { // already published: no change
		t.Fatal(err)
	}
	if n := pending(); n != 1 {
		t.Errorf("publishing a published event enqueued %d entries in all, want still 1", n)
	}
	draft := testEvent("Черновик")
	draft.Status = EventDraft
	draft = mustCreateEvent(t, s, draft)
	if _, err := s.PublishEvent(ctx, draft.ID, notice()); err != nil {
		t.Fatal(err)
	}
	if n := pending(); n != 2 {
		t.Errorf("publishing a draft: %d entries in all, want 2", n)
	}
	if _, _, err := s.CancelEvent(ctx, draft.ID, nil, notice()); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.CancelEvent(ctx, draft.ID, nil, notice()); err != nil { // already cancelled
		t.Fatal(err)
	}
	if n := pending(); n != 3 {
		t.Errorf("cancelling twice: %d entries in all, want 3 (one notice)", n)
	}
}
