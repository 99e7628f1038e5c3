package bot

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"vmeste/storage"
	"vmeste/telegramtest"
)

var coordinator = telegramtest.User{ID: 3001, FirstName: "Инспектор", LanguageCode: "ru"}

// makeCoordinator stores u as a registered coordinator of org.
func (h *harness) makeCoordinator(u telegramtest.User, org int64) {
	h.t.Helper()
	h.registerDirect(u, org)
	if err := h.store.SetRole(context.Background(), u.ID, storage.RoleCoordinator); err != nil {
		h.t.Fatal(err)
	}
}

// teachers stores n registered teachers of org, ids from first.
func (h *harness) teachers(first int64, n int, org int64) []telegramtest.User {
	h.t.Helper()
	var list []telegramtest.User
	for i := 0; i < n; i++ {
		u := telegramtest.User{ID: first + int64(i), FirstName: "Педагог", LanguageCode: "ru"}
		h.registerDirect(u, org)
		list = append(list, u)
	}
	return list
}

// event stores a published event starting in a week, changed by edit.
func (h *harness) event(org int64, edit func(*storage.Event)) storage.Event {
	h.t.Helper()
	e := storage.Event{Title: "Безопасное колесо", Kind: storage.EventCompetition, Start: h.clock.Now().Add(7 * 24 * time.Hour),
		Place: "ЦРТДиЮ", Organisers: []int64{org}, Unit: storage.UnitIndividual, Status: storage.EventPublished,
		Reminders: storage.DefaultReminders(storage.EventCompetition), CreatedBy: coordinator.ID}
	if edit != nil {
		edit(&e)
	}
	e, err := h.store.CreateEvent(context.Background(), e)
	if err != nil {
		h.t.Fatal(err)
	}
	return e
}

// notices returns the pending outbox texts addressed to chat.
func (h *harness) notices(chat int64) []string {
	h.t.Helper()
	entries, err := h.store.PendingOutbox(context.Background(), 0, 100000)
	if err != nil {
		h.t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if e.ChatID == chat {
			out = append(out, e.Content.Text)
		}
	}
	return out
}

