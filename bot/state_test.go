package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"vmeste/locales"
	"vmeste/storage"
	"vmeste/telegramtest"
)

// The end-to-end tests of issue 9's part "state": buttons carry the state
// they were drawn for, one wizard at a time, outbox messages in each
// recipient's language, the deep link that cannot be shown.

// A teacher promoted from the waitlist keeps her seat when she presses her
// old «Выйти из листа ожидания», or the «Да, выйти» of a question asked
// before the promotion: she gets the current card and a note instead.
func TestPromotedTeachersOldLeaveButtonKeepsHerSeat(t *testing.T) {
	h := newHarness(t, nil)
	ids := h.seedOrgs(school1)
	e := h.event(ids[0], func(e *storage.Event) { e.Capacity = 1 })
	first := telegramtest.User{ID: 5001, FirstName: "Первая", LanguageCode: "ru"}
	h.registerDirect(first, ids[0])
	h.registerDirect(teacher, ids[0])
	if _, err := h.store.Register(h.ctx(), storage.SignUp{EventID: e.ID, UserID: first.ID}, h.clock.Now()); err != nil {
		t.Fatal(err)
	}
	h.say(teacher, fmt.Sprintf("/start e%d", e.ID), "Безопасное колесо")
	_, card := h.press(teacher, "⏳ Встать в лист ожидания", "Вы в листе ожидания")

	// The seat frees while her card still offers to leave the waitlist.
	if _, err := h.store.CancelRegistration(h.ctx(), e.ID, first.ID, h.bot.notifyPromoted); err != nil {
		t.Fatal(err)
	}
	ans, m := h.press(teacher, "❌ Выйти из листа ожидания", "✅ Вы записаны")
	if !strings.Contains(ans.Text, "запись изменилась") || !ans.ShowAlert {
		t.Errorf("the stale press answered %+v", ans)
	}
	if m.ID != card.ID {
		t.Errorf("the current card went to message %d, not the pressed %d", m.ID, card.ID)
	}
	if reg, err := h.store.Registration(h.ctx(), e.ID, teacher.ID); err != nil || reg.State != storage.RegConfirmed {
		t.Fatalf("after the old button: %+v, %v", reg, err)
	}

	// A question asked while she was waiting, answered after a promotion.
	h2 := newHarness(t, nil)
	ids = h2.seedOrgs(school1)
	e = h2.event(ids[0], func(e *storage.Event) { e.Capacity = 1 })
	h2.registerDirect(first, ids[0])
	h2.registerDirect(teacher, ids[0])
	for _, u := range []int64{first.ID, teacher.ID} {
		if _, err := h2.store.Register(h2.ctx(), storage.SignUp{EventID: e.ID, UserID: u}, h2.clock.Now()); err != nil {
			t.Fatal(err)
		}
	}
	h2.say(teacher, fmt.Sprintf("/start e%d", e.ID), "место в очереди — 1")
	h2.press(teacher, "❌ Выйти из листа ожидания", "Выйти из листа ожидания на «Безопасное колесо»?")
	if _, err := h2.store.CancelRegistration(h2.ctx(), e.ID, first.ID, nil); err != nil {
		t.Fatal(err)
	}
	ans, _ = h2.press(teacher, "Да, выйти", "✅ Вы записаны")
	if !strings.Contains(ans.Text, "запись изменилась") {
		t.Errorf("the stale «Да, выйти» answered %q", ans.Text)
	}
	if reg, err := h2.store.Registration(h2.ctx(), e.ID, teacher.ID); err != nil || reg.State != storage.RegConfirmed {
		t.Fatalf("after the old question: %+v, %v", reg, err)
	}
}

