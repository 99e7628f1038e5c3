package storage

import (
	"context"
	"errors"
	"testing"
)

// A teacher who saw herself waitlisted and was promoted meanwhile does not
// lose her seat by "leave the waitlist": the state is checked in the
// cancelling transaction.
func TestCancelRegistrationIfSeenState(t *testing.T) {
	ctx := context.Background()
	s, _ := newTestStore(t)
	in := testEvent("x")
	in.Capacity = 1
	e := mustCreateEvent(t, s, in)
	mustRegister(t, s, e.ID, 1, t0)
	mustRegister(t, s, e.ID, 2, t0) // waitlisted
	if _, err := s.CancelRegistration(ctx, e.ID, 1, nil); err != nil {
		t.Fatal(err)
	}
	// User 2 was promoted; her old button says "waitlisted".
	if _, err := s.CancelRegistrationIf(ctx, e.ID, 2, RegWaitlist, nil); !errors.Is(err, ErrStateChanged) {
		t.Fatalf("cancel as waitlisted after promotion: %v, want ErrStateChanged", err)
	}
	reg, err := s.Registration(ctx, e.ID, 2)
	if err != nil || reg.State != RegConfirmed {
		t.Fatalf("after a refused cancel: %+v, %v", reg, err)
	}
	if got, _ := s.Event(ctx, e.ID); got.Taken != 1 || got.Waiting != 0 {
		t.Errorf("counters changed: taken %d, waiting %d", got.Taken, got.Waiting)
	}
	if _, err := s.CancelRegistrationIf(ctx, e.ID, 2, RegConfirmed, nil); err != nil {
		t.Fatalf("cancel as confirmed: %v", err)
	}
	if _, err := s.CancelRegistrationIf(ctx, e.ID, 2, RegConfirmed, nil); !errors.Is(err, ErrNotRegistered) {
		t.Errorf("cancel twice: %v, want ErrNotRegistered", err)
	}
}

// Parked wizards are kept in order beside the current one, which parking
// ends; unparking makes one current again and removes it from the list.
func TestParkedConversations(t *testing.T) {
	ctx := context.Background()
	s, _ := newTestStore(t)
	for _, title := range []string{"first", "second"} {
		if err := s.PutConversation(ctx, 7, Conversation{Flow: "event", Step: "kind", Data: []byte(`"` + title + `"`)}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.ParkConversation(ctx, 7, Conversation{Flow: "event", Step: "kind", Data: []byte(`"` + title + `"`)}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Conversation(ctx, 7); !IsNotFound(err) {
			t.Fatalf("parking left the wizard current: %v", err)
		}
	}
	if err := s.PutConversation(ctx, 8, Conversation{Flow: "broadcast"}); err != nil {
		t.Fatal(err)
	}
	list, err := s.ParkedConversations(ctx, 7)
	if err != nil || len(list) != 2 || string(list[0].Conversation.Data) != `"first"` || string(list[1].Conversation.Data) != `"second"` {
		t.Fatalf("parked: %+v, %v", list, err)
	}
	if other, _ := s.ParkedConversations(ctx, 8); len(other) != 0 {
		t.Errorf("another user's parked: %+v", other)
	}
	c, err := s.UnparkConversation(ctx, 7, list[0].Seq)
	if err != nil || string(c.Data) != `"first"` {
		t.Fatalf("unpark: %+v, %v", c, err)
	}
	if cur, err := s.Conversation(ctx, 7); err != nil || string(cur.Data) != `"first"` {
		t.Errorf("current after unpark: %+v, %v", cur, err)
	}
	if _, err := s.UnparkConversation(ctx, 7, list[0].Seq); !IsNotFound(err) {
		t.Errorf("unpark twice: %v", err)
	}
	if rest, _ := s.ParkedConversations(ctx, 7); len(rest) != 1 {
		t.Errorf("left parked: %+v", rest)
	}
}
