package bot

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"vmeste/locales"
	"vmeste/storage"
	"vmeste/telegramtest"
)

// ruDayMonth renders t as the bot does in Russian without year or time:
// "15 марта".
func ruDayMonth(t testing.TB, when time.Time) string {
	t.Helper()
	c, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	return c.For("ru").DayMonth(when.In(moscowZone))
}

// assertDraftForm fails unless the coordinator's wizard is at step with
// the form want (the bad input before it changed nothing).
func (h *harness) assertDraftForm(u telegramtest.User, step string, want storage.Form) {
	h.t.Helper()
	c, err := h.store.Conversation(h.ctx(), u.ID)
	if err != nil || c.Step != step {
		h.t.Fatalf("the wizard is at %q (%v), want %q", c.Step, err, step)
	}
	if got := h.eventDraft(u.ID).Event.Form; !reflect.DeepEqual(got, want) {
		h.t.Fatalf("the draft's form %+v, want %+v", got, want)
	}
}

// A coordinator creates a team contest in Russian and sets its
// application: pupils, the phone required, a choice question «Номинация»,
// works (two files, until a typed date), one application per
// organisation. Bad input on the way is answered and changes nothing; a
// restart while the options are being typed loses nothing. The stored
// event has exactly that form, and the card shows its public line to a
// teacher.
func TestEventFormSetInTheWizard(t *testing.T) {
	h := newHarness(t, nil)
	ids := h.seedOrgs(school1, gibdd)
	h.makeCoordinator(coordinator, ids[1])
	c := coordinator
	now := h.clock.Now().In(moscowZone)
	start := time.Date(now.Year(), now.Month(), now.Day(), 10, 0, 0, 0, moscowZone).AddDate(0, 0, 30)
	deadline := time.Date(now.Year(), now.Month(), now.Day(), 18, 0, 0, 0, moscowZone).AddDate(0, 0, 20)
	worksDay := now.AddDate(0, 0, 15)
	worksUntil := time.Date(worksDay.Year(), worksDay.Month(), worksDay.Day(), 23, 59, 0, 0, moscowZone)

	h.say(c, "/newevent", "Новое мероприятие")
	h.say(c, "Добрая дорога детства", "Вид мероприятия")
	h.press(c, "Конкурс", "Отметьте организаторов")
	h.press(c, "Готово (выбрано: 1)", "Когда начало")
	h.say(c, start.Format("02.01.2006 15:04"), "Когда окончание")
	h.press(c, "Пропустить", "Где пройдёт")
	h.say(c, "ЦРТДиЮ", "Для кого")
	h.press(c, "Пропустить", "Как участвуют")
	h.press(c, "👥 Командой (педагог и учащиеся)", "Сколько учащихся")
	h.say(c, "5", "Сколько мест")
	h.press(c, "Без ограничений", "До какого времени")
	h.say(c, deadline.Format("02.01.2006 15:04"), "Напоминания")
	h.press(c, "Оставить", "Описание")
	h.press(c, "Пропустить", "положение")
	// The defaults of a team contest: the pupils' list and the phone,
	// optional.
	m := h.press2(c, "Пропустить", "Заявка", "Список учеников: ФИО и класс", "Телефон педагога: необязательно",
		"На карточке: 📝 Заявка: список учеников (ФИО, класс), телефон (по желанию)", "Готово")
	if !hasButton(m, "« Назад") || !hasButton(m, "Отмена") {
		t.Fatalf("the form's step has no way out: %v", labels(m))
	}

	h.press(c, "📞 Телефон: необязательно", "Телефон педагога: обязательно")
	h.press(c, "❓ Вопросы (0 из 5)", "Свои вопросы", "Вопросов пока нет")
	h.press(c, "➕ Добавить вопрос", "Напишите вопрос")
	form := h.eventDraft(c.ID).Event.Form
	h.say(c, strings.Repeat("я", 300), "В вопросе 300 символов", "не больше 200")
	h.assertDraftForm(c, stepFormQText, form)
	h.say(c, "Номинация", "Вопрос: «Номинация»", "Какой нужен ответ")
	h.press(c, "☑️ Выбор из вариантов", "Варианты ответа на «Номинация»", "через «;»")
	h.say(c, "Рисунок", "Нужно хотя бы два варианта")
	h.assertDraftForm(c, stepFormQOptions, form)

	h.restart() // the bot goes down while the options are being typed

	h.say(c, "Рисунок; Плакат\nФотография", "✓ Варианты: Рисунок; Плакат; Фотография", "обязателен?")
	h.press(c, "Обязательный", "Свои вопросы", "1. Номинация — выбор: Рисунок; Плакат; Фотография; обязательный")
	if a := h.forge(c, 0, cb(cbEventForm, "qr", "y")); a.Text == "" { // the old «Обязательный»
		t.Errorf("an old button of the added question was not told it is out of date")
	}
	h.press(c, "« Назад", "Заявка", "1. Номинация")

	h.press(c, "📎 Работы: нет", "Сейчас работы не принимаются")
	h.press(c, "📎 Принимать работы", "Не более 3 файлов на заявку", "Срок: пока идёт запись")
	form = h.eventDraft(c.ID).Event.Form
	h.say(c, "21", "Нужно число от 1 до 20")
	h.assertDraftForm(c, stepFormWorks, form)
	h.press(c, "2", "Не более 2 файлов на заявку")
	h.press(c, "📅 Срок: пока идёт запись", "До какого времени принимать работы")
	form = h.eventDraft(c.ID).Event.Form
	h.say(c, "когда закончим", "Не понял дату")
	h.say(c, "31.04", "В апреле 30 дней")
	h.say(c, start.AddDate(0, 0, 1).Format("02.01.2006"), "до начала мероприятия")
	h.assertDraftForm(c, stepFormUntil, form)
	h.say(c, worksDay.Format("02.01.2006"), "✓ Работы принимаются до "+ruDayMonth(t, worksUntil), "Срок: до "+ruDayMonth(t, worksUntil))
	h.press(c, "« Назад", "Заявка", "Работы: фото, документы, видео; не более 2 файлов")

	h.press(c, "🏫 Заявок от организации: без ограничений", "Сколько заявок может подать одна организация")
	h.say(c, "ноль", "Нужно число от 1 до 100")
	h.say(c, "101", "Нужно число от 1 до 100")
	h.say(c, "0", "✓ Заявок от организации: без ограничений", "Заявка")
	h.press(c, "🏫 Заявок от организации: без ограничений", "Сколько заявок может подать одна организация")
	h.press(c, "1", "✓ Не более 1 заявки от организации", "Заявка")

	public := "Заявка: список учеников (ФИО, класс), телефон, 1 вопрос, работы до " + ruDayMonth(t, worksUntil) +
		" (не более 2 файлов); не более 1 заявки от организации"
	h.press(c, "✅ Готово", "Проверьте мероприятие", public)
	h.press(c, "✅ Опубликовать", "опубликовано")

	list, _, err := h.store.UpcomingEvents(h.ctx(), h.clock.Now(), "", 0, 5)
	if err != nil || len(list) != 1 {
		t.Fatalf("upcoming: %v, %v", list, err)
	}
	want := storage.Form{
		Pupils: true, Phone: storage.NeedRequired,
		Questions: []storage.Question{{ID: 1, Text: "Номинация", Kind: storage.QuestionChoice,
			Options: []string{"Рисунок", "Плакат", "Фотография"}, Required: true}},
		Works:    &storage.WorksSpec{MaxFiles: 2, Until: worksUntil},
		OrgQuota: 1, LastQuestionID: 1,
	}
	got := list[0].Form
	if got.Works != nil && got.Works.Until.Equal(worksUntil) {
		got.Works.Until = worksUntil // the same instant, whatever the zone it was read back in
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("stored form\n%+v\nwant\n%+v", got, want)
	}

	h.registerDirect(teacher, ids[0])
	h.say(teacher, fmt.Sprintf("/start e%d", list[0].ID), "Добрая дорога детства", public)
}

