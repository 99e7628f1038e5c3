package bot

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"vmeste/locales"
	"vmeste/storage"
	"vmeste/telegramtest"
)

// drawingForm is the application of a drawing contest: the pupils, an
// optional phone, the nomination and up to three works (pictures or
// documents).
func drawingForm() storage.Form {
	return storage.Form{Pupils: true, Phone: storage.NeedOptional,
		Questions: []storage.Question{{ID: 1, Text: "Номинация", Kind: storage.QuestionChoice, Options: []string{"Рисунок", "Плакат"}, Required: true}},
		Works:     &storage.WorksSpec{Kinds: []storage.WorkKind{storage.WorkPhoto, storage.WorkDocument}, MaxFiles: 3}}
}

// formEvent stores a published team event with form, sign-up closing in
// three days.
func (h *harness) formEvent(org int64, form storage.Form) storage.Event {
	h.t.Helper()
	return h.event(org, func(e *storage.Event) {
		e.Title, e.Kind = "Добрая дорога детства", storage.EventContest
		e.Unit, e.MaxTeam = storage.UnitTeam, 5
		e.Deadline = h.clock.Now().Add(3 * 24 * time.Hour)
		e.Form = form
	})
}

// sendContact shares u's phone and waits for a bot message with want.
func (h *harness) sendContact(u telegramtest.User, phone string, want ...string) telegramtest.Message {
	h.t.Helper()
	v := h.tg.Version()
	h.tg.SendContact(u, phone)
	return h.driver().Expect(u.ID, v, want...)
}

// sendFile sends a work as u and waits for a bot message with want.
func (h *harness) sendFile(u telegramtest.User, send func(), want ...string) telegramtest.Message {
	h.t.Helper()
	v := h.tg.Version()
	send()
	return h.driver().Expect(u.ID, v, want...)
}

// registration reads u's registration for the event.
func (h *harness) registration(eventID int64, u telegramtest.User) storage.Registration {
	h.t.Helper()
	reg, err := h.store.Registration(context.Background(), eventID, u.ID)
	if err != nil {
		h.t.Fatalf("registration of %d: %v", u.ID, err)
	}
	return reg
}

