package bot

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"vmeste/storage"
	"vmeste/telegramtest"
)

// sendNotice delivers a notice to u as the outbox would and returns it.
func (h *harness) sendNotice(u telegramtest.User, c storage.Content) telegramtest.Message {
	h.t.Helper()
	var kb keyboard
	for _, row := range c.Buttons {
		var r []modelsButton
		for _, b := range row {
			r = append(r, button(b.Text, b.Data))
		}
		kb = append(kb, r)
	}
	sent, err := h.bot.send(context.Background(), u.ID, c.Text, kb)
	if err != nil {
		h.t.Fatal(err)
	}
	m, ok := h.tg.MessageByID(u.ID, sent.ID)
	if !ok {
		h.t.Fatalf("notice %d not in the chat", sent.ID)
	}
	return m
}

// newEventUpToStart runs /newevent to the start question.
func (h *harness) newEventUpToStart(c telegramtest.User) {
	h.t.Helper()
	h.say(c, "/newevent", "Новое мероприятие")
	h.say(c, "Безопасное колесо", "Вид мероприятия")
	h.press(c, "Соревнование", "Отметьте организаторов")
	h.press(c, "Готово (выбрано: 1)", "Когда начало")
}

func TestCancelInNewEventKeepsTheDraft(t *testing.T) {
	h := newHarness(t, nil)
	ids := h.seedOrgs(school1, gibdd)
	h.makeCoordinator(coordinator, ids[1])
	c := coordinator

	h.newEventUpToStart(c)
	h.say(c, "/cancel", "Черновик «Безопасное колесо» отложен", "/drafts")
	if _, err := h.store.Conversation(h.ctx(), c.ID); !storage.IsNotFound(err) {
		t.Fatalf("the wizard is still running after /cancel: %v", err)
	}
	h.say(c, "/drafts", "Безопасное колесо")
	h.press(c, "▶️ Продолжить 1", "Когда начало")
	if d := h.eventDraft(c.ID); d.Event.Title != "Безопасное колесо" || d.Event.Kind != storage.EventCompetition {
		t.Fatalf("the draft came back without its answers: %+v", d.Event)
	}

	// The question's own «Отмена» does the same.
	h.press(c, "Отмена", "Черновик «Безопасное колесо» отложен")
	if list, err := h.store.ParkedConversations(h.ctx(), c.ID); err != nil || len(list) != 1 {
		t.Fatalf("parked drafts after Отмена: %d, %v", len(list), err)
	}

	// Nothing typed yet: nothing to keep.
	h.say(c, "/newevent", "Новое мероприятие")
	h.press(c, "Отмена", "Отменено")
	if list, _ := h.store.ParkedConversations(h.ctx(), c.ID); len(list) != 1 {
		t.Errorf("an empty draft was parked: %d drafts", len(list))
	}
}

func TestEventWizardBackAndSkipKeepTheReadBack(t *testing.T) {
	h := newHarness(t, nil)
	ids := h.seedOrgs(school1, gibdd)
	h.makeCoordinator(coordinator, ids[1])
	c := coordinator

	h.newEventUpToStart(c)
	start := h.clock.Now().In(h.bot.cfg.Location).AddDate(0, 0, 10).Format("02.01.2006") + " 10:00"
	endQ := h.say(c, start, "✓ Начало", "Когда окончание")
	if !hasButton(endQ, "Пропустить") || !hasButton(endQ, "« Назад") || !hasButton(endQ, "Отмена") {
		t.Fatalf("the end question's buttons: %+v", endQ.Buttons)
	}
	h.press(c, "Пропустить", "Где пройдёт")
	skipped, _ := h.tg.MessageByID(c.ID, endQ.ID)
	if !strings.Contains(skipped.Text, "✓ Начало") || !strings.Contains(skipped.Text, "Окончание: пропущено") || len(skipped.Buttons) != 0 {
		t.Errorf("the skipped question lost its read-back or kept its buttons: %q %+v", skipped.Text, skipped.Buttons)
	}

	// Back from the place goes to the end, with the answers kept.
	h.press(c, "« Назад", "Когда окончание")
	if d := h.eventDraft(c.ID); d.Event.Start.IsZero() || d.Event.Title != "Безопасное колесо" {
		t.Errorf("going back lost the answers: %+v", d.Event)
	}
	h.press(c, "« Назад", "Когда начало")
	h.press(c, "« Назад", "Отметьте организаторов")
	h.press(c, "« Назад", "Вид мероприятия")
	h.press(c, "« Назад", "Как оно называется")
	if m, _ := h.tg.LastBotMessage(c.ID); hasButton(m, "« Назад") || !hasButton(m, "Отмена") {
		t.Errorf("the first question's buttons: %+v", m.Buttons)
	}
	// An old question's Назад does nothing.
	q := h.tg.Callback(c, c.ID, endQ.ID, cb(cbWizardBack, flowEvent, stepEnd))
	if a, _ := h.tg.WaitCallbackAnswered(h.ctx(), q); !strings.Contains(a.Text, "неактуальна") {
		t.Errorf("an old Назад was answered %q", a.Text)
	}
	if got, _ := h.store.Conversation(h.ctx(), c.ID); got.Step != stepTitle {
		t.Errorf("an old Назад moved the wizard to %q", got.Step)
	}
}

