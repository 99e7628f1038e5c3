package bot

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"vmeste/storage"
	"vmeste/telegramtest"
)

// Coordinators of three organisations for the tests of who may do what.
var (
	coordGIBDD  = telegramtest.User{ID: 3101, FirstName: "Инспектор", LanguageCode: "ru"}
	coordSchool = telegramtest.User{ID: 3102, FirstName: "Педагог-организатор", LanguageCode: "ru"}
	coordCentre = telegramtest.User{ID: 3103, FirstName: "Методист", LanguageCode: "ru"}
)

// forge presses a button that is not on the message: callback data u was
// never given (or kept from long ago). It returns the callback's answer.
func (h *harness) forge(u telegramtest.User, messageID int, data string) telegramtest.CallbackAnswer {
	h.t.Helper()
	q := h.tg.Callback(u, u.ID, messageID, data)
	a, err := h.tg.WaitCallbackAnswered(h.ctx(), q)
	if err != nil {
		h.t.Fatalf("%s: %v", data, err)
	}
	return a
}

// labels are a message's button texts, row after row.
func labels(m telegramtest.Message) []string {
	var out []string
	for _, row := range m.Buttons {
		for _, b := range row {
			out = append(out, b.Text)
		}
	}
	return out
}

// ownedBy stores a published event created by author (so owned by the
// author's organisation) with orgs as its organisers, changed by edit.
func (h *harness) ownedBy(author telegramtest.User, orgs []int64, edit func(*storage.Event)) storage.Event {
	h.t.Helper()
	return h.event(orgs[0], func(e *storage.Event) {
		e.CreatedBy, e.Organisers = author.ID, orgs
		if edit != nil {
			edit(e)
		}
	})
}

// TestOtherOrganisationCannotTouchTheEvent: the school's coordinator sees
// the ГИБДД's published event as a teacher does, and neither its buttons
// nor forged ones let them edit, publish, cancel, announce, mark results
// or see the participants; the ГИБДД's draft is not theirs to see at all.
func TestOtherOrganisationCannotTouchTheEvent(t *testing.T) {
	h := newHarness(t, nil)
	ids := h.seedOrgs(gibdd, school1, crtdiu)
	h.makeCoordinator(coordGIBDD, ids[0])
	h.makeCoordinator(coordSchool, ids[1])
	e := h.ownedBy(coordGIBDD, []int64{ids[0], ids[2]}, func(e *storage.Event) { e.Capacity = 5 })
	draft := h.ownedBy(coordGIBDD, ids[:1], func(e *storage.Event) {
		e.Title, e.Status = "Добрая дорога детства", storage.EventDraft
	})
	if e.OwnerOrg != ids[0] {
		t.Fatalf("the event belongs to %d, want the ГИБДД (%d)", e.OwnerOrg, ids[0])
	}
	pupils := h.teachers(5000, 2, ids[1])
	for _, u := range pupils {
		if _, err := h.store.Register(h.ctx(), storage.SignUp{EventID: e.ID, UserID: u.ID}, h.clock.Now()); err != nil {
			t.Fatal(err)
		}
	}

	b := coordSchool
	m := h.say(b, fmt.Sprintf("/start e%d", e.ID), "Безопасное колесо", "Проводит: "+gibdd.Name)
	for _, hidden := range []string{"👥 Участники", "✏️ Изменить", "📣 Написать участникам", "🚫 Отменить мероприятие"} {
		if slices.Contains(labels(m), hidden) {
			t.Errorf("another organisation's coordinator is offered %q: %q", hidden, labels(m))
		}
	}
	if !slices.Contains(labels(m), "✅ Записаться") || !slices.Contains(labels(m), "🔗 Поделиться") {
		t.Errorf("the card lacks what any coordinator may do: %q", labels(m))
	}

	h.clock.advance(8 * 24 * time.Hour) // after the start, so that marking would be open
	for _, tc := range []struct{ data, want string }{
		{cb(cbEventEdit, e.ID), "только организаторам"},
		{cb(cbEventParticipants, e.ID, 0), "только организаторам"},
		{cb(cbEventCancel, e.ID), "только организация, которая проводит мероприятие (" + gibdd.Name + ")"},
		{cb(cbEventCancelYes, e.ID), "только организация"},
		{cb(cbEventAnnounce, e.ID), "только организация"},
		{cb(cbAttendance, e.ID, 0), "только организация"},
		{cb(cbAttendanceToggle, e.ID, pupils[0].ID, 0), "только организация"},
		{cb(cbResultSet, e.ID, pupils[0].ID, 0, 0), "только организация"},
		{cb(cbEventPublish, draft.ID), "ещё не опубликовано"},
		{cb(cbEventEdit, draft.ID), "ещё не опубликовано"},
		{cb(cbEventCancelYes, draft.ID), "ещё не опубликовано"},
		{cb(cbEventCard, draft.ID), "ещё не опубликовано"},
	} {
		if a := h.forge(b, m.ID, tc.data); !strings.Contains(a.Text, tc.want) || !a.ShowAlert {
			t.Errorf("%s answered %q (alert %v), want %q", tc.data, a.Text, a.ShowAlert, tc.want)
		}
	}
	if got, _ := h.store.Event(h.ctx(), e.ID); got.Status != storage.EventPublished || got.Place != e.Place {
		t.Errorf("forged buttons changed the event: %+v", got)
	}
	if got, _ := h.store.Event(h.ctx(), draft.ID); got.Status != storage.EventDraft {
		t.Errorf("a forged button changed the draft: %s", got.Status)
	}
	for _, u := range pupils {
		if reg, _ := h.store.Registration(h.ctx(), e.ID, u.ID); reg.Attended != nil || reg.Result != "" {
			t.Errorf("a forged button marked %d: %+v", u.ID, reg)
		}
	}
	if c, err := h.store.Conversation(h.ctx(), b.ID); err == nil {
		t.Errorf("a forged button started a wizard: %+v", c)
	}
	h.say(b, "/drafts", "Черновиков нет")
	h.say(b, fmt.Sprintf("/start e%d", draft.ID), "ещё не опубликовано")

	// Its own coordinator sees both, with every button (but cancelling:
	// the event has taken place).
	h.say(coordGIBDD, "/drafts", "Черновики: 1", "Добрая дорога детства")
	m = h.say(coordGIBDD, fmt.Sprintf("/start e%d", e.ID), "Безопасное колесо")
	for _, want := range []string{"👥 Участники", "✏️ Изменить", "✔️ Посещаемость", "« Мои мероприятия"} {
		if !slices.Contains(labels(m), want) {
			t.Errorf("the owner's card lacks %q: %q", want, labels(m))
		}
	}
}

