package storage

import (
	"context"
	"encoding/binary"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // Europe/Moscow without the system's zone files

	bolt "go.etcd.io/bbolt"
)

func moscow(t testing.TB) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Moscow")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// newDueStore opens a fresh database in Moscow time with a fake clock and
// returns its path, for reopening.
func newDueStore(t testing.TB) (*Store, *testClock, string) {
	t.Helper()
	clk := newTestClock()
	path := filepath.Join(t.TempDir(), "vmeste.db")
	return openTestStore(t, path, Options{Now: clk.Now, LockTimeout: 100 * time.Millisecond, Location: moscow(t)}), clk, path
}

// dueRenderer renders scheduled messages as "kind event user offset".
type dueRenderer struct{}

func (dueRenderer) Reminder(u User, e Event, offset time.Duration) Content {
	return Content{Text: fmt.Sprintf("reminder %d %d %s", e.ID, u.ID, offset)}
}

func (dueRenderer) DeadlineNotice(u User, e Event) Content {
	return Content{Text: fmt.Sprintf("deadline %d %d", e.ID, u.ID)}
}

func (dueRenderer) Finished(u User, e Event) Content {
	return Content{Text: fmt.Sprintf("finished %d %d %s", e.ID, u.ID, e.Status)}
}

// set moves the fake clock to at.
func (c *testClock) set(at time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = at
}

func runDue(t *testing.T, s *Store, now time.Time) []DueItem {
	t.Helper()
	items, err := s.RunDue(context.Background(), now, dueRenderer{}, 0)
	if err != nil {
		t.Fatalf("RunDue(%s): %v", now, err)
	}
	return items
}

// dueIndex lists the due index as "kind offset time" strings (UTC), for one
// event.
func dueIndex(t *testing.T, s *Store, eventID int64) []string {
	t.Helper()
	var list []string
	err := s.DB().View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketDue).ForEach(func(k, _ []byte) error {
			if btoi(k[9:17]) != eventID {
				return nil
			}
			at := time.Unix(0, int64(binary.BigEndian.Uint64(k))).UTC()
			list = append(list, fmt.Sprintf("%c %s %s", k[8], time.Duration(btoi(k[17:])), at.Format(time.RFC3339Nano)))
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return list
}

func dueLine(kind DueKind, offset time.Duration, at time.Time) string {
	return fmt.Sprintf("%c %s %s", kind, offset, at.UTC().Format(time.RFC3339Nano))
}

// texts returns the pending outbox texts whose origin key has prefix.
func texts(t *testing.T, s *Store, prefix string) []string {
	t.Helper()
	var list []string
	for _, e := range pending(t, s) {
		if strings.HasPrefix(e.Origin.Key, prefix) {
			list = append(list, e.Content.Text)
		}
	}
	return list
}

// reminderEvent creates a published event starting at start with reminders
// a day and two hours before, and no deadline.
func reminderEvent(t *testing.T, s *Store, start time.Time) Event {
	t.Helper()
	e := testEvent("Семинар")
	e.Kind, e.Start, e.Reminders = EventSeminar, start, []time.Duration{24 * time.Hour, 2 * time.Hour}
	return mustCreateEvent(t, s, e)
}

func TestReminderDueExactly(t *testing.T) {
	s, clk, path := newDueStore(t)
	mustTeachers(t, s, 100)
	e := reminderEvent(t, s, week)
	mustRegister(t, s, e.ID, 100, clk.Now())
	at := week.Add(-24 * time.Hour)

	if got := dueIndex(t, s, e.ID); !slices.Equal(got, []string{
		dueLine(DueReminder, 24*time.Hour, at), dueLine(DueReminder, 2*time.Hour, week.Add(-2*time.Hour)),
		dueLine(DueFinish, 0, week.Add(FinishAfter)),
	}) {
		t.Fatalf("due index = %q", got)
	}
	if next, ok, err := s.NextDue(context.Background()); err != nil || !ok || !next.Equal(at) {
		t.Fatalf("NextDue = %s, %v, %v; want %s", next, ok, err, at)
	}
	if items := runDue(t, s, at.Add(-time.Nanosecond)); len(items) != 0 {
		t.Fatalf("a nanosecond early: %+v", items)
	}
	items := runDue(t, s, at)
	want := []DueItem{{Kind: DueReminder, EventID: e.ID, Offset: 24 * time.Hour, Due: at, Messages: 1}}
	if len(items) != 1 || items[0].Kind != want[0].Kind || items[0].Offset != want[0].Offset ||
		!items[0].Due.Equal(at) || items[0].Messages != 1 || items[0].Skipped {
		t.Fatalf("items = %+v; want %+v", items, want)
	}
	if loc := items[0].Due.Location().String(); loc != "Europe/Moscow" {
		t.Errorf("Due in %s; want the store's zone", loc)
	}
	out := pending(t, s)
	if len(out) != 1 || out[0].UserID != 100 || out[0].Origin.Kind != OriginReminder ||
		out[0].Origin.Key != fmt.Sprintf("rem:%d:86400:%d", e.ID, week.Unix()) {
		t.Fatalf("outbox = %+v", out)
	}
	if items := runDue(t, s, at); len(items) != 0 {
		t.Fatalf("second run: %+v", items)
	}

	// A restart: the key is gone with the commit that enqueued. (The
	// cleanup's second Close of s is a no-op in bbolt.)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s2, err := Open(path, Options{Now: clk.Now, Location: moscow(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if items := runDue(t, s2, at.Add(time.Minute)); len(items) != 0 {
		t.Fatalf("after restart: %+v", items)
	}
	if n := len(pending(t, s2)); n != 1 {
		t.Fatalf("%d pending after restart; want 1", n)
	}
	items = runDue(t, s2, week.Add(-2*time.Hour))
	if len(items) != 1 || items[0].Offset != 2*time.Hour || items[0].Messages != 1 {
		t.Fatalf("2 h reminder: %+v", items)
	}
}