func TestNewEventWizardResumesAfterRestart(t *testing.T) {
	h := newHarness(t, nil)
	ids := h.seedOrgs(school1, gibdd, crtdiu)
	h.makeCoordinator(coordinator, ids[1])
	c := coordinator

	h.say(c, "/newevent", "Новое мероприятие")
	h.say(c, "Б", "от 3 до 200")
	h.say(c, "<b>Безопасное</b> колесо & ГИБДД", "Вид мероприятия")
	h.press(c, "Соревнование", "Отметьте организаторов")
	h.press(c, "✓ "+gibdd.Name, "Отметьте организаторов") // the coordinator's own org is ticked: untick
	h.press(c, gibdd.Name, "Отметьте организаторов")
	m := h.say(c, "моккаева", "по запросу «моккаева»") // typing narrows the list
	if len(m.Buttons) != 4 || m.Buttons[0][0].Text != crtdiu.Name || m.Buttons[1][0].Text != "Показать все" || m.Buttons[3][1].Text != "Отмена" {
		t.Fatalf("filtered organisers: %+v", m.Buttons)
	}
	h.press(c, crtdiu.Name, "Отметьте организаторов")
	h.press(c, "Готово (выбрано: 2)", "Когда начало")
	h.say(c, "вчера 10:00", "Не понял дату", "например")
	h.say(c, "32.01 10:00", "Такого числа нет")
	yesterday := h.clock.Now().In(h.bot.cfg.Location).AddDate(0, 0, -1).Format("02.01.2006") + " 10:00"
	h.say(c, yesterday, "уже прошла")
	h.say(c, "завтра", "Добавьте время", "завтра 10:00")
	h.say(c, "завтра 10:00", "✓ Начало:", "10:00", "Когда окончание")

	h.restart() // the bot goes down in the middle of the wizard

	h.say(c, "сегодня 09:00", "позже начала")
	h.press(c, "Пропустить", "Где пройдёт")
	h.say(c, "Стадион «Геолог», Тырныауз", "Для кого")
	h.say(c, "5–7 классы", "Как участвуют")
	h.press(c, "👥 Командой (педагог и учащиеся)", "Сколько учащихся может быть")
	h.say(c, "0", "от 1 до 50")
	h.say(c, "4", "Сколько мест")
	h.say(c, "2", "До какого времени")
	h.say(c, "послезавтра 9:00", "раньше начала")
	h.press(c, "Пропустить", "Напоминания участникам: за 7 дней, за 1 день")
	h.say(c, "1д 2ч", "Описание")
	h.press(c, "Пропустить", "положение")
	v := h.tg.Version()
	h.tg.SendDocument(c, "polozhenie.pdf", "application/pdf", []byte("%PDF-1.4"), "")
	// A team competition's form lists the pupils and asks the phone.
	h.driver().Expect(c.ID, v, "Заявка", "Список учеников: ФИО и класс", "Телефон педагога: необязательно")
	_, m = h.press(c, "✅ Готово", "Проверьте мероприятие", "за 1 день, за 2 часа", "polozhenie.pdf",
		"Заявка: список учеников (ФИО, класс), телефон (по желанию)")
	if !strings.Contains(m.Text, "&lt;b&gt;Безопасное&lt;/b&gt; колесо &amp; ГИБДД") {
		t.Errorf("the title was not escaped in the preview: %q", m.Text)
	}
	h.press(c, "✅ Опубликовать", "опубликовано", "?start=e")

	events, total, err := h.store.UpcomingEvents(h.ctx(), h.clock.Now(), "", 0, 10)
	if err != nil || total != 1 {
		t.Fatalf("events: %v, %v", events, err)
	}
	e := events[0]
	if e.Title != "<b>Безопасное</b> колесо & ГИБДД" || e.Kind != storage.EventCompetition || e.Unit != storage.UnitTeam ||
		e.MaxTeam != 4 || e.Capacity != 2 || !e.End.IsZero() || e.Regulations == nil || len(e.Organisers) != 2 ||
		e.Organisers[0] != ids[1] || e.Organisers[1] != ids[2] || len(e.Reminders) != 2 || e.Reminders[1] != 2*time.Hour {
		t.Errorf("stored event: %+v", e)
	}
	if got := e.Start.In(h.bot.cfg.Location); got.Hour() != 10 || got.Minute() != 0 {
		t.Errorf("start %v, want 10:00 Moscow time", got)
	}
	// The card's title is escaped for the teachers too.
	h.registerDirect(teacher, ids[0])
	m = h.say(teacher, "/events", "Ближайшие мероприятия")
	if !strings.Contains(m.Text, "&lt;b&gt;Безопасное&lt;/b&gt;") {
		t.Errorf("the title was not escaped in the list: %q", m.Text)
	}
}