// A team's application with four pupils typed as lines (a bad line
// pointed out first, then the list sent again corrected), the phone
// shared with the button, one question and two works is stored exactly
// as read back.
func TestApplicationOfATeamIsStoredAsReadBack(t *testing.T) {
	h := newHarness(t, nil)
	ids := h.seedOrgs(school1)
	e := h.formEvent(ids[0], drawingForm())
	h.registerDirect(teacher, ids[0])

	h.say(teacher, fmt.Sprintf("/start e%d", e.ID), "Добрая дорога детства")
	h.press(teacher, "✅ Записаться", "Заявка на «Добрая дорога детства»", "согласие родителей")
	h.press(teacher, "✅ Подтверждаю", "Учащиеся команды", "не больше 5")
	bad := h.say(teacher, "Иванов Пётр, 5Б\nПетров\n1. Сидоров Илья — 11А\nКозлова Мария, 7в",
		"В команде 3 учащихся", "Не прочитана 1 строка", "строка 2, Петров — нет класса", "отправьте весь список ещё раз")
	if len(bad.Buttons) == 0 || bad.Buttons[0][0].Text != "Продолжить: 3 учащихся" {
		t.Errorf("no way on with the pupils read: %+v", bad.Buttons)
	}

	m := h.say(teacher, "Иванов Пётр, 5Б\nПетрова Анна Сергеевна 5 Б\n\n1. Сидоров Илья — 11А\nКозлова Мария, 7в",
		"В команде 4 учащихся", "2. Петрова Анна Сергеевна, 5Б", "4. Козлова Мария, 7В", "Название команды")
	if strings.Contains(m.PlainText(), "Не прочитан") {
		t.Errorf("the corrected list still has problems: %s", m.PlainText())
	}
	_, last := h.press(teacher, "Без названия", "Кнопка «📱 Отправить номер» отправит номер")
	if len(last.ReplyKeyboard) != 1 || last.ReplyKeyboard[0][0] != "📱 Отправить номер" {
		t.Errorf("the phone's reply keyboard: %+v", last.ReplyKeyboard)
	}
	h.sendContact(teacher, "79281234567", "Вопрос 1 из 1", "Номинация")
	if removed := h.tg.BotMessages(teacher.ID); !removedKeyboardSaying(removed, "Телефон: +79281234567") {
		t.Error("the shared phone was not said back with the reply keyboard taken away")
	}
	h.press(teacher, "Плакат", "Работы", "до 3 файлов")
	h.sendFile(teacher, func() { h.tg.SendDocument(teacher, "рисунок.pdf", "application/pdf", []byte("%PDF-1.4"), "") }, "Принят 1 файл", "1 из 3")
	h.sendFile(teacher, func() { h.tg.SendPhoto(teacher, []byte("jpeg"), "") }, "Принят 1 файл", "2 из 3")
	h.press(teacher, "✅ Готово", "Заявка на «Добрая дорога детства»", "1. Иванов Пётр, 5Б", "Телефон: +79281234567",
		"Номинация: Плакат", "Работы: 2 файла из 3", "Всё верно?")
	h.press(teacher, "✅ Отправить заявку", "Вы записаны")

	reg := h.registration(e.ID, teacher)
	app := reg.Application
	if app == nil {
		t.Fatal("no application stored")
	}
	want := []storage.Pupil{{Name: "Иванов Пётр", Class: "5Б"}, {Name: "Петрова Анна Сергеевна", Class: "5Б"},
		{Name: "Сидоров Илья", Class: "11А"}, {Name: "Козлова Мария", Class: "7В"}}
	if len(app.Pupils) != len(want) {
		t.Fatalf("pupils %+v", app.Pupils)
	}
	for i := range want {
		if app.Pupils[i] != want[i] {
			t.Errorf("pupil %d: %+v, want %+v", i, app.Pupils[i], want[i])
		}
	}
	if reg.TeamSize != 4 || reg.OrgID != ids[0] || app.Phone != "+79281234567" || app.ParentsConsentAt.IsZero() {
		t.Errorf("registration %+v", reg)
	}
	if len(app.Answers) != 1 || app.Answers[0] != (storage.Answer{QuestionID: 1, Text: "Плакат"}) {
		t.Errorf("answers %+v", app.Answers)
	}
	if len(app.Works) != 2 || app.Works[0].Kind != storage.WorkDocument || app.Works[0].FileName != "рисунок.pdf" ||
		app.Works[1].Kind != storage.WorkPhoto || app.Works[1].AddedBy != teacher.ID || app.Works[0].FileID == "" {
		t.Errorf("works %+v", app.Works)
	}
	if _, err := h.store.Conversation(h.ctx(), teacher.ID); !storage.IsNotFound(err) {
		t.Errorf("the wizard is not over: %v", err)
	}
	for _, personal := range []string{"Иванов", "Петрова", "9281234567", "Плакат"} {
		if strings.Contains(h.logs.String(), personal) {
			t.Errorf("the log holds %q", personal)
		}
	}
}

// removedKeyboardSaying reports whether a message containing text took the
// reply keyboard away.
func removedKeyboardSaying(msgs []telegramtest.Message, text string) bool {
	for _, m := range msgs {
		if m.RemoveKeyboard && strings.Contains(m.PlainText(), text) {
			return true
		}
	}
	return false
}

// applyDirect stores u's application for e as the wizard would.
func (h *harness) applyDirect(e storage.Event, u telegramtest.User, app storage.Application) storage.Registration {
	h.t.Helper()
	reg, err := h.store.Register(context.Background(), storage.SignUp{EventID: e.ID, UserID: u.ID, Application: &app}, h.clock.Now())
	if err != nil {
		h.t.Fatalf("register %d: %v", u.ID, err)
	}
	return reg
}