func TestFieldEditHasBackToThePreview(t *testing.T) {
	h := newHarness(t, nil)
	ids := h.seedOrgs(school1)
	h.makeCoordinator(coordinator, ids[0])
	e := h.event(ids[0], nil)
	c := coordinator
	h.say(c, fmt.Sprintf("/start e%d", e.ID), "Безопасное колесо")
	h.press(c, "✏️ Изменить", "Что изменить")
	h.press(c, "Место", "Где пройдёт")
	h.press(c, "« Назад", "Изменение мероприятия")
	h.press(c, "Отмена", "Изменения не сохранены")
	if got, _ := h.store.Event(h.ctx(), e.ID); got.Place != "ЦРТДиЮ" {
		t.Errorf("place %q after a cancelled edit", got.Place)
	}
}

func TestTeamSignupAsksSizeNameThenConfirms(t *testing.T) {
	h := newHarness(t, nil)
	ids := h.seedOrgs(school1)
	e := h.event(ids[0], func(e *storage.Event) { e.Unit, e.MaxTeam = storage.UnitTeam, 12 })
	h.registerDirect(teacher, ids[0])
	h.say(teacher, fmt.Sprintf("/start e%d", e.ID), "командой")
	h.press(teacher, "✅ Записаться", "Сколько учащихся")
	h.say(teacher, "4 ученика", "Учащихся в команде: 4", "Название команды")
	h.say(teacher, "Спасибо!", "не похоже на название команды")
	h.say(teacher, "ок", "не похоже на название команды")
	h.say(teacher, "А можно двоих?", "не похоже на название команды")

	// /my in the middle says what is going on, not «не записаны».
	my := h.say(teacher, "/my", "Заявка на «Безопасное колесо» ещё не отправлена")
	if strings.Contains(my.Text, "ни на что не записаны") || !hasButton(my, "Продолжить заявку") {
		t.Fatalf("/my during a sign-up: %q %+v", my.Text, my.Buttons)
	}
	h.press(teacher, "Продолжить заявку", "Название команды")

	h.say(teacher, "7 «Б»", "Учащихся в команде: 4", "Название: 7 «Б»", "Всё верно?")
	h.say(teacher, "Спасибо!", "Заявка ещё не отправлена") // at the read-back, text changes nothing
	if _, err := h.store.Registration(h.ctx(), e.ID, teacher.ID); !storage.IsNotFound(err) {
		t.Fatalf("signed up before «Записать»: %v", err)
	}
	h.press(teacher, "« Назад", "Название команды")
	h.press(teacher, "« Назад", "Сколько учащихся")
	h.press(teacher, "5", "Название команды")
	h.press(teacher, "Без названия", "Всё верно?")
	h.press(teacher, "✅ Записать", "Вы записаны")
	reg, err := h.store.Registration(h.ctx(), e.ID, teacher.ID)
	if err != nil || reg.TeamSize != 5 || reg.TeamName != "" {
		t.Fatalf("registration %+v, %v", reg, err)
	}
	h.say(teacher, "/my", "Мои записи: 1")
}

