package storage

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"
)

// TestEventRevisionGrowsWithEveryChange: every writer that changes an
// event raises its Revision (the calendars' SEQUENCE); sign-ups, which
// change only its counters, do not; a copy starts again at 0.
func TestEventRevisionGrowsWithEveryChange(t *testing.T) {
	ctx := context.Background()
	s, clk := newTestStore(t)
	org := mustCreateOrg(t, s, "ОГИБДД МО МВД России «Эльбрусский»")
	for _, u := range []User{
		{ID: 3001, ChatID: 3001, FullName: "Кодзоков Артур", OrgID: org, Role: RoleCoordinator, Registered: true, Active: true},
		{ID: 3002, ChatID: 3002, FullName: "Тебуев Ислам", OrgID: org, Role: RoleCoordinator, Registered: true, Active: true},
		{ID: 2001, ChatID: 2001, FullName: "Иванова Мария", Role: RoleTeacher, Registered: true, Active: true},
	} {
		if err := s.PutUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		if u.Role == RoleCoordinator {
			if err := s.SetRole(ctx, u.ID, RoleCoordinator); err != nil {
				t.Fatal(err)
			}
		}
	}
	e, err := s.CreateEvent(ctx, Event{Title: "Безопасное колесо", Kind: EventCompetition, Start: clk.Now().Add(72 * time.Hour),
		Place: "ЦРТДиЮ", Organisers: []int64{org}, Unit: UnitIndividual, CreatedBy: 3001, Revision: 9})
	if err != nil {
		t.Fatal(err)
	}
	rev := func(want int, after string) {
		t.Helper()
		got, err := s.Event(ctx, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Revision != want {
			t.Errorf("after %s: Revision %d, want %d", after, got.Revision, want)
		}
	}
	rev(0, "creating (a revision given is not kept)")
	clk.Advance(time.Minute)
	if _, err := s.PublishEvent(ctx, e.ID); err != nil {
		t.Fatal(err)
	}
	rev(1, "publishing")
	if _, err := s.Register(ctx, SignUp{EventID: e.ID, UserID: 2001}, clk.Now()); err != nil {
		t.Fatal(err)
	}
	rev(1, "a sign-up")
	edited, _ := s.Event(ctx, e.ID)
	edited.Start = edited.Start.Add(time.Hour)
	edited.Revision = 0 // what the caller holds does not matter
	if _, err := s.UpdateEvent(ctx, edited, nil, nil); err != nil {
		t.Fatal(err)
	}
	rev(2, "an edit")
	if _, err := s.HandOverEvent(ctx, e.ID, 3002, nil); err != nil {
		t.Fatal(err)
	}
	rev(3, "a hand-over")
	if err := s.SetEventStatus(ctx, e.ID, EventFinished); err != nil {
		t.Fatal(err)
	}
	rev(4, "finishing")
	if _, _, err := s.CancelEvent(ctx, e.ID, nil); err != nil {
		t.Fatal(err)
	}
	rev(4, "cancelling a finished event (refused, nothing changes)")
}

// TestUserCalendarRules: the calendar holds the user's active sign-ups
// to events that are not drafts, from the window's start, and for a
// coordinator the events his organisation owns or co-organises; a token
// is made once and replaced by NewCalendarToken.
func TestUserCalendarRules(t *testing.T) {
	ctx := context.Background()
	s, clk := newTestStore(t)
	gibdd := mustCreateOrg(t, s, "ОГИБДД")
	crt := mustCreateOrg(t, s, "ЦРТДиЮ")
	school := mustCreateOrg(t, s, "СОШ №1")
	for _, u := range []User{
		{ID: 3001, ChatID: 3001, OrgID: gibdd, Role: RoleCoordinator, Registered: true},
		{ID: 3002, ChatID: 3002, OrgID: crt, Role: RoleCoordinator, Registered: true},
		{ID: 2001, ChatID: 2001, OrgID: school, Role: RoleTeacher, Registered: true,
			Consents: []Consent{{Version: "v0", Given: true}}},
	} {
		if err := s.PutUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		if u.Role == RoleCoordinator {
			if err := s.SetRole(ctx, u.ID, RoleCoordinator); err != nil {
				t.Fatal(err)
			}
		}
	}
	now := clk.Now()
	mk := func(title string, start time.Time, status EventStatus, orgs ...int64) Event {
		e, err := s.CreateEvent(ctx, Event{Title: title, Kind: EventSeminar, Start: start, Place: "—", Organisers: orgs,
			Unit: UnitIndividual, CreatedBy: 3001, Status: status})
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	ahead := mk("Впереди", now.Add(48*time.Hour), EventPublished, gibdd, crt)
	draft := mk("Черновик", now.Add(24*time.Hour), EventDraft, gibdd)
	old := mk("Давно", now.Add(-100*24*time.Hour), EventPublished, gibdd)
	recent := mk("Недавно", now.Add(48*time.Hour), EventPublished, gibdd)
	for _, id := range []int64{ahead.ID, recent.ID} {
		if _, err := s.Register(ctx, SignUp{EventID: id, UserID: 2001}, now); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.CancelRegistration(ctx, recent.ID, 2001, nil); err != nil {
		t.Fatal(err)
	}
	ids := func(userID int64) []int64 {
		t.Helper()
		f, err := s.UserCalendar(ctx, userID, now.Add(-CalendarWindow))
		if err != nil {
			t.Fatal(err)
		}
		var out []int64
		for _, en := range f.Entries {
			out = append(out, en.Event.ID)
			if userID == 2001 && en.Registration == nil {
				t.Errorf("the teacher's entry %d has no sign-up", en.Event.ID)
			}
		}
		return out
	}
	if got := ids(2001); !slices.Equal(got, []int64{ahead.ID}) {
		t.Errorf("the teacher's calendar %v, want only her active sign-up %d", got, ahead.ID)
	}
	if got := ids(3001); !slices.Equal(got, []int64{ahead.ID, recent.ID}) {
		t.Errorf("the ГИБДД coordinator's calendar %v, want %d and %d (no draft %d, nothing older than the window %d)",
			got, ahead.ID, recent.ID, draft.ID, old.ID)
	}
	if got := ids(3002); !slices.Equal(got, []int64{ahead.ID}) {
		t.Errorf("the co-organiser's calendar %v, want %d", got, ahead.ID)
	}

	tok, err := s.CalendarToken(ctx, 2001)
	if err != nil || !ValidCalendarToken(tok) {
		t.Fatalf("token %q, %v", tok, err)
	}
	if again, _ := s.CalendarToken(ctx, 2001); again != tok {
		t.Errorf("a second call made another token")
	}
	if _, err := s.CalendarToken(ctx, 9999); !errors.Is(err, ErrNotFound) {
		t.Errorf("a token for nobody: %v", err)
	}
	if f, err := s.CalendarFeed(ctx, tok, "", now.Add(-CalendarWindow)); err != nil || f.User.ID != 2001 {
		t.Errorf("the feed of the token: user %d, %v", f.User.ID, err)
	}
	if _, err := s.CalendarFeed(ctx, tok, "v0", now); err != nil {
		t.Errorf("with consent to the current text: %v", err)
	}
	// Not agreed to the current text: no feed.
	if _, err := s.CalendarFeed(ctx, tok, "v1", now); !errors.Is(err, ErrNotFound) {
		t.Errorf("without consent to the current text: %v", err)
	}
}