// The teacher changes a pupil and an answer before the deadline, adds and
// removes a work; after the deadline the buttons are gone and an old one
// is refused with the date it closed, changing nothing.
func TestApplicationChangedBeforeTheDeadlineNotAfter(t *testing.T) {
	h := newHarness(t, nil)
	ids := h.seedOrgs(school1)
	e := h.formEvent(ids[0], drawingForm())
	h.registerDirect(teacher, ids[0])
	h.applyDirect(e, teacher, storage.Application{Pupils: []storage.Pupil{{Name: "Иванов Пётр", Class: "5Б"}, {Name: "Петрова Анна", Class: "5Б"}},
		ParentsConsentAt: h.clock.Now(), Answers: []storage.Answer{{QuestionID: 1, Text: "Плакат"}}})

	my := h.say(teacher, "/my", "Добрая дорога детства", "2 учащихся: Иванов Пётр (5Б), Петрова Анна (5Б)", "Номинация: Плакат", "Работы: 0 файлов из 3")
	h.press(teacher, "✏️ Изменить заявку", "Ваша заявка на «Добрая дорога детства»", "2. Петрова Анна, 5Б", "Заявку можно изменить до")
	h.press(teacher, "👥 Учащиеся", "Изменение заявки", "Сейчас в списке 2 учащихся", "Петрова Анна, 5Б")
	h.say(teacher, "Иванов Пётр, 5Б\nОрлова Вера, 6А", "В команде 2 учащихся", "2. Орлова Вера, 6А", "Всё верно?")
	h.press(teacher, "✅ Сохранить", "Заявка на «Добрая дорога детства» изменена", "2. Орлова Вера, 6А", "Номинация: Плакат")
	h.press(teacher, "❓ Ответы на вопросы", "Вопрос 1 из 1", "Сейчас: Плакат")
	h.press(teacher, "Рисунок", "Номинация: Рисунок", "Всё верно?")
	h.press(teacher, "✅ Сохранить", "изменена", "Номинация: Рисунок")

	reg := h.registration(e.ID, teacher)
	if app := reg.Application; len(app.Pupils) != 2 || app.Pupils[1] != (storage.Pupil{Name: "Орлова Вера", Class: "6А"}) ||
		len(app.Answers) != 1 || app.Answers[0].Text != "Рисунок" || app.ChangedAt.IsZero() || reg.TeamSize != 2 {
		t.Errorf("changed application %+v, team %d", app, reg.TeamSize)
	}

	h.press(teacher, "📎 Мои работы", "Работы к заявке", "0 из 3")
	h.sendFile(teacher, func() { h.tg.SendPhoto(teacher, []byte("jpeg"), "") }, "Принят 1 файл", "1 из 3")
	h.sendFile(teacher, func() { h.tg.SendVideo(teacher, "чтение.mp4", "video/mp4", []byte("mp4"), "") }, "Не принят 1 файл", "только фото, документы")
	h.press(teacher, "✅ Готово", "в заявке 1 из 3")
	h.press(teacher, "📎 Мои работы", "1. 🖼 фото")
	h.press(teacher, "✖ 1", "0 из 3")
	if n := len(h.registration(e.ID, teacher).Application.Works); n != 0 {
		t.Errorf("%d works after removing the one", n)
	}
	h.sendFile(teacher, func() { h.tg.SendPhoto(teacher, []byte("jpeg2"), "") }, "Принят 1 файл")
	h.say(teacher, "/my", "Работы: 1 файл из 3")

	h.clock.advance(4 * 24 * time.Hour)
	after := h.say(teacher, "/my", "Добрая дорога детства")
	for _, row := range after.Buttons {
		for _, b := range row {
			if strings.Contains(b.Text, "Изменить заявку") || strings.Contains(b.Text, "работы") {
				t.Errorf("a button %q after the deadline", b.Text)
			}
		}
	}
	before := h.registration(e.ID, teacher)
	q, err := h.tg.PressButtonOn(teacher, teacher.ID, my.ID, "✏️ Изменить заявку")
	if err != nil {
		t.Fatal(err)
	}
	if a, _ := h.tg.WaitCallbackAnswered(h.ctx(), q); !a.ShowAlert || !strings.Contains(a.Text, "можно было изменить до") {
		t.Errorf("an old edit button after the deadline answered %+v", a)
	}
	q = h.tg.Callback(teacher, teacher.ID, my.ID, cb(cbApplySection, e.ID, sectionPupils))
	if a, _ := h.tg.WaitCallbackAnswered(h.ctx(), q); !strings.Contains(a.Text, "можно было изменить до") {
		t.Errorf("an old section button after the deadline answered %+v", a)
	}
	uniq := before.Application.Works[0].FileUniqueID
	q = h.tg.Callback(teacher, teacher.ID, my.ID, cb(cbWorkRemove, e.ID, uniq))
	if a, _ := h.tg.WaitCallbackAnswered(h.ctx(), q); !strings.Contains(a.Text, "Работы принимались до") {
		t.Errorf("an old remove button after the deadline answered %+v", a)
	}
	got := h.registration(e.ID, teacher)
	if len(got.Application.Works) != 1 || len(got.Application.Pupils) != 2 || !got.UpdatedAt.Equal(before.UpdatedAt) {
		t.Errorf("changed after the deadline: %+v", got.Application)
	}
}