func TestTeamSignupCancel(t *testing.T) {
	h := newHarness(t, nil)
	ids := h.seedOrgs(school1)
	e := h.event(ids[0], func(e *storage.Event) { e.Unit, e.MaxTeam = storage.UnitTeam, 30 })
	h.registerDirect(teacher, ids[0])
	h.say(teacher, fmt.Sprintf("/start e%d", e.ID), "командой")
	h.press(teacher, "✅ Записаться", "Сколько учащихся")
	h.say(teacher, "четыре", "Нужно число от 1 до 30")
	h.say(teacher, "31", "Нужно число от 1 до 30")
	h.say(teacher, "12 учащихся", "Учащихся в команде: 12")
	h.press(teacher, "Отмена", "Отменено")
	if _, err := h.store.Conversation(h.ctx(), teacher.ID); !storage.IsNotFound(err) {
		t.Errorf("the sign-up wizard is still running: %v", err)
	}
	h.say(teacher, "/my", "ни на что не записаны")
}

func TestParseTeamSize(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
		ok   bool
	}{
		{"4", 4, true}, {"4 ученика", 4, true}, {" 12 учащихся ", 12, true}, {"4 чел.", 4, true}, {"4.", 4, true},
		{"четыре", 0, false}, {"4-5", 0, false}, {"4 ученика из 7 класса", 0, false}, {"", 0, false},
	} {
		if got, ok := parseTeamSize(tc.in); got != tc.want || ok != tc.ok {
			t.Errorf("parseTeamSize(%q) = %d, %v; want %d, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
	for in, want := range map[string]bool{"Спасибо!": false, "спасибо большое": false, "Ок": false, "Хорошо.": false,
		"А можно двоих?": false, "👍": false, "7 «Б»": true, "Юные инспекторы": true, "5А": true, "Нет-нет": true} {
		if got := looksLikeTeamName(in); got != want {
			t.Errorf("looksLikeTeamName(%q) = %v; want %v", in, got, want)
		}
	}
}

func TestNoticeOpensTheCardBelowIt(t *testing.T) {
	h := newHarness(t, nil)
	ids := h.seedOrgs(school1)
	e := h.event(ids[0], nil)
	h.registerDirect(teacher, ids[0])
	if _, err := h.store.Register(h.ctx(), storage.SignUp{EventID: e.ID, UserID: teacher.ID}, h.clock.Now()); err != nil {
		t.Fatal(err)
	}
	notice := h.sendNotice(teacher, h.bot.notifyPromoted(h.user(teacher.ID), e))
	before := len(h.tg.BotMessages(teacher.ID))
	h.press(teacher, "Открыть мероприятие", "Вы записаны")
	if got, _ := h.tg.MessageByID(teacher.ID, notice.ID); got.Text != notice.Text || got.Edited != notice.Edited {
		t.Errorf("the notice was changed: %q", got.Text)
	}
	if n := len(h.tg.BotMessages(teacher.ID)); n != before+1 {
		t.Errorf("%d new messages; want the card as one new message", n-before)
	}

	// A reminder's «Отменить запись» asks below the reminder too.
	reminder := h.sendNotice(teacher, h.bot.Reminder(h.user(teacher.ID), e, 24*time.Hour))
	h.press(teacher, "❌ Отменить запись", "Отменить запись на")
	if got, _ := h.tg.MessageByID(teacher.ID, reminder.ID); got.Text != reminder.Text {
		t.Errorf("the reminder was replaced: %q", got.Text)
	}
}

func TestCardKeepsBackToListAfterSignup(t *testing.T) {
	h := newHarness(t, nil)
	ids := h.seedOrgs(school1)
	h.event(ids[0], nil)
	h.registerDirect(teacher, ids[0])
	h.say(teacher, "/events", "Безопасное колесо")
	h.press(teacher, "1. Безопасное колесо", "Безопасное колесо")
	_, card := h.press(teacher, signUpLabel, "Вы записаны")
	if !hasButton(card, "« К списку") {
		t.Fatalf("the card after signing up lost «К списку»: %+v", card.Buttons)
	}
	h.press(teacher, "❌ Отменить запись", "Отменить запись на")
	_, card = h.press(teacher, "Да, отменить запись", "отменена")
	if !hasButton(card, "« К списку") {
		t.Errorf("the card after cancelling lost «К списку»: %+v", card.Buttons)
	}
	h.press(teacher, "« К списку", "1. Безопасное колесо")
}

func TestResultPickerHasBack(t *testing.T) {
	h := newHarness(t, nil)
	ids := h.seedOrgs(school1)
	h.makeCoordinator(coordinator, ids[0])
	e := h.event(ids[0], nil)
	h.registerDirect(teacher, ids[0])
	if _, err := h.store.Register(h.ctx(), storage.SignUp{EventID: e.ID, UserID: teacher.ID}, h.clock.Now()); err != nil {
		t.Fatal(err)
	}
	h.clock.advance(8 * 24 * time.Hour)
	c := coordinator
	h.say(c, fmt.Sprintf("/start e%d", e.ID), "Безопасное колесо")
	h.press(c, "🏆 Итоги", "Итоги")
	h.press(c, "1. Педагог Тестовый", "Результат")
	h.press(c, "« Назад", "Выберите участника")
	if reg, _ := h.store.Registration(h.ctx(), e.ID, teacher.ID); reg.Result != "" {
		t.Errorf("Назад set a result: %q", reg.Result)
	}
}

func TestTextPromptsHaveCancelAndBack(t *testing.T) {
	h := newHarness(t, nil)
	h.seedOrgs(school1)

	// Onboarding: back from the name to the consent and the language,
	// then on.
	h.say(teacher, "/start", "Выберите язык")
	h.press(teacher, "✓ Русский", "Согласие на обработку персональных данных")
	h.press(teacher, "✅ Согласен(на)", "Как вас зовут")
	h.press(teacher, "« Назад", "Согласие на обработку персональных данных")
	h.press(teacher, "« Назад", "Выберите язык")
	h.press(teacher, "✓ Русский", "Согласие на обработку персональных данных")
	h.press(teacher, "✅ Согласен(на)", "Как вас зовут")
	h.say(teacher, "Иванова Мария Петровна", "Выберите вашу организацию")
	h.press(teacher, "« Назад", "Как вас зовут")
	h.say(teacher, "Иванова Мария Петровна", "Выберите вашу организацию")
	h.press(teacher, school1.Name, "Ваша должность")
	h.press(teacher, "Классный руководитель", "Команды")

	// /profile: a field's question has Отмена, which changes nothing.
	h.say(teacher, "/profile", "Иванова Мария Петровна")
	h.press(teacher, "Изменить ФИО", "Как вас зовут")
	h.press(teacher, "Отмена", "Отменено")
	h.say(teacher, "Петрова Анна", "") // no wizard: not taken as a name
	if u := h.user(teacher.ID); u.FullName != "Иванова Мария Петровна" {
		t.Errorf("name %q after a cancelled edit", u.FullName)
	}

	// Adding an organisation: back keeps what was typed, Отмена adds nothing.
	h.say(admin, "/start", "Выберите язык")
	h.press(admin, "✓ Русский", "Согласие на обработку персональных данных")
	h.press(admin, "✅ Согласен(на)", "Как вас зовут")
	h.say(admin, "Админов Админ", "Выберите вашу организацию")
	h.press(admin, school1.Name, "Ваша должность")
	h.press(admin, "Классный руководитель", "Команды")
	h.say(admin, "/orgs", "Организации")
	h.press(admin, "➕ Добавить", "Полное название")
	h.say(admin, "МКОУ «СОШ №2» с.п. Эльбрус", "Краткое название")
	h.press(admin, "« Назад", "Полное название")
	h.say(admin, "МКОУ «СОШ №3» с.п. Эльбрус", "Краткое название")
	h.say(admin, "СОШ №3", "Вид")
	h.press(admin, "« Назад", "Краткое название")
	h.press(admin, "Отмена", "Отменено")
	list, err := h.store.Organisations(h.ctx())
	if err != nil || len(list) != 1 {
		t.Errorf("organisations after a cancelled add: %d, %v", len(list), err)
	}
}
