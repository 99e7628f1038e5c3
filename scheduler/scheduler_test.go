package scheduler_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"vmeste/scheduler"
	"vmeste/storage"
)

// clock is an injected clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.now = t }

// messages renders plain markers, so tests can tell the kinds apart.
type messages struct{}

func (messages) Reminder(u storage.User, e storage.Event, offset time.Duration) storage.Content {
	return storage.Content{Text: fmt.Sprintf("reminder %d %v", e.ID, offset)}
}
func (messages) DeadlineNotice(u storage.User, e storage.Event) storage.Content {
	return storage.Content{Text: fmt.Sprintf("deadline %d", e.ID)}
}
func (messages) Finished(u storage.User, e storage.Event) storage.Content {
	return storage.Content{Text: fmt.Sprintf("finished %d", e.ID)}
}
func (messages) Digest(u storage.User, events []storage.Event, from time.Time) (storage.Content, bool) {
	return storage.Content{Text: fmt.Sprintf("digest %d", len(events))}, len(events) > 0
}
func (messages) Summary(u storage.User, items []storage.SummaryItem) storage.Content {
	n := 0
	for _, it := range items {
		n += it.NewSignups
	}
	return storage.Content{Text: fmt.Sprintf("summary %d", n)}
}

func (messages) BroadcastStatus(b storage.Broadcast) string {
	return fmt.Sprintf("status #%d %s: sent %d of %d, failed %d, left %d", b.ID, b.State, b.Sent, b.Total, b.Failed+b.Skipped, b.Left())
}

func (messages) BroadcastReport(b storage.Broadcast, undelivered []storage.Undelivered) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "report #%d: sent %d of %d", b.ID, b.Sent, b.Total)
	for _, u := range undelivered {
		fmt.Fprintf(&sb, "\n%d %q %q %s", u.UserID, u.FullName, u.Title, u.Reason)
	}
	return sb.String()
}

var moscow = func() *time.Location {
	l, err := time.LoadLocation("Europe/Moscow")
	if err != nil {
		panic(err)
	}
	return l
}()

type env struct {
	t     *testing.T
	store *storage.Store
	clock *clock
	sched *scheduler.Scheduler
	org   int64
}

