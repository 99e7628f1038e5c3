package storage

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// week is when test events start by default: a week after t0.
var week = t0.Add(7 * 24 * time.Hour)

// testEvent is a published individual event a week after t0.
func testEvent(title string) Event {
	return Event{
		Title: title, Kind: EventContest, Start: week, Place: "ЦРТДиЮ", Organisers: []int64{1},
		Unit: UnitIndividual, Status: EventPublished, CreatedBy: 7, Reminders: DefaultReminders(EventContest),
	}
}

func mustCreateEvent(t testing.TB, s *Store, e Event) Event {
	t.Helper()
	ensureOrgs(t, s, e.Organisers...)
	got, err := s.CreateEvent(context.Background(), e)
	if err != nil {
		t.Fatalf("CreateEvent(%q): %v", e.Title, err)
	}
	return got
}

// ensureOrgs creates the organisations ids that do not exist yet (the
// fixtures' events name organisers by id; CreateEvent refuses one that is
// not stored), through CreateOrganisation, whose ids come in sequence.
func ensureOrgs(t testing.TB, s *Store, ids ...int64) {
	t.Helper()
	ctx := context.Background()
	for _, id := range ids {
		if _, err := s.Organisation(ctx, id); err == nil {
			continue
		}
		for n := 1; ; n++ {
			got, err := s.CreateOrganisation(ctx, Organisation{Name: "Организация-фикстура " + strconv.FormatInt(id, 10) + "-" + strconv.Itoa(n), Kind: KindSchool})
			if err != nil {
				t.Fatalf("ensureOrgs(%d): %v", id, err)
			}
			if got == id {
				break
			}
			if got > id {
				t.Fatalf("ensureOrgs(%d): organisation ids are past it (%d)", id, got)
			}
		}
	}
}

func mustEvent(t testing.TB, s *Store, id int64) Event {
	t.Helper()
	e, err := s.Event(context.Background(), id)
	if err != nil {
		t.Fatalf("Event(%d): %v", id, err)
	}
	return e
}

// mustTeachers stores active teachers with the given ids (chat id = id).
func mustTeachers(t *testing.T, s *Store, ids ...int64) {
	t.Helper()
	for _, id := range ids {
		mustPutUser(t, s, User{ID: id, ChatID: id, FullName: fmt.Sprintf("Учитель %d", id), Lang: "ru", Registered: true, Active: true})
	}
}

func mustRegister(t testing.TB, s *Store, eventID, userID int64, now time.Time) Registration {
	t.Helper()
	r, err := s.Register(context.Background(), SignUp{EventID: eventID, UserID: userID}, now)
	if err != nil {
		t.Fatalf("Register(event %d, user %d): %v", eventID, userID, err)
	}
	return r
}

// notice is a Notify that names its kind, the user and the event's place.
func notice(kind string) Notify {
	return func(u User, e Event) Content {
		return Content{Text: fmt.Sprintf("%s user=%d event=%d place=%s", kind, u.ID, e.ID, e.Place)}
	}
}

// changeNotice is a ChangeNotify that says who, which event, and the place
// before and after.
func changeNotice(u User, before, after Event) Content {
	return Content{Text: fmt.Sprintf("change user=%d event=%d place=%s was=%s", u.ID, after.ID, after.Place, before.Place)}
}

func pending(t *testing.T, s *Store) []OutboxEntry {
	t.Helper()
	list, err := s.PendingOutbox(context.Background(), 0, 10_000)
	if err != nil {
		t.Fatal(err)
	}
	return list
}

// recipients returns the user ids of entries, sorted.
func recipients(list []OutboxEntry) []int64 {
	var ids []int64
	for _, e := range list {
		ids = append(ids, e.UserID)
	}
	slices.Sort(ids)
	return ids
}

func eventIDs(list []Event) []int64 {
	ids := []int64{}
	for _, e := range list {
		ids = append(ids, e.ID)
	}
	return ids
}