// press2 is press returning only the message.
func (h *harness) press2(u telegramtest.User, label string, want ...string) telegramtest.Message {
	h.t.Helper()
	_, m := h.press(u, label, want...)
	return m
}

// A published event's form is edited from its card: a sixth question is
// refused, a question is deleted (the answers given stay), and the quota
// cannot go below what one school has sent — at once, with the figure,
// and again by the save's own transaction when an application came in
// meanwhile.
func TestEventFormEditAndQuotaBelowTaken(t *testing.T) {
	h := newHarness(t, nil)
	ids := h.seedOrgs(school1, gibdd)
	h.makeCoordinator(coordinator, ids[1])
	c := coordinator
	var qs []storage.Question
	for i := 1; i <= storage.MaxQuestions; i++ {
		qs = append(qs, storage.Question{ID: i, Text: fmt.Sprintf("Вопрос %d", i), Kind: storage.QuestionText})
	}
	e := h.event(ids[1], func(e *storage.Event) {
		e.Form = storage.Form{Questions: qs, Phone: storage.NeedOptional}
	})
	teachers := h.teachers(5000, 3, ids[0])
	for _, u := range teachers[:2] {
		app := &storage.Application{Answers: []storage.Answer{{QuestionID: 5, Text: "Ответ педагога"}}}
		if _, err := h.store.Register(h.ctx(), storage.SignUp{EventID: e.ID, UserID: u.ID, Application: app}, h.clock.Now()); err != nil {
			t.Fatal(err)
		}
	}

	h.say(c, fmt.Sprintf("/start e%d", e.ID), "Безопасное колесо", "Заявка: телефон (по желанию), 5 вопросов")
	h.press(c, "✏️ Изменить", "Что изменить")
	h.press(c, "Заявка", "Заявка", "5. Вопрос 5")
	m := h.press2(c, "❓ Вопросы (5 из 5)", "Свои вопросы", "Это максимум: 5 вопросов")
	if hasButton(m, "➕ Добавить вопрос") {
		t.Errorf("a sixth question is offered: %v", labels(m))
	}
	form := h.eventDraft(c.ID).Event.Form
	if a := h.forge(c, m.ID, cb(cbEventForm, "qa")); !strings.Contains(a.Text, "Это максимум: 5 вопросов") {
		t.Errorf("a sixth question (an old button) answered %q", a.Text)
	}
	h.assertDraftForm(c, stepFormQuestions, form)
	m = h.press2(c, "🗑 Удалить 5. Вопрос 5", "Вопрос «Вопрос 5» удалён", "уже дали, не стираются")
	if !hasButton(m, "➕ Добавить вопрос") {
		t.Errorf("four questions and no way to add a fifth: %v", labels(m))
	}
	h.press(c, "« Назад", "Заявка")

	h.press(c, "🏫 Заявок от организации: без ограничений", "Сколько заявок")
	a, _ := h.press(c, "1")
	if !strings.Contains(a.Text, "уже поданы 2 заявки — меньше нельзя") {
		t.Errorf("quota 1 with 2 from one school answered %q", a.Text)
	}
	h.say(c, "1", "уже поданы 2 заявки — меньше нельзя")
	h.press(c, "2", "✓ Не более 2 заявок от организации")
	h.press(c, "✅ Готово", "Изменение мероприятия", "не более 2 заявок от организации")

	// A third application from the school arrives before the save.
	if _, err := h.store.Register(h.ctx(), storage.SignUp{EventID: e.ID, UserID: teachers[2].ID}, h.clock.Now()); err != nil {
		t.Fatal(err)
	}
	h.press(c, "💾 Сохранить изменения", "уже поданы 3 заявки — меньше нельзя", "Сколько заявок")
	if got, _ := h.store.Event(h.ctx(), e.ID); got.Form.OrgQuota != 0 || len(got.Form.Questions) != 5 {
		t.Fatalf("a refused edit changed the form: %+v", got.Form)
	}
	h.press(c, "3", "✓ Не более 3 заявок от организации")
	h.press(c, "✅ Готово", "Изменение мероприятия")
	h.press(c, "💾 Сохранить изменения", "сохранены")

	got, err := h.store.Event(h.ctx(), e.ID)
	if err != nil || got.Form.OrgQuota != 3 || len(got.Form.Questions) != 4 || got.Form.LastQuestionID != 5 || got.Form.NextQuestionID() != 6 {
		t.Fatalf("the edited form: %+v, %v", got.Form, err)
	}
	reg, err := h.store.Registration(h.ctx(), e.ID, teachers[0].ID)
	if err != nil || reg.Application == nil || len(reg.Application.Answers) != 1 || reg.Application.Answers[0].Text != "Ответ педагога" {
		t.Errorf("the answer to the deleted question: %+v, %v", reg.Application, err)
	}
	h.registerDirect(teacher, ids[0])
	h.say(teacher, fmt.Sprintf("/start e%d", e.ID), "Заявка: телефон (по желанию), 4 вопроса; не более 3 заявок от организации")
}

