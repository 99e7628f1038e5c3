package storage

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"
)

func TestPastEvents(t *testing.T) {
	ctx := context.Background()
	s, _ := newTestStore(t)
	type spec struct {
		day    int
		kind   EventKind
		status EventStatus
	}
	specs := []spec{
		{-5, EventContest, EventFinished},  // 1
		{-1, EventSeminar, EventPublished}, // 2: started, not yet marked finished
		{-3, EventContest, EventFinished},  // 3
		{-2, EventContest, EventDraft},     // 4: draft
		{-4, EventContest, EventCancelled}, // 5: cancelled
		{2, EventContest, EventPublished},  // 6: upcoming
		{-3, EventSeminar, EventFinished},  // 7: same start as 3
		{0, EventContest, EventPublished},  // 8: starts exactly at t0: not past
	}
	for i, sp := range specs {
		e := testEvent(fmt.Sprintf("e%d", i+1))
		e.Start, e.Kind = t0.Add(time.Duration(sp.day)*24*time.Hour), sp.kind
		if sp.status == EventDraft {
			e.Status = EventDraft
		}
		e = mustCreateEvent(t, s, e)
		switch sp.status {
		case EventFinished:
			if err := s.SetEventStatus(ctx, e.ID, EventFinished); err != nil {
				t.Fatal(err)
			}
		case EventCancelled:
			if _, _, err := s.CancelEvent(ctx, e.ID, nil); err != nil {
				t.Fatal(err)
			}
		}
	}
	tests := []struct {
		name          string
		kind          EventKind
		offset, limit int
		want          []int64
		total         int
	}{
		{"all, latest first", "", 0, 0, []int64{2, 7, 3, 1}, 4},
		{"a page", "", 1, 2, []int64{7, 3}, 4},
		{"past the end", "", 9, 2, nil, 4},
		{"contests", EventContest, 0, 0, []int64{3, 1}, 2},
		{"seminars, page 2", EventSeminar, 1, 1, []int64{7}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			list, total, err := s.PastEvents(ctx, t0, tt.kind, tt.offset, tt.limit)
			if err != nil || total != tt.total || !slices.Equal(eventIDs(list), append([]int64{}, tt.want...)) {
				t.Errorf("PastEvents = %v, %d, %v; want %v, %d", eventIDs(list), total, err, tt.want, tt.total)
			}
		})
	}
	if list, total, err := s.PastEvents(ctx, t0.Add(-10*24*time.Hour), "", 0, 0); len(list) != 0 || total != 0 || err != nil {
		t.Errorf("before everything = %v, %d, %v; want none", eventIDs(list), total, err)
	}
	if list, total, err := s.PastEvents(ctx, t0.Add(10*24*time.Hour), "", 0, 0); total != 6 || err != nil || list[0].ID != 6 {
		t.Errorf("after everything = %v, %d, %v; want 6 first of 6", eventIDs(list), total, err)
	}
}

func TestOrganisedEvents(t *testing.T) {
	ctx := context.Background()
	s, _ := newTestStore(t)
	mk := func(day int, createdBy int64, orgs []int64, status EventStatus) int64 {
		e := testEvent("e")
		e.Start, e.CreatedBy, e.Organisers, e.OwnerOrg, e.Status = t0.Add(time.Duration(day)*24*time.Hour), createdBy, orgs, orgs[0], status
		return mustCreateEvent(t, s, e).ID
	}
	a := mk(3, 7, []int64{1}, EventPublished)     // org 1 owns
	b := mk(-3, 8, []int64{2, 1}, EventPublished) // org 1 co-organises; past
	c := mk(1, 7, []int64{3}, EventDraft)         // user 7's own draft for org 3
	mk(2, 9, []int64{4}, EventPublished)          // nobody's here
	if err := s.SetEventStatus(ctx, b, EventFinished); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		user, org int64
		want      []int64
	}{
		{"author and organisation", 7, 1, []int64{b, c, a}},
		{"organisation only", 0, 1, []int64{b, a}},
		{"author only", 7, 0, []int64{c, a}},
		{"nobody", 99, 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			list, err := s.OrganisedEvents(ctx, tt.user, tt.org)
			if err != nil || !slices.Equal(eventIDs(list), append([]int64{}, tt.want...)) {
				t.Errorf("OrganisedEvents(%d, %d) = %v, %v; want %v", tt.user, tt.org, eventIDs(list), err, tt.want)
			}
		})
	}
}