// Cancelling a sign-up asks on the card itself and redraws that card: it
// never says «Вы записаны» after «Да, отменить запись».
func TestCancellingRedrawsThePressedCard(t *testing.T) {
	h := newHarness(t, nil)
	ids := h.seedOrgs(school1)
	e := h.event(ids[0], nil)
	h.registerDirect(teacher, ids[0])
	h.say(teacher, fmt.Sprintf("/start e%d", e.ID), "Безопасное колесо")
	_, card := h.press(teacher, "✅ Записаться", "✅ Вы записаны")
	_, q := h.press(teacher, "❌ Отменить запись", "Отменить запись на «Безопасное колесо»?")
	if q.ID != card.ID {
		t.Errorf("the question is message %d, not the card %d", q.ID, card.ID)
	}
	_, m := h.press(teacher, "Да, отменить запись", "отменена")
	if m.ID != card.ID || strings.Contains(m.PlainText(), "Вы записаны") {
		t.Errorf("after cancelling, message %d (card %d): %q", m.ID, card.ID, m.PlainText())
	}
	if !hasButton(m, "✅ Записаться") {
		t.Errorf("the redrawn card has no sign-up button: %+v", m.Buttons)
	}
	// The question's «Да» pressed again (a double tap) changes nothing.
	q2 := h.tg.Callback(teacher, teacher.ID, card.ID, cb(cbSignupCancelYes, e.ID, "c"))
	if a, _ := h.tg.WaitCallbackAnswered(h.ctx(), q2); !strings.Contains(a.Text, "запись изменилась") {
		t.Errorf("a second «Да» answered %q", a.Text)
	}
	// A button without the state it was drawn for (an old message) acts on
	// nothing either.
	q3 := h.tg.Callback(teacher, teacher.ID, card.ID, cb(cbSignupCancel, e.ID))
	if a, _ := h.tg.WaitCallbackAnswered(h.ctx(), q3); !strings.Contains(a.Text, "запись изменилась") {
		t.Errorf("a button without its state answered %q", a.Text)
	}
}

func hasButton(m telegramtest.Message, label string) bool {
	for _, row := range m.Buttons {
		for _, b := range row {
			if b.Text == label {
				return true
			}
		}
	}
	return false
}

// /newevent, a title, /broadcast: the bot asks before it leaves the draft;
// «Продолжить» returns to it with the title kept; leaving parks the draft,
// which /drafts offers again.
func TestWizardInterruptedByAnotherIsOfferedBack(t *testing.T) {
	h := newHarness(t, nil)
	ids := h.seedOrgs(school1)
	c := coordinator
	h.makeCoordinator(c, ids[0])
	h.say(c, "/newevent", "Как оно называется")
	h.say(c, "Добрая дорога детства", "Вид мероприятия")
	h.say(c, "/broadcast", "Вы ещё не закончили: новое мероприятие «Добрая дорога детства»")
	h.press(c, "▶️ Продолжить", "Вид мероприятия")
	if d := h.eventDraft(c.ID); d.Event.Title != "Добрая дорога детства" {
		t.Fatalf("the draft after «Продолжить»: %+v", d)
	}

	h.say(c, "/broadcast", "Вы ещё не закончили")
	h.press(c, "Отложить в черновики и начать новое", "Кому отправить")
	h.say(c, "/cancel", "Отменено")
	h.say(c, "/drafts", "Незаконченные мероприятия", "Добрая дорога детства")
	h.press(c, "▶️ Продолжить 1", "Вид мероприятия")
	if d := h.eventDraft(c.ID); d.Event.Title != "Добрая дорога детства" {
		t.Fatalf("the draft taken from /drafts: %+v", d)
	}
	if parked, err := h.store.ParkedConversations(h.ctx(), c.ID); err != nil || len(parked) != 0 {
		t.Errorf("still parked: %+v, %v", parked, err)
	}

	// An older question's buttons act on nothing: the newer one holds
	// the request.
	old := h.say(c, "/broadcast", "Вы ещё не закончили")
	h.say(c, "/broadcast", "Вы ещё не закончили")
	q := h.tg.Callback(c, c.ID, old.ID, old.Buttons[1][0].CallbackData)
	if a, _ := h.tg.WaitCallbackAnswered(h.ctx(), q); !strings.Contains(a.Text, "неактуальна") {
		t.Errorf("the older question's button answered %q", a.Text)
	}
	if d := h.eventDraft(c.ID); d.Event.Title != "Добрая дорога детства" {
		t.Errorf("the draft after an old button: %+v", d)
	}
}

