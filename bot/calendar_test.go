package bot

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"

	"vmeste/calendar"
	"vmeste/locales"
	"vmeste/storage"
	"vmeste/telegramtest"
)

// Calendars end to end: «📅 В календарь» on a card, /calendar, and the
// feed's link in /settings with «🔄 Новая ссылка», the feed asked through
// its real HTTP handler on the bot's store.

// calendarSeed stores the ГИБДД with a coordinator, Мария (СОШ №1) and
// Ахмат (СОШ №2), and «Безопасное колесо» with one seat, a title with
// the characters a calendar escapes, and an end.
func (h *harness) calendarSeed() storage.Event {
	h.t.Helper()
	ids := h.seedOrgs(gibdd, school1, school2)
	h.makeCoordinator(coordinator, ids[0])
	h.applicant(teacher, ids[1], "Иванова Мария Петровна", "Классный руководитель")
	h.applicant(teacher2, ids[2], "Кулиев Ахмат Русланович", "Педагог-организатор")
	return h.event(ids[0], func(e *storage.Event) {
		e.Title, e.Capacity = "Безопасное колесо, этап 1; финал", 1
		e.Description = "Соревнования юных инспекторов движения: фигурное вождение, знание ПДД, первая помощь."
		e.Audience = "5–7 классы"
		day := e.Start.In(moscowZone) // a week ahead, at 10:00 as a coordinator types it
		e.Start = time.Date(day.Year(), day.Month(), day.Day(), 10, 0, 0, 0, moscowZone)
		e.End = e.Start.Add(3 * time.Hour)
	})
}

// icsOf parses a document the bot sent as iCalendar.
func icsOf(t *testing.T, m telegramtest.Message) *ics.Calendar {
	t.Helper()
	if m.Document == nil {
		t.Fatalf("no document in %q", m.PlainText())
	}
	cal, err := ics.ParseCalendar(strings.NewReader(string(m.Document.Content)))
	if err != nil {
		t.Fatalf("%s does not parse: %v", m.Document.Name, err)
	}
	return cal
}

