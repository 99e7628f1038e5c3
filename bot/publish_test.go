package bot

import (
	"fmt"
	"strings"
	"testing"

	"vmeste/storage"
	"vmeste/telegramtest"
)

// broadcastEntries returns the pending outbox entries of broadcasts, by chat.
func (h *harness) broadcastEntries() map[int64]storage.OutboxEntry {
	h.t.Helper()
	entries, err := h.store.PendingOutbox(h.ctx(), 0, 1000)
	if err != nil {
		h.t.Fatal(err)
	}
	out := map[int64]storage.OutboxEntry{}
	for _, e := range entries {
		if e.Origin.Kind == storage.OriginBroadcast {
			out[e.ChatID] = e
		}
	}
	return out
}

// Publishing a draft ends with «Сообщить педагогам?»; an audience chosen
// there sends the event's announcement, signed, with «Записаться», to the
// teachers of the chosen kinds only.
func TestPublishingTellsTeachers(t *testing.T) {
	h := newHarness(t, nil)
	ids := h.seedOrgs(school1, gibdd)
	c := coordinator
	h.makeCoordinator(c, ids[0])
	e := h.event(ids[0], func(e *storage.Event) { e.Status, e.Audience = storage.EventDraft, "5–7 классы" })
	schoolTeachers := h.teachers(5000, 3, ids[0])
	inspector := h.teachers(6000, 1, ids[1])[0]

	h.say(c, fmt.Sprintf("/start e%d", e.ID), "Безопасное колесо", "Черновик")
	h.press(c, "✅ Опубликовать", "Сообщить педагогам?", "с кнопкой «Записаться»")
	h.press(c, "🏫 Организациям выбранных видов", "Отметьте виды организаций")
	h.press(c, "Школы", "Отметьте виды организаций")
	h.press(c, "Готово (выбрано: 1)", "Получатели: педагоги и группы: школы. Получат 3 адресата.")
	preview := h.driver().Expect(c.ID, 0, "Новое мероприятие: «Безопасное колесо»")
	for _, want := range []string{"5–7 классы", "— Педагог Тестовый, СОШ №1"} {
		if !strings.Contains(preview.PlainText(), want) {
			t.Errorf("the preview lacks %q:\n%s", want, preview.PlainText())
		}
	}
	h.press(c, "📨 Отправить", "Рассылка №1 идёт: доставлено 0 из 3")

	got := h.broadcastEntries()
	if len(got) != 3 {
		t.Fatalf("announcements to %d chats, want the 3 school teachers: %v", len(got), got)
	}
	if _, ok := got[inspector.ID]; ok {
		t.Error("the traffic police inspector got a message meant for schools")
	}
	for _, u := range schoolTeachers {
		en := got[u.ID]
		if en.Content.IsCopy() || !strings.Contains(en.Content.Text, "«Безопасное колесо»") || !strings.Contains(en.Content.Text, "Педагог Тестовый</i>, СОШ №1") {
			t.Errorf("chat %d: %+v", u.ID, en.Content)
		}
		if b := en.Content.Buttons; len(b) != 1 || b[0][0].Text != "✅ Записаться" || b[0][0].Data != cb(cbSignup, e.ID) {
			t.Errorf("chat %d: buttons %+v", u.ID, b)
		}
	}
}

// «Не сейчас» sends nothing, and the card keeps «📢 Сообщить педагогам»
// for later.
func TestTellTeachersLater(t *testing.T) {
	h := newHarness(t, nil)
	ids := h.seedOrgs(school1)
	c := coordinator
	h.makeCoordinator(c, ids[0])
	e := h.event(ids[0], func(e *storage.Event) { e.Status = storage.EventDraft })
	h.teachers(5000, 2, ids[0])
	h.say(c, fmt.Sprintf("/start e%d", e.ID), "Безопасное колесо")
	h.press(c, "✅ Опубликовать", "Сообщить педагогам?")
	h.press(c, "Не сейчас", "Сообщить можно позже")
	if got := h.broadcastEntries(); len(got) != 0 {
		t.Fatalf("sent after «Не сейчас»: %v", got)
	}
	h.say(c, fmt.Sprintf("/start e%d", e.ID), "Безопасное колесо")
	h.press(c, "📢 Сообщить педагогам", "Сообщить педагогам?")
	h.press(c, "👩‍🏫 Всем педагогам", "Получат 2 адресата")
	h.press(c, "📨 Отправить", "доставлено 0 из 2")
}

// The number of recipients comes before the text is asked; an audience
// that reaches nobody says so at once and offers another.
func TestBroadcastCountBeforeText(t *testing.T) {
	h := newHarness(t, nil)
	ids := h.seedOrgs(school1)
	c := coordinator
	h.makeCoordinator(c, ids[0])
	h.teachers(5000, 2, ids[0])
	h.say(c, "/broadcast", "Кому отправить?")
	h.press(c, "💬 Всем привязанным группам", "Получателей нет: ни одна группа")
	h.press(c, "‹ Выбрать других получателей", "Кому отправить?")
	h.press(c, "👩‍🏫 Всем педагогам", "Получатели: все педагоги. Получат 2 адресата.", "отправьте само объявление")
}