// The same question for the other flows: a profile edit is interrupted by
// a team sign-up, and leaving it discards it (nothing to keep).
func TestProfileEditInterruptedByTeamSignup(t *testing.T) {
	h := newHarness(t, nil)
	ids := h.seedOrgs(school1)
	e := h.event(ids[0], func(e *storage.Event) { e.Unit, e.MaxTeam = storage.UnitTeam, 5 })
	h.registerDirect(teacher, ids[0])
	h.say(teacher, "/profile", "ФИО")
	h.press(teacher, "Изменить ФИО", "Как вас зовут")
	h.say(teacher, fmt.Sprintf("/start e%d", e.ID), "командой")
	h.press(teacher, "✅ Записаться", "Вы ещё не закончили: изменение профиля")
	h.press(teacher, "Оставить и начать новое", "Сколько учащихся")
	if c, err := h.store.Conversation(h.ctx(), teacher.ID); err != nil || c.Flow != flowSignup {
		t.Fatalf("the wizard after leaving: %+v, %v", c, err)
	}
	h.say(teacher, "3", "Название команды")
}

// eventDraft reads the user's /newevent wizard state.
func (h *harness) eventDraft(userID int64) eventDraft {
	h.t.Helper()
	c, err := h.store.Conversation(h.ctx(), userID)
	if err != nil || c.Flow != flowEvent {
		h.t.Fatalf("no event wizard: %+v, %v", c, err)
	}
	var d eventDraft
	if err := json.Unmarshal(c.Data, &d); err != nil {
		h.t.Fatal(err)
	}
	return d
}