func TestEventOver(t *testing.T) {
	start := t0
	tests := []struct {
		name   string
		status EventStatus
		end    time.Time
		now    time.Time
		want   bool
	}{
		{"before the start", EventPublished, time.Time{}, start.Add(-time.Minute), false},
		{"during, no end given", EventPublished, time.Time{}, start.Add(FinishAfter - time.Minute), false},
		{"after FinishAfter", EventPublished, time.Time{}, start.Add(FinishAfter), true},
		{"before its end", EventPublished, start.Add(2 * 24 * time.Hour), start.Add(24 * time.Hour), false},
		{"at its end", EventPublished, start.Add(2 * 24 * time.Hour), start.Add(2 * 24 * time.Hour), true},
		{"finished early", EventFinished, start.Add(2 * 24 * time.Hour), start, true},
		{"cancelled", EventCancelled, time.Time{}, start.Add(30 * 24 * time.Hour), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := Event{Start: start, End: tt.end, Status: tt.status}
			if got := e.Over(tt.now); got != tt.want {
				t.Errorf("Over = %v; want %v", got, tt.want)
			}
		})
	}
}

// resultNotice is a ResultNotify that says both results.
func resultNotice(u User, e Event, result, told string) Content {
	return Content{Text: fmt.Sprintf("result user=%d event=%d result=%q told=%q", u.ID, e.ID, result, told)}
}

// A result is told to the participant in the transaction that sets it; a
// correction made before the notice left replaces it; one made after is a
// second notice that says what was told before.
func TestSetResultTellsTheParticipant(t *testing.T) {
	ctx := context.Background()
	s, clk := newTestStore(t)
	mustTeachers(t, s, 1, 2)
	e := mustCreateEvent(t, s, testEvent("Безопасное колесо"))
	mustRegister(t, s, e.ID, 1, t0)
	mustRegister(t, s, e.ID, 2, t0)
	clk.Advance(8 * 24 * time.Hour)
	pending := func(user int64) []string {
		t.Helper()
		list, err := s.PendingOutbox(ctx, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, en := range list {
			if en.UserID == user {
				out = append(out, en.Content.Text)
			}
		}
		return out
	}
	set := func(user int64, result string) {
		t.Helper()
		if err := s.SetResult(ctx, e.ID, user, result, resultNotice); err != nil {
			t.Fatal(err)
		}
	}
	want := func(user int64, texts ...string) {
		t.Helper()
		for i := range texts {
			texts[i] = fmt.Sprintf("result user=%d event=%d %s", user, e.ID, texts[i])
		}
		if got := pending(user); !slices.Equal(got, texts) {
			t.Errorf("pending for %d = %q; want %q", user, got, texts)
		}
	}

	set(1, ResultSecond)
	want(1, `result="2" told=""`)
	set(1, ResultFirst) // a slip corrected before the notice left
	want(1, `result="1" told=""`)
	set(1, ResultFirst) // the same again: nothing new
	want(1, `result="1" told=""`)

	// The notice leaves; a later correction is a second notice.
	r, _ := s.Registration(ctx, e.ID, 1)
	if err := s.CompleteOutbox(ctx, r.ResultNotice, Outcome{State: OutboxSent, MessageID: 5}); err != nil {
		t.Fatal(err)
	}
	set(1, ResultThird)
	want(1, `result="3" told="1"`)
	set(1, "") // taken away before that correction left: it is withdrawn
	want(1, `result="" told="1"`)
	set(1, ResultFirst) // back to what she was told: nothing to send
	want(1)
	if r, _ := s.Registration(ctx, e.ID, 1); r.Result != ResultFirst || r.ResultTold != ResultFirst || r.ResultNotice != 0 {
		t.Errorf("registration = %+v", r)
	}

	// A withdrawn notice is recorded as replaced, not lost.
	var replaced int
	for id := int64(1); id < 10; id++ {
		if en, err := s.OutboxEntry(ctx, id); err == nil && en.Reason == ReasonReplaced && en.State == OutboxSkipped {
			replaced++
		}
	}
	if replaced != 3 {
		t.Errorf("%d entries replaced; want 3", replaced)
	}

	// An inactive participant gets nothing; the result is kept.
	u := mustUser(t, s, 2)
	u.Active = false
	mustPutUser(t, s, u)
	set(2, ResultLaureate)
	want(2)
	if r, _ := s.Registration(ctx, e.ID, 2); r.Result != ResultLaureate {
		t.Errorf("inactive participant's result = %q", r.Result)
	}
}