// A broadcast is signed with its author's name and organisation, keeps its
// formatting, and may carry an event's «Записаться»; a photo's caption is
// replaced with itself and the signature.
func TestBroadcastSignedWithSignupButton(t *testing.T) {
	h := newHarness(t, nil)
	ids := h.seedOrgs(school1)
	c := coordinator
	h.makeCoordinator(c, ids[0])
	e := h.event(ids[0], nil)
	users := h.teachers(5000, 2, ids[0])
	h.say(c, "/broadcast", "Кому отправить?")
	h.press(c, "👩‍🏫 Всем педагогам", "Получат 2 адресата")
	h.say(c, "Работы принимаются до 20 марта <включительно>", "Так объявление увидят получатели")
	h.press(c, "➕ Добавить кнопку «Записаться»", "На какое мероприятие")
	h.press(c, "Безопасное колесо · "+h.bot.catalog.For("ru").Date(e.Start.In(moscowZone)), "Под объявлением будет кнопка «Записаться» на «Безопасное колесо»")
	h.driver().Expect(c.ID, 0, "Работы принимаются до 20 марта <включительно>", "— Педагог Тестовый, СОШ №1")
	h.press(c, "📨 Отправить", "Рассылка №1 идёт")
	for _, u := range users {
		en := h.broadcastEntries()[u.ID]
		if en.Content.IsCopy() || en.Content.Text != "Работы принимаются до 20 марта &lt;включительно&gt;\n\n— <i>Педагог Тестовый</i>, СОШ №1" {
			t.Errorf("chat %d: %q", u.ID, en.Content.Text)
		}
		if b := en.Content.Buttons; len(b) != 1 || b[0][0].Data != cb(cbSignup, e.ID) || b[0][1].Data != cb(cbEventOpen, e.ID) {
			t.Errorf("chat %d: buttons %+v", u.ID, b)
		}
	}

	h.say(c, "/broadcast", "Кому отправить?")
	h.press(c, "👩‍🏫 Всем педагогам", "Получат 2 адресата")
	v := h.tg.Version()
	h.tg.SendPhoto(c, []byte("png"), "Афиша")
	h.driver().Expect(c.ID, v, "Так объявление увидят получатели")
	h.press(c, "📨 Отправить", "Рассылка №2 идёт")
	entries, err := h.store.BroadcastEntries(h.ctx(), 2)
	if err != nil || len(entries) != 2 {
		t.Fatalf("entries of the photo: %v, %v", entries, err)
	}
	for _, en := range entries {
		if !en.Content.IsCopy() || en.Content.Text != "Афиша\n\n— <i>Педагог Тестовый</i>, СОШ №1" || en.Content.Buttons != nil {
			t.Errorf("the photo's copy: %+v", en.Content)
		}
	}
}

// The Russian points of issue 10 that live in the bot's code: nobody to
// tell, no sign-ups yet, editing is not «Новое мероприятие».
func TestRussianForZeroAndEditing(t *testing.T) {
	h := newHarness(t, nil)
	ids := h.seedOrgs(school1)
	c := coordinator
	h.makeCoordinator(c, ids[0])
	e := h.event(ids[0], nil)
	h.say(c, fmt.Sprintf("/start e%d", e.ID), "Число мест не ограничено; пока никто не записан")
	h.press(c, "✏️ Изменить", "Что изменить")
	_, m := h.press(c, "Название", "Новое название мероприятия? Сейчас: «Безопасное колесо».")
	if strings.Contains(m.PlainText(), "Новое мероприятие") {
		t.Errorf("editing says «Новое мероприятие»: %q", m.PlainText())
	}
	h.say(c, "/cancel")
	h.say(c, fmt.Sprintf("/start e%d", e.ID), "Безопасное колесо")
	h.press(c, "🚫 Отменить мероприятие", "Участников пока нет")
	h.press(c, "Да, отменить мероприятие", "Записавшихся не было — уведомлять некого")
	h.noBotMessageSays(c.ID, "0 участник")
}

// Undelivered recipients are explained in plain words.
func TestBroadcastReportReasonsInPlainRussian(t *testing.T) {
	h := newHarness(t, nil)
	got := h.bot.BroadcastReport(storage.Broadcast{ID: 1, Lang: "ru", Total: 2, Sent: 1},
		[]storage.Undelivered{{UserID: 5, FullName: "Кулиева Фатима Хасановна", Reason: storage.ReasonChatNotFound}})
	if strings.Contains(got, "чат не найден") || !strings.Contains(got, "Кулиева Фатима Хасановна — Telegram не нашёл этот чат: аккаунт удалён") {
		t.Errorf("report: %q", got)
	}
}

// TestBroadcastMessageStepHasBack: the step that waits for the message has
// «Назад» to the audience, as every prompt with a step before it does.
func TestBroadcastMessageStepHasBack(t *testing.T) {
	h := newHarness(t, nil)
	ids := h.seedOrgs(school1)
	c := telegramtest.User{ID: 3100, FirstName: "Координатор", LanguageCode: "ru"}
	h.makeCoordinator(c, ids[0])
	h.teachers(3200, 2, ids[0])
	h.say(c, "/broadcast", "Кому отправить")
	h.press(c, "👩‍🏫 Всем педагогам", "Теперь отправьте")
	h.press(c, "« Назад", "Кому отправить")
	h.press(c, "👩‍🏫 Всем педагогам", "Теперь отправьте")
	// The pickers of kinds and of organisations have it too.
	h.press(c, "« Назад", "Кому отправить")
	h.press(c, "🏫 Организациям выбранных видов", "Отметьте")
	h.press(c, "« Назад", "Кому отправить")
	h.press(c, "📋 Выбранным организациям", "Отметьте")
	h.press(c, "« Назад", "Кому отправить")
}
