package storage

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestEnqueueDigestOncePerPeriod(t *testing.T) {
	ctx := context.Background()
	s, _, _ := newDueStore(t)
	mustTeachers(t, s, 100, 101, 104)
	mustPutUser(t, s, User{ID: 102, ChatID: 102, Registered: true, Active: true, NoDigest: true})
	mustPutUser(t, s, User{ID: 103, ChatID: 103, Registered: true, Active: false})
	mustPutUser(t, s, User{ID: 105, ChatID: 105, Active: true}) // not registered

	from, to := t0, t0.Add(7*24*time.Hour)
	second := testEvent("Второе")
	second.Start = from.Add(48 * time.Hour)
	second = mustCreateEvent(t, s, second)
	first := testEvent("Первое")
	first.Start = from // the bound is included
	first = mustCreateEvent(t, s, first)
	draft := testEvent("Черновик")
	draft.Start, draft.Status = from.Add(time.Hour), EventDraft
	mustCreateEvent(t, s, draft)
	outside := testEvent("За неделей")
	outside.Start = to // the bound is excluded
	mustCreateEvent(t, s, outside)

	render := func(u User, events []Event) (Content, bool) {
		if u.ID == 104 { // the renderer has nothing for this one
			return Content{}, false
		}
		var titles []string
		for _, e := range events {
			titles = append(titles, e.Title)
		}
		return Content{Text: fmt.Sprintf("%d: %s", u.ID, strings.Join(titles, ", "))}, true
	}
	n, err := s.EnqueueDigest(ctx, "2025-09-01", from, to, render)
	if err != nil || n != 2 {
		t.Fatalf("EnqueueDigest = %d, %v; want 2", n, err)
	}
	want := []string{"100: Первое, Второе", "101: Первое, Второе"}
	if got := texts(t, s, "digest:2025-09-01"); !slices.Equal(got, want) {
		t.Fatalf("digests %q; want %q", got, want)
	}
	if n, err := s.EnqueueDigest(ctx, "2025-09-01", from, to, render); err != nil || n != 0 {
		t.Fatalf("same period again = %d, %v; want 0", n, err)
	}
	if n, err := s.EnqueueDigest(ctx, "2025-09-08", from, to, render); err != nil || n != 2 {
		t.Fatalf("next period = %d, %v; want 2", n, err)
	}
}

func TestEnqueueSummaries(t *testing.T) {
	ctx := context.Background()
	s, _, _ := newDueStore(t)
	mustTeachers(t, s, 7, 8) // creators
	mustPutUser(t, s, User{ID: 9, ChatID: 9, Registered: true, Active: false})

	until := t0.Add(24 * time.Hour)
	since := t0
	before := since.Add(-time.Hour)
	in := since.Add(time.Hour)
	create := func(title string, by int64, start time.Time) Event {
		e := testEvent(title)
		e.CreatedBy, e.Start = by, start
		return mustCreateEvent(t, s, e)
	}
	later := create("Позже", 7, week.Add(24*time.Hour))
	sooner := create("Раньше", 7, week)
	quiet := create("Без новых", 8, week)
	blocked := create("Автор заблокировал бота", 9, week)
	cancelled := create("Отменено", 7, week)

	mustRegister(t, s, later.ID, 100, in)
	mustRegister(t, s, later.ID, 101, in.Add(time.Minute))
	mustRegister(t, s, later.ID, 102, before) // before the window
	mustRegister(t, s, later.ID, 103, in)     // then cancelled
	if _, err := s.CancelRegistration(ctx, later.ID, 103, nil); err != nil {
		t.Fatal(err)
	}
	// Signed up before the window, cancelled, signed up again in it: one.
	mustRegister(t, s, sooner.ID, 104, before)
	if _, err := s.CancelRegistration(ctx, sooner.ID, 104, nil); err != nil {
		t.Fatal(err)
	}
	mustRegister(t, s, sooner.ID, 104, in)
	mustRegister(t, s, sooner.ID, 105, until) // the bound is excluded
	mustRegister(t, s, quiet.ID, 100, before)
	mustRegister(t, s, blocked.ID, 100, in)
	mustRegister(t, s, cancelled.ID, 100, in)
	if _, _, err := s.CancelEvent(ctx, cancelled.ID, nil); err != nil {
		t.Fatal(err)
	}

	render := func(u User, items []SummaryItem) Content {
		var parts []string
		for _, it := range items {
			parts = append(parts, fmt.Sprintf("%s+%d", it.Event.Title, it.NewSignups))
		}
		return Content{Text: fmt.Sprintf("%d: %s", u.ID, strings.Join(parts, ", "))}
	}
	n, err := s.EnqueueSummaries(ctx, "2025-09-01", since, until, render)
	if err != nil || n != 1 {
		t.Fatalf("EnqueueSummaries = %d, %v; want 1", n, err)
	}
	want := []string{"7: Раньше+1, Позже+2"}
	if got := texts(t, s, "summary:2025-09-01"); !slices.Equal(got, want) {
		t.Fatalf("summaries %q; want %q", got, want)
	}
	if n, err := s.EnqueueSummaries(ctx, "2025-09-01", since, until, render); err != nil || n != 0 {
		t.Fatalf("same period again = %d, %v; want 0", n, err)
	}
	// A window with no sign-ups: nobody gets anything.
	if n, err := s.EnqueueSummaries(ctx, "2025-08-01", since.AddDate(0, -1, 0), since.AddDate(0, -1, 1), render); err != nil || n != 0 {
		t.Fatalf("empty window = %d, %v; want 0", n, err)
	}
}