// An admin who changes someone else's event's form: its author is told,
// in one line, that the application changed.
func TestAdminsFormChangeToldToTheAuthor(t *testing.T) {
	h := newHarness(t, nil)
	ids := h.seedOrgs(school1, gibdd)
	h.makeCoordinator(coordinator, ids[1])
	h.registerDirect(admin, ids[0])
	e := h.event(ids[1], func(e *storage.Event) { e.Form = storage.Form{Phone: storage.NeedOptional} })
	h.say(admin, fmt.Sprintf("/start e%d", e.ID), "Безопасное колесо")
	h.press(admin, "✏️ Изменить", "Что изменить")
	h.press(admin, "Заявка", "Телефон педагога: необязательно")
	h.press(admin, "📞 Телефон: необязательно", "Телефон педагога: обязательно")
	h.press(admin, "✅ Готово", "Изменение мероприятия", "Заявка: телефон")
	h.press(admin, "💾 Сохранить изменения", "сохранены")
	n := h.notices(coordinator.ID)
	if len(n) != 1 || !strings.Contains(n[0], "• Заявка: изменено") {
		t.Errorf("the author's notices: %q", n)
	}
}

// An individual event's form has no pupils' list; a form that asks for
// nothing has no line on the card.
func TestEventFormIndividualAndEmpty(t *testing.T) {
	h := newHarness(t, nil)
	ids := h.seedOrgs(gibdd)
	h.makeCoordinator(coordinator, ids[0])
	c := coordinator
	h.newEventUpToStart(c) // a competition
	h.say(c, "завтра 10:00", "Когда окончание")
	h.press(c, "Пропустить", "Где пройдёт")
	h.say(c, "Стадион", "Для кого")
	h.press(c, "Пропустить", "Как участвуют")
	h.press(c, "👤 Индивидуально (педагог)", "Сколько мест")
	h.press(c, "Без ограничений", "До какого времени")
	h.press(c, "Пропустить", "Напоминания")
	h.press(c, "Оставить", "Описание")
	h.press(c, "Пропустить", "положение")
	m := h.press2(c, "Пропустить", "Заявка", "Телефон педагога: необязательно")
	if strings.Contains(m.Text, "Список учеников") || hasButton(m, "👥 Ученики: да") {
		t.Errorf("an individual event's form offers pupils: %s %v", m.Text, labels(m))
	}
	// Forged and out-of-place buttons are answered and change nothing.
	form := h.eventDraft(c.ID).Event.Form
	for _, data := range []string{"naf", "naf:zz", "naf:p", "naf:b", "naf:qd:abc", "naf:qd:1", "naf:qk:c", "naf:qr:y",
		"naf:wn:99", "naf:wn:2", "naf:wk:x", "naf:wuc", "naf:on:7", "naf:on:-1"} {
		if a := h.forge(c, m.ID, data); a.Text == "" {
			t.Errorf("%s: answered with nothing", data)
		}
		h.assertDraftForm(c, stepForm, form)
	}
	h.press(c, "📞 Телефон: необязательно", "Телефон педагога: обязательно")
	h.press(c, "📞 Телефон: обязательно", "Телефон педагога: не спрашивать", "Заявка пустая")
	m = h.press2(c, "✅ Готово", "Проверьте мероприятие")
	if strings.Contains(m.Text, "Заявка:") {
		t.Errorf("an empty form has a line on the card: %s", m.Text)
	}
	h.press(c, "✅ Опубликовать", "опубликовано")
	list, _, _ := h.store.UpcomingEvents(h.ctx(), h.clock.Now(), "", 0, 5)
	if len(list) != 1 || !list[0].Form.Empty() {
		t.Fatalf("stored: %+v", list)
	}
}