func TestRemindersMoveOnUpdate(t *testing.T) {
	s, clk, _ := newDueStore(t)
	mustTeachers(t, s, 100)
	e := reminderEvent(t, s, week)
	mustRegister(t, s, e.ID, 100, clk.Now())
	clk.set(week.Add(-24 * time.Hour))
	if items := runDue(t, s, clk.Now()); len(items) != 1 || items[0].Messages != 1 {
		t.Fatalf("24 h reminder: %+v", items)
	}

	// Same start, another title: the sent reminder is not scheduled again.
	e.Title = "Семинар (новое название)"
	if _, err := s.UpdateEvent(context.Background(), e, nil, nil); err != nil {
		t.Fatal(err)
	}
	if got := dueIndex(t, s, e.ID); !slices.Equal(got, []string{
		dueLine(DueReminder, 2*time.Hour, week.Add(-2*time.Hour)), dueLine(DueFinish, 0, week.Add(FinishAfter)),
	}) {
		t.Fatalf("after a title change: %q", got)
	}

	// Two days later: the sent one is ahead again, so it is scheduled.
	later := week.Add(48 * time.Hour)
	e.Start = later
	if _, err := s.UpdateEvent(context.Background(), e, nil, nil); err != nil {
		t.Fatal(err)
	}
	if got := dueIndex(t, s, e.ID); !slices.Equal(got, []string{
		dueLine(DueReminder, 24*time.Hour, later.Add(-24*time.Hour)), dueLine(DueReminder, 2*time.Hour, later.Add(-2*time.Hour)),
		dueLine(DueFinish, 0, later.Add(FinishAfter)),
	}) {
		t.Fatalf("moved later: %q", got)
	}
	if items := runDue(t, s, week.Add(-2*time.Hour)); len(items) != 0 {
		t.Fatalf("at the old start's 2 h: %+v", items)
	}

	// Ten hours from now: the day-before one (already sent) is past, so it
	// is not sent again; the 2 h one is ahead.
	sooner := clk.Now().Add(10 * time.Hour)
	e.Start = sooner
	if _, err := s.UpdateEvent(context.Background(), e, nil, nil); err != nil {
		t.Fatal(err)
	}
	if got := dueIndex(t, s, e.ID); !slices.Equal(got, []string{
		dueLine(DueReminder, 2*time.Hour, sooner.Add(-2*time.Hour)), dueLine(DueFinish, 0, sooner.Add(FinishAfter)),
	}) {
		t.Fatalf("moved sooner: %q", got)
	}
	if items := runDue(t, s, sooner.Add(-2*time.Hour)); len(items) != 1 || items[0].Offset != 2*time.Hour {
		t.Fatalf("2 h reminder of the moved event: %+v", items)
	}
	if got := texts(t, s, "rem:"); len(got) != 2 {
		t.Fatalf("reminders = %q; want one a day before and one 2 h before", got)
	}
}

