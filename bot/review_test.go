package bot

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"vmeste/storage"
	"vmeste/telegramtest"
)

var (
	teacher3 = telegramtest.User{ID: 2093, FirstName: "Зарина", LanguageCode: "ru"}
)

// Issue 11's review: the application as teachers really use it.

// Pupils typed the ways teachers type them: a number without a dot, a
// class in brackets, «класса», a dash without spaces, a dot at the end.
func TestApplicationPupilsTypedAsTeachersTypeThem(t *testing.T) {
	h := newHarness(t, nil)
	ids := h.seedOrgs(school1)
	e := h.formEvent(ids[0], storage.Form{Pupils: true})
	h.registerDirect(teacher, ids[0])
	h.say(teacher, fmt.Sprintf("/start e%d", e.ID), "Добрая дорога детства")
	h.press(teacher, "✅ Записаться", "согласие родителей")
	h.press(teacher, "✅ Подтверждаю", "Учащиеся команды")
	h.say(teacher, "1 Кузнецова Мария 2в класс\n2 петров иван (3 «А»)\nСидоров Илья-4б\nГетоева Алина, 5 а класса\nХабаев Азамат 5 Б кл.",
		"В команде 5 учащихся", "1. Кузнецова Мария, 2В", "2. Петров Иван, 3А", "3. Сидоров Илья, 4Б", "4. Гетоева Алина, 5А",
		"5. Хабаев Азамат, 5Б", "Название команды")
}

// A teacher who sends a pupil a message and does not press «Добавить» in
// between: each offer holds every pupil sent since the list, none is lost.
func TestApplicationPupilsOneAMessageAreAllOffered(t *testing.T) {
	h := newHarness(t, nil)
	ids := h.seedOrgs(school1)
	e := h.formEvent(ids[0], storage.Form{Pupils: true})
	h.registerDirect(teacher, ids[0])
	h.say(teacher, fmt.Sprintf("/start e%d", e.ID), "Добрая дорога детства")
	h.press(teacher, "✅ Записаться", "согласие родителей")
	h.press(teacher, "✅ Подтверждаю", "Учащиеся команды")
	h.say(teacher, "Иванов Пётр, 3Б", "В команде 1 учащийся", "Название команды")
	h.say(teacher, "Петрова Анна 3 б", "Похоже, это ещё 1 учащийся", "2. Петрова Анна, 3Б")
	h.say(teacher, "Сидоров Илья 3б", "Похоже, это ещё 2 учащихся", "2. Петрова Анна, 3Б", "3. Сидоров Илья, 3Б")
	// A pupil there already: the others are still offered.
	h.say(teacher, "Петрова Анна 3Б", "Похоже, это ещё 2 учащихся", "3. Сидоров Илья, 3Б", "уже есть в списке")
	h.press(teacher, "➕ Добавить в список", "В команде 3 учащихся", "3. Сидоров Илья, 3Б", "Название команды")
	h.press(teacher, "Без названия", "Всё верно?")
	h.press(teacher, "✅ Отправить заявку", "Вы записаны")
	if reg := h.registration(e.ID, teacher); reg.TeamSize != 3 || len(reg.Application.Pupils) != 3 {
		t.Errorf("registration %+v, application %+v", reg, reg.Application)
	}
}

// A phone typed where the team's name is asked (a step early, a digit
// short) is not taken for the team's name.
func TestApplicationPhoneTypedAtTheNameStepIsNoName(t *testing.T) {
	h := newHarness(t, nil)
	ids := h.seedOrgs(school1)
	e := h.formEvent(ids[0], storage.Form{Pupils: true, Phone: storage.NeedOptional})
	h.registerDirect(teacher, ids[0])
	h.say(teacher, fmt.Sprintf("/start e%d", e.ID), "Добрая дорога детства")
	h.press(teacher, "✅ Записаться", "согласие родителей")
	h.press(teacher, "✅ Подтверждаю", "Учащиеся команды")
	h.say(teacher, "Иванов Пётр, 3Б", "В команде 1 учащийся", "Название команды")
	h.say(teacher, "8-928-123-45-6", "Это не похоже на название команды")
	h.say(teacher, "+7 (928) 123-45-67", "Это не похоже на название команды")
	h.press(teacher, "Без названия", "Телефон для связи")
	h.say(teacher, "8-928-123-45-67", "Телефон: +79281234567")
}