func TestCreateEvent(t *testing.T) {
	tests := []struct {
		name       string
		change     func(*Event)
		wantStatus EventStatus
		wantErr    bool
	}{
		{"published", func(*Event) {}, EventPublished, false},
		{"draft", func(e *Event) { e.Status = EventDraft }, EventDraft, false},
		{"empty status is a draft", func(e *Event) { e.Status = "" }, EventDraft, false},
		{"counters from the caller are ignored", func(e *Event) { e.Taken, e.Waiting = 5, 3 }, EventPublished, false},
		{"cancelled is refused", func(e *Event) { e.Status = EventCancelled }, "", true},
		{"unknown status is refused", func(e *Event) { e.Status = "open" }, "", true},
		{"no start is refused", func(e *Event) { e.Start = time.Time{} }, "", true},
		{"a made-up organiser is refused", func(e *Event) { e.Organisers = []int64{1, 999999} }, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			s, clk := newTestStore(t)
			ensureOrgs(t, s, 1)
			clk.Advance(time.Minute)
			in := testEvent("Безопасное колесо")
			in.Deadline = week.Add(-24 * time.Hour)
			in.Regulations = &Document{FileID: "f1", FileName: "положение.pdf"}
			tt.change(&in)
			got, err := s.CreateEvent(ctx, in)
			if tt.wantErr {
				if err == nil || !strings.HasPrefix(err.Error(), "storage: ") {
					t.Fatalf("CreateEvent = %+v, %v; want a storage error", got, err)
				}
				if d, _ := s.Drafts(ctx); len(d) != 0 {
					t.Errorf("a refused event was stored: %+v", d)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.ID != 1 || got.Status != tt.wantStatus || got.Taken != 0 || got.Waiting != 0 {
				t.Errorf("CreateEvent = %+v; want id 1, status %s, zero counters", got, tt.wantStatus)
			}
			if !got.CreatedAt.Equal(clk.Now()) || !got.UpdatedAt.Equal(clk.Now()) {
				t.Errorf("CreatedAt %v UpdatedAt %v; want %v", got.CreatedAt, got.UpdatedAt, clk.Now())
			}
			stored := mustEvent(t, s, got.ID)
			if stored.Title != in.Title || !stored.Start.Equal(in.Start) || !stored.Deadline.Equal(in.Deadline) ||
				stored.Regulations == nil || *stored.Regulations != *in.Regulations ||
				!slices.Equal(stored.Reminders, in.Reminders) || !slices.Equal(stored.Organisers, in.Organisers) ||
				stored.Status != tt.wantStatus || stored.CreatedBy != 7 {
				t.Errorf("Event(%d) = %+v; want what was created", got.ID, stored)
			}
			second := mustCreateEvent(t, s, testEvent("Второе"))
			if second.ID != 2 {
				t.Errorf("second event id = %d; want 2", second.ID)
			}
		})
	}
}

func TestEventMissIsErrNotFound(t *testing.T) {
	ctx := context.Background()
	s, _ := newTestStore(t)
	e := mustCreateEvent(t, s, testEvent("x"))
	mustTeachers(t, s, 1)
	mustRegister(t, s, e.ID, 1, t0)
	tests := []struct {
		name string
		call func() error
	}{
		{"Event", func() error { _, err := s.Event(ctx, 99); return err }},
		{"UpdateEvent", func() error { u := testEvent("y"); u.ID = 99; _, err := s.UpdateEvent(ctx, u, nil, nil); return err }},
		{"PublishEvent", func() error { _, err := s.PublishEvent(ctx, 99); return err }},
		{"CancelEvent", func() error { _, _, err := s.CancelEvent(ctx, 99, nil); return err }},
		{"SetEventStatus", func() error { return s.SetEventStatus(ctx, 99, EventFinished) }},
		{"Register", func() error { _, err := s.Register(ctx, SignUp{EventID: 99, UserID: 1}, t0); return err }},
		{"Registration unknown event", func() error { _, err := s.Registration(ctx, 99, 1); return err }},
		{"Registration unknown user", func() error { _, err := s.Registration(ctx, e.ID, 2); return err }},
		{"Participants", func() error { _, err := s.Participants(ctx, 99); return err }},
		{"SetAttendance", func() error { return s.SetAttendance(ctx, e.ID, 2, true) }},
		{"SetResult", func() error { return s.SetResult(ctx, e.ID, 2, ResultFirst, nil) }},
		{"AudienceRecipients", func() error {
			_, err := s.AudienceRecipients(ctx, Audience{Kind: AudienceEvent, EventID: 99}, 0)
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			if !errors.Is(err, ErrNotFound) || !strings.HasPrefix(err.Error(), "storage: ") {
				t.Fatalf("error = %v; want a storage error wrapping ErrNotFound", err)
			}
		})
	}
}

func TestPublishEvent(t *testing.T) {
	tests := []struct {
		name       string
		status     EventStatus
		wantStatus EventStatus
		wantUpdate bool
	}{
		{"draft is published", EventDraft, EventPublished, true},
		{"published stays", EventPublished, EventPublished, false},
		{"cancelled stays", EventCancelled, EventCancelled, false},
		{"finished stays", EventFinished, EventFinished, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			s, clk := newTestStore(t)
			in := testEvent("x")
			in.Status = EventDraft
			e := mustCreateEvent(t, s, in)
			if err := s.SetEventStatus(ctx, e.ID, tt.status); err != nil {
				t.Fatal(err)
			}
			before := mustEvent(t, s, e.ID)
			later := clk.Advance(time.Hour)
			got, err := s.PublishEvent(ctx, e.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Status != tt.wantStatus || mustEvent(t, s, e.ID).Status != tt.wantStatus {
				t.Errorf("status = %s; want %s", got.Status, tt.wantStatus)
			}
			wantUpdated := before.UpdatedAt
			if tt.wantUpdate {
				wantUpdated = later
			}
			if !got.UpdatedAt.Equal(wantUpdated) {
				t.Errorf("UpdatedAt = %v; want %v", got.UpdatedAt, wantUpdated)
			}
		})
	}
}

func TestSetEventStatus(t *testing.T) {
	tests := []struct {
		status  EventStatus
		wantErr bool
	}{
		{EventDraft, false}, {EventPublished, false}, {EventCancelled, false}, {EventFinished, false},
		{"", true}, {"archived", true},
	}
	for _, tt := range tests {
		t.Run(string(tt.status), func(t *testing.T) {
			s, _ := newTestStore(t)
			e := mustCreateEvent(t, s, testEvent("x"))
			err := s.SetEventStatus(context.Background(), e.ID, tt.status)
			if (err != nil) != tt.wantErr {
				t.Fatalf("SetEventStatus(%q) = %v; want error %v", tt.status, err, tt.wantErr)
			}
			want := tt.status
			if tt.wantErr {
				want = EventPublished
			}
			if got := mustEvent(t, s, e.ID).Status; got != want {
				t.Errorf("status = %s; want %s", got, want)
			}
		})
	}
}

func TestUpcomingEvents(t *testing.T) {
	ctx := context.Background()
	s, _ := newTestStore(t)
	// Created out of start order, so the index, not the id, gives the order.
	type spec struct {
		day    int
		kind   EventKind
		status EventStatus
	}
	specs := []spec{
		{5, EventContest, EventPublished},  // 1
		{1, EventSeminar, EventPublished},  // 2
		{3, EventContest, EventPublished},  // 3
		{2, EventContest, EventDraft},      // 4: draft
		{4, EventSeminar, EventPublished},  // 5
		{-1, EventContest, EventPublished}, // 6: past
		{6, EventContest, EventPublished},  // 7: cancelled below
		{3, EventSeminar, EventPublished},  // 8: same start as 3
		{9, EventContest, EventPublished},  // 9: finished below
	}
	for i, sp := range specs {
		e := testEvent(fmt.Sprintf("e%d", i+1))
		e.Start, e.Kind, e.Status = t0.Add(time.Duration(sp.day)*24*time.Hour), sp.kind, sp.status
		mustCreateEvent(t, s, e)
	}
	if _, _, err := s.CancelEvent(ctx, 7, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.SetEventStatus(ctx, 9, EventFinished); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name          string
		from          time.Time
		kind          EventKind
		offset, limit int
		want          []int64
		wantTotal     int
	}{
		{"all upcoming", t0, "", 0, 0, []int64{2, 3, 8, 5, 1}, 5},
		{"first page", t0, "", 0, 2, []int64{2, 3}, 5},
		{"second page", t0, "", 2, 2, []int64{8, 5}, 5},
		{"last page", t0, "", 4, 2, []int64{1}, 5},
		{"past the end", t0, "", 6, 2, []int64{}, 5},
		{"contests", t0, EventContest, 0, 5, []int64{3, 1}, 2},
		{"seminars page 2", t0, EventSeminar, 1, 1, []int64{8}, 3},
		{"no such kind", t0, EventCamp, 0, 5, []int64{}, 0},
		{"from the exact start is included", t0.Add(3 * 24 * time.Hour), "", 0, 5, []int64{3, 8, 5, 1}, 4},
		{"from just after a start", t0.Add(3*24*time.Hour + 1), "", 0, 5, []int64{5, 1}, 2},
		{"from the past includes the past", t0.Add(-48 * time.Hour), "", 0, 1, []int64{6}, 6},
		{"negative offset is zero", t0, "", -3, 1, []int64{2}, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, total, err := s.UpcomingEvents(ctx, tt.from, tt.kind, tt.offset, tt.limit)
			if err != nil {
				t.Fatal(err)
			}
			if ids := eventIDs(got); !slices.Equal(ids, tt.want) || total != tt.wantTotal {
				t.Errorf("UpcomingEvents = %v, %d; want %v, %d", ids, total, tt.want, tt.wantTotal)
			}
		})
	}
}