// Two teachers of one school filling in at once: the form allows one team
// from each school, so the second to send is refused with the quota, and
// nothing of hers is stored.
func TestApplicationQuotaRefusesASecondTeamOfTheSchool(t *testing.T) {
	h := newHarness(t, nil)
	ids := h.seedOrgs(school1)
	e := h.formEvent(ids[0], storage.Form{Pupils: true, OrgQuota: 1})
	h.registerDirect(teacher, ids[0])
	h.registerDirect(teacher2, ids[0])

	h.say(teacher2, fmt.Sprintf("/start e%d", e.ID), "Добрая дорога детства")
	h.press(teacher2, "✅ Записаться", "согласие родителей")
	h.applyDirect(e, teacher, storage.Application{Pupils: []storage.Pupil{{Name: "Иванов Пётр", Class: "5Б"}}, ParentsConsentAt: h.clock.Now()})
	h.press(teacher2, "✅ Подтверждаю", "Учащиеся команды")
	h.say(teacher2, "Сидоров Илья, 7А\nКозлова Мария, 7А", "В команде 2 учащихся", "Название команды")
	h.say(teacher2, "7 «А»", "Заявка на", "Команда: 7 «А»", "Всё верно?")
	h.press(teacher2, "✅ Отправить заявку", "От вашей организации уже подана 1 заявка — это предел")
	if _, err := h.store.Registration(h.ctx(), e.ID, teacher2.ID); !storage.IsNotFound(err) {
		t.Errorf("the second team was stored: %v", err)
	}
	if _, err := h.store.Conversation(h.ctx(), teacher2.ID); !storage.IsNotFound(err) {
		t.Errorf("the refused wizard goes on: %v", err)
	}
}

// An album of three photos is answered with one status message, edited as
// each photo arrives.
func TestApplicationAlbumGetsOneStatusMessage(t *testing.T) {
	h := newHarness(t, nil)
	ids := h.seedOrgs(school1)
	e := h.event(ids[0], func(e *storage.Event) {
		e.Title = "Я рисую безопасный труд"
		e.Form = storage.Form{Works: &storage.WorksSpec{Kinds: []storage.WorkKind{storage.WorkPhoto}, MaxFiles: 5}}
	})
	h.registerDirect(teacher, ids[0])
	h.say(teacher, fmt.Sprintf("/start e%d", e.ID), "Я рисую безопасный труд")
	h.press(teacher, "✅ Записаться", "Работы", "фото — до 5 файлов")

	before := len(h.tg.BotMessages(teacher.ID))
	v := h.tg.Version()
	h.tg.SendAlbum(teacher, [][]byte{[]byte("a"), []byte("b"), []byte("c")}, "Рисунки 3 «А»")
	status := h.driver().Expect(teacher.ID, v, "Приняты 3 файла", "3 из 5")
	if got := len(h.tg.BotMessages(teacher.ID)); got != before+1 {
		t.Errorf("the album got %d messages, want 1", got-before)
	}
	if status.Edited != 2 {
		t.Errorf("the status was edited %d times, want 2", status.Edited)
	}
	h.sendFile(teacher, func() { h.tg.SendVideo(teacher, "v.mp4", "video/mp4", []byte("v"), "") }, "Не принят 1 файл: принимаются только фото", "3 из 5")
	h.press(teacher, "✅ Готово", "Работы: 3 файла из 5")
	h.press(teacher, "✅ Отправить заявку", "Вы записаны")
	if works := h.registration(e.ID, teacher).Application.Works; len(works) != 3 || works[2].Kind != storage.WorkPhoto {
		t.Errorf("works %+v", works)
	}
}

