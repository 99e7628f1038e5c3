package storage

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// The person forgotten in these tests, and what they entered.
const (
	forgottenID    = int64(777000123)
	forgottenName  = "Забываемая Анна Сергеевна"
	forgottenPhone = "+79287770011"
	forgottenNick  = "@zabyvaemaya"
	forgottenShort = "Забываемая А. С."
	forgottenWork  = "AgADwork-of-the-forgotten"
	erased         = "участник удалил данные"
)

var forgottenPupils = []string{"Пупкин Василий", "Сидорова Ольга"}

// personalTraces walks every bucket of the database, nested ones too, and
// returns where the person's name, phone, pupils' names or @username
// appear, or their Telegram id: as a decimal number in a value, or as an
// 8-byte big-endian key part anywhere.
func personalTraces(t *testing.T, db *bolt.DB, id int64, texts ...string) []string {
	t.Helper()
	decimal := regexp.MustCompile(`(^|[^0-9])` + strconv.FormatInt(id, 10) + `([^0-9]|$)`)
	binID := itob(id)
	var found []string
	var walk func(path string, b *bolt.Bucket) error
	walk = func(path string, b *bolt.Bucket) error {
		return b.ForEach(func(k, v []byte) error {
			where := fmt.Sprintf("%s/%x", path, k)
			if v == nil {
				if nested := b.Bucket(k); nested != nil {
					return walk(where, nested)
				}
			}
			for _, s := range texts {
				if bytes.Contains(k, []byte(s)) || bytes.Contains(v, []byte(s)) {
					found = append(found, fmt.Sprintf("%s holds %q: %s", where, s, v))
				}
			}
			if decimal.Match(v) {
				found = append(found, fmt.Sprintf("%s holds the id: %s", where, v))
			}
			if bytes.Contains(k, binID) || bytes.Contains(v, binID) {
				found = append(found, where+" holds the id as a key part")
			}
			return nil
		})
	}
	err := db.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, b *bolt.Bucket) error { return walk(string(name), b) })
	})
	if err != nil {
		t.Fatal(err)
	}
	return found
}