func TestDrafts(t *testing.T) {
	ctx := context.Background()
	s, clk := newTestStore(t)
	if d, err := s.Drafts(ctx); err != nil || len(d) != 0 {
		t.Fatalf("Drafts of an empty store = %v, %v", d, err)
	}
	for i, status := range []EventStatus{EventDraft, EventPublished, EventDraft, EventDraft} {
		e := testEvent(fmt.Sprintf("e%d", i+1))
		e.Status = status
		mustCreateEvent(t, s, e)
		clk.Advance(time.Minute)
	}
	if _, err := s.PublishEvent(ctx, 3); err != nil {
		t.Fatal(err)
	}
	d, err := s.Drafts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if ids := eventIDs(d); !slices.Equal(ids, []int64{4, 1}) {
		t.Errorf("Drafts = %v; want [4 1], newest first", ids)
	}
}

// signedUp stores teachers 1–6 and a published event with capacity 2 with
// users signed up in the order 1, 5, 2, 3, 6, 4, 7, then 5 cancelled (which
// promotes 2) and 4 made inactive; user 7 is not stored. So: 1 and 2
// confirmed, 3, 6, 4, 7 waitlisted in that order, 5 cancelled; the ones a
// message reaches are 1, 2, 3 and 6.
func signedUp(t *testing.T, s *Store, clk *testClock) Event {
	t.Helper()
	ctx := context.Background()
	mustTeachers(t, s, 1, 2, 3, 4, 5, 6)
	in := testEvent("Добрая дорога детства")
	in.Capacity = 2
	e := mustCreateEvent(t, s, in)
	for _, id := range []int64{1, 5, 2, 3, 6, 4, 7} {
		mustRegister(t, s, e.ID, id, clk.Advance(time.Minute))
	}
	// 5 was confirmed; cancelling promotes 2.
	if p, err := s.CancelRegistration(ctx, e.ID, 5, nil); err != nil || p == nil || p.UserID != 2 {
		t.Fatalf("CancelRegistration(5) = %+v, %v; want 2 promoted", p, err)
	}
	if err := s.SetUserActive(ctx, 4, false); err != nil {
		t.Fatal(err)
	}
	e = mustEvent(t, s, e.ID)
	if e.Taken != 2 || e.Waiting != 4 {
		t.Fatalf("Taken %d Waiting %d; want 2, 4", e.Taken, e.Waiting)
	}
	return e
}