func TestRemindersDroppedOnCancel(t *testing.T) {
	s, clk, _ := newDueStore(t)
	mustTeachers(t, s, 100)
	e := reminderEvent(t, s, week)
	mustRegister(t, s, e.ID, 100, clk.Now())
	if _, _, err := s.CancelEvent(context.Background(), e.ID, nil); err != nil {
		t.Fatal(err)
	}
	if got := dueIndex(t, s, e.ID); len(got) != 0 {
		t.Fatalf("due index after cancel: %q", got)
	}
	if items := runDue(t, s, week.Add(time.Hour)); len(items) != 0 {
		t.Fatalf("items = %+v", items)
	}
}

func TestDraftsAndStatusHaveNoKeys(t *testing.T) {
	s, _, _ := newDueStore(t)
	e := testEvent("Черновик")
	e.Status = EventDraft
	e = mustCreateEvent(t, s, e)
	if got := dueIndex(t, s, e.ID); len(got) != 0 {
		t.Fatalf("draft: %q", got)
	}
	if _, err := s.PublishEvent(context.Background(), e.ID); err != nil {
		t.Fatal(err)
	}
	// The week-before reminder was already past when it was published:
	// pointless, so not scheduled.
	if got := dueIndex(t, s, e.ID); len(got) != 2 {
		t.Fatalf("published: %q; want the reminder still ahead and the finish", got)
	}
	if err := s.SetEventStatus(context.Background(), e.ID, EventFinished); err != nil {
		t.Fatal(err)
	}
	if got := dueIndex(t, s, e.ID); len(got) != 0 {
		t.Fatalf("finished: %q", got)
	}
}

func TestNoReminderForCancelledRegistration(t *testing.T) {
	s, clk, _ := newDueStore(t)
	mustTeachers(t, s, 100, 101)
	e := reminderEvent(t, s, week)
	mustRegister(t, s, e.ID, 100, clk.Now())
	mustRegister(t, s, e.ID, 101, clk.Now())
	if _, err := s.CancelRegistration(context.Background(), e.ID, 100, nil); err != nil {
		t.Fatal(err)
	}
	runDue(t, s, week.Add(-24*time.Hour))
	if got := recipients(pending(t, s)); !slices.Equal(got, []int64{101}) {
		t.Fatalf("reminded %v; want [101]", got)
	}
}

func TestPromotedGetsRemainingReminders(t *testing.T) {
	s, clk, _ := newDueStore(t)
	mustTeachers(t, s, 100, 101)
	e := testEvent("Олимпиада")
	e.Capacity, e.Reminders = 1, []time.Duration{24 * time.Hour, 2 * time.Hour}
	e = mustCreateEvent(t, s, e)
	mustRegister(t, s, e.ID, 100, clk.Now())
	if r := mustRegister(t, s, e.ID, 101, clk.Now()); r.State != RegWaitlist {
		t.Fatalf("101 is %s; want waitlisted", r.State)
	}
	runDue(t, s, week.Add(-24*time.Hour))
	clk.set(week.Add(-20 * time.Hour))
	if p, err := s.CancelRegistration(context.Background(), e.ID, 100, nil); err != nil || p == nil || p.UserID != 101 {
		t.Fatalf("CancelRegistration: %+v, %v; want 101 promoted", p, err)
	}
	runDue(t, s, week.Add(-2*time.Hour))
	want := []string{
		fmt.Sprintf("reminder %d 100 24h0m0s", e.ID),
		fmt.Sprintf("reminder %d 101 2h0m0s", e.ID),
	}
	if got := texts(t, s, "rem:"); !slices.Equal(got, want) {
		t.Fatalf("reminders = %q; want %q", got, want)
	}
}