// TestCalendarFileFromCardAndCommand: Мария signs up on the card and
// presses «📅 В календарь»: the file is the event, at its time in
// Moscow, with her sign-up; Ахмат, on the waitlist, gets it marked so.
// /calendar sends each their own sign-ups, and says so when there are
// none.
func TestCalendarFileFromCardAndCommand(t *testing.T) {
	h := newHarness(t, nil)
	e := h.calendarSeed()

	h.say(teacher, "/calendar", "В календаре пока пусто")

	h.say(teacher, fmt.Sprintf("/start e%d", e.ID), "Безопасное колесо")
	h.press(teacher, "✅ Записаться", "Вы записаны")
	h.say(teacher2, fmt.Sprintf("/start e%d", e.ID), "Безопасное колесо")
	h.press(teacher2, "⏳ Встать в лист ожидания", "Вы в листе ожидания")

	// Both press at once.
	done := make(chan telegramtest.Message, 2)
	for _, u := range []telegramtest.User{teacher, teacher2} {
		go func() {
			q, err := h.tg.PressButton(u, u.ID, "📅 В календарь")
			if err != nil {
				t.Errorf("press: %v", err)
				done <- telegramtest.Message{}
				return
			}
			if _, err := h.tg.WaitCallbackAnswered(h.ctx(), q); err != nil {
				t.Errorf("callback of %d not answered: %v", u.ID, err)
			}
			m, err := h.tg.WaitBotMessage(h.ctx(), u.ID, func(m telegramtest.Message) bool { return m.Document != nil })
			if err != nil {
				t.Errorf("no file for %d: %v", u.ID, err)
			}
			done <- m
		}()
	}
	files := map[int64]telegramtest.Message{}
	for range 2 {
		m := <-done
		files[m.ChatID] = m
	}
	for _, u := range []telegramtest.User{teacher, teacher2} {
		m := files[u.ID]
		if m.Document == nil {
			t.Fatalf("%d got no file", u.ID)
		}
		if m.Document.Name != fmt.Sprintf("event-%d.ics", e.ID) || !strings.Contains(m.PlainText(), "телефон предложит добавить") {
			t.Errorf("file %q, caption %q", m.Document.Name, m.PlainText())
		}
		cal := icsOf(t, m)
		if len(cal.Events()) != 1 {
			t.Fatalf("%d events in the file", len(cal.Events()))
		}
		ev := cal.Events()[0]
		start, err := ev.GetStartAt()
		if err != nil || !start.Equal(e.Start) || start.Location().String() != "Europe/Moscow" {
			t.Errorf("DTSTART %v (%v), want %v in Moscow", start, err, e.Start)
		}
		if end, err := ev.GetEndAt(); err != nil || !end.Equal(e.End) {
			t.Errorf("DTEND %v (%v), want %v", end, err, e.End)
		}
		summary := ev.GetProperty(ics.ComponentPropertySummary).Value
		waiting := u.ID == teacher2.ID
		if want := e.Title + map[bool]string{true: " (лист ожидания)"}[waiting]; summary != want {
			t.Errorf("%d: SUMMARY %q, want %q", u.ID, summary, want)
		}
		desc := ev.GetProperty(ics.ComponentPropertyDescription).Value
		for _, part := range []string{"Организаторы: ГИБДД", "Для кого: 5–7 классы", e.Description,
			fmt.Sprintf("https://t.me/%s?start=e%d", h.bot.Username(), e.ID)} {
			if !strings.Contains(desc, part) {
				t.Errorf("DESCRIPTION lacks %q:\n%s", part, desc)
			}
		}
		if n := len(ev.Alarms()); n != len(e.Reminders) {
			t.Errorf("%d alarms for %d reminders", n, len(e.Reminders))
		}
	}

	m := h.say(teacher, "/calendar", "1 мероприятие") // no feed here: no /settings hint (TestReview13CalendarCaptionFeedHintOnlyWhenServed)
	cal := icsOf(t, m)
	if len(cal.Events()) != 1 || cal.Events()[0].Id() != calendar.UID(e.ID) {
		t.Errorf("Мария's /calendar: %d events", len(cal.Events()))
	}
	m = h.say(teacher2, "/calendar", "1 мероприятие")
	if s := icsOf(t, m).Events()[0].GetProperty(ics.ComponentPropertySummary).Value; !strings.HasSuffix(s, "(лист ожидания)") {
		t.Errorf("Ахмат's /calendar does not mark the waitlist: %q", s)
	}
	// The coordinator's calendar holds the event his organisation runs.
	m = h.say(coordinator, "/calendar", "1 мероприятие")
	if got := icsOf(t, m).Events(); len(got) != 1 || got[0].Id() != calendar.UID(e.ID) {
		t.Errorf("the coordinator's /calendar: %d events", len(got))
	}
	h.say(teacher, "/help", "/calendar", "📅 В календарь")
}

// feedLink matches the feed's link in /settings.
var feedLink = regexp.MustCompile(`https://vmeste\.example\.ru(/calendar/[A-Za-z0-9_-]{43}\.ics)`)