// An announcement to an event's participants carries «Открыть мероприятие»
// in each recipient's language.
func TestAnnouncementButtonInEachRecipientsLanguage(t *testing.T) {
	h := newHarness(t, nil)
	ids := h.seedOrgs(school1)
	c := coordinator
	h.makeCoordinator(c, ids[0])
	e := h.event(ids[0], nil)
	h.registerDirect(teacher, ids[0])
	h.registerDirect(englishT, ids[0])
	en := h.user(englishT.ID)
	en.Lang = "en"
	if err := h.store.PutUser(h.ctx(), en); err != nil {
		t.Fatal(err)
	}
	for _, u := range []int64{teacher.ID, englishT.ID} {
		if _, err := h.store.Register(h.ctx(), storage.SignUp{EventID: e.ID, UserID: u}, h.clock.Now()); err != nil {
			t.Fatal(err)
		}
	}
	h.say(c, fmt.Sprintf("/start e%d", e.ID), "Безопасное колесо")
	h.press(c, "📣 Написать участникам", "отправьте само объявление")
	h.say(c, "Собрание участников в пятницу", "Получат 2")
	h.press(c, "📨 Отправить")
	want := map[int64]string{teacher.ID: "Открыть мероприятие", englishT.ID: "Open the event"}
	entries, err := h.store.PendingOutbox(h.ctx(), 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	got := map[int64]string{}
	for _, en := range entries {
		if en.Origin.Kind == storage.OriginBroadcast && len(en.Content.Buttons) == 1 {
			got[en.ChatID] = en.Content.Buttons[0][0].Text
			if d := en.Content.Buttons[0][0].Data; d != cb(cbEventOpen, e.ID) {
				t.Errorf("chat %d: button data %q", en.ChatID, d)
			}
		}
	}
	for chat, label := range want {
		if got[chat] != label {
			t.Errorf("chat %d: button %q, want %q (all: %v)", chat, got[chat], label, got)
		}
	}
}

// A deep link to a draft or to an event that does not exist gets an answer
// that says so, not silence.
func TestDeepLinkToDraftOrMissingEventIsAnswered(t *testing.T) {
	h := newHarness(t, nil)
	ids := h.seedOrgs(school1)
	draft := h.event(ids[0], func(e *storage.Event) { e.Status = storage.EventDraft })
	h.registerDirect(teacher, ids[0])
	h.say(teacher, fmt.Sprintf("/start e%d", draft.ID), "ещё не опубликовано", "/events")
	h.say(teacher, "/start e99999", "Мероприятия по этой ссылке нет", "/events")
	// A deleted draft is kept, cancelled: its card says so.
	gone := h.event(ids[0], func(e *storage.Event) { e.Status = storage.EventDraft })
	if _, _, err := h.store.CancelEvent(h.ctx(), gone.ID, nil); err != nil {
		t.Fatal(err)
	}
	h.say(teacher, fmt.Sprintf("/start e%d", gone.ID), "Безопасное колесо", "отменено")
}

// A handler's error gets exactly one apology, whatever the path.
func TestHandlerErrorApologisesOnce(t *testing.T) {
	h := newHarness(t, func(b *Bot) {
		b.commands["fail"] = command{role: roleNone, fn: func(context.Context, *Request, string) error { return fmt.Errorf("disk on fire") }}
	})
	h.say(teacher, "/fail", "что-то пошло не так")
	h.say(teacher, "/help", "Команды") // handled after /fail: its apologies are all in
	n := 0
	for _, m := range h.tg.BotMessages(teacher.ID) {
		if strings.Contains(m.PlainText(), "что-то пошло не так") {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d apologies, want 1", n)
	}
}

// When the user cannot be loaded or stored, the storage error is logged as
// itself (no panic on an unset printer hides it) and the user gets one
// apology, in the language Telegram gave.
func TestUserStorageErrorIsLoggedAsItselfWithOneApology(t *testing.T) {
	h := newHarness(t, nil)
	closed, err := storage.Open(filepath.Join(t.TempDir(), "closed.db"), storage.Options{Now: h.clock.Now, Location: moscowZone})
	if err != nil {
		t.Fatal(err)
	}
	if err := closed.Close(); err != nil {
		t.Fatal(err)
	}
	catalog, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	logs := &lockedBuffer{}
	b, err := New(h.ctx(), Config{Token: telegramtest.Token, APIURL: h.tg.URL(), Location: moscowZone, Now: h.clock.Now,
		Logger: slog.New(slog.NewTextHandler(logs, nil))}, closed, catalog)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []telegramtest.User{teacher, englishT} {
		h.tg.AddChat(telegramtest.Chat{ID: u.ID, Type: telegramtest.ChatPrivate})
		b.handle(h.ctx(), helpUpdate(u))
	}
	if strings.Contains(logs.String(), "handler panic") || !strings.Contains(logs.String(), "bot: load user") {
		t.Errorf("the storage error was not logged as itself:\n%s", logs.String())
	}
	for u, want := range map[int64]string{teacher.ID: "что-то пошло не так", englishT.ID: "something went wrong"} {
		msgs := h.tg.BotMessages(u)
		if len(msgs) != 1 || !strings.Contains(msgs[0].PlainText(), want) {
			t.Errorf("chat %d: %d messages, want one apology %q: %+v", u, len(msgs), want, msgs)
		}
	}
}

// Every flow can be offered back: it has a resume hook and a name in both
// languages.
func TestEveryFlowCanBeOfferedBack(t *testing.T) {
	c, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	b := b0()
	for name, f := range b.flows {
		if f.resume == nil {
			t.Errorf("flow %q has no resume", name)
		}
		for _, lang := range locales.Languages {
			if _, ok := c.Raw(lang, "wizard_flow_"+name); !ok {
				t.Errorf("%s: key wizard_flow_%s missing", lang, name)
			}
		}
	}
	for key := range b.wizardStarts {
		_, isCallback := b.callbacks[key]
		_, isCommand := b.commands[strings.TrimPrefix(key, "/")]
		if !isCallback && !(strings.HasPrefix(key, "/") && isCommand) {
			t.Errorf("wizardStarts lists %q, which is no route", key)
		}
	}
}