func TestSaveDraftAndPublishLater(t *testing.T) {
	h := newHarness(t, nil)
	ids := h.seedOrgs(gibdd)
	h.makeCoordinator(coordinator, ids[0])
	c := coordinator
	h.say(c, "/newevent", "Новое мероприятие")
	h.say(c, "Добрая дорога детства", "Вид мероприятия")
	h.press(c, "Конкурс", "Отметьте организаторов")
	h.press(c, "Готово (выбрано: 1)", "Когда начало")
	// A date without a year, ten days ahead (whatever the day the test runs).
	h.say(c, h.clock.Now().In(moscowZone).AddDate(0, 0, 10).Format("02.01")+" 10:00", "Когда окончание")
	h.press(c, "Пропустить", "Где пройдёт")
	h.say(c, "Онлайн", "Для кого")
	h.press(c, "Пропустить", "Как участвуют")
	h.press(c, "👤 Индивидуально (педагог)", "Сколько мест")
	h.press(c, "Без ограничений", "До какого времени")
	h.press(c, "Пропустить", "Напоминания")
	h.press(c, "Оставить", "Описание")
	h.press(c, "Пропустить", "положение")
	h.press(c, "Пропустить", "Заявка")
	h.press(c, "✅ Готово", "Проверьте мероприятие")
	h.press(c, "✏️ Изменить поле", "Что изменить")
	h.press(c, "Название", "Как оно называется")
	h.say(c, "Добрая дорога детства — 2026", "Проверьте мероприятие", "Добрая дорога детства — 2026")
	h.press(c, "💾 Сохранить черновик", "Черновик")
	h.say(c, "/drafts", "Черновики: 1")
	h.press(c, "1. Добрая дорога детства — 2026", "Черновик: участники его не видят")
	h.press(c, "✅ Опубликовать", "Добрая дорога детства — 2026")
	if _, total, _ := h.store.UpcomingEvents(h.ctx(), h.clock.Now(), "", 0, 5); total != 1 {
		t.Errorf("published events: %d, want 1", total)
	}
}