// A restart of the bot in the middle of the application loses nothing:
// the next press continues where the teacher was.
func TestApplicationContinuesAfterARestart(t *testing.T) {
	h := newHarness(t, nil)
	ids := h.seedOrgs(school1)
	e := h.formEvent(ids[0], storage.Form{Pupils: true, Phone: storage.NeedRequired,
		Questions: []storage.Question{{ID: 1, Text: "Тема выступления", Kind: storage.QuestionText}}})
	h.registerDirect(teacher, ids[0])
	h.say(teacher, fmt.Sprintf("/start e%d", e.ID), "Добрая дорога детства")
	h.press(teacher, "✅ Записаться", "согласие родителей")
	h.press(teacher, "✅ Подтверждаю", "Учащиеся команды")
	h.say(teacher, "Иванов Пётр, 5Б", "В команде 1 учащийся", "Название команды")

	h.restart()

	h.press(teacher, "Без названия", "Телефон для связи")
	h.say(teacher, "позвоните в школу", "Не получилось прочитать номер")
	h.say(teacher, "8 (928) 123-45-67", "Вопрос 1 из 1", "Тема выступления", "Можно пропустить")
	h.say(teacher, strings.Repeat("я", storage.MaxAnswerLen+1), "Слишком длинно: 501 символ, а можно не больше 500")
	h.say(teacher, "Дорога домой", "Тема выступления: Дорога домой", "Всё верно?")
	h.restart()
	h.press(teacher, "✅ Отправить заявку", "Вы записаны")
	app := h.registration(e.ID, teacher).Application
	if app == nil || len(app.Pupils) != 1 || app.Phone != "+79281234567" || len(app.Answers) != 1 || app.Answers[0].Text != "Дорога домой" {
		t.Errorf("application %+v", app)
	}
}

// Buttons of the wizard pressed after it ended (the application sent, or
// cancelled) are answered as out of date and change nothing.
func TestApplicationOldButtonsChangeNothing(t *testing.T) {
	h := newHarness(t, nil)
	ids := h.seedOrgs(school1)
	e := h.formEvent(ids[0], drawingForm())
	h.registerDirect(teacher, ids[0])
	h.say(teacher, fmt.Sprintf("/start e%d", e.ID), "Добрая дорога детства")
	_, consent := h.press(teacher, "✅ Записаться", "согласие родителей")
	h.press(teacher, "✅ Подтверждаю", "Учащиеся команды")
	_, cancelled := h.press(teacher, "Отмена", "Отменено")
	if len(cancelled.Buttons) != 0 {
		t.Errorf("the cancelled question keeps buttons: %+v", cancelled.Buttons)
	}
	// The consent's button from before: the wizard is over.
	q := h.tg.Callback(teacher, teacher.ID, consent.ID, cb(cbApplyConsent, e.ID))
	if a, _ := h.tg.WaitCallbackAnswered(h.ctx(), q); !strings.Contains(a.Text, "неактуальна") {
		t.Errorf("an old consent button answered %+v", a)
	}
	if _, err := h.store.Conversation(h.ctx(), teacher.ID); !storage.IsNotFound(err) {
		t.Errorf("an old button brought the wizard back: %v", err)
	}

	// Again, to the end.
	h.press(teacher, "✅ Записаться", "согласие родителей")
	h.press(teacher, "✅ Подтверждаю", "Учащиеся команды")
	h.say(teacher, "Иванов Пётр, 5Б", "Название команды")
	h.press(teacher, "Без названия", "Телефон")
	h.press(teacher, "Пропустить", "Вопрос 1 из 1")
	_, question := h.press(teacher, "Рисунок", "Работы")
	h.press(teacher, "Добавлю позже", "Всё верно?")
	h.press(teacher, "✅ Отправить заявку", "Вы записаны")
	before := h.registration(e.ID, teacher)
	for _, data := range []string{cb(cbApplySend, e.ID), cb(cbApplyOption, e.ID, 1, 1), cb(cbApplyConsent, e.ID),
		cb(cbApplySkip, e.ID, stepApplyWorks), cb(cbWizardBack, flowApply, stepApplyConfirm)} {
		q := h.tg.Callback(teacher, teacher.ID, question.ID, data)
		if a, err := h.tg.WaitCallbackAnswered(h.ctx(), q); err != nil || !strings.Contains(a.Text, "неактуальна") {
			t.Errorf("old %s answered %+v, %v", data, a, err)
		}
	}
	after := h.registration(e.ID, teacher)
	if after.Application.Answers[0].Text != "Рисунок" || !after.UpdatedAt.Equal(before.UpdatedAt) {
		t.Errorf("old buttons changed the application: %+v", after.Application)
	}
	if _, err := h.store.Conversation(h.ctx(), teacher.ID); !storage.IsNotFound(err) {
		t.Errorf("old buttons began a wizard: %v", err)
	}
	h.say(teacher, fmt.Sprintf("/start e%d", e.ID), "Вы записаны")
}