// A coordinator types a choice's options in one line with commas, the way
// people list things: each is an option.
func TestEventFormOptionsTypedWithCommas(t *testing.T) {
	h := newHarness(t, nil)
	ids := h.seedOrgs(school1, gibdd)
	h.makeCoordinator(coordinator, ids[1])
	c := coordinator
	now := h.clock.Now().In(moscowZone)
	start := time.Date(now.Year(), now.Month(), now.Day(), 10, 0, 0, 0, moscowZone).AddDate(0, 0, 30)
	h.say(c, "/newevent", "Новое мероприятие")
	h.say(c, "Война глазами детей", "Вид мероприятия")
	h.press(c, "Конкурс", "Отметьте организаторов")
	h.press(c, "Готово (выбрано: 1)", "Когда начало")
	h.say(c, start.Format("02.01.2006 15:04"), "Когда окончание")
	h.press(c, "Пропустить", "Где пройдёт")
	h.say(c, "ЦРТДиЮ", "Для кого")
	h.press(c, "Пропустить", "Как участвуют")
	h.press(c, "👥 Командой (педагог и учащиеся)", "Сколько учащихся")
	h.say(c, "3", "Сколько мест")
	h.press(c, "Без ограничений", "До какого времени")
	h.press(c, "Пропустить", "Напоминания")
	h.press(c, "Оставить", "Описание")
	h.press(c, "Пропустить", "положение")
	h.press2(c, "Пропустить", "Заявка", "Список учеников")
	h.press(c, "❓ Вопросы (0 из 5)", "Свои вопросы")
	h.press(c, "➕ Добавить вопрос", "Напишите вопрос")
	h.say(c, "Номинация", "Какой нужен ответ")
	h.press(c, "☑️ Выбор из вариантов", "Варианты ответа на «Номинация»")
	h.say(c, "Рисунок, Плакат, Компьютерная графика", "✓ Варианты: Рисунок; Плакат; Компьютерная графика", "обязателен?")
	h.press(c, "Обязательный", "1. Номинация — выбор: Рисунок; Плакат; Компьютерная графика; обязательный")
	if q := h.eventDraft(c.ID).Event.Form.Questions; len(q) != 1 || len(q[0].Options) != 3 {
		t.Errorf("questions %+v", q)
	}
}

// The school's quota is used up: a third teacher pressing «Записаться» is
// told so at once, before she types her pupils, and no wizard begins; a
// teacher of another school applies as usual.
func TestApplicationQuotaIsSaidBeforeTheWizard(t *testing.T) {
	h := newHarness(t, nil)
	ids := h.seedOrgs(school1, school2)
	e := h.formEvent(ids[0], storage.Form{Pupils: true, OrgQuota: 1})
	h.registerDirect(teacher, ids[0])
	h.registerDirect(teacher2, ids[0])
	h.registerDirect(teacher3, ids[1])
	h.applyDirect(e, teacher, storage.Application{Pupils: []storage.Pupil{{Name: "Иванов Пётр", Class: "5Б"}}, ParentsConsentAt: h.clock.Now()})

	h.say(teacher2, fmt.Sprintf("/start e%d", e.ID), "Добрая дорога детства")
	a, _ := h.press(teacher2, "✅ Записаться")
	if !a.ShowAlert || !strings.Contains(a.Text, "От вашей организации уже подана 1 заявка") {
		t.Errorf("the quota answered %+v", a)
	}
	if c, err := h.store.Conversation(h.ctx(), teacher2.ID); !storage.IsNotFound(err) {
		t.Errorf("a wizard began: %+v %v", c, err)
	}
	h.say(teacher3, fmt.Sprintf("/start e%d", e.ID), "Добрая дорога детства")
	h.press(teacher3, "✅ Записаться", "согласие родителей")
}
