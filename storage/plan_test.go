package storage

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestImportPlanOnce: a plan's rows become drafts in one call, and the
// same rows again create nothing and are reported as imported before; a
// cancelled (deleted) draft's row may be imported again.
func TestImportPlanOnce(t *testing.T) {
	s, _ := newTestStore(t)
	ctx := context.Background()
	org := mustCreateOrg(t, s, "СОШ №1")
	row := func(title string, start time.Time) PlanRow {
		e := Event{Title: title, Kind: EventCompetition, Start: start, Place: "ЦРТДиЮ", Organisers: []int64{org},
			Unit: UnitIndividual, Status: EventPublished, CreatedBy: 7, Form: DefaultForm(EventCompetition, UnitIndividual)}
		return PlanRow{Key: PlanKey(title, start, "ЦРТДиЮ"), Event: e}
	}
	rows := []PlanRow{row("Безопасное колесо", week), row("Война глазами детей", week.Add(24*time.Hour))}
	got, err := s.ImportPlan(ctx, rows)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Created) != 2 || len(got.Already) != 0 {
		t.Fatalf("first import: %+v", got)
	}
	for _, e := range got.Created {
		stored := mustEvent(t, s, e.ID)
		if stored.Status != EventDraft || stored.OwnerOrg != org || stored.Form.Phone != NeedOptional {
			t.Errorf("draft %d: status %s owner %d form %+v", e.ID, stored.Status, stored.OwnerOrg, stored.Form)
		}
	}
	if k := PlanKey("  безопасное   КОЛЕСО ", week, "цртдию"); string(k) != string(rows[0].Key) {
		t.Error("the key depends on case or spacing")
	}
	imported, err := s.PlanImported(ctx, [][]byte{rows[0].Key, PlanKey("Другое", week, "x")})
	if err != nil || !imported[0] || imported[1] {
		t.Fatalf("PlanImported = %v, %v", imported, err)
	}
	again, err := s.ImportPlan(ctx, rows)
	if err != nil {
		t.Fatal(err)
	}
	if len(again.Created) != 0 || len(again.Already) != 2 {
		t.Fatalf("second import: %+v", again)
	}
	if err := s.SetEventStatus(ctx, got.Created[0].ID, EventCancelled); err != nil {
		t.Fatal(err)
	}
	third, err := s.ImportPlan(ctx, rows)
	if err != nil || len(third.Created) != 1 || len(third.Already) != 1 || third.Already[0] != 1 {
		t.Fatalf("after deleting one draft: %+v, %v", third, err)
	}
	drafts, _ := s.Drafts(ctx)
	if len(drafts) != 2 {
		t.Errorf("drafts: %d, want 2", len(drafts))
	}
}

// TestImportPlanAllOrNothing: a row CreateEvent would refuse creates
// nothing at all.
func TestImportPlanAllOrNothing(t *testing.T) {
	s, _ := newTestStore(t)
	ctx := context.Background()
	good := Event{Title: "А", Kind: EventContest, Start: week, Place: "П", Organisers: []int64{1}, Unit: UnitIndividual}
	bad := good
	bad.Start = time.Time{}
	_, err := s.ImportPlan(ctx, []PlanRow{{Key: PlanKey("А", week, "П"), Event: good}, {Key: PlanKey("Б", week, "П"), Event: bad}})
	if err == nil {
		t.Fatal("a row without a start was imported")
	}
	if drafts, _ := s.Drafts(ctx); len(drafts) != 0 {
		t.Errorf("%d drafts after a refused import", len(drafts))
	}
	if imported, _ := s.PlanImported(ctx, [][]byte{PlanKey("А", week, "П")}); imported[0] {
		t.Error("the good row's key was kept")
	}
}

// TestCopyEvent: a copy is a draft of the copier with the source's
// settings, its dates shifted, no sign-ups; a start shifted into the past
// is refused.
func TestCopyEvent(t *testing.T) {
	s, clk := newTestStore(t)
	ctx := context.Background()
	org := mustCreateOrg(t, s, "ГИБДД")
	mine := mustCreateOrg(t, s, "СОШ №1")
	mustPutUser(t, s, User{ID: 8, FullName: "Копирующий", OrgID: mine})
	src := testEvent("Безопасное колесо")
	src.Organisers = []int64{org, mine}
	src.Capacity, src.Deadline, src.End = 10, week.Add(-24*time.Hour), week.Add(3*time.Hour)
	src.Form = Form{Phone: NeedRequired, Works: &WorksSpec{MaxFiles: 2, Until: week.Add(-time.Hour)},
		Questions: []Question{{ID: 1, Text: "Класс?", Kind: QuestionText}}}
	src = mustCreateEvent(t, s, src)
	yearAhead := func(t time.Time) time.Time { return t.AddDate(1, 0, 0) }
	c, err := s.CopyEvent(ctx, src.ID, 8, yearAhead)
	if err != nil {
		t.Fatal(err)
	}
	c = mustEvent(t, s, c.ID)
	if c.ID == src.ID || c.Status != EventDraft || c.CreatedBy != 8 || c.OwnerOrg != mine || c.Taken != 0 {
		t.Errorf("copy: %+v", c)
	}
	if !c.Start.Equal(yearAhead(src.Start)) || !c.End.Equal(yearAhead(src.End)) || !c.Deadline.Equal(yearAhead(src.Deadline)) ||
		!c.Form.Works.Until.Equal(yearAhead(src.Form.Works.Until)) {
		t.Errorf("dates: start %v end %v deadline %v until %v", c.Start, c.End, c.Deadline, c.Form.Works.Until)
	}
	if c.Capacity != 10 || len(c.Organisers) != 2 || c.Form.Phone != NeedRequired || len(c.Form.Questions) != 1 || c.Form.LastQuestionID != 1 {
		t.Errorf("settings not copied: %+v", c)
	}
	if again := mustEvent(t, s, src.ID); !again.Start.Equal(src.Start) || again.Form.Works.Until != src.Form.Works.Until {
		t.Error("the source changed")
	}
	clk.Advance(3 * 365 * 24 * time.Hour)
	if _, err := s.CopyEvent(ctx, src.ID, 8, yearAhead); !errors.Is(err, ErrShiftedPast) {
		t.Errorf("a copy into the past: %v", err)
	}
	if _, err := s.CopyEvent(ctx, 999, 8, yearAhead); !errors.Is(err, ErrNotFound) {
		t.Errorf("a copy of nothing: %v", err)
	}
}