func TestUpdateEvent(t *testing.T) {
	tests := []struct {
		name      string
		status    EventStatus
		change    func(*Event)
		wantNotes []int64 // users told
	}{
		{"title only tells nobody", EventPublished, func(e *Event) { e.Title = "Новое" }, nil},
		{"audience only tells nobody", EventPublished, func(e *Event) { e.Audience = "5–7 классы" }, nil},
		{"place", EventPublished, func(e *Event) { e.Place = "Школа №3" }, []int64{1, 2, 3, 6}},
		{"start", EventPublished, func(e *Event) { e.Start = e.Start.Add(time.Hour) }, []int64{1, 2, 3, 6}},
		{"end", EventPublished, func(e *Event) { e.End = e.Start.Add(3 * time.Hour) }, []int64{1, 2, 3, 6}},
		{"same start in another zone is no change", EventPublished, func(e *Event) {
			e.Start = e.Start.In(time.FixedZone("MSK", 3*3600))
		}, nil},
		{"finished event tells nobody", EventFinished, func(e *Event) { e.Place = "Школа №3" }, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			s, clk := newTestStore(t)
			e := signedUp(t, s, clk)
			if err := s.SetEventStatus(ctx, e.ID, tt.status); err != nil {
				t.Fatal(err)
			}
			before := pending(t, s)
			stored := mustEvent(t, s, e.ID)
			in := stored
			tt.change(&in)
			// Fields the caller may not change.
			in.CreatedBy, in.CreatedAt, in.Taken, in.Waiting, in.Status = 99, time.Time{}, 0, 0, EventDraft
			later := clk.Advance(time.Hour)
			res, err := s.UpdateEvent(ctx, in, changeNotice, notice("promote"))
			if err != nil {
				t.Fatal(err)
			}
			got := res.Event
			if n := res.Notified; n != len(tt.wantNotes) {
				t.Errorf("UpdateEvent told %d; want %d", n, len(tt.wantNotes))
			}
			if len(res.Promoted) != 0 || !res.Before.UpdatedAt.Equal(stored.UpdatedAt) || res.Before.Place != stored.Place {
				t.Errorf("UpdateEvent promoted %v, before %+v; want none and %+v", res.Promoted, res.Before, stored)
			}
			if got.CreatedBy != stored.CreatedBy || !got.CreatedAt.Equal(stored.CreatedAt) || got.Taken != stored.Taken ||
				got.Waiting != stored.Waiting || got.Status != stored.Status || !got.UpdatedAt.Equal(later) {
				t.Errorf("UpdateEvent = %+v; want kept fields of %+v and UpdatedAt %v", got, stored, later)
			}
			if again := mustEvent(t, s, e.ID); again.Title != in.Title || again.Place != in.Place || !again.Start.Equal(in.Start) ||
				again.Capacity != in.Capacity || again.Status != stored.Status {
				t.Errorf("stored %+v; want the edit", again)
			}
			notes := pending(t, s)[len(before):]
			if got := recipients(notes); !slices.Equal(got, tt.wantNotes) {
				t.Errorf("told %v; want %v", got, tt.wantNotes)
			}
			for _, m := range notes {
				want := fmt.Sprintf("change user=%d event=%d place=%s was=%s", m.UserID, e.ID, in.Place, stored.Place)
				if m.Origin != (Origin{Kind: OriginNotice, Key: fmt.Sprintf("change:%d", e.ID)}) || m.Content.Text != want || m.ChatID != m.UserID {
					t.Errorf("notice %+v; want origin change:%d and text %q", m, e.ID, want)
				}
			}
		})
	}
}