// TestCoorganiserEdits: a coordinator of a co-organising organisation may
// edit the event and see its participants, but not cancel it or write to
// its participants.
func TestCoorganiserEdits(t *testing.T) {
	h := newHarness(t, nil)
	ids := h.seedOrgs(gibdd, school1, crtdiu)
	h.makeCoordinator(coordGIBDD, ids[0])
	h.makeCoordinator(coordCentre, ids[2])
	e := h.ownedBy(coordGIBDD, []int64{ids[0], ids[2]}, nil)
	c := coordCentre
	m := h.say(c, fmt.Sprintf("/start e%d", e.ID), "Безопасное колесо")
	got := labels(m)
	if !slices.Contains(got, "✏️ Изменить") || !slices.Contains(got, "👥 Участники") ||
		slices.Contains(got, "🚫 Отменить мероприятие") || slices.Contains(got, "📣 Написать участникам") {
		t.Errorf("a co-organiser's card: %q", got)
	}
	h.press(c, "👥 Участники", "Участники")
	h.say(c, fmt.Sprintf("/start e%d", e.ID), "Безопасное колесо")
	h.press(c, "✏️ Изменить", "Что изменить")
	h.press(c, "Место", "Где пройдёт")
	h.say(c, "Стадион «Геолог»", "Изменение мероприятия")
	h.press(c, "💾 Сохранить изменения", "сохранены")
	if got, _ := h.store.Event(h.ctx(), e.ID); got.Place != "Стадион «Геолог»" || got.OwnerOrg != ids[0] {
		t.Errorf("after the co-organiser's edit: place %q, owner %d", got.Place, got.OwnerOrg)
	}
	if a := h.forge(c, m.ID, cb(cbEventCancelYes, e.ID)); !strings.Contains(a.Text, "только организация") {
		t.Errorf("a co-organiser's forged cancel answered %q", a.Text)
	}
	if got, _ := h.store.Event(h.ctx(), e.ID); got.Status != storage.EventPublished {
		t.Errorf("a co-organiser cancelled the event")
	}
	if n := h.notices(coordGIBDD.ID); len(n) != 0 {
		t.Errorf("a co-organiser's edit was told to the author as an admin's: %q", n)
	}
}