func TestRemindersWhileDown(t *testing.T) {
	s, clk, _ := newDueStore(t)
	mustTeachers(t, s, 100)
	started := reminderEvent(t, s, week)
	ahead := reminderEvent(t, s, week.Add(2*time.Hour))
	mustRegister(t, s, started.ID, 100, clk.Now())
	mustRegister(t, s, ahead.ID, 100, clk.Now())

	// Down from before the first reminder until an hour after started's start.
	items := runDue(t, s, week.Add(time.Hour))
	var got []string
	for _, it := range items {
		got = append(got, fmt.Sprintf("%d %s skipped=%v messages=%d", it.EventID, it.Offset, it.Skipped, it.Messages))
	}
	want := []string{
		fmt.Sprintf("%d 24h0m0s skipped=true messages=0", started.ID),
		// Both of ahead's reminders are overdue: only the nearer one goes.
		fmt.Sprintf("%d 24h0m0s skipped=true messages=0", ahead.ID),
		fmt.Sprintf("%d 2h0m0s skipped=true messages=0", started.ID),
		fmt.Sprintf("%d 2h0m0s skipped=false messages=1", ahead.ID),
	}
	if !slices.Equal(got, want) {
		t.Fatalf("items:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if texts := texts(t, s, "rem:"); len(texts) != 1 || !strings.HasPrefix(texts[0], fmt.Sprintf("reminder %d ", ahead.ID)) {
		t.Fatalf("sent %q; want only the event not yet started", texts)
	}
	if items := runDue(t, s, week.Add(time.Hour)); len(items) != 0 {
		t.Fatalf("again: %+v", items)
	}
}

func TestRunDueLimit(t *testing.T) {
	s, _, _ := newDueStore(t)
	for range 3 {
		reminderEvent(t, s, week)
	}
	at := week.Add(-24 * time.Hour)
	for _, want := range []int{2, 1, 0} {
		items, err := s.RunDue(context.Background(), at, dueRenderer{}, 2)
		if err != nil || len(items) != want {
			t.Fatalf("RunDue(limit 2) = %d items, %v; want %d", len(items), err, want)
		}
	}
}

func TestDeadlineNotice(t *testing.T) {
	msk := moscow(t)
	s, clk, _ := newDueStore(t)
	mustTeachers(t, s, 100, 101, 102, 103, 106)
	quiet := User{ID: 103, ChatID: 103, Registered: true, Active: true, NoAnnouncements: true}
	mustPutUser(t, s, quiet)
	mustPutUser(t, s, User{ID: 104, ChatID: 104, Active: true})                    // onboarding not finished
	mustPutUser(t, s, User{ID: 105, ChatID: 105, Registered: true, Active: false}) // blocked the bot

	e := testEvent("Конкурс")
	e.Reminders, e.Capacity = nil, 1
	// 00:30 in Moscow is still the day before in UTC: the notice follows
	// the district's calendar.
	e.Deadline = time.Date(2025, time.September, 5, 0, 30, 0, 0, msk)
	e = mustCreateEvent(t, s, e)
	mustRegister(t, s, e.ID, 100, clk.Now()) // confirmed
	mustRegister(t, s, e.ID, 101, clk.Now()) // waitlisted
	mustRegister(t, s, e.ID, 102, clk.Now())
	if _, err := s.CancelRegistration(context.Background(), e.ID, 102, nil); err != nil { // cancelled: not signed up
		t.Fatal(err)
	}
	at := time.Date(2025, time.September, 4, 10, 0, 0, 0, msk)
	if got := dueIndex(t, s, e.ID); !slices.Contains(got, dueLine(DueDeadline, 0, at)) {
		t.Fatalf("due index %q has no deadline notice at %s", got, at)
	}
	if items := runDue(t, s, at.Add(-time.Nanosecond)); len(items) != 0 {
		t.Fatalf("early: %+v", items)
	}
	items := runDue(t, s, at)
	if len(items) != 1 || items[0].Kind != DueDeadline || !items[0].Due.Equal(at) || items[0].Messages != 2 {
		t.Fatalf("items = %+v", items)
	}
	out := pending(t, s)
	if got := recipients(out); !slices.Equal(got, []int64{102, 106}) {
		t.Fatalf("notified %v; want [102 106]", got)
	}
	if out[0].Origin != (Origin{Kind: OriginNotice, Key: fmt.Sprintf("deadline:%d", e.ID)}) {
		t.Errorf("origin = %+v", out[0].Origin)
	}

	// An edit after the notice does not send it again.
	clk.set(at.Add(time.Hour))
	e.Title = "Конкурс чтецов"
	if _, err := s.UpdateEvent(context.Background(), e, nil, nil); err != nil {
		t.Fatal(err)
	}
	if items := runDue(t, s, clk.Now()); len(items) != 0 {
		t.Fatalf("after an edit: %+v", items)
	}
}

func TestDeadlineNoticeLateAndPast(t *testing.T) {
	msk := moscow(t)
	s, clk, _ := newDueStore(t)
	mustTeachers(t, s, 100)
	// Published at 15:00 the day before the deadline: the notice is due at once.
	clk.set(time.Date(2025, time.September, 4, 15, 0, 0, 0, msk))
	e := testEvent("Фестиваль")
	e.Reminders, e.Deadline = nil, time.Date(2025, time.September, 5, 18, 0, 0, 0, msk)
	e = mustCreateEvent(t, s, e)
	if next, ok, _ := s.NextDue(context.Background()); !ok || next.After(clk.Now()) {
		t.Fatalf("NextDue = %s, %v; want due at once", next, ok)
	}
	if items := runDue(t, s, clk.Now()); len(items) != 1 || items[0].Messages != 1 {
		t.Fatalf("items = %+v", items)
	}

	// Published after the deadline: no notice at all.
	clk.set(time.Date(2025, time.September, 5, 19, 0, 0, 0, msk))
	late := mustCreateEvent(t, s, e)
	for _, line := range dueIndex(t, s, late.ID) {
		if line[0] == byte(DueDeadline) {
			t.Fatalf("deadline notice after the deadline: %q", line)
		}
	}
}

func TestFinish(t *testing.T) {
	s, _, _ := newDueStore(t)
	mustTeachers(t, s, 7) // the creator
	e := testEvent("Соревнования")
	e.Reminders = nil
	noEnd := mustCreateEvent(t, s, e)
	e.End = week.Add(30 * time.Minute)
	withEnd := mustCreateEvent(t, s, e)
	e.CreatedBy = 999 // not stored
	orphan := mustCreateEvent(t, s, e)

	items := runDue(t, s, week.Add(30*time.Minute))
	if len(items) != 2 || items[0].EventID != withEnd.ID || items[0].Messages != 1 || items[1].EventID != orphan.ID ||
		items[1].Messages != 0 || items[1].Skipped {
		t.Fatalf("at the end: %+v", items)
	}
	if got := mustEvent(t, s, withEnd.ID).Status; got != EventFinished {
		t.Fatalf("status %s; want finished", got)
	}
	if items := runDue(t, s, week.Add(FinishAfter-time.Nanosecond)); len(items) != 0 {
		t.Fatalf("before start+3h: %+v", items)
	}
	items = runDue(t, s, week.Add(FinishAfter))
	if len(items) != 1 || items[0].EventID != noEnd.ID || items[0].Kind != DueFinish {
		t.Fatalf("at start+3h: %+v", items)
	}
	if items := runDue(t, s, week.Add(48*time.Hour)); len(items) != 0 {
		t.Fatalf("again: %+v", items)
	}
	want := []string{
		fmt.Sprintf("finished %d 7 finished", withEnd.ID),
		fmt.Sprintf("finished %d 7 finished", noEnd.ID),
	}
	if got := texts(t, s, "finished:"); !slices.Equal(got, want) {
		t.Fatalf("notices %q; want %q", got, want)
	}
}

func TestRunDueSkipsEventNoLongerPublished(t *testing.T) {
	s, _, _ := newDueStore(t)
	e := reminderEvent(t, s, week)
	// Written behind the store's back (as a bug would): the key stays.
	err := s.DB().Update(func(tx *bolt.Tx) error {
		e.Status = EventCancelled
		return putJSON(tx.Bucket(bucketEvents), itob(e.ID), e)
	})
	if err != nil {
		t.Fatal(err)
	}
	items := runDue(t, s, week.Add(-24*time.Hour))
	if len(items) != 1 || !items[0].Skipped || items[0].Messages != 0 {
		t.Fatalf("items = %+v", items)
	}
}
