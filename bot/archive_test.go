package bot

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"vmeste/storage"
)

// The archive through the emulator: /events «Прошедшие», /myevents, and a
// result reaching the teacher: a notice, her card, /my.

// pastEvent stores an event that took place days ago (published then, and
// finished now when finished is set).
func (h *harness) pastEvent(org int64, title string, days int, kind storage.EventKind, finished bool) storage.Event {
	h.t.Helper()
	e := h.event(org, func(e *storage.Event) {
		e.Title, e.Kind = title, kind
		e.Start = h.clock.Now().Add(-time.Duration(days) * 24 * time.Hour)
	})
	if finished {
		if err := h.store.SetEventStatus(h.ctx(), e.ID, storage.EventFinished); err != nil {
			h.t.Fatal(err)
		}
	}
	return e
}

func TestEventsShowThePastPaged(t *testing.T) {
	h := newHarness(t, nil)
	ids := h.seedOrgs(school1)
	h.event(ids[0], func(e *storage.Event) { e.Title = "Добрая дорога детства" }) // upcoming
	for i := 1; i <= 6; i++ {
		kind := storage.EventContest
		if i == 4 {
			kind = storage.EventSeminar
		}
		h.pastEvent(ids[0], fmt.Sprintf("Прошедшее %d", i), i, kind, i%2 == 0)
	}
	h.registerDirect(teacher, ids[0])

	m := h.say(teacher, "/events", "Ближайшие мероприятия", "Добрая дорога детства")
	if strings.Contains(m.PlainText(), "Прошедшее") {
		t.Errorf("the upcoming list shows past events: %q", m.PlainText())
	}
	// Latest first, five a page, in the same message.
	_, m2 := h.press(teacher, "🗂 Прошедшие", "Прошедшие мероприятия", "стр. 1 из 2", "1. Прошедшее 1", "5. Прошедшее 5")
	if m2.ID != m.ID || strings.Contains(m2.PlainText(), "Добрая дорога") {
		t.Errorf("past list: message %d (want %d): %q", m2.ID, m.ID, m2.PlainText())
	}
	h.press(teacher, "Далее ›", "Прошедшие мероприятия", "стр. 2 из 2", "6. Прошедшее 6")
	// A past card has no sign-up, and goes back to the past list's page.
	_, card := h.press(teacher, "6. Прошедшее 6", "Прошедшее 6", "Мероприятие прошло")
	for _, l := range labels(card) {
		if strings.Contains(l, "Записаться") {
			t.Errorf("a past card offers %q", l)
		}
	}
	h.press(teacher, "« К списку", "Прошедшие мероприятия", "стр. 2 из 2")
	// The kind filter keeps to the past.
	h.press(teacher, "🔎 Вид мероприятия", "Какие мероприятия показать")
	_, m3 := h.press(teacher, "Семинар", "Прошедшие мероприятия", "Семинар", "стр. 1 из 1", "1. Прошедшее 4")
	if strings.Contains(m3.PlainText(), "Прошедшее 1") {
		t.Errorf("filtered past list: %q", m3.PlainText())
	}
	h.press(teacher, "📅 Ближайшие", "Ближайшие мероприятия", "Семинар", "Пока ничего не запланировано")
}

func TestPastListsOnlyWhatTookPlace(t *testing.T) {
	h := newHarness(t, nil)
	ids := h.seedOrgs(school1)
	h.makeCoordinator(coordinator, ids[0])
	h.pastEvent(ids[0], "Прошедшее", 2, storage.EventContest, true)
	cancelled := h.pastEvent(ids[0], "Отменённое", 3, storage.EventContest, false)
	if _, _, err := h.store.CancelEvent(h.ctx(), cancelled.ID, nil); err != nil {
		t.Fatal(err)
	}
	h.event(ids[0], func(e *storage.Event) {
		e.Title, e.Status, e.Start = "Черновик", storage.EventDraft, h.clock.Now().Add(-time.Hour)
	})
	h.registerDirect(teacher, ids[0])
	h.say(teacher, "/events", "Ближайшие мероприятия")
	_, m := h.press(teacher, "🗂 Прошедшие", "Прошедшие мероприятия", "1. Прошедшее")
	for _, hidden := range []string{"Отменённое", "Черновик"} {
		if strings.Contains(m.PlainText(), hidden) {
			t.Errorf("the past list shows %q: %q", hidden, m.PlainText())
		}
	}
}

