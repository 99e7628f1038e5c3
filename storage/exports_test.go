package storage

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"
)

// ExportEvent: every sign-up, in the documented order, with the
// organisations named; a missing event is ErrNotFound.
func TestExportEvent(t *testing.T) {
	s, clk := newTestStore(t)
	ctx := context.Background()
	org := mustCreateOrg(t, s, "МКОУ «СОШ №1»")
	other := mustCreateOrg(t, s, "ГИБДД")
	for id := int64(1); id <= 5; id++ {
		mustPutUser(t, s, User{ID: id, ChatID: id, FullName: "Педагог", OrgID: org, Registered: true, Active: true})
	}
	e, err := s.CreateEvent(ctx, Event{Title: "Конкурс", Kind: EventContest, Start: t0.Add(72 * time.Hour), Place: "ЦРТДиЮ",
		Organisers: []int64{other}, Unit: UnitIndividual, Capacity: 2, Status: EventPublished, CreatedBy: 1})
	if err != nil {
		t.Fatal(err)
	}
	// 1 and 2 take the seats, 3, 4 and 5 wait; 1 cancels (3 is seated),
	// 5 leaves the line.
	for _, id := range []int64{1, 2, 3, 4, 5} {
		if _, err := s.Register(ctx, SignUp{EventID: e.ID, UserID: id}, clk.Advance(time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range []int64{1, 5} {
		clk.Advance(time.Minute)
		if _, err := s.CancelRegistration(ctx, e.ID, id, nil); err != nil {
			t.Fatal(err)
		}
	}
	ex, err := s.ExportEvent(ctx, e.ID)
	if err != nil {
		t.Fatal(err)
	}
	var order []int64
	var states []RegistrationState
	var places []int
	for _, r := range ex.Rows {
		order, states, places = append(order, r.UserID), append(states, r.State), append(places, r.Place)
	}
	if !slices.Equal(order, []int64{2, 3, 4, 1, 5}) ||
		!slices.Equal(states, []RegistrationState{RegConfirmed, RegConfirmed, RegWaitlist, RegCancelled, RegCancelled}) ||
		!slices.Equal(places, []int{0, 0, 1, 0, 0}) {
		t.Errorf("rows %v %v %v", order, states, places)
	}
	if ex.Orgs[org].Name != "МКОУ «СОШ №1»" || ex.Orgs[other].Name != "ГИБДД" || len(ex.Orgs) != 2 {
		t.Errorf("orgs %+v", ex.Orgs)
	}
	if ex.Rows[0].User.FullName != "Педагог" {
		t.Errorf("the user: %+v", ex.Rows[0].User)
	}
	if _, err := s.ExportEvent(ctx, 999); !errors.Is(err, ErrNotFound) {
		t.Errorf("a missing event: %v", err)
	}

	// The period: the event with its figures; drafts and events outside
	// [from, to) or refused by include are left out.
	if _, err := s.CreateEvent(ctx, Event{Title: "Черновик", Kind: EventSeminar, Start: t0.Add(72 * time.Hour), Organisers: []int64{other}, CreatedBy: 1}); err != nil {
		t.Fatal(err)
	}
	late, err := s.CreateEvent(ctx, Event{Title: "Позже", Kind: EventSeminar, Start: t0.Add(30 * 24 * time.Hour), Organisers: []int64{org},
		Unit: UnitIndividual, Status: EventPublished, CreatedBy: 1})
	if err != nil {
		t.Fatal(err)
	}
	all := func(Event) bool { return true }
	pe, err := s.ExportPeriod(ctx, t0, t0.Add(10*24*time.Hour), all)
	if err != nil || len(pe.Events) != 1 {
		t.Fatalf("period: %+v %v", pe, err)
	}
	if f := pe.Events[0]; f.Event.ID != e.ID || f.Confirmed != 2 || f.Waitlist != 1 || f.Teams != 0 || f.Attended != 0 {
		t.Errorf("figures %+v", f)
	}
	pe, _ = s.ExportPeriod(ctx, t0, t0.Add(60*24*time.Hour), func(e Event) bool { return e.ID == late.ID })
	if len(pe.Events) != 1 || pe.Events[0].Event.ID != late.ID || pe.Orgs[org].Name == "" {
		t.Errorf("include: %+v", pe)
	}
	pe, _ = s.ExportPeriod(ctx, t0.Add(72*time.Hour+time.Second), t0.Add(30*24*time.Hour), all)
	if len(pe.Events) != 0 {
		t.Errorf("[from, to) holds %d events", len(pe.Events))
	}
}