// TestEditRefusedOnceNoLongerCoorganiser: the right to edit is checked
// again at saving; an organisation taken off the organisers in the
// meantime cannot save.
func TestEditRefusedOnceNoLongerCoorganiser(t *testing.T) {
	h := newHarness(t, nil)
	ids := h.seedOrgs(gibdd, school1, crtdiu)
	h.makeCoordinator(coordGIBDD, ids[0])
	h.makeCoordinator(coordCentre, ids[2])
	e := h.ownedBy(coordGIBDD, []int64{ids[0], ids[2]}, nil)
	c := coordCentre
	h.say(c, fmt.Sprintf("/start e%d", e.ID), "Безопасное колесо")
	h.press(c, "✏️ Изменить", "Что изменить")
	h.press(c, "Место", "Где пройдёт")
	h.say(c, "Стадион «Геолог»", "Изменение мероприятия")
	e.Organisers = ids[:1]
	if _, err := h.store.UpdateEvent(h.ctx(), e, nil, nil); err != nil {
		t.Fatal(err)
	}
	if a, _ := h.press(c, "💾 Сохранить изменения"); !strings.Contains(a.Text, "только организаторам") {
		t.Errorf("saving answered %q", a.Text)
	}
	if got, _ := h.store.Event(h.ctx(), e.ID); got.Place != e.Place {
		t.Errorf("the place changed to %q", got.Place)
	}
}

// TestAdminChangeIsToldToTheAuthor: an admin from another organisation
// edits, publishes and cancels the ГИБДД's events; the author is told
// each time what changed, in their own language.
func TestAdminChangeIsToldToTheAuthor(t *testing.T) {
	h := newHarness(t, nil)
	ids := h.seedOrgs(gibdd, school1, crtdiu)
	h.makeCoordinator(coordGIBDD, ids[0])
	h.registerDirect(admin, ids[2])
	e := h.ownedBy(coordGIBDD, ids[:1], func(e *storage.Event) { e.Capacity = 10 })

	h.say(admin, fmt.Sprintf("/start e%d", e.ID), "Безопасное колесо")
	h.press(admin, "✏️ Изменить", "Что изменить")
	h.press(admin, "Место", "Где пройдёт")
	h.say(admin, "Стадион «Геолог» <центр>", "Изменение мероприятия")
	h.press(admin, "✏️ Изменить поле", "Что изменить")
	h.press(admin, "Места", "Сколько мест")
	h.say(admin, "20", "Изменение мероприятия")
	h.press(admin, "💾 Сохранить изменения", "сохранены")
	n := h.notices(coordGIBDD.ID)
	if len(n) != 1 {
		t.Fatalf("the author got %d notices: %q", len(n), n)
	}
	for _, want := range []string{"Ваше мероприятие «Безопасное колесо» изменил администратор Педагог Тестовый",
		"• Место: было «ЦРТДиЮ», стало «Стадион „Геолог“ &lt;центр&gt;»", "• Места: было «10», стало «20»"} {
		if !strings.Contains(n[0], want) {
			t.Errorf("the author's notice lacks %q:\n%s", want, n[0])
		}
	}
	if strings.Contains(n[0], "Название") || strings.Contains(n[0], "Начало") {
		t.Errorf("the notice names fields that did not change:\n%s", n[0])
	}

	// An English-speaking author is told in English; a draft's
	// publication and an event's cancellation are told too.
	u := h.user(coordGIBDD.ID)
	u.Lang = "en"
	if err := h.store.PutUser(h.ctx(), u); err != nil {
		t.Fatal(err)
	}
	draft := h.ownedBy(coordGIBDD, ids[:1], func(e *storage.Event) {
		e.Title, e.Status = "Добрая дорога детства", storage.EventDraft
	})
	h.say(admin, "/drafts", "Черновики: 1")
	h.press(admin, "1. Добрая дорога детства", "Черновик")
	h.press(admin, "✅ Опубликовать", "Добрая дорога детства")
	h.say(admin, fmt.Sprintf("/start e%d", e.ID), "Безопасное колесо")
	h.press(admin, "🚫 Отменить мероприятие", "Отменить")
	h.press(admin, "Да, отменить мероприятие", "отменено")
	n = h.notices(coordGIBDD.ID)
	if len(n) != 3 || !strings.Contains(n[1], "Administrator Педагог Тестовый published your event «Добрая дорога детства»") ||
		!strings.Contains(n[2], "Administrator Педагог Тестовый cancelled your event «Безопасное колесо»") {
		t.Errorf("the author's notices: %q", n)
	}
	if got, _ := h.store.Event(h.ctx(), draft.ID); got.Status != storage.EventPublished {
		t.Errorf("the admin could not publish: %s", got.Status)
	}

	// The author's own colleague changes nothing the author is told of.
	colleague := telegramtest.User{ID: 3104, FirstName: "Коллега", LanguageCode: "ru"}
	h.makeCoordinator(colleague, ids[0])
	h.say(colleague, fmt.Sprintf("/start e%d", draft.ID), "Добрая дорога детства")
	h.press(colleague, "✏️ Изменить", "Что изменить")
	h.press(colleague, "Место", "Где пройдёт")
	h.say(colleague, "Онлайн", "Изменение мероприятия")
	h.press(colleague, "💾 Сохранить изменения", "сохранены")
	if n := h.notices(coordGIBDD.ID); len(n) != 3 {
		t.Errorf("a colleague's edit was told as an admin's: %q", n)
	}
}