// An event whose form asks nothing keeps its one-tap sign-up, and one
// whose form only sets a quota needs no wizard either.
func TestEmptyFormKeepsTheOneTapSignup(t *testing.T) {
	h := newHarness(t, nil)
	ids := h.seedOrgs(school1)
	plain := h.event(ids[0], nil)
	quota := h.event(ids[0], func(e *storage.Event) {
		e.Title = "Школа безопасности"
		e.Form = storage.Form{OrgQuota: 1}
	})
	h.registerDirect(teacher, ids[0])
	h.registerDirect(teacher2, ids[0])
	h.say(teacher, fmt.Sprintf("/start e%d", plain.ID), "Безопасное колесо")
	h.press(teacher, "✅ Записаться", "Вы записаны")
	h.say(teacher, fmt.Sprintf("/start e%d", quota.ID), "Школа безопасности")
	h.press(teacher, "✅ Записаться", "Вы записаны")
	h.say(teacher2, fmt.Sprintf("/start e%d", quota.ID), "Школа безопасности")
	a, _ := h.press(teacher2, "✅ Записаться")
	if !a.ShowAlert || !strings.Contains(a.Text, "уже подана 1 заявка") {
		t.Errorf("the quota answered %+v", a)
	}
	for _, id := range []int64{plain.ID, quota.ID} {
		if reg := h.registration(id, teacher); reg.Application != nil {
			t.Errorf("event %d: an application for a form that asks nothing: %+v", id, reg.Application)
		}
	}
}

// The phone's button shares the contact (request_contact), and a number
// the teacher types is stored as +7XXXXXXXXXX.
func TestPhoneKeyboardRequestsTheContact(t *testing.T) {
	c, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	kb := phoneKeyboard(c.For("ru"))
	if len(kb.Keyboard) != 1 || !kb.Keyboard[0][0].RequestContact || !kb.OneTimeKeyboard {
		t.Errorf("phone keyboard %+v", kb)
	}
}

// A teacher who sends the pupils one a message: the second, typed where
// the team's name is asked, is offered to join the list, not taken for
// the name; a name that reads like a pupil can still be the name.
func TestApplicationPupilSentAfterTheListIsAdded(t *testing.T) {
	h := newHarness(t, nil)
	ids := h.seedOrgs(school1)
	e := h.formEvent(ids[0], storage.Form{Pupils: true})
	h.registerDirect(teacher, ids[0])
	h.say(teacher, fmt.Sprintf("/start e%d", e.ID), "Добрая дорога детства")
	h.press(teacher, "✅ Записаться", "согласие родителей")
	h.press(teacher, "✅ Подтверждаю", "Учащиеся команды")
	h.say(teacher, "Иванов Пётр, 3Б", "В команде 1 учащийся", "Название команды")
	h.say(teacher, "Петрова Анна 3 б", "Похоже, это ещё 1 учащийся", "2. Петрова Анна, 3Б")
	h.press(teacher, "➕ Добавить в список", "В команде 2 учащихся", "2. Петрова Анна, 3Б", "Название команды")
	h.say(teacher, "Иванов Пётр 3Б", "строка 1, Иванов Пётр 3Б — этот учащийся уже есть в списке", "Название команды")
	h.say(teacher, "Юные инспекторы 3Б", "Похоже, это ещё 1 учащийся")
	h.press(teacher, "Нет, это название команды", "Команда: Юные инспекторы 3Б", "Всё верно?")
	h.press(teacher, "✅ Отправить заявку", "Вы записаны")
	reg := h.registration(e.ID, teacher)
	if reg.TeamName != "Юные инспекторы 3Б" || reg.TeamSize != 2 || len(reg.Application.Pupils) != 2 {
		t.Errorf("registration %+v, application %+v", reg, reg.Application)
	}
}