// TestSettingsFeedLink: /settings shows Мария her feed's link (and its
// webcal:// form); the feed, asked through the real handler, holds her
// sign-up; «🔄 Новая ссылка», confirmed, gives a new link, and the old
// one answers 404. The link survives a restart. A bot without a public
// URL says that the feed is not available, with no button.
func TestSettingsFeedLink(t *testing.T) {
	h := newHarness(t, func(b *Bot) { b.cfg.CalendarFeedURL = "https://vmeste.example.ru/calendar/" })
	e := h.calendarSeed()
	if _, err := h.store.Register(context.Background(), storage.SignUp{EventID: e.ID, UserID: teacher.ID}, h.clock.Now()); err != nil {
		t.Fatal(err)
	}
	catalog, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	get := func(path string) *httptest.ResponseRecorder {
		handler := &calendar.Handler{Store: h.store, Catalog: catalog, Location: moscowZone, Bot: h.bot.Username(),
			ConsentVersion: h.bot.consentVersion, Now: h.clock.Now}
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		return rec
	}
	linkIn := func(m telegramtest.Message) string {
		t.Helper()
		found := feedLink.FindStringSubmatch(m.PlainText())
		if found == nil {
			t.Fatalf("no feed link in %q", m.PlainText())
		}
		return found[1]
	}

	m := h.say(teacher, "/settings", "Календарь", "webcal://vmeste.example.ru/calendar/")
	old := linkIn(m)
	if rec := get(old); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "UID:"+calendar.UID(e.ID)) {
		t.Fatalf("the feed: %d\n%s", rec.Code, rec.Body)
	}
	// Ахмат's link is another, and his feed has nothing of Мария's.
	akhmat := linkIn(h.say(teacher2, "/settings", "Календарь"))
	if rec := get(akhmat); akhmat == old || rec.Code != http.StatusOK || strings.Contains(rec.Body.String(), "VEVENT") {
		t.Errorf("Ахмат's feed (%s): %d\n%s", akhmat, rec.Code, rec.Body)
	}
	// Asking again shows the same link.
	if again := linkIn(h.say(teacher, "/settings", "Календарь")); again != old {
		t.Errorf("the link changed by itself: %s, was %s", again, old)
	}

	h.press(teacher, "🔄 Новая ссылка", "Сделать новую ссылку")
	ans, _ := h.press(teacher, "🔄 Да, новая ссылка")
	if !strings.Contains(ans.Text, "Новая ссылка готова") {
		t.Errorf("answer %q", ans.Text)
	}
	m, err = h.tg.WaitBotMessage(h.ctx(), teacher.ID, func(m telegramtest.Message) bool {
		found := feedLink.FindStringSubmatch(m.PlainText())
		return found != nil && found[1] != old
	})
	if err != nil {
		t.Fatalf("no new link: %v", err)
	}
	fresh := linkIn(m)
	if rec := get(old); rec.Code != http.StatusNotFound {
		t.Errorf("the old link answers %d, want 404", rec.Code)
	}
	if rec := get(fresh); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), calendar.UID(e.ID)) {
		t.Errorf("the new link: %d", rec.Code)
	}

	h.restart()
	if after := linkIn(h.say(teacher, "/settings", "Календарь")); after != fresh {
		t.Errorf("after a restart the link is %s, want %s", after, fresh)
	}
	if rec := get(fresh); rec.Code != http.StatusOK {
		t.Errorf("after a restart the feed answers %d", rec.Code)
	}
	// /mydata says that a link exists.
	m = h.say(teacher, "/mydata", "Всё, что бот хранит о вас")
	if m.Document == nil || !strings.Contains(string(m.Document.Content), "Ссылка на ваш календарь: есть") {
		t.Errorf("/mydata does not tell of the calendar link")
	}

	plain := newHarness(t, nil)
	plain.applicant(teacher, plain.seedOrgs(school1)[0], "Иванова Мария Петровна", "Учитель")
	m = plain.say(teacher, "/settings", "Подписка на календарь на этом сервере не настроена")
	for _, row := range m.Buttons {
		for _, btn := range row {
			if strings.Contains(btn.Text, "Новая ссылка") {
				t.Errorf("a button %q without a feed", btn.Text)
			}
		}
	}
}

// TestCalendarForgedButtons: a forged or stale «📅 В календарь» (an
// event that does not exist, a made-up id, someone's draft) and a forged
// «🔄 Новая ссылка» where no feed is served get a short answer and no
// file, and change nothing.
func TestCalendarForgedButtons(t *testing.T) {
	h := newHarness(t, nil)
	e := h.calendarSeed()
	draft := h.event(h.user(coordinator.ID).OrgID, func(e *storage.Event) { e.Title, e.Status = "Черновик конкурса", storage.EventDraft })
	m := h.say(teacher, fmt.Sprintf("/start e%d", e.ID), "Безопасное колесо")
	for _, c := range []struct{ data, want string }{
		{"ecl:999999", "больше нет"},
		{"ecl:abc", "неактуальна"},
		{"ecl:" + fmt.Sprint(draft.ID), "не опубликовано"},
		{"cfn", "не настроена"},
		{"cfy", "не настроена"},
	} {
		a := h.forge(teacher, m.ID, c.data)
		if !strings.Contains(a.Text, c.want) {
			t.Errorf("%s: answer %q, want %q", c.data, a.Text, c.want)
		}
	}
	for _, msg := range h.tg.Messages(teacher.ID) {
		if msg.Document != nil {
			t.Errorf("a forged press got a file: %s", msg.Document.Name)
		}
	}
	// The draft's author may take it into his calendar.
	h.say(coordinator, fmt.Sprintf("/start e%d", draft.ID), "Черновик конкурса")
	_, m = h.press(coordinator, "📅 В календарь", "телефон предложит добавить")
	if m.Document == nil || m.Document.Name != fmt.Sprintf("event-%d.ics", draft.ID) {
		t.Errorf("the author got no file of his draft")
	}
}