// A coordinator finds her events with /myevents, past ones included, and
// marks attendance and results there at any time; the teacher is told her
// result, and her card and /my say what happened instead of «Вы записаны».
func TestMyEventsToResultOnTheTeachersCard(t *testing.T) {
	h := newHarness(t, nil)
	ids := h.seedOrgs(school1, gibdd)
	h.makeCoordinator(coordinator, ids[0])
	contest := h.event(ids[0], nil) // «Безопасное колесо», a competition, in a week
	users := h.teachers(5000, 2, ids[0])
	for _, u := range users {
		if _, err := h.store.Register(h.ctx(), storage.SignUp{EventID: contest.ID, UserID: u.ID}, h.clock.Now()); err != nil {
			t.Fatal(err)
		}
	}
	h.event(ids[1], func(e *storage.Event) { e.Title = "Чужое"; e.Organisers = []int64{ids[1]}; e.CreatedBy = 42 })
	h.clock.advance(8 * 24 * time.Hour) // the competition is over
	h.event(ids[0], func(e *storage.Event) {
		e.Title = "Весенняя неделя добра"
		e.Kind = storage.EventCampaign
	})
	h.event(ids[0], func(e *storage.Event) { e.Title = "Школа безопасности"; e.Status = storage.EventDraft })

	m := h.say(coordinator, "/myevents", "Мои мероприятия", "Впереди", "Весенняя неделя добра", "пока никто не записался",
		"Школа безопасности", "черновик", "Прошли или отменены", "Безопасное колесо",
		"посещаемость не отмечена", "итоги не подведены")
	if strings.Contains(m.PlainText(), "Чужое") {
		t.Errorf("/myevents shows another organisation's event: %q", m.PlainText())
	}
	if text := m.PlainText(); strings.Index(text, "Весенняя") > strings.Index(text, "Безопасное колесо") {
		t.Errorf("the events ahead are not first: %q", text)
	}

	_, card := h.press(coordinator, "3. Безопасное колесо", "Безопасное колесо", "Было записано: 2")
	if l := labels(card); slices.Contains(l, "🚫 Отменить мероприятие") || !slices.Contains(l, "« К списку") {
		t.Errorf("the card of an event over: %q", l)
	}
	h.press(coordinator, "✔️ Посещаемость", "Отметьте, кто пришёл")
	h.press(coordinator, "⬜ 1. Педагог Тестовый", "СОШ №1 ✅")
	h.press(coordinator, "« К мероприятию", "Безопасное колесо")
	h.press(coordinator, "🏆 Итоги", "Выберите участника")
	h.press(coordinator, "1. Педагог Тестовый", "Результат")
	if a, _ := h.press(coordinator, "1 место", "🏆 1 место"); !strings.Contains(a.Text, "придёт уведомление") {
		t.Errorf("setting a result answered %q", a.Text)
	}
	h.press(coordinator, "« К мероприятию", "Безопасное колесо")
	h.press(coordinator, "« Мои мероприятия", "Мои мероприятия", "пришли 1 из 2", "итоги подведены")

	// The teacher is told, in her language, with the way to the card.
	n := h.notices(users[0].ID)
	if len(n) != 1 || !strings.Contains(n[0], "Безопасное колесо") || !strings.Contains(n[0], "Ваш результат: 1 место") {
		t.Fatalf("teacher's notices: %q", n)
	}
	if n := h.notices(users[1].ID); len(n) != 0 {
		t.Errorf("a teacher without a result was told: %q", n)
	}

	// Her /my and her card say what happened.
	h.say(users[0], "/my", "Безопасное колесо", "🏆 1 место")
	_, card = h.press(users[0], "1. Безопасное колесо", "Вы участвовали", "Ваш результат: 1 место")
	if strings.Contains(card.PlainText(), "Вы записаны") {
		t.Errorf("the card after the event still says «Вы записаны»: %q", card.PlainText())
	}
	// The other was signed up, nothing marked: no «Вы записаны» either.
	card2 := h.say(users[1], fmt.Sprintf("/start e%d", contest.ID), "Вы были записаны")
	if strings.Contains(card2.PlainText(), "Вы записаны") || strings.Contains(card2.PlainText(), "Вы участвовали") {
		t.Errorf("unmarked teacher's card: %q", card2.PlainText())
	}
}

// A result corrected before its notice left is one notice, not two.
func TestCorrectedResultIsOneNotice(t *testing.T) {
	h := newHarness(t, nil)
	ids := h.seedOrgs(school1)
	h.makeCoordinator(coordinator, ids[0])
	e := h.event(ids[0], nil)
	users := h.teachers(5000, 1, ids[0])
	if _, err := h.store.Register(h.ctx(), storage.SignUp{EventID: e.ID, UserID: users[0].ID}, h.clock.Now()); err != nil {
		t.Fatal(err)
	}
	h.clock.advance(8 * 24 * time.Hour)
	h.say(coordinator, "/myevents", "Безопасное колесо")
	h.press(coordinator, "1. Безопасное колесо", "Безопасное колесо")
	h.press(coordinator, "« К списку", "Мои мероприятия")
	h.press(coordinator, "1. Безопасное колесо", "Безопасное колесо")
	h.press(coordinator, "🏆 Итоги", "Выберите участника")
	h.press(coordinator, "1. Педагог Тестовый", "Результат")
	h.press(coordinator, "2 место", "🏆 2 место")
	h.press(coordinator, "1. Педагог Тестовый", "Результат")
	h.press(coordinator, "Лауреат", "🏆 Лауреат")
	if n := h.notices(users[0].ID); len(n) != 1 || !strings.Contains(n[0], "Ваш результат: Лауреат") {
		t.Errorf("notices after a correction: %q", n)
	}
}

func TestMyEventsForACoordinatorWithNone(t *testing.T) {
	h := newHarness(t, nil)
	ids := h.seedOrgs(school1)
	h.makeCoordinator(coordinator, ids[0])
	h.say(coordinator, "/myevents", "У вас пока нет мероприятий", "/newevent")
	h.registerDirect(teacher, ids[0])
	h.say(teacher, "/myevents") // a teacher is refused by routes.go
	for _, m := range h.tg.BotMessages(teacher.ID) {
		if strings.Contains(m.Text, "Мои мероприятия") {
			t.Errorf("a teacher got /myevents: %q", m.Text)
		}
	}
}
