package storage

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestUpdateEventRefusesACancelledEvent: an edit of a cancelled event is
// refused inside UpdateEvent's transaction (whatever the caller read
// before), and changes nothing, notifies nobody.
func TestUpdateEventRefusesACancelledEvent(t *testing.T) {
	ctx := context.Background()
	s, clk := newTestStore(t)
	e := signedUp(t, s, clk)
	read := mustEvent(t, s, e.ID) // the form is read while the event is published
	if _, _, err := s.CancelEvent(ctx, e.ID, nil); err != nil {
		t.Fatal(err)
	}
	cancelled := mustEvent(t, s, e.ID)
	before := pending(t, s)
	read.Place = "Школа №3"
	_, err := s.UpdateEvent(ctx, read, changeNotice, notice("promote"))
	if !errors.Is(err, ErrEventCancelled) {
		t.Fatalf("UpdateEvent of a cancelled event: %v; want ErrEventCancelled", err)
	}
	if got := mustEvent(t, s, e.ID); got.Place != cancelled.Place || got.Revision != cancelled.Revision || got.Status != EventCancelled {
		t.Errorf("stored %+v; want it unchanged %+v", got, cancelled)
	}
	if after := pending(t, s); len(after) != len(before) {
		t.Errorf("outbox %d → %d entries; a refused edit enqueued something", len(before), len(after))
	}
}

// TestPublishEventRefusesAPassedStart: a draft whose start has come (by the
// store's clock) is not published; one still ahead is.
func TestPublishEventRefusesAPassedStart(t *testing.T) {
	ctx := context.Background()
	s, clk := newTestStore(t)
	in := testEvent("Черновик")
	in.Status = EventDraft
	e := mustCreateEvent(t, s, in)
	clk.set(week) // the start itself: not in the future
	if _, err := s.PublishEvent(ctx, e.ID); !errors.Is(err, ErrStartPassed) {
		t.Fatalf("PublishEvent at the start: %v; want ErrStartPassed", err)
	}
	if got := mustEvent(t, s, e.ID); got.Status != EventDraft {
		t.Fatalf("status %s after a refused publish; want draft", got.Status)
	}
	clk.set(week.Add(-time.Minute))
	got, err := s.PublishEvent(ctx, e.ID)
	if err != nil || got.Status != EventPublished {
		t.Fatalf("PublishEvent a minute before the start = %s, %v; want published", got.Status, err)
	}
}

// TestUpdateEventAtRefusesAnOldRevision: an edit made from revision r is
// saved while the stored event is at r, and refused with ErrEventChanged
// (changing nothing, telling nobody) once someone else saved a change.
func TestUpdateEventAtRefusesAnOldRevision(t *testing.T) {
	ctx := context.Background()
	s, clk := newTestStore(t)
	e := signedUp(t, s, clk)
	form := mustEvent(t, s, e.ID) // the page's form, opened
	chat := form
	chat.Place = "Школа №5"
	if _, err := s.UpdateEvent(ctx, chat, changeNotice, nil); err != nil { // the chat's edit meanwhile
		t.Fatal(err)
	}
	newer := mustEvent(t, s, e.ID)
	before := pending(t, s)
	old := form
	old.Title = "Старое название"
	if _, err := s.UpdateEventAt(ctx, old, form.Revision, changeNotice, nil); !errors.Is(err, ErrEventChanged) {
		t.Fatalf("UpdateEventAt from revision %d (stored %d): %v; want ErrEventChanged", form.Revision, newer.Revision, err)
	}
	if got := mustEvent(t, s, e.ID); got.Place != "Школа №5" || got.Title != newer.Title || got.Revision != newer.Revision {
		t.Errorf("stored %+v after a refused edit; want %+v", got, newer)
	}
	if after := pending(t, s); len(after) != len(before) {
		t.Errorf("outbox %d → %d entries; a refused edit enqueued something", len(before), len(after))
	}
	fresh := newer
	fresh.Title = "Новое название"
	res, err := s.UpdateEventAt(ctx, fresh, newer.Revision, changeNotice, nil)
	if err != nil || res.Event.Title != "Новое название" || res.Event.Revision != newer.Revision+1 {
		t.Fatalf("UpdateEventAt from the stored revision = %+v, %v; want saved, revision %d", res.Event, err, newer.Revision+1)
	}
}

// TestEventOrganisersMustExist: an organiser that is not a stored
// organisation is refused (ErrOrgGone) on create and when an edit adds it,
// changing nothing.
func TestEventOrganisersMustExist(t *testing.T) {
	ctx := context.Background()
	s, _ := newTestStore(t)
	ensureOrgs(t, s, 1)
	other := mustCreateOrg(t, s, "Школа №2")
	in := testEvent("Олимпиада")
	in.Organisers = []int64{1, 999999}
	if _, err := s.CreateEvent(ctx, in); !errors.Is(err, ErrOrgGone) {
		t.Fatalf("CreateEvent with organiser 999999: %v; want ErrOrgGone", err)
	}
	if n := countKeys(t, s, bucketEvents); n != 0 {
		t.Fatalf("%d events stored after a refused create", n)
	}
	in.Organisers = []int64{1, other}
	e := mustCreateEvent(t, s, in)
	edit := mustEvent(t, s, e.ID)
	edit.Organisers = append(edit.Organisers, 424242)
	if _, err := s.UpdateEvent(ctx, edit, nil, nil); !errors.Is(err, ErrOrgGone) {
		t.Fatalf("UpdateEvent adding organiser 424242: %v; want ErrOrgGone", err)
	}
	if got := mustEvent(t, s, e.ID); len(got.Organisers) != 2 {
		t.Fatalf("organisers %v after a refused edit; want [1 %d]", got.Organisers, other)
	}
	edit = mustEvent(t, s, e.ID)
	edit.Organisers = []int64{other}
	if res, err := s.UpdateEvent(ctx, edit, nil, nil); err != nil || len(res.Event.Organisers) != 1 {
		t.Fatalf("UpdateEvent to a stored organiser = %+v, %v; want saved", res.Event, err)
	}
}