// reportCounts are the anonymous figures a report reads from the
// registrations of events: per event the registrations in each state, the
// pupils of confirmed teams, attendance and results; per organisation
// (the registration's, else its user's) the registrations in each state
// and the distinct teachers who took part.
func reportCounts(t *testing.T, s *Store, events ...int64) map[string]int {
	t.Helper()
	counts := map[string]int{}
	teachers := map[string]bool{}
	err := s.DB().View(func(tx *bolt.Tx) error {
		users := tx.Bucket(bucketUsers)
		for _, id := range events {
			if err := forEventRegs(tx, id, func(r Registration) error {
				org := r.OrgID
				if org == 0 {
					var u User
					if err := getJSON(users, itob(r.UserID), &u); err == nil {
						org = u.OrgID
					}
				}
				counts[fmt.Sprintf("event %d %s", id, r.State)]++
				counts[fmt.Sprintf("org %d %s", org, r.State)]++
				if r.State == RegConfirmed {
					counts[fmt.Sprintf("event %d pupils", id)] += r.TeamSize
					counts[fmt.Sprintf("org %d pupils", org)] += r.TeamSize
					teachers[fmt.Sprintf("org %d teacher %d", org, r.UserID)] = true
				}
				if r.Attended != nil && *r.Attended {
					counts[fmt.Sprintf("event %d attended", id)]++
				}
				if r.Result != "" {
					counts[fmt.Sprintf("event %d result %s", id, r.Result)]++
				}
				return nil
			}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for k := range teachers {
		org, _, _ := strings.Cut(k, " teacher")
		counts[org+" teachers"]++
	}
	return counts
}

func sameCounts(t *testing.T, before, after map[string]int) {
	t.Helper()
	for k, v := range before {
		if after[k] != v {
			t.Errorf("%s: %d before, %d after", k, v, after[k])
		}
	}
	for k, v := range after {
		if _, ok := before[k]; !ok {
			t.Errorf("%s: new figure %d", k, v)
		}
	}
}

// forgetFixture is a district where the forgotten person took part in a
// past contest with two pupils, holds a seat and a place in line at two
// upcoming events, answered for consent, asked for a missing organisation,
// became a coordinator by an invitation, sent a broadcast, authored a
// cancelled event, is in a wizard with a parked draft, has an update in
// the inbox and appears in a coordinator's summary.
type forgetFixture struct {
	s                 *Store
	clk               *testClock
	orgA, orgB        int64
	past, seat, line  Event
	cancelledByPerson Event
	summary, toPerson int64 // outbox entries
}

const (
	otherA = int64(101) // a teacher of org A
	otherB = int64(102) // a teacher of org B
	coord  = int64(201) // a coordinator of org B
)

func newForgetFixture(t *testing.T) *forgetFixture {
	t.Helper()
	ctx := context.Background()
	s, clk := newTestStore(t)
	f := &forgetFixture{s: s, clk: clk}
	f.orgA, f.orgB = mustCreateOrg(t, s, "Школа А"), mustCreateOrg(t, s, "Школа Б")
	mustPutUser(t, s, User{ID: forgottenID, ChatID: forgottenID, FullName: forgottenName, OrgID: f.orgA, Position: "Учитель", Role: RoleTeacher, Registered: true, Active: true, Lang: "ru"})
	mustPutUser(t, s, User{ID: otherA, ChatID: otherA, FullName: "Другая Учительница", OrgID: f.orgA, Role: RoleTeacher, Registered: true, Active: true})
	mustPutUser(t, s, User{ID: otherB, ChatID: otherB, FullName: "Третий Учитель", OrgID: f.orgB, Role: RoleTeacher, Registered: true, Active: true})
	mustPutUser(t, s, User{ID: coord, ChatID: coord, FullName: "Координатор Района", OrgID: f.orgB, Role: RoleCoordinator, Registered: true, Active: true})
	if err := s.SetConsent(ctx, forgottenID, Consent{Version: "v1", Given: true, At: t0}); err != nil {
		t.Fatal(err)
	}

	// The past team contest with a form: the person's two pupils and phone.
	past := testEvent("Добрая дорога детства")
	past.Unit, past.MaxTeam, past.CreatedBy, past.Organisers = UnitTeam, 5, coord, []int64{f.orgB}
	past.Form = Form{Pupils: true, Phone: NeedRequired, Works: &WorksSpec{MaxFiles: 3}}
	f.past = mustCreateEvent(t, s, past)
	app := &Application{Phone: forgottenPhone, ParentsConsentAt: t0,
		Works: []Work{{FileID: forgottenWork, FileUniqueID: "w1", Kind: WorkPhoto, FileName: "рисунок.jpg"}}}
	for _, n := range forgottenPupils {
		app.Pupils = append(app.Pupils, Pupil{Name: n, Class: "5Б"})
	}
	mustSignUp(t, s, SignUp{EventID: f.past.ID, UserID: forgottenID, Application: app}, t0)
	mustSignUp(t, s, SignUp{EventID: f.past.ID, UserID: otherA, Application: &Application{Phone: "+70000000000", ParentsConsentAt: t0,
		Pupils: []Pupil{{Name: "Чужой Ученик", Class: "3А"}}}}, t0)

	// Two upcoming events of one seat: the person holds the seat of one
	// (otherB waits behind), and waits behind otherA at the other.
	seat := testEvent("Безопасное колесо")
	seat.Start, seat.Capacity, seat.CreatedBy = week.Add(30*24*time.Hour), 1, coord
	f.seat = mustCreateEvent(t, s, seat)
	mustSignUp(t, s, SignUp{EventID: f.seat.ID, UserID: forgottenID}, t0)
	mustSignUp(t, s, SignUp{EventID: f.seat.ID, UserID: otherB}, t0.Add(time.Minute))
	line := testEvent("Солдаты Победы")
	line.Start, line.Capacity, line.CreatedBy = week.Add(31*24*time.Hour), 1, coord
	f.line = mustCreateEvent(t, s, line)
	mustSignUp(t, s, SignUp{EventID: f.line.ID, UserID: otherA}, t0)
	mustSignUp(t, s, SignUp{EventID: f.line.ID, UserID: forgottenID}, t0.Add(time.Minute))

	// An organisation request; an invitation that made them a coordinator.
	if _, err := s.CreateOrgRequest(ctx, OrgRequest{UserID: forgottenID, Name: "МКОУ СОШ №7", Contact: forgottenNick},
		Conversation{Flow: "onboarding", Step: "org_wait"}, func(r OrgRequest) []OutboxEntry {
			return []OutboxEntry{{ChatID: 1000, UserID: 1000, Content: Content{Text: "Запрос: МКОУ СОШ №7 от " + forgottenName + " (" + forgottenNick + ")"}}}
		}); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateInvite(ctx, Invite{Code: "abc", CreatedBy: 1000, CreatedAt: t0, ExpiresAt: week}); err != nil {
		t.Fatal(err)
	}
	if err := s.RedeemInvite(ctx, "abc", forgottenID); err != nil {
		t.Fatal(err)
	}
	// A broadcast of theirs, delivered, signed with their name.
	b, err := s.CreateBroadcastFor(ctx, Broadcast{AuthorID: forgottenID, AuthorChat: forgottenID, SourceChat: forgottenID, SourceMessage: 5,
		Preview: "Коллеги, " + forgottenName + " приглашает"}, []Recipient{{ChatID: otherA, UserID: otherA}},
		func(User) Content {
			return Content{CopyFromChat: forgottenID, CopyMessageID: 5, Text: "Объявление\n— <i>" + forgottenName + "</i>"}
		})
	if err != nil {
		t.Fatal(err)
	}
	entries, err := s.BroadcastEntries(ctx, b.ID)
	if err != nil || len(entries) != 1 {
		t.Fatalf("broadcast entries: %v, %v", entries, err)
	}
	if err := s.CompleteOutbox(ctx, entries[0].ID, Outcome{State: OutboxSent, MessageID: 9}); err != nil {
		t.Fatal(err)
	}
	// An event they authored and cancelled.
	mine := testEvent("Школа безопасности")
	mine.CreatedBy, mine.Description = forgottenID, "Контакт: "+forgottenName+", "+forgottenPhone
	f.cancelledByPerson = mustCreateEvent(t, s, mine)
	if _, _, err := s.CancelEvent(ctx, f.cancelledByPerson.ID, nil); err != nil {
		t.Fatal(err)
	}
	// A coordinator's summary that names them, with a link to their
	// profile; a notice to them, still pending.
	if err := s.Enqueue(ctx, []OutboxEntry{
		{ChatID: coord, UserID: coord, Content: Content{Text: fmt.Sprintf(`Новые заявки: <a href="tg://user?id=%d">%s</a>, тел. %s; ученики: %s`,
			forgottenID, forgottenName, forgottenPhone, strings.Join(forgottenPupils, ", "))}},
		{ChatID: forgottenID, UserID: forgottenID, Content: Content{Text: "Напоминание для " + forgottenName}},
		// The coordinator's albums of works: one all hers, one shared.
		{ChatID: coord, UserID: coord, Content: Content{Media: []Media{{Kind: WorkPhoto, FileID: forgottenWork, Caption: "Школа А · " + forgottenShort + " · 1 файл"}}}},
		{ChatID: coord, UserID: coord, Content: Content{Media: []Media{
			{Kind: WorkPhoto, FileID: forgottenWork, Caption: "Школа А · " + forgottenShort + " · 1 файл"},
			{Kind: WorkPhoto, FileID: "AgADother", Caption: "Школа А · Другая У. · 1 файл"}}}},
	}); err != nil {
		t.Fatal(err)
	}
	pending, err := s.PendingOutbox(ctx, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range pending {
		switch e.UserID {
		case coord:
			if f.summary == 0 {
				f.summary = e.ID
			}
		case forgottenID:
			f.toPerson = e.ID
		}
	}
	// A wizard, a parked draft, an update not yet handled.
	if _, err := s.ParkConversation(ctx, forgottenID, Conversation{Flow: "event", Step: "title", Data: []byte(`{"title":"Черновик"}`)}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutConversation(ctx, forgottenID, Conversation{Flow: "profile", Step: "name"}); err != nil {
		t.Fatal(err)
	}
	update := fmt.Sprintf(`{"update_id":77,"message":{"message_id":3,"from":{"id":%d,"first_name":"Анна"},"chat":{"id":%d,"type":"private"},"text":"/forget"}}`, forgottenID, forgottenID)
	if err := s.SaveUpdates(ctx, []InboxUpdate{{ID: 77, Data: []byte(update)}, {ID: 78, Data: []byte(`{"update_id":78,"message":{"from":{"id":101},"chat":{"id":101},"text":"x"}}`)}}); err != nil {
		t.Fatal(err)
	}

	// The contest takes place; the person's team came and won.
	clk.Advance(7*24*time.Hour + 2*time.Hour)
	if err := s.SetAttendance(ctx, f.past.ID, forgottenID, true); err != nil {
		t.Fatal(err)
	}
	if err := s.SetResult(ctx, f.past.ID, forgottenID, ResultFirst, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.SetEventStatus(ctx, f.past.ID, EventFinished); err != nil {
		t.Fatal(err)
	}
	// Her diploma, participation certificate and thank-you letter, on
	// their way to her: the pupils are printed on them.
	issued, err := s.IssueCertificates(ctx, CertificateIssue{EventID: f.past.ID, By: coord, Kinds: CertificateKinds},
		func(u User, c Certificate) Content { return Content{Text: "Документ для " + c.Recipient} })
	if err != nil || issued.New.Total() != 3 || issued.Notified != 3 {
		t.Fatalf("IssueCertificates: %+v, %v", issued, err)
	}
	return f
}

func mustSignUp(t *testing.T, s *Store, su SignUp, at time.Time) Registration {
	t.Helper()
	r, err := s.Register(context.Background(), su, at)
	if err != nil {
		t.Fatalf("Register(%+v): %v", su, err)
	}
	return r
}

func promotedNotice(u User, e Event) Content {
	return Content{Text: "Место освободилось: " + e.Title}
}

func TestForgetUserErasesPersonalDataAndKeepsCounts(t *testing.T) {
	ctx := context.Background()
	f := newForgetFixture(t)
	s := f.s
	// The calendar feed's link, which a phone may still be asking.
	token, err := s.CalendarToken(ctx, forgottenID)
	if err != nil {
		t.Fatal(err)
	}
	needles := append([]string{forgottenName, forgottenPhone, forgottenNick, forgottenShort, forgottenWork}, forgottenPupils...)
	if found := personalTraces(t, s.DB(), forgottenID, needles...); len(found) < 5 {
		t.Fatalf("the fixture holds too few traces to prove anything: %q", found)
	}
	before := reportCounts(t, s, f.past.ID)

	got, err := s.ForgetUser(ctx, forgottenID, Forget{Erased: erased, Names: []string{forgottenShort}, Promoted: promotedNotice})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CalendarFeed(ctx, token, "", time.Time{}); !errors.Is(err, ErrNotFound) {
		t.Errorf("the forgotten person's calendar link still opens: %v", err)
	}
	if found := personalTraces(t, s.DB(), forgottenID, needles...); len(found) > 0 {
		t.Errorf("personal data left after ForgetUser:\n%s", strings.Join(found, "\n"))
	}
	sameCounts(t, before, reportCounts(t, s, f.past.ID))

	if got.AnonID >= 0 || got.Registrations != 3 || len(got.Cancelled) != 2 || len(got.Promoted) != 1 || got.Promoted[0].UserID != otherB {
		t.Errorf("Forgotten = %+v; want a negative id, 3 registrations kept, 2 cancelled, otherB promoted", got)
	}
	if _, err := s.User(ctx, forgottenID); !errors.Is(err, ErrNotFound) {
		t.Errorf("the user record is still there: %v", err)
	}
	// The past contest: the anonymous team keeps its figures.
	anon, err := s.Registration(ctx, f.past.ID, got.AnonID)
	if err != nil {
		t.Fatal(err)
	}
	if anon.TeamSize != 2 || anon.OrgID != f.orgA || anon.Attended == nil || !*anon.Attended || anon.Result != ResultFirst ||
		anon.Application != nil || anon.State != RegConfirmed {
		t.Errorf("anonymous registration = %+v", anon)
	}
	parts, err := s.Participants(ctx, f.past.ID)
	if err != nil || len(parts) != 2 {
		t.Fatalf("participants = %+v, %v", parts, err)
	}
	// The upcoming events: the seat went to the first in line, who is
	// told; the place in line is gone.
	if e := mustEvent(t, s, f.seat.ID); e.Taken != 1 || e.Waiting != 0 {
		t.Errorf("seat event: taken %d, waiting %d; want 1, 0", e.Taken, e.Waiting)
	}
	if r, _ := s.Registration(ctx, f.seat.ID, otherB); r.State != RegConfirmed {
		t.Errorf("otherB = %s; want confirmed", r.State)
	}
	if e := mustEvent(t, s, f.line.ID); e.Taken != 1 || e.Waiting != 0 {
		t.Errorf("line event: taken %d, waiting %d; want 1, 0", e.Taken, e.Waiting)
	}
	if r, _ := s.Registration(ctx, f.line.ID, got.AnonID); r.State != RegCancelled {
		t.Errorf("the anonymous place in line = %s; want cancelled", r.State)
	}
	pending, err := s.PendingOutbox(ctx, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var promotedTold bool
	albums := 0
	for _, e := range pending {
		if len(e.Content.Media) > 0 {
			albums++
			if len(e.Content.Media) != 1 || e.Content.Media[0].FileID != "AgADother" {
				t.Errorf("album left pending: %+v", e.Content.Media)
			}
		}
		if e.UserID == otherB && strings.Contains(e.Content.Text, "Безопасное колесо") {
			promotedTold = true
		}
		if e.ID == f.toPerson {
			t.Error("the notice to the person is still pending")
		}
	}
	if !promotedTold {
		t.Error("the promoted teacher was not told")
	}
	if albums != 1 {
		t.Errorf("%d albums pending; want the shared one only (hers is skipped)", albums)
	}
	// Other people's texts say who is gone, and the mention is unlinked.
	summary, err := s.OutboxEntry(ctx, f.summary)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(summary.Content.Text, "Новые заявки: <i>"+erased+"</i>, тел. "+erased) {
		t.Errorf("summary = %q", summary.Content.Text)
	}
	// What they made points to the anonymous id.
	if e := mustEvent(t, s, f.cancelledByPerson.ID); e.CreatedBy != got.AnonID || !strings.Contains(e.Description, erased) {
		t.Errorf("their event = %+v", e)
	}
	list, err := s.RecentBroadcasts(ctx, 10)
	if err != nil || len(list) != 1 || list[0].AuthorID != got.AnonID || list[0].Sent != 1 || list[0].AuthorChat != 0 {
		t.Errorf("broadcasts = %+v, %v", list, err)
	}
	// The other teacher's update is still in the inbox.
	if in, err := s.Inbox(ctx); err != nil || len(in) != 1 || in[0].ID != 78 {
		t.Errorf("inbox = %v, %v; want only update 78", in, err)
	}

	// Another person forgotten gets another anonymous id; the first one's
	// registrations stay apart.
	other, err := s.ForgetUser(ctx, otherA, Forget{Erased: erased})
	if err != nil {
		t.Fatal(err)
	}
	if other.AnonID == got.AnonID || other.AnonID >= 0 {
		t.Errorf("second anonymous id %d; first %d", other.AnonID, got.AnonID)
	}
	sameCounts(t, before, reportCounts(t, s, f.past.ID))
}

func TestForgetUserRefusesTheAuthorUntilHandedOver(t *testing.T) {
	ctx := context.Background()
	s, _ := newTestStore(t)
	org, other := mustCreateOrg(t, s, "ЦРТДиЮ"), mustCreateOrg(t, s, "ГИБДД")
	author, colleague, stranger, teacher := int64(301), int64(302), int64(303), int64(304)
	mustPutUser(t, s, User{ID: author, ChatID: author, FullName: "Автор Мероприятий", OrgID: org, Role: RoleCoordinator, Registered: true, Active: true})
	mustPutUser(t, s, User{ID: colleague, ChatID: colleague, FullName: "Коллега Автора", OrgID: org, Role: RoleCoordinator, Registered: true, Active: true})
	mustPutUser(t, s, User{ID: stranger, ChatID: stranger, FullName: "Чужой Координатор", OrgID: other, Role: RoleCoordinator, Registered: true, Active: true})
	mustPutUser(t, s, User{ID: teacher, ChatID: teacher, FullName: "Просто Учитель", OrgID: org, Role: RoleTeacher, Registered: true, Active: true})
	published := testEvent("Отчизны верные сыны")
	published.CreatedBy, published.Organisers = author, []int64{org}
	pub := mustCreateEvent(t, s, published)
	draft := testEvent("Дари добро")
	draft.CreatedBy, draft.Status = author, EventDraft
	dr := mustCreateEvent(t, s, draft)

	_, err := s.ForgetUser(ctx, author, Forget{Erased: erased})
	var ae *AuthorError
	if !errors.As(err, &ae) || !errors.Is(err, ErrAuthorOfEvents) || len(ae.Events) != 2 {
		t.Fatalf("ForgetUser of an author = %v; want an AuthorError with both events", err)
	}
	if _, err := s.User(ctx, author); err != nil {
		t.Fatalf("a refused ForgetUser changed the user: %v", err)
	}

	told := func(u User, e Event, from, to User) Content {
		return Content{Text: fmt.Sprintf("%s: %s → %s (для %d)", e.Title, from.FullName, to.FullName, u.ID)}
	}
	for _, to := range []int64{stranger, teacher, 999} {
		if _, err := s.HandOverEvent(ctx, pub.ID, to, told); !errors.Is(err, ErrNotOwnerCoordinator) {
			t.Errorf("hand over to %d = %v; want ErrNotOwnerCoordinator", to, err)
		}
	}
	if _, err := s.HandOverEvent(ctx, 12345, colleague, told); !errors.Is(err, ErrNotFound) {
		t.Errorf("hand over a missing event = %v; want ErrNotFound", err)
	}
	for _, id := range []int64{pub.ID, dr.ID} {
		e, err := s.HandOverEvent(ctx, id, colleague, told)
		if err != nil || e.CreatedBy != colleague || e.OwnerOrg != org {
			t.Fatalf("HandOverEvent(%d) = %+v, %v", id, e, err)
		}
	}
	pending, err := s.PendingOutbox(ctx, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(pending) != 4 {
		t.Fatalf("%d notices; want 4 (both authors, both events)", len(pending))
	}
	for _, e := range pending {
		if (e.UserID != author && e.UserID != colleague) || !strings.Contains(e.Content.Text, "Автор Мероприятий → Коллега Автора") ||
			e.Origin.Key != "handover:"+strconv.FormatInt(pub.ID, 10) && e.Origin.Key != "handover:"+strconv.FormatInt(dr.ID, 10) {
			t.Errorf("notice = %+v", e)
		}
	}
	// Handing to the author again tells nobody.
	if _, err := s.HandOverEvent(ctx, pub.ID, colleague, told); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.OutboxPendingCount(ctx); n != 4 {
		t.Errorf("%d notices after a hand-over to the author; want still 4", n)
	}
	if _, err := s.ForgetUser(ctx, author, Forget{Erased: erased}); err != nil {
		t.Fatalf("ForgetUser after the hand-over: %v", err)
	}
}

func TestForgetUserWaitsForARunningBroadcast(t *testing.T) {
	ctx := context.Background()
	s, _ := newTestStore(t)
	org := mustCreateOrg(t, s, "ЦРТДиЮ")
	mustPutUser(t, s, User{ID: 401, ChatID: 401, FullName: "Автор Рассылки", OrgID: org, Role: RoleCoordinator, Registered: true, Active: true})
	mustPutUser(t, s, User{ID: 402, ChatID: 402, FullName: "Получатель Рассылки", OrgID: org, Role: RoleTeacher, Registered: true, Active: true})
	b, err := s.CreateBroadcast(ctx, Broadcast{AuthorID: 401, AuthorChat: 401, SourceChat: 401, SourceMessage: 1},
		[]Recipient{{ChatID: 402, UserID: 402}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ForgetUser(ctx, 401, Forget{Erased: erased}); !errors.Is(err, ErrBroadcastRunning) {
		t.Fatalf("ForgetUser while the broadcast runs = %v; want ErrBroadcastRunning", err)
	}
	if _, err := s.StopBroadcast(ctx, b.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ForgetUser(ctx, 401, Forget{Erased: erased}); err != nil {
		t.Fatal(err)
	}
	if found := personalTraces(t, s.DB(), 401, "Автор Рассылки"); len(found) > 0 {
		t.Errorf("left: %q", found)
	}
	if list, _ := s.ActiveBroadcasts(ctx); len(list) != 0 {
		t.Errorf("a forgotten author's broadcast still waits for its report: %+v", list)
	}
}

func TestForgetUserCountsAPendingBroadcastCopyAsSkipped(t *testing.T) {
	ctx := context.Background()
	s, _ := newTestStore(t)
	org := mustCreateOrg(t, s, "ЦРТДиЮ")
	mustPutUser(t, s, User{ID: 501, ChatID: 501, FullName: "Автор Объявления", OrgID: org, Role: RoleCoordinator, Registered: true, Active: true})
	mustPutUser(t, s, User{ID: 502, ChatID: 502, FullName: "Уходящая Учительница", OrgID: org, Role: RoleTeacher, Registered: true, Active: true})
	mustPutUser(t, s, User{ID: 503, ChatID: 503, FullName: "Остающаяся Учительница", OrgID: org, Role: RoleTeacher, Registered: true, Active: true})
	b, err := s.CreateBroadcast(ctx, Broadcast{AuthorID: 501, AuthorChat: 501, SourceChat: 501, SourceMessage: 1},
		[]Recipient{{ChatID: 502, UserID: 502}, {ChatID: 503, UserID: 503}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ForgetUser(ctx, 502, Forget{Erased: erased}); err != nil {
		t.Fatal(err)
	}
	entries, err := s.BroadcastEntries(ctx, b.ID)
	if err != nil || len(entries) != 1 || entries[0].UserID != 503 {
		t.Fatalf("entries = %+v, %v; want only 503's", entries, err)
	}
	// The copy in flight to the forgotten person completes harmlessly.
	if err := s.CompleteOutbox(ctx, entries[0].ID-1, Outcome{State: OutboxSent}); err != nil {
		t.Errorf("completing a deleted entry: %v", err)
	}
	if _, ok, _, err := s.ToSend(ctx, entries[0].ID-1, t0); ok || err != nil {
		t.Errorf("ToSend of a deleted entry = %v, %v; want not ok, no error", ok, err)
	}
	if err := s.CompleteOutbox(ctx, entries[0].ID, Outcome{State: OutboxSent}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Broadcast(ctx, b.ID)
	if err != nil || got.State != BroadcastDone || got.Sent != 1 || got.Skipped != 1 {
		t.Errorf("broadcast = %+v, %v; want done, 1 sent, 1 skipped", got, err)
	}
}

func TestPersonalDataGathersEverything(t *testing.T) {
	ctx := context.Background()
	f := newForgetFixture(t)
	d, err := f.s.PersonalData(ctx, forgottenID)
	if err != nil {
		t.Fatal(err)
	}
	if d.User.FullName != forgottenName || d.Org == nil || d.Org.ID != f.orgA || len(d.User.Consents) != 1 {
		t.Errorf("profile = %+v, org %+v", d.User, d.Org)
	}
	if len(d.Registrations) != 3 || d.Registrations[2].EventID != f.past.ID || d.Registrations[2].Application == nil ||
		len(d.Registrations[2].Application.Pupils) != 2 || d.Registrations[2].Event.Title != "Добрая дорога детства" {
		t.Errorf("registrations = %+v", d.Registrations)
	}
	if len(d.EventsCreated) != 1 || len(d.Broadcasts) != 1 || len(d.OrgRequests) != 1 || len(d.Wizards) != 2 {
		t.Errorf("events %d, broadcasts %d, requests %d, wizards %+v", len(d.EventsCreated), len(d.Broadcasts), len(d.OrgRequests), d.Wizards)
	}
	if _, err := f.s.PersonalData(ctx, 999); !errors.Is(err, ErrNotFound) {
		t.Errorf("PersonalData of nobody = %v; want ErrNotFound", err)
	}
}

func TestSetConsentAppendsAndPutUserKeepsIt(t *testing.T) {
	ctx := context.Background()
	s, _ := newTestStore(t)
	mustPutUser(t, s, User{ID: 9, ChatID: 9, Lang: "ru"})
	if err := s.SetConsent(ctx, 9, Consent{Version: "a", Given: false, At: t0}); err != nil {
		t.Fatal(err)
	}
	stale := mustUser(t, s, 9)
	if err := s.SetConsent(ctx, 9, Consent{Version: "a", Given: true, At: t0.Add(time.Minute)}); err != nil {
		t.Fatal(err)
	}
	stale.FullName = "Новое Имя"
	mustPutUser(t, s, stale) // a handler's snapshot from before the answer
	u := mustUser(t, s, 9)
	if len(u.Consents) != 2 || !u.ConsentGiven("a") || u.ConsentGiven("b") || u.FullName != "Новое Имя" {
		t.Errorf("user = %+v", u)
	}
	if err := s.SetConsent(ctx, 10, Consent{Version: "a", Given: true}); !errors.Is(err, ErrNotFound) {
		t.Errorf("SetConsent of nobody = %v", err)
	}
	for i := range maxConsents + 5 {
		if err := s.SetConsent(ctx, 9, Consent{Version: strconv.Itoa(i), Given: true}); err != nil {
			t.Fatal(err)
		}
	}
	if u := mustUser(t, s, 9); len(u.Consents) != maxConsents || !u.ConsentGiven(strconv.Itoa(maxConsents+4)) {
		t.Errorf("%d consents kept, latest %+v", len(u.Consents), u.Consents[len(u.Consents)-1])
	}
}