// TestEventFormDynamicKeysExist checks the keys the form's rendering
// builds at run time.
func TestEventFormDynamicKeysExist(t *testing.T) {
	c, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, k := range []storage.QuestionKind{storage.QuestionText, storage.QuestionChoice, storage.QuestionYesNo} {
		keys = append(keys, "evform_qkind_"+string(k))
	}
	for _, k := range workKinds {
		keys = append(keys, "evform_work_"+string(k.kind))
	}
	for _, lang := range locales.Languages {
		for _, k := range keys {
			if _, ok := c.Raw(lang, k); !ok {
				t.Errorf("%s: key %q missing", lang, k)
			}
		}
	}
}

// A question typed with markup is shown as typed: escaped in the messages,
// as it is on its delete button. Text and yes/no questions skip the
// options; Назад from the kind goes back to the text.
func TestEventFormQuestionsAsTyped(t *testing.T) {
	h := newHarness(t, nil)
	ids := h.seedOrgs(gibdd)
	h.makeCoordinator(coordinator, ids[0])
	c := coordinator
	e := h.event(ids[0], nil)
	h.say(c, fmt.Sprintf("/start e%d", e.ID), "Безопасное колесо")
	h.press(c, "✏️ Изменить", "Что изменить")
	h.press(c, "Заявка", "Свои вопросы: нет")
	h.press(c, "❓ Вопросы (0 из 5)", "Вопросов пока нет")
	h.press(c, "➕ Добавить вопрос", "Напишите вопрос")
	h.say(c, "Тема", "Какой нужен ответ")
	h.press(c, "« Назад", "Напишите вопрос")
	h.say(c, "<i>Тема</i> & план", "Вопрос: «<i>Тема</i> & план»")
	h.press(c, "✍️ Короткий текст", "обязателен?")
	m := h.press2(c, "Можно не отвечать", "1. <i>Тема</i> & план — короткий ответ; можно не отвечать")
	if !strings.Contains(m.Text, "&lt;i&gt;Тема&lt;/i&gt; &amp; план") {
		t.Errorf("the question was not escaped: %q", m.Text)
	}
	if !hasButton(m, "🗑 Удалить 1. <i>Тема</i> & план") {
		t.Errorf("the delete button: %v", labels(m))
	}
	h.press(c, "➕ Добавить вопрос", "Напишите вопрос")
	h.say(c, "Нужен проектор?", "Какой нужен ответ")
	h.press(c, "👍 Да или нет", "обязателен?")
	h.press(c, "Обязательный", "2. Нужен проектор? — да или нет; обязательный")
	h.press(c, "« Назад", "Заявка", "2 вопроса")
	h.press(c, "✅ Готово", "Изменение мероприятия", "2 вопроса")
	h.press(c, "💾 Сохранить изменения", "сохранены")
	got, err := h.store.Event(h.ctx(), e.ID)
	want := []storage.Question{
		{ID: 1, Text: "<i>Тема</i> & план", Kind: storage.QuestionText},
		{ID: 2, Text: "Нужен проектор?", Kind: storage.QuestionYesNo, Required: true},
	}
	if err != nil || !reflect.DeepEqual(got.Form.Questions, want) {
		t.Errorf("stored questions %+v, %v", got.Form.Questions, err)
	}
}