// A team event whose form lists no pupils asks the team's size as the
// team sign-up does, then the rest of the form.
func TestApplicationOfATeamWithoutPupilsAsksTheSize(t *testing.T) {
	h := newHarness(t, nil)
	ids := h.seedOrgs(school1)
	e := h.formEvent(ids[0], storage.Form{Questions: []storage.Question{{ID: 1, Text: "Тема выступления", Kind: storage.QuestionText, Required: true}}})
	h.registerDirect(teacher, ids[0])
	h.say(teacher, fmt.Sprintf("/start e%d", e.ID), "Добрая дорога детства")
	h.press(teacher, "✅ Записаться", "Сколько учащихся", "от 1 до 5")
	h.say(teacher, "7", "Нужно число от 1 до 5")
	h.say(teacher, "3 ученика", "Учащихся в команде: 3", "Название команды")
	h.say(teacher, "ЮИД «Светофор»", "Тема выступления")
	h.press(teacher, "« Назад", "Название команды", "Сейчас: ЮИД «Светофор»")
	h.press(teacher, "Оставить как есть", "Тема выступления")
	h.say(teacher, "Правила дорожные — знать положено!", "Учащихся в команде: 3", "Команда: ЮИД «Светофор»", "Всё верно?")
	h.press(teacher, "✅ Отправить заявку", "Вы записаны")
	reg := h.registration(e.ID, teacher)
	if reg.TeamSize != 3 || reg.TeamName != "ЮИД «Светофор»" || reg.Application == nil || reg.Application.Answers[0].Text != "Правила дорожные — знать положено!" {
		t.Errorf("registration %+v, application %+v", reg, reg.Application)
	}
}

// The coordinator makes the phone required while a teacher changes her
// answers: saving asks for the phone, and then stores both.
func TestApplicationChangeAsksWhatTheFormNowRequires(t *testing.T) {
	h := newHarness(t, nil)
	ids := h.seedOrgs(school1)
	e := h.formEvent(ids[0], drawingForm())
	h.registerDirect(teacher, ids[0])
	h.applyDirect(e, teacher, storage.Application{Pupils: []storage.Pupil{{Name: "Иванов Пётр", Class: "5Б"}},
		ParentsConsentAt: h.clock.Now(), Answers: []storage.Answer{{QuestionID: 1, Text: "Плакат"}}})
	h.say(teacher, "/my", "Добрая дорога детства")
	h.press(teacher, "✏️ Изменить заявку", "Ваша заявка")
	h.press(teacher, "❓ Ответы на вопросы", "Вопрос 1 из 1")
	h.press(teacher, "Рисунок", "Всё верно?")

	e, err := h.store.Event(h.ctx(), e.ID)
	if err != nil {
		t.Fatal(err)
	}
	e.Form.Phone = storage.NeedRequired
	if _, err := h.store.UpdateEvent(h.ctx(), e, nil, nil); err != nil {
		t.Fatal(err)
	}
	h.press(teacher, "✅ Сохранить", "Организатор просит указать телефон", "Телефон для связи")
	h.say(teacher, "+7 928 555-44-33", "Номинация: Рисунок", "Телефон: +79285554433", "Всё верно?")
	h.press(teacher, "✅ Сохранить", "изменена")
	app := h.registration(e.ID, teacher).Application
	if app.Phone != "+79285554433" || len(app.Answers) != 1 || app.Answers[0].Text != "Рисунок" || len(app.Pupils) != 1 {
		t.Errorf("application %+v", app)
	}
}

// Works that close while the teacher is at the works step (the form's own
// date, before sign-up closes) are left out, and she is told so before
// she sends the application.
func TestApplicationWorksClosingMidWizard(t *testing.T) {
	h := newHarness(t, nil)
	ids := h.seedOrgs(school1)
	e := h.event(ids[0], func(e *storage.Event) {
		e.Title = "Война глазами детей"
		e.Deadline = h.clock.Now().Add(3 * 24 * time.Hour)
		e.Form = storage.Form{Works: &storage.WorksSpec{MaxFiles: 2, Until: h.clock.Now().Add(time.Hour)}}
	})
	h.registerDirect(teacher, ids[0])
	h.say(teacher, fmt.Sprintf("/start e%d", e.ID), "Война глазами детей")
	h.press(teacher, "✅ Записаться", "Работы")
	h.sendFile(teacher, func() { h.tg.SendPhoto(teacher, []byte("jpeg"), "") }, "Принят 1 файл")
	h.clock.advance(2 * time.Hour)
	h.press(teacher, "✅ Готово", "Работы принимались до", "Всё верно?")
	h.press(teacher, "✅ Отправить заявку", "Вы записаны")
	if app := h.registration(e.ID, teacher).Application; app != nil && len(app.Works) != 0 {
		t.Errorf("works stored after they closed: %+v", app.Works)
	}
}