func TestUpdateEventMovesIndex(t *testing.T) {
	ctx := context.Background()
	s, _ := newTestStore(t)
	var ids []int64
	for i := range 3 {
		e := testEvent(fmt.Sprintf("e%d", i+1))
		e.Start = week.Add(time.Duration(i) * time.Hour)
		ids = append(ids, mustCreateEvent(t, s, e).ID)
	}
	upcoming := func() []int64 {
		t.Helper()
		list, total, err := s.UpcomingEvents(ctx, t0, "", 0, 10)
		if err != nil || total != 3 {
			t.Fatalf("UpcomingEvents = %v, %d, %v", list, total, err)
		}
		return eventIDs(list)
	}
	if got := upcoming(); !slices.Equal(got, ids) {
		t.Fatalf("before = %v; want %v", got, ids)
	}
	first := mustEvent(t, s, ids[0])
	first.Start = week.Add(10 * time.Hour)
	if _, err := s.UpdateEvent(ctx, first, nil, nil); err != nil {
		t.Fatal(err)
	}
	if got, want := upcoming(), []int64{ids[1], ids[2], ids[0]}; !slices.Equal(got, want) {
		t.Errorf("after moving the first later = %v; want %v", got, want)
	}
	// Moved into the past: no longer upcoming from a week ahead.
	first.Start = t0.Add(time.Hour)
	if _, err := s.UpdateEvent(ctx, first, nil, nil); err != nil {
		t.Fatal(err)
	}
	list, total, err := s.UpcomingEvents(ctx, week, "", 0, 10)
	if err != nil || total != 2 || !slices.Equal(eventIDs(list), ids[1:]) {
		t.Errorf("from a week = %v, %d, %v; want %v", eventIDs(list), total, err, ids[1:])
	}
	// Exactly one index key per event.
	if n := bucketLen(t, s, bucketEventsByStart); n != 3 {
		t.Errorf("events_by_start holds %d keys; want 3", n)
	}
	first.Start = time.Time{}
	if _, err := s.UpdateEvent(ctx, first, nil, nil); err == nil {
		t.Error("UpdateEvent with no start succeeded")
	}
}