// TestFeedFollowsTheCoordinatorInTheBot: Мария subscribes to her feed;
// the ГИБДД's coordinator moves «Безопасное колесо» to 11:30 through the
// bot's edit wizard, then cancels it; her feed, asked through the real
// handler, keeps the entry's UID and shows the new time with a higher
// SEQUENCE, then the cancellation.
func TestFeedFollowsTheCoordinatorInTheBot(t *testing.T) {
	h := newHarness(t, func(b *Bot) { b.cfg.CalendarFeedURL = "https://vmeste.example.ru/calendar/" })
	e := h.calendarSeed()
	if _, err := h.store.Register(context.Background(), storage.SignUp{EventID: e.ID, UserID: teacher.ID}, h.clock.Now()); err != nil {
		t.Fatal(err)
	}
	catalog, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	found := feedLink.FindStringSubmatch(h.say(teacher, "/settings", "Календарь").PlainText())
	if found == nil {
		t.Fatal("no link in /settings")
	}
	entry := func() *ics.VEvent {
		t.Helper()
		handler := &calendar.Handler{Store: h.store, Catalog: catalog, Location: moscowZone, Bot: h.bot.Username(),
			ConsentVersion: h.bot.consentVersion, Now: h.clock.Now}
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, found[1], nil))
		cal, err := ics.ParseCalendar(strings.NewReader(rec.Body.String()))
		if rec.Code != http.StatusOK || err != nil || len(cal.Events()) != 1 {
			t.Fatalf("the feed: %d, %v\n%s", rec.Code, err, rec.Body)
		}
		return cal.Events()[0]
	}
	before := entry()
	seq := func(ev *ics.VEvent) int { return atoiOrFail(t, ev.GetProperty(ics.ComponentPropertySequence).Value) }

	h.say(coordinator, fmt.Sprintf("/start e%d", e.ID), "Безопасное колесо")
	h.press(coordinator, "✏️ Изменить", "Что изменить")
	h.press(coordinator, "Начало")
	day := e.Start.In(moscowZone)
	h.say(coordinator, day.Format("02.01.2006")+" 11:30", "Изменение мероприятия")
	h.press(coordinator, "💾 Сохранить изменения", "сохранены")

	moved := entry()
	start, err := moved.GetStartAt()
	want := time.Date(day.Year(), day.Month(), day.Day(), 11, 30, 0, 0, moscowZone)
	if err != nil || !start.Equal(want) {
		t.Errorf("the moved entry starts %v (%v), want %v", start, err, want)
	}
	if moved.Id() != before.Id() || seq(moved) <= seq(before) {
		t.Errorf("UID %s → %s, SEQUENCE %d → %d: want the same UID and a higher SEQUENCE", before.Id(), moved.Id(), seq(before), seq(moved))
	}

	h.say(coordinator, fmt.Sprintf("/start e%d", e.ID), "Безопасное колесо")
	h.press(coordinator, "🚫 Отменить мероприятие", "Отменить «")
	h.press(coordinator, "Да, отменить мероприятие")
	cancelled := entry()
	if st := cancelled.GetProperty(ics.ComponentPropertyStatus).Value; st != "CANCELLED" || seq(cancelled) <= seq(moved) {
		t.Errorf("after the cancellation: STATUS %s, SEQUENCE %d (was %d)", st, seq(cancelled), seq(moved))
	}
}

func atoiOrFail(t *testing.T, s string) int {
	t.Helper()
	var n int
	if _, err := fmt.Sscan(s, &n); err != nil {
		t.Fatalf("%q: %v", s, err)
	}
	return n
}