func newEnv(t *testing.T) *env {
	t.Helper()
	c := &clock{now: time.Date(2027, time.March, 1, 9, 0, 0, 0, moscow)}
	store, err := storage.Open(filepath.Join(t.TempDir(), "v.db"), storage.Options{Now: c.Now, Location: moscow})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	sched, err := scheduler.New(store, messages{}, scheduler.Config{Location: moscow, Tick: time.Second,
		Digest: "0 9 * * 1", Summary: "0 18 * * *", Backup: "0 3 * * *", BackupDir: filepath.Join(t.TempDir(), "b"),
		Now: c.Now, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	org, err := store.CreateOrganisation(context.Background(), storage.Organisation{Name: "СОШ №1", Kind: storage.KindSchool})
	if err != nil {
		t.Fatal(err)
	}
	return &env{t: t, store: store, clock: c, sched: sched, org: org}
}

func (e *env) users(first int64, n int, role storage.Role) []int64 {
	e.t.Helper()
	var ids []int64
	for i := 0; i < n; i++ {
		id := first + int64(i)
		if err := e.store.PutUser(context.Background(), storage.User{ID: id, ChatID: id, FullName: "Педагог", OrgID: e.org,
			Role: role, Lang: "ru", Registered: true, Active: true}); err != nil {
			e.t.Fatal(err)
		}
		ids = append(ids, id)
	}
	return ids
}

func (e *env) event(edit func(*storage.Event)) storage.Event {
	e.t.Helper()
	ev := storage.Event{Title: "Безопасное колесо", Kind: storage.EventContest, Start: time.Date(2027, time.March, 15, 10, 0, 0, 0, moscow),
		Place: "Стадион", Organisers: []int64{e.org}, Unit: storage.UnitIndividual, Status: storage.EventPublished,
		Reminders: []time.Duration{7 * 24 * time.Hour, 24 * time.Hour}, CreatedBy: 900}
	if edit != nil {
		edit(&ev)
	}
	ev, err := e.store.CreateEvent(context.Background(), ev)
	if err != nil {
		e.t.Fatal(err)
	}
	return ev
}

func (e *env) signUp(ev storage.Event, users ...int64) {
	e.t.Helper()
	for _, u := range users {
		if _, err := e.store.Register(context.Background(), storage.SignUp{EventID: ev.ID, UserID: u}, e.clock.Now()); err != nil {
			e.t.Fatal(err)
		}
	}
}

// at moves the clock to t and ticks; it returns "chat: text" of the outbox
// entries the tick added.
func (e *env) at(t time.Time) []string {
	e.t.Helper()
	before := e.outbox()
	e.clock.set(t)
	e.sched.Tick(context.Background())
	after := e.outbox()
	return after[len(before):]
}

func (e *env) outbox() []string {
	e.t.Helper()
	entries, err := e.store.PendingOutbox(context.Background(), 0, 1_000_000)
	if err != nil {
		e.t.Fatal(err)
	}
	var out []string
	for _, en := range entries {
		out = append(out, fmt.Sprintf("%d: %s", en.ChatID, en.Content.Text))
	}
	return out
}

func same(t *testing.T, what string, got []string, want ...string) {
	t.Helper()
	sort.Strings(got)
	sort.Strings(want)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("%s: got %q, want %q", what, got, want)
	}
}

func TestRemindersAtTheExactOffsets(t *testing.T) {
	e := newEnv(t)
	ev := e.event(nil)
	users := e.users(100, 2, storage.RoleTeacher)
	e.signUp(ev, users...)
	week := ev.Start.Add(-7 * 24 * time.Hour)
	same(t, "a nanosecond early", e.at(week.Add(-time.Nanosecond)))
	r7 := fmt.Sprintf("reminder %d 168h0m0s", ev.ID)
	same(t, "7 days before", e.at(week), "100: "+r7, "101: "+r7)
	same(t, "again", e.at(week.Add(time.Minute)))
	r1 := fmt.Sprintf("reminder %d 24h0m0s", ev.ID)
	same(t, "1 day before", e.at(ev.Start.Add(-24*time.Hour)), "100: "+r1, "101: "+r1)
	same(t, "at the start", e.at(ev.Start))
}

func TestRemindersMoveWithTheEventAndStopWithIt(t *testing.T) {
	e := newEnv(t)
	ev := e.event(func(x *storage.Event) { x.Reminders = []time.Duration{24 * time.Hour} })
	users := e.users(100, 1, storage.RoleTeacher)
	e.signUp(ev, users...)
	moved := ev
	moved.Start = ev.Start.Add(48 * time.Hour)
	if _, err := e.store.UpdateEvent(context.Background(), moved, nil, nil); err != nil {
		t.Fatal(err)
	}
	same(t, "the old due time", e.at(ev.Start.Add(-24*time.Hour)))
	same(t, "the new due time", e.at(moved.Start.Add(-24*time.Hour)), fmt.Sprintf("100: reminder %d 24h0m0s", ev.ID))

	other := e.event(func(x *storage.Event) {
		x.Start = moved.Start.Add(24 * time.Hour)
		x.Reminders = []time.Duration{time.Hour}
	})
	e.signUp(other, users...)
	if _, _, err := e.store.CancelEvent(context.Background(), other.ID, nil); err != nil {
		t.Fatal(err)
	}
	same(t, "a cancelled event", e.at(other.Start.Add(-time.Hour)))
}

func TestNoReminderAfterCancellingAndTheRestForThePromoted(t *testing.T) {
	e := newEnv(t)
	ev := e.event(func(x *storage.Event) { x.Capacity = 1 })
	users := e.users(100, 2, storage.RoleTeacher)
	e.signUp(ev, users...) // 100 confirmed, 101 waitlisted
	r7 := fmt.Sprintf("reminder %d 168h0m0s", ev.ID)
	same(t, "7 days before", e.at(ev.Start.Add(-7*24*time.Hour)), "100: "+r7)
	if _, err := e.store.CancelRegistration(context.Background(), ev.ID, 100, nil); err != nil {
		t.Fatal(err)
	}
	r1 := fmt.Sprintf("reminder %d 24h0m0s", ev.ID)
	same(t, "1 day before: only the promoted teacher", e.at(ev.Start.Add(-24*time.Hour)), "101: "+r1)
}

func TestDeadlineNoticeOnlyToThoseNotSignedUp(t *testing.T) {
	e := newEnv(t)
	deadline := time.Date(2027, time.March, 10, 18, 0, 0, 0, moscow)
	ev := e.event(func(x *storage.Event) { x.Deadline = deadline; x.Reminders = nil })
	users := e.users(100, 3, storage.RoleTeacher)
	e.signUp(ev, users[0])
	quiet := e.users(200, 1, storage.RoleTeacher)[0]
	u, _ := e.store.User(context.Background(), quiet)
	u.NoAnnouncements = true
	if err := e.store.PutUser(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	tenDayBefore := time.Date(2027, time.March, 9, 10, 0, 0, 0, moscow)
	same(t, "before 10:00 the day before", e.at(tenDayBefore.Add(-time.Minute)))
	d := fmt.Sprintf("deadline %d", ev.ID)
	same(t, "10:00 the day before", e.at(tenDayBefore), "101: "+d, "102: "+d)
	same(t, "once", e.at(tenDayBefore.Add(time.Hour)))
}

func TestFinishedEventAsksItsCoordinator(t *testing.T) {
	e := newEnv(t)
	coordinator := e.users(900, 1, storage.RoleCoordinator)[0]
	ev := e.event(func(x *storage.Event) { x.Reminders = nil })
	same(t, "before the end", e.at(ev.Start.Add(storage.FinishAfter-time.Second)))
	same(t, "three hours after the start", e.at(ev.Start.Add(storage.FinishAfter)), fmt.Sprintf("%d: finished %d", coordinator, ev.ID))
	got, _ := e.store.Event(context.Background(), ev.ID)
	if got.Status != storage.EventFinished {
		t.Errorf("status %s, want finished", got.Status)
	}
}

func TestDigestAndSummaryGoOnlyToWhomTheyShould(t *testing.T) {
	e := newEnv(t)
	coordinator := e.users(900, 1, storage.RoleCoordinator)[0]
	teachers := e.users(100, 3, storage.RoleTeacher)
	u, _ := e.store.User(context.Background(), teachers[2])
	u.NoDigest = true
	if err := e.store.PutUser(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	monday := time.Date(2027, time.March, 8, 9, 0, 0, 0, moscow)
	e.clock.set(monday.Add(-48 * time.Hour))
	ev := e.event(func(x *storage.Event) { x.Start = monday.Add(72 * time.Hour); x.CreatedBy = coordinator })
	e.event(func(x *storage.Event) { x.Start = monday.Add(10 * 24 * time.Hour) }) // next week: not in the digest

	e.clock.set(monday)
	before := len(e.outbox())
	e.sched.SendDigest(context.Background())
	e.sched.SendDigest(context.Background()) // twice in one period: once
	got := e.outbox()[before:]
	same(t, "digest", got, "100: digest 1", "101: digest 1", fmt.Sprintf("%d: digest 1", coordinator))

	e.clock.set(monday.Add(2 * time.Hour))
	e.signUp(ev, teachers[0], teachers[1])
	e.clock.set(monday.Add(9 * time.Hour)) // 18:00
	before = len(e.outbox())
	e.sched.SendSummaries(context.Background())
	same(t, "summary", e.outbox()[before:], fmt.Sprintf("%d: summary 2", coordinator))
	e.clock.set(monday.Add(33 * time.Hour)) // next day, 18:00: no new sign-ups
	before = len(e.outbox())
	e.sched.SendSummaries(context.Background())
	same(t, "a day without sign-ups", e.outbox()[before:])
}

func TestBadCronSpecsAreRefused(t *testing.T) {
	store, err := storage.Open(filepath.Join(t.TempDir(), "v.db"), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	for _, tc := range []struct {
		cfg     scheduler.Config
		setting string
	}{
		{scheduler.Config{Tick: time.Second, Digest: "every monday", Summary: "0 18 * * *", Backup: "0 3 * * *"}, "digest"},
		{scheduler.Config{Tick: time.Second, Digest: "0 9 * * 1", Summary: "0 18 * * *", Backup: "61 3 * * *"}, "backup"},
		{scheduler.Config{Tick: time.Millisecond, Digest: "0 9 * * 1", Summary: "0 18 * * *", Backup: "0 3 * * *"}, "tick"},
	} {
		_, err := scheduler.New(store, messages{}, tc.cfg)
		se, ok := err.(*scheduler.SettingError)
		if !ok || se.Setting != tc.setting {
			t.Errorf("%+v: error %v, want a SettingError for %s", tc.cfg, err, tc.setting)
		}
	}
}

func TestMissedDigestAndSummaryAreCaughtUpOnce(t *testing.T) {
	e := newEnv(t)
	coordinator := e.users(900, 1, storage.RoleCoordinator)[0]
	e.users(100, 2, storage.RoleTeacher)
	monday := time.Date(2027, time.March, 8, 9, 0, 0, 0, moscow)
	e.clock.set(monday.Add(-72 * time.Hour))
	ev := e.event(func(x *storage.Event) {
		x.Start = monday.Add(48 * time.Hour)
		x.CreatedBy = coordinator
		x.Reminders = nil
	})
	e.clock.set(monday.Add(-20 * time.Hour)) // Sunday 13:00: a sign-up
	e.signUp(ev, 100)

	e.clock.set(monday.Add(-14 * time.Hour)) // Sunday 19:00: Sunday's 18:00 summary was missed
	before := len(e.outbox())
	e.sched.CatchUp(context.Background())
	same(t, "Sunday's summary caught up", e.outbox()[before:], fmt.Sprintf("%d: summary 1", coordinator))

	e.clock.set(monday.Add(5 * time.Hour)) // Monday 14:00: the 09:00 digest was missed
	before = len(e.outbox())
	e.sched.CatchUp(context.Background())
	same(t, "Monday's digest caught up", e.outbox()[before:], "100: digest 1", "101: digest 1", fmt.Sprintf("%d: digest 1", coordinator))
	before = len(e.outbox())
	e.sched.CatchUp(context.Background()) // a second start
	e.sched.SendDigest(context.Background())
	same(t, "nothing twice", e.outbox()[before:])

	e.clock.set(monday.Add(4 * 24 * time.Hour)) // Friday: Monday's is too old to send late
	before = len(e.outbox())
	e.sched.CatchUp(context.Background())
	for _, m := range e.outbox()[before:] {
		if strings.Contains(m, "digest") {
			t.Errorf("a stale digest was sent: %s", m)
		}
	}
}