func TestCancelEvent(t *testing.T) {
	ctx := context.Background()
	s, clk := newTestStore(t)
	e := signedUp(t, s, clk)
	before := len(pending(t, s))
	got, n, err := s.CancelEvent(ctx, e.ID, notice("cancel"))
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != EventCancelled || mustEvent(t, s, e.ID).Status != EventCancelled {
		t.Errorf("status = %s; want cancelled", got.Status)
	}
	notes := pending(t, s)[before:]
	if want := []int64{1, 2, 3, 6}; n != len(want) || !slices.Equal(recipients(notes), want) {
		t.Errorf("told %d: %v; want %v", n, recipients(notes), want)
	}
	for _, m := range notes {
		if m.Origin.Key != fmt.Sprintf("cancel:%d", e.ID) || !strings.HasPrefix(m.Content.Text, "cancel ") {
			t.Errorf("notice %+v", m)
		}
	}
	select {
	case <-s.Enqueued():
	default:
		t.Error("no Enqueued signal after CancelEvent")
	}
	// Registrations keep their state for reports.
	for id, want := range map[int64]RegistrationState{1: RegConfirmed, 2: RegConfirmed, 3: RegWaitlist, 5: RegCancelled} {
		if r, err := s.Registration(ctx, e.ID, id); err != nil || r.State != want {
			t.Errorf("Registration(user %d) = %s, %v; want %s", id, r.State, err, want)
		}
	}
	// A second cancel (a double tap) tells nobody again.
	if _, n, err := s.CancelEvent(ctx, e.ID, notice("cancel")); err != nil || n != 0 {
		t.Errorf("second CancelEvent told %d, %v; want 0", n, err)
	}
	if _, err := s.Register(ctx, SignUp{EventID: e.ID, UserID: 5}, clk.Now()); !errors.Is(err, ErrSignUpClosed) {
		t.Errorf("Register for a cancelled event = %v; want ErrSignUpClosed", err)
	}
}

func TestAudienceEvent(t *testing.T) {
	ctx := context.Background()
	s, clk := newTestStore(t)
	e := signedUp(t, s, clk)
	// Turning announcements off does not stop news of one's own sign-up.
	u := mustUser(t, s, 3)
	u.NoAnnouncements = true
	mustPutUser(t, s, u)
	other := mustCreateEvent(t, s, testEvent("другое"))
	mustRegister(t, s, other.ID, 5, clk.Now())

	tests := []struct {
		name    string
		exclude int64
		want    []int64
	}{
		{"everyone", 0, []int64{1, 2, 3, 6}},
		{"author excluded", 6, []int64{1, 2, 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			list, err := s.AudienceRecipients(ctx, Audience{Kind: AudienceEvent, EventID: e.ID}, tt.exclude)
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for _, r := range list {
				if r.ChatID != r.UserID {
					t.Errorf("recipient %+v: chat is not the user's", r)
				}
				ids = append(ids, r.UserID)
			}
			slices.Sort(ids)
			if !slices.Equal(ids, tt.want) {
				t.Errorf("recipients = %v; want %v", ids, tt.want)
			}
		})
	}
}

// bucketLen counts the keys of a bucket.
func bucketLen(t *testing.T, s *Store, name []byte) int {
	t.Helper()
	n := 0
	err := s.DB().View(func(tx *bolt.Tx) error {
		n = tx.Bucket(name).Stats().KeyN
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}
