package storage

import (
	"context"
	"testing"
)

// A send in flight when its broadcast is stopped is recorded as sent, once;
// the other outcomes leave the stopped entry alone.
func TestCompleteOutboxAfterStopBroadcast(t *testing.T) {
	ctx := context.Background()
	s, _ := newTestStore(t)
	b, err := s.CreateBroadcast(ctx, Broadcast{AuthorID: 1, AuthorChat: 1, SourceChat: 1, SourceMessage: 5},
		[]Recipient{{ChatID: 10, UserID: 10}, {ChatID: 11, UserID: 11}, {ChatID: 12, UserID: 12}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	list, err := s.BroadcastEntries(ctx, b.ID)
	if err != nil || len(list) != 3 {
		t.Fatalf("BroadcastEntries = %v, %v", list, err)
	}
	if _, err := s.StopBroadcast(ctx, b.ID); err != nil {
		t.Fatal(err)
	}
	inFlight, failed, never := list[0].ID, list[1].ID, list[2].ID

	for range 2 { // the second time changes nothing
		if err := s.CompleteOutbox(ctx, inFlight, Outcome{State: OutboxSent, MessageID: 99}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.CompleteOutbox(ctx, failed, Outcome{State: OutboxFailed, Reason: "server_error"}); err != nil {
		t.Fatal(err)
	}

	e, err := s.OutboxEntry(ctx, inFlight)
	if err != nil {
		t.Fatal(err)
	}
	if e.State != OutboxSent || e.MessageID != 99 || e.Reason != "" || e.SentAt.IsZero() {
		t.Errorf("in-flight entry = %s %q message %d at %v; want sent, message 99", e.State, e.Reason, e.MessageID, e.SentAt)
	}
	for _, id := range []int64{failed, never} {
		e, err := s.OutboxEntry(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if e.State != OutboxSkipped || e.Reason != ReasonStopped {
			t.Errorf("entry %d = %s %q, want skipped %q", id, e.State, e.Reason, ReasonStopped)
		}
	}
	got, err := s.Broadcast(ctx, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Sent != 1 || got.Skipped != 2 || got.Failed != 0 || got.Left() != 0 || got.State != BroadcastStopped {
		t.Errorf("broadcast: sent %d skipped %d failed %d left %d %s; want 1 2 0 0 stopped",
			got.Sent, got.Skipped, got.Failed, got.Left(), got.State)
	}
}