func TestSignupRaceForLastSeat(t *testing.T) {
	h := newHarness(t, nil)
	ids := h.seedOrgs(school1)
	e := h.event(ids[0], func(e *storage.Event) { e.Capacity = 1 })
	users := h.teachers(5000, 30, ids[0])
	var wg sync.WaitGroup
	answers := make([]telegramtest.CallbackAnswer, len(users))
	for i, u := range users {
		wg.Add(1)
		go func() {
			defer wg.Done()
			q := h.tg.Callback(u, u.ID, 0, cb(cbSignup, e.ID))
			a, err := h.tg.WaitCallbackAnswered(context.Background(), q)
			if err != nil {
				t.Error(err)
			}
			answers[i] = a
		}()
	}
	wg.Wait()
	confirmed, waiting := 0, 0
	for i, u := range users {
		reg, err := h.store.Registration(h.ctx(), e.ID, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		switch reg.State {
		case storage.RegConfirmed:
			confirmed++
			if !strings.Contains(answers[i].Text, "Вы записаны") {
				t.Errorf("the winner was answered %q", answers[i].Text)
			}
		case storage.RegWaitlist:
			waiting++
			if !strings.Contains(answers[i].Text, "листе ожидания под номером") {
				t.Errorf("a waitlisted teacher was answered %q", answers[i].Text)
			}
		}
	}
	if confirmed != 1 || waiting != len(users)-1 {
		t.Fatalf("confirmed %d, waitlisted %d; want 1 and %d", confirmed, waiting, len(users)-1)
	}
	got, _ := h.store.Event(h.ctx(), e.ID)
	if got.Taken != 1 || got.Waiting != len(users)-1 {
		t.Errorf("counters: taken %d, waiting %d", got.Taken, got.Waiting)
	}
}

func TestCancelPromotesWaitlist(t *testing.T) {
	h := newHarness(t, nil)
	ids := h.seedOrgs(school1)
	e := h.event(ids[0], func(e *storage.Event) { e.Capacity = 1 })
	users := h.teachers(5000, 3, ids[0])
	first, second, third := users[0], users[1], users[2]
	for _, u := range users {
		h.say(u, fmt.Sprintf("/start e%d", e.ID), "Безопасное колесо")
	}
	h.press(first, "✅ Записаться", "Вы записаны")
	h.press(second, "✅ Записаться", "Вы в листе ожидания") // its card was drawn before the seat went
	h.press(third, "✅ Записаться", "Вы в листе ожидания")

	h.say(first, "/my", "Мои записи: 1", "Безопасное колесо", "записаны")
	h.press(first, "❌ Отменить", "Отменить запись")
	h.press(first, "Да, отменить запись", "отменена")

	if reg, _ := h.store.Registration(h.ctx(), e.ID, second.ID); reg.State != storage.RegConfirmed {
		t.Fatalf("the first on the waitlist was not promoted: %+v", reg)
	}
	if reg, _ := h.store.Registration(h.ctx(), e.ID, third.ID); reg.State != storage.RegWaitlist {
		t.Fatalf("the second on the waitlist moved: %+v", reg)
	}
	n := h.notices(second.ID)
	if len(n) != 1 || !strings.Contains(n[0], "Освободилось место") || !strings.Contains(n[0], "Безопасное колесо") {
		t.Errorf("the promotion notice: %q", n)
	}
	if n := h.notices(third.ID); len(n) != 0 {
		t.Errorf("the third got notices: %q", n)
	}
	h.say(first, "/my", "ни на что не записаны")
}

func TestTeamSignup(t *testing.T) {
	h := newHarness(t, nil)
	ids := h.seedOrgs(school1)
	e := h.event(ids[0], func(e *storage.Event) { e.Unit, e.MaxTeam = storage.UnitTeam, 5 })
	h.registerDirect(teacher, ids[0])
	h.say(teacher, fmt.Sprintf("/start e%d", e.ID), "командой, до 5 учащихся")
	h.press(teacher, "✅ Записаться", "Сколько учащихся")
	h.say(teacher, "9", "от 1 до 5")
	h.press(teacher, "3", "Название команды")
	h.say(teacher, "5 «А»", "Заявка на «Безопасное колесо»", "Учащихся в команде: 3", "Название: 5 «А»", "Всё верно?")
	h.press(teacher, "✅ Записать", "Вы записаны", "Ваша команда «5 „А“»: 3 учащихся")
	reg, err := h.store.Registration(h.ctx(), e.ID, teacher.ID)
	if err != nil || reg.TeamSize != 3 || reg.TeamName != "5 «А»" {
		t.Errorf("registration %+v, %v", reg, err)
	}
	h.say(teacher, fmt.Sprintf("/start e%d", e.ID), "Вы записаны")
	q := h.tg.Callback(teacher, teacher.ID, 0, cb(cbSignup, e.ID))
	if a, _ := h.tg.WaitCallbackAnswered(h.ctx(), q); !strings.Contains(a.Text, "уже записаны") {
		t.Errorf("signing up twice answered %q", a.Text)
	}
}

func TestSignupClosesAtDeadline(t *testing.T) {
	h := newHarness(t, nil)
	ids := h.seedOrgs(school1)
	e := h.event(ids[0], func(e *storage.Event) { e.Deadline = h.clock.Now().Add(time.Hour) })
	h.registerDirect(teacher, ids[0])
	m := h.say(teacher, fmt.Sprintf("/start e%d", e.ID), "Запись до")
	if len(m.Buttons) == 0 || m.Buttons[0][0].Text != "✅ Записаться" {
		t.Fatalf("no sign-up button before the deadline: %+v", m.Buttons)
	}
	h.clock.advance(2 * time.Hour)
	m = h.say(teacher, fmt.Sprintf("/start e%d", e.ID), "Запись закрыта")
	for _, row := range m.Buttons {
		for _, b := range row {
			if strings.Contains(b.Text, "Записаться") {
				t.Error("a sign-up button after the deadline")
			}
		}
	}
	q := h.tg.Callback(teacher, teacher.ID, m.ID, cb(cbSignup, e.ID)) // the old button
	if a, _ := h.tg.WaitCallbackAnswered(h.ctx(), q); !strings.Contains(a.Text, "закрыта") {
		t.Errorf("a late sign-up answered %q", a.Text)
	}
	if _, err := h.store.Registration(h.ctx(), e.ID, teacher.ID); !storage.IsNotFound(err) {
		t.Errorf("a late sign-up was stored: %v", err)
	}
}

func TestEditReachesEveryParticipant(t *testing.T) {
	h := newHarness(t, nil)
	ids := h.seedOrgs(school1)
	h.makeCoordinator(coordinator, ids[0])
	e := h.event(ids[0], func(e *storage.Event) { e.Capacity = 3 })
	users := h.teachers(5000, 4, ids[0])
	for _, u := range users {
		if _, err := h.store.Register(h.ctx(), storage.SignUp{EventID: e.ID, UserID: u.ID}, h.clock.Now()); err != nil {
			t.Fatal(err)
		}
	}
	c := coordinator
	h.say(c, fmt.Sprintf("/start e%d", e.ID), "Безопасное колесо")
	h.press(c, "✏️ Изменить", "Что изменить")
	h.press(c, "Место", "Где пройдёт")
	h.say(c, "Стадион «Геолог»", "Изменение мероприятия", "Стадион «Геолог»")
	h.press(c, "💾 Сохранить изменения", "отправляется 4 участникам")
	for _, u := range users { // three confirmed and one waitlisted
		n := h.notices(u.ID)
		if len(n) != 1 || !strings.Contains(n[0], "Место теперь: Стадион «Геолог»") || !strings.Contains(n[0], "Место было: ЦРТДиЮ") {
			t.Errorf("teacher %d: notices %q", u.ID, n)
		}
	}
	if got, _ := h.store.Event(h.ctx(), e.ID); got.Place != "Стадион «Геолог»" {
		t.Errorf("place %q", got.Place)
	}
}

func TestCancelledEvent(t *testing.T) {
	h := newHarness(t, nil)
	ids := h.seedOrgs(school1)
	h.makeCoordinator(coordinator, ids[0])
	e := h.event(ids[0], nil)
	users := h.teachers(5000, 2, ids[0])
	for _, u := range users {
		if _, err := h.store.Register(h.ctx(), storage.SignUp{EventID: e.ID, UserID: u.ID}, h.clock.Now()); err != nil {
			t.Fatal(err)
		}
	}
	h.say(coordinator, fmt.Sprintf("/start e%d", e.ID), "Безопасное колесо")
	h.press(coordinator, "🚫 Отменить мероприятие", "2 участника получат уведомление")
	h.press(coordinator, "Да, отменить мероприятие", "отменено")
	for _, u := range users {
		if n := h.notices(u.ID); len(n) != 1 || !strings.Contains(n[0], "отменено") {
			t.Errorf("teacher %d: notices %q", u.ID, n)
		}
	}
	h.say(users[0], "/events", "Пока ничего не запланировано")
	h.say(users[0], fmt.Sprintf("/start e%d", e.ID), "Мероприятие отменено")
}

func TestTeacherCannotPressCoordinatorButtons(t *testing.T) {
	h := newHarness(t, nil)
	ids := h.seedOrgs(school1)
	e := h.event(ids[0], nil)
	h.registerDirect(teacher, ids[0])
	m := h.say(teacher, fmt.Sprintf("/start e%d", e.ID), "Безопасное колесо")
	for _, data := range []string{cb(cbEventCancelYes, e.ID), cb(cbEventParticipants, e.ID, 0), cb(cbEventEdit, e.ID), cb(cbResultSet, e.ID, teacher.ID, 0, 0)} {
		q := h.tg.Callback(teacher, teacher.ID, m.ID, data)
		a, err := h.tg.WaitCallbackAnswered(h.ctx(), q)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(a.Text, "недоступно") {
			t.Errorf("%s answered %q", data, a.Text)
		}
	}
	if got, _ := h.store.Event(h.ctx(), e.ID); got.Status != storage.EventPublished {
		t.Errorf("a teacher's forged button changed the event: %s", got.Status)
	}
	h.say(teacher, "/newevent", "недоступно")
}

func TestParticipantsOf500FitTelegram(t *testing.T) {
	h := newHarness(t, nil)
	ids := h.seedOrgs(school1)
	h.makeCoordinator(coordinator, ids[0])
	e := h.event(ids[0], func(e *storage.Event) { e.Unit, e.MaxTeam = storage.UnitTeam, 30 })
	for i := 0; i < 500; i++ {
		id := int64(100000 + i)
		err := h.store.PutUser(h.ctx(), storage.User{ID: id, ChatID: id, FullName: "Константинопольская-Переяславская Александра Всеволодовна",
			OrgID: ids[0], Role: storage.RoleTeacher, Lang: "ru", Registered: true, Active: true, Consents: h.agreed()})
		if err != nil {
			t.Fatal(err)
		}
		_, err = h.store.Register(h.ctx(), storage.SignUp{EventID: e.ID, UserID: id, TeamSize: 30, TeamName: strings.Repeat("Команда «Юные инспекторы» ", 2)}, h.clock.Now())
		if err != nil {
			t.Fatal(err)
		}
	}
	h.say(coordinator, fmt.Sprintf("/start e%d", e.ID), "Безопасное колесо")
	_, m := h.press(coordinator, "👥 Участники", "Записаны: 500", "стр. 1 из 25")
	if n := telegramtest.UTF16Len(m.PlainText()); n > 4096 {
		t.Fatalf("page of %d characters", n)
	}
	for page := 2; page <= 25; page++ {
		_, next := h.press(coordinator, "Далее ›", fmt.Sprintf("стр. %d из 25", page))
		if next.ID != m.ID {
			t.Fatal("paging sent a new message")
		}
	}
	last, _ := h.tg.MessageByID(coordinator.ID, m.ID)
	if !strings.Contains(last.PlainText(), "500. Константинопольская") {
		t.Errorf("the last page lacks participant 500:\n%s", last.PlainText())
	}
}

func TestEventDeepLinkForNewcomer(t *testing.T) {
	h := newHarness(t, nil)
	ids := h.seedOrgs(school1)
	e := h.event(ids[0], nil)
	h.say(teacher, fmt.Sprintf("/start e%d", e.ID), "Выберите язык")
	h.press(teacher, "✓ Русский", "Согласие на обработку персональных данных")
	h.press(teacher, "✅ Согласен(на)", "Как вас зовут")
	h.say(teacher, "Иванова Мария", "Выберите вашу организацию")
	h.press(teacher, school1.Name, "должность")
	v := h.tg.Version()
	h.press(teacher, "Классный руководитель")
	m := h.driver().Expect(teacher.ID, v, "Безопасное колесо", "Организаторы")
	if len(m.Buttons) == 0 || m.Buttons[0][0].Text != "✅ Записаться" {
		t.Errorf("the card has no sign-up button: %+v", m.Buttons)
	}
}

func TestEventsListPagesAndFilter(t *testing.T) {
	h := newHarness(t, nil)
	ids := h.seedOrgs(school1)
	for i := 0; i < 7; i++ {
		kind := storage.EventSeminar
		if i%2 == 0 {
			kind = storage.EventContest
		}
		h.event(ids[0], func(e *storage.Event) {
			e.Title = fmt.Sprintf("Мероприятие %d", i+1)
			e.Kind = kind
			e.Start = h.clock.Now().Add(time.Duration(i+1) * 24 * time.Hour)
		})
	}
	h.registerDirect(teacher, ids[0])
	m := h.say(teacher, "/events", "стр. 1 из 2", "1. Мероприятие 1", "5. Мероприятие 5")
	_, m2 := h.press(teacher, "Далее ›", "стр. 2 из 2", "7. Мероприятие 7")
	if m2.ID != m.ID {
		t.Error("Next sent a new message")
	}
	h.press(teacher, "🔎 Вид мероприятия", "Какие мероприятия показать")
	_, m3 := h.press(teacher, "Семинар", "Семинар", "стр. 1 из 1", "1. Мероприятие 2", "3. Мероприятие 6")
	if m3.ID != m.ID || strings.Contains(m3.PlainText(), "Мероприятие 1\n") {
		t.Errorf("filter: %q", m3.PlainText())
	}
	h.press(teacher, "2. Мероприятие 4", "Мероприятие 4", "ЦРТДиЮ")
	h.press(teacher, "« К списку", "Семинар", "стр. 1 из 1")
}

func TestAttendanceAndResults(t *testing.T) {
	h := newHarness(t, nil)
	ids := h.seedOrgs(school1)
	h.makeCoordinator(coordinator, ids[0])
	e := h.event(ids[0], nil) // a competition: it has results
	users := h.teachers(5000, 2, ids[0])
	for _, u := range users {
		if _, err := h.store.Register(h.ctx(), storage.SignUp{EventID: e.ID, UserID: u.ID}, h.clock.Now()); err != nil {
			t.Fatal(err)
		}
	}
	h.say(coordinator, fmt.Sprintf("/start e%d", e.ID), "Безопасное колесо")
	q := h.tg.Callback(coordinator, coordinator.ID, 0, cb(cbAttendance, e.ID, 0))
	if a, _ := h.tg.WaitCallbackAnswered(h.ctx(), q); !strings.Contains(a.Text, "после начала") {
		t.Errorf("attendance before the start answered %q", a.Text)
	}
	h.clock.advance(8 * 24 * time.Hour)
	h.say(coordinator, fmt.Sprintf("/start e%d", e.ID), "Безопасное колесо")
	h.press(coordinator, "✔️ Посещаемость", "Отметьте, кто пришёл")
	h.press(coordinator, "⬜ 1. Педагог Тестовый", "Посещаемость")
	h.press(coordinator, "« К мероприятию", "Безопасное колесо")
	h.press(coordinator, "🏆 Итоги", "Выберите участника")
	h.press(coordinator, "2. Педагог Тестовый", "Результат")
	h.press(coordinator, "1 место", "🏆 1 место")
	r1, _ := h.store.Registration(h.ctx(), e.ID, users[0].ID)
	r2, _ := h.store.Registration(h.ctx(), e.ID, users[1].ID)
	if r1.Attended == nil || !*r1.Attended || r2.Result != storage.ResultFirst {
		t.Errorf("registrations: %+v / %+v", r1, r2)
	}
}

func TestMoreSeatsPromoteTheWaitlist(t *testing.T) {
	h := newHarness(t, nil)
	ids := h.seedOrgs(school1)
	h.makeCoordinator(coordinator, ids[0])
	e := h.event(ids[0], func(e *storage.Event) { e.Capacity = 1 })
	users := h.teachers(5000, 3, ids[0])
	for _, u := range users {
		if _, err := h.store.Register(h.ctx(), storage.SignUp{EventID: e.ID, UserID: u.ID}, h.clock.Now()); err != nil {
			t.Fatal(err)
		}
	}
	c := coordinator
	h.say(c, fmt.Sprintf("/start e%d", e.ID), "Безопасное колесо")
	h.press(c, "✏️ Изменить", "Что изменить")
	h.press(c, "Места", "Сколько мест")
	h.say(c, "2", "Свободных мест: 1 из 2")
	h.press(c, "💾 Сохранить изменения", "Изменения")
	if reg, _ := h.store.Registration(h.ctx(), e.ID, users[1].ID); reg.State != storage.RegConfirmed {
		t.Errorf("the first on the waitlist was not promoted when a seat was added: %+v", reg)
	}
	if reg, _ := h.store.Registration(h.ctx(), e.ID, users[2].ID); reg.State != storage.RegWaitlist {
		t.Errorf("the second on the waitlist moved: %+v", reg)
	}
	if n := h.notices(users[1].ID); len(n) != 1 || !strings.Contains(n[0], "Освободилось место") {
		t.Errorf("notices: %q", n)
	}
}

func TestAnnounceToParticipants(t *testing.T) {
	h := newHarness(t, nil)
	ids := h.seedOrgs(school1)
	h.makeCoordinator(coordinator, ids[0])
	e := h.event(ids[0], func(e *storage.Event) { e.Capacity = 2 })
	users := h.teachers(5000, 3, ids[0]) // two confirmed, one waitlisted
	for _, u := range users {
		if _, err := h.store.Register(h.ctx(), storage.SignUp{EventID: e.ID, UserID: u.ID}, h.clock.Now()); err != nil {
			t.Fatal(err)
		}
	}
	u := h.user(users[0].ID) // announcements off: messages about one's own sign-up still come
	u.NoAnnouncements = true
	if err := h.store.PutUser(h.ctx(), u); err != nil {
		t.Fatal(err)
	}
	h.say(coordinator, fmt.Sprintf("/start e%d", e.ID), "Безопасное колесо")
	h.press(coordinator, "📣 Написать участникам", "участники мероприятия «Безопасное колесо»", "отправьте само объявление")
	h.say(coordinator, "Сбор в 9:30 у входа", "Получат 3 адресата")
	h.press(coordinator, "📨 Отправить", "Рассылка №1 идёт: доставлено 0 из 3")
}

func TestMovingTheStartMovesTheEnd(t *testing.T) {
	h := newHarness(t, nil)
	ids := h.seedOrgs(school1)
	h.makeCoordinator(coordinator, ids[0])
	start := time.Date(2027, time.March, 15, 10, 0, 0, 0, moscowZone)
	e := h.event(ids[0], func(e *storage.Event) { e.Start, e.End = start, start.Add(3*time.Hour) })
	c := coordinator
	h.say(c, fmt.Sprintf("/start e%d", e.ID), "Безопасное колесо")
	h.press(c, "✏️ Изменить", "Что изменить")
	h.press(c, "Начало", "Когда начало")
	h.say(c, "16 марта 2027 11:00", "✓ Начало: 16 марта 2027, 11:00", "Окончание сдвинуто вместе с началом: 16 марта 2027, 14:00")
	h.press(c, "💾 Сохранить изменения", "Изменения в мероприятии")
	got, _ := h.store.Event(h.ctx(), e.ID)
	if got.End.Sub(got.Start) != 3*time.Hour {
		t.Errorf("the event is now %v long", got.End.Sub(got.Start))
	}
}

func TestParticipantsShowTheWaitlistApart(t *testing.T) {
	h := newHarness(t, nil)
	ids := h.seedOrgs(school1)
	h.makeCoordinator(coordinator, ids[0])
	e := h.event(ids[0], func(e *storage.Event) { e.Capacity, e.Unit, e.MaxTeam = 1, storage.UnitTeam, 8 })
	users := h.teachers(5000, 3, ids[0])
	for i, u := range users {
		su := storage.SignUp{EventID: e.ID, UserID: u.ID, TeamSize: 4 + i}
		if i == 0 {
			su.TeamName = "ЮИД"
		}
		if _, err := h.store.Register(h.ctx(), su, h.clock.Now()); err != nil {
			t.Fatal(err)
		}
	}
	h.say(coordinator, fmt.Sprintf("/start e%d", e.ID), "Безопасное колесо")
	_, m := h.press(coordinator, "👥 Участники", "Записаны: 1, в листе ожидания: 2")
	text := m.PlainText()
	for _, want := range []string{"1. Педагог Тестовый — СОШ №1, команда «ЮИД», 4 учащихся", "Лист ожидания:\n1. Педагог Тестовый — СОШ №1, 5 учащихся", "2. Педагог Тестовый — СОШ №1, 6 учащихся"} {
		if !strings.Contains(text, want) {
			t.Errorf("participants lack %q:\n%s", want, text)
		}
	}
}