// TestCardNamesOrganiserAndContact: the organisation running the event
// and its contact, or the author's name when it has none, escaped.
func TestCardNamesOrganiserAndContact(t *testing.T) {
	h := newHarness(t, nil)
	withContact := gibdd
	withContact.Contact = "8 (86638) 4-35-12 <дежурная часть>"
	ids := h.seedOrgs(withContact, school1)
	h.makeCoordinator(coordGIBDD, ids[0])
	h.makeCoordinator(coordSchool, ids[1])
	u := h.user(coordSchool.ID)
	u.FullName = "Кулиева <Фатима>"
	if err := h.store.PutUser(h.ctx(), u); err != nil {
		t.Fatal(err)
	}
	police := h.ownedBy(coordGIBDD, ids[:1], nil)
	school := h.ownedBy(coordSchool, ids[1:], func(e *storage.Event) { e.Title = "Солдаты Победы" })
	h.registerDirect(teacher, ids[1])

	m := h.say(teacher, fmt.Sprintf("/start e%d", police.ID), "Проводит: "+gibdd.Name, "Контакт: 8 (86638) 4-35-12 <дежурная часть>")
	if !strings.Contains(m.Text, "&lt;дежурная часть&gt;") {
		t.Errorf("the contact was not escaped: %q", m.Text)
	}
	m = h.say(teacher, fmt.Sprintf("/start e%d", school.ID), "Проводит: "+school1.Name, "Контакт: Кулиева <Фатима>")
	if want := fmt.Sprintf(`<a href="tg://user?id=%d">Кулиева &lt;Фатима&gt;</a>`, coordSchool.ID); !strings.Contains(m.Text, want) {
		t.Errorf("the author's contact is not a link to them: %q", m.Text)
	}
}

// TestStanding: who a user is to an event, from their role, organisation
// and authorship; a draft has only its author and admins.
func TestStanding(t *testing.T) {
	const owner, coorg, other = 1, 2, 3
	published := storage.Event{ID: 9, Status: storage.EventPublished, CreatedBy: 50, OwnerOrg: owner, Organisers: []int64{owner, coorg}}
	draft := published
	draft.Status = storage.EventDraft
	coordinator := func(id, org int64) *Request {
		return &Request{User: storage.User{ID: id, OrgID: org, Role: storage.RoleCoordinator, Registered: true}}
	}
	teacherOf := func(org int64) *Request {
		return &Request{User: storage.User{ID: 60, OrgID: org, Role: storage.RoleTeacher, Registered: true}}
	}
	for _, tc := range []struct {
		name string
		r    *Request
		e    storage.Event
		want standing
	}{
		{"admin", &Request{Admin: true, User: storage.User{ID: 1}}, published, standAdmin},
		{"admin, a draft", &Request{Admin: true, User: storage.User{ID: 1}}, draft, standAdmin},
		{"owner's coordinator", coordinator(51, owner), published, standOwner},
		{"the author, moved to another organisation", coordinator(50, other), published, standOwner},
		{"co-organiser's coordinator", coordinator(52, coorg), published, standCoorganiser},
		{"another organisation's coordinator", coordinator(53, other), published, standOther},
		{"owner's teacher", teacherOf(owner), published, standOther},
		{"draft's author", coordinator(50, owner), draft, standAuthor},
		{"draft: owner's other coordinator", coordinator(51, owner), draft, standNone},
		{"draft: co-organiser", coordinator(52, coorg), draft, standNone},
		{"draft: its author, no longer a coordinator", &Request{User: storage.User{ID: 50, OrgID: owner, Role: storage.RoleTeacher, Registered: true}}, draft, standNone},
	} {
		if got := standingOf(tc.r, tc.e); got != tc.want {
			t.Errorf("%s: standing %d, want %d", tc.name, got, tc.want)
		}
	}
}
