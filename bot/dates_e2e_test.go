package bot

import (
	"strconv"
	"testing"
	"time"

	"vmeste/locales"
	"vmeste/storage"
)

// ruDate renders t as the bot does in Russian: "3 декабря 2026, 10:00".
func ruDate(t testing.TB, when time.Time) string {
	t.Helper()
	c, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	return c.For("ru").DateYear(when.In(moscowZone))
}

// A coordinator types dates the way people do: the wizard reads them, says
// why an impossible one cannot be, refuses a date that has just passed
// (never moving it a year ahead), takes the end as a time of the same day
// or a length, and lets the event go without reminders.
func TestNewEventDatesAsTyped(t *testing.T) {
	h := newHarness(t, nil)
	ids := h.seedOrgs(gibdd)
	h.makeCoordinator(coordinator, ids[0])
	c := coordinator
	now := h.clock.Now().In(moscowZone)

	h.say(c, "/newevent", "Новое мероприятие")
	h.say(c, "Семинар для классных руководителей", "Вид мероприятия")
	h.press(c, "Семинар", "Отметьте организаторов")
	h.press(c, "Готово (выбрано: 1)", "Когда начало")

	// Impossible dates are told why, with or without a time.
	h.say(c, "31.04.2027 10:00", "В апреле 30 дней")
	h.say(c, "31.04.2027", "В апреле 30 дней")
	h.say(c, "31 апреля в 10", "В апреле 30 дней")
	h.say(c, "29.02.2027 10:00", "2027 год не високосный")
	h.say(c, "15.13 10:00", "Такого месяца нет")
	h.say(c, "завтра в 25", "Такого времени нет")
	bad := h.say(c, "когда-нибудь", "Не понял дату", "например")
	if !hasButton(bad, "« Назад") || !hasButton(bad, "Отмена") {
		t.Errorf("the complaint about a date has no way out: %+v", bad.Buttons)
	}

	// Yesterday without a year is yesterday, refused as past; never the
	// same day next year.
	yesterday := now.AddDate(0, 0, -1)
	typed := strconv.Itoa(yesterday.Day()) + "." + strconv.Itoa(int(yesterday.Month())) + " 10:00"
	h.say(c, typed, "уже прошла", ruDate(t, time.Date(yesterday.Year(), yesterday.Month(), yesterday.Day(), 10, 0, 0, 0, moscowZone)))

	// "в четверг 10:00" is the next Thursday after today.
	thursday := now.AddDate(0, 0, (int(time.Thursday)-int(now.Weekday())+6)%7+1)
	thursday = time.Date(thursday.Year(), thursday.Month(), thursday.Day(), 10, 0, 0, 0, moscowZone)
	h.say(c, "в четверг 10:00", "✓ Начало: "+ruDate(t, thursday), "Когда окончание", "2 часа")

	// The end: a time of the start's day, «до 13:00», a length.
	h.say(c, "до 9:00", "позже начала")
	h.say(c, "13", "Не понял окончание", "до 13:00", "2 часа")
	h.say(c, "до 13", "✓ Окончание: "+ruDate(t, thursday.Add(3*time.Hour)), "Где пройдёт")
	h.say(c, "ЦРТДиЮ, актовый зал", "Для кого")
	h.press(c, "Пропустить", "Как участвуют")
	h.press(c, "👤 Индивидуально (педагог)", "Сколько мест")
	h.press(c, "Без ограничений", "До какого времени")
	h.press(c, "Пропустить", "Напоминания участникам: за 1 день, за 2 часа")
	h.press(c, "🔕 Без напоминаний", "Описание")
	h.press(c, "Пропустить", "положение")
	h.press(c, "Пропустить", "Заявка", "Телефон педагога: не спрашивать")
	h.press(c, "✅ Готово", "Проверьте мероприятие", "Напоминания: нет")

	// Back to the start: another form; the end moves with it, as a length.
	h.press(c, "✏️ Изменить поле", "Что изменить")
	h.press(c, "Начало", "Когда начало")
	start := time.Date(2099, time.April, 15, 10, 0, 0, 0, moscowZone)
	h.say(c, "10:00 15.04.2099", "✓ Начало: "+ruDate(t, start), "Окончание сдвинуто", ruDate(t, start.Add(3*time.Hour)))
	h.press(c, "✏️ Изменить поле", "Что изменить")
	h.press(c, "Окончание", "Когда окончание")
	h.say(c, "1,5 часа", "✓ Окончание: "+ruDate(t, start.Add(90*time.Minute)), "Проверьте мероприятие")
	// Reminders turned off stay off: the step shows «нет», «Оставить» keeps it.
	h.press(c, "✏️ Изменить поле", "Что изменить")
	h.press(c, "Напоминания", "Напоминания участникам: нет")
	h.press(c, "Оставить", "Проверьте мероприятие", "Напоминания: нет")
	h.press(c, "✅ Опубликовать", "опубликовано")

	list, _, err := h.store.UpcomingEvents(h.ctx(), h.clock.Now(), "", 0, 5)
	if err != nil || len(list) != 1 {
		t.Fatalf("upcoming: %v, %v", list, err)
	}
	e := list[0]
	if !e.Start.Equal(start) || !e.End.Equal(start.Add(90*time.Minute)) || len(e.Reminders) != 0 {
		t.Errorf("stored: start %v, end %v, reminders %v", e.Start, e.End, e.Reminders)
	}
}

// «нет» typed at the reminders step means none, and «2 часа» at the end
// step a length, also for a contest whose defaults are 7 days and 1 day.
func TestNewEventRemindersTypedNone(t *testing.T) {
	h := newHarness(t, nil)
	ids := h.seedOrgs(gibdd)
	h.makeCoordinator(coordinator, ids[0])
	c := coordinator
	h.say(c, "/newevent", "Новое мероприятие")
	h.say(c, "Добрая дорога детства", "Вид мероприятия")
	h.press(c, "Конкурс", "Отметьте организаторов")
	h.press(c, "Готово (выбрано: 1)", "Когда начало")
	h.say(c, "2099-04-15 10:00", "✓ Начало: 15 апреля 2099, 10:00")
	h.say(c, "2 часа", "✓ Окончание: 15 апреля 2099, 12:00")
	h.say(c, "Онлайн", "Для кого")
	h.press(c, "Пропустить", "Как участвуют")
	h.press(c, "👤 Индивидуально (педагог)", "Сколько мест")
	h.press(c, "Без ограничений", "До какого времени")
	h.say(c, "14 апр 2099 в 18", "✓ Запись до: 14 апреля 2099, 18:00", "за 7 дней, за 1 день")
	h.say(c, "Нет.", "Напоминания: нет", "Описание")
	h.press(c, "Пропустить", "положение")
	h.press(c, "Пропустить", "Заявка", "Телефон педагога: необязательно")
	h.press(c, "✅ Готово", "Проверьте мероприятие", "Напоминания: нет", "Заявка: телефон (по желанию)")
	// Changing the kind does not bring the defaults back.
	h.press(c, "✏️ Изменить поле", "Что изменить")
	h.press(c, "Вид", "Вид мероприятия")
	h.press(c, "Соревнование", "Проверьте мероприятие", "Напоминания: нет")
	h.press(c, "💾 Сохранить черновик", "Черновик")
	list, err := h.store.Drafts(h.ctx())
	if err != nil || len(list) != 1 || len(list[0].Reminders) != 0 || list[0].Kind != storage.EventCompetition {
		t.Fatalf("drafts: %+v, %v", list, err)
	}
}
