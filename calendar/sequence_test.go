package calendar

import (
	"context"
	"testing"
	"time"

	"vmeste/storage"
)

// TestSequenceRisesWithEveryStatusChange: whichever way an event's status
// changes — cancelled by the coordinator, cancelled or finished by the
// store's status setter (the scheduler's path) — the feed's entry keeps
// its UID and its SEQUENCE grows, so that a subscribed calendar takes
// the change instead of keeping the old copy; a feed read twice with no
// change keeps it.
func TestSequenceRisesWithEveryStatusChange(t *testing.T) {
	w := newFeedWorld(t)
	ctx := context.Background()
	seq := func(user, eventID int64) (int, string) {
		t.Helper()
		_, cal := w.feed(w.tokens[user])
		ev := vevent(t, cal, eventID)
		if ev == nil {
			t.Fatalf("event %d left user %d's feed", eventID, user)
		}
		s, _ := ev.Get("SEQUENCE")
		st, _ := ev.Get("STATUS")
		return atoi(t, s.Value), st.Value
	}
	for _, tc := range []struct {
		name   string
		user   int64
		event  int64
		change func() error
		status string
	}{
		{"finished by the scheduler", mariaID, w.contest.ID, func() error {
			return w.store.SetEventStatus(ctx, w.contest.ID, storage.EventFinished)
		}, "CONFIRMED"},
		{"cancelled through the status setter", akhmatID, w.week.ID, func() error {
			return w.store.SetEventStatus(ctx, w.week.ID, storage.EventCancelled)
		}, "CANCELLED"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before, _ := seq(tc.user, tc.event)
			if again, _ := seq(tc.user, tc.event); again != before {
				t.Errorf("SEQUENCE %d on a second read with no change, was %d", again, before)
			}
			w.clock.advance(time.Hour)
			if err := tc.change(); err != nil {
				t.Fatal(err)
			}
			after, status := seq(tc.user, tc.event)
			if after <= before {
				t.Errorf("SEQUENCE %d after the status change, was %d: calendars would keep the old entry", after, before)
			}
			if status != tc.status {
				t.Errorf("STATUS %q, want %q", status, tc.status)
			}
		})
	}
}
