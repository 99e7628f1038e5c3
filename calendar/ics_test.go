package calendar

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	ics "github.com/arran4/golang-ical"

	"vmeste/locales"
	"vmeste/storage"
)

var moscow = mustZone("Europe/Moscow")

func mustZone(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return l
}

func printer(t *testing.T, lang string) locales.Printer {
	t.Helper()
	c, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	return c.For(lang)
}

// trickyTitle holds every character TEXT escapes, and Russian quotes.
const trickyTitle = `«Безопасное колесо», этап 1; финал \ ЮИД`

// longDescription is a coordinator's text: Cyrillic (two octets a
// letter), lines, commas and semicolons, a word longer than a line, long enough to be folded many
// times.
var longDescription = strings.Repeat("Команды юных инспекторов движения соревнуются в знании правил дорожного движения; "+
	"фигурное вождение велосипеда, оказание первой помощи, «Знатоки ПДД».\n", 4) + "Итоги — в тот же день, в 16:00. " +
	strings.Repeat("Ж", 100) // a word longer than a line: folded between letters

func contestEntry() (storage.CalendarEntry, map[int64]storage.Organisation) {
	e := storage.Event{ID: 42, Title: trickyTitle, Kind: storage.EventCompetition, Description: longDescription,
		Start:      time.Date(2027, 3, 15, 10, 0, 0, 0, moscow),
		End:        time.Date(2027, 3, 15, 12, 30, 0, 0, moscow),
		Place:      "ЦРТДиЮ, актовый зал; 2 этаж",
		Organisers: []int64{7, 9}, Audience: "5–7 классы",
		Reminders: []time.Duration{24 * time.Hour, 7 * 24 * time.Hour, 2*time.Hour + 30*time.Minute},
		Status:    storage.EventPublished, Revision: 3,
		CreatedAt: time.Date(2027, 1, 10, 9, 0, 0, 0, time.UTC), UpdatedAt: time.Date(2027, 2, 1, 8, 30, 0, 0, time.UTC)}
	orgs := map[int64]storage.Organisation{
		7: {ID: 7, Name: "ОГИБДД МО МВД России «Эльбрусский»", ShortName: "ГИБДД"},
		9: {ID: 9, Name: "МБУ ДО «ЦРТДиЮ» им. Моккаева"},
	}
	return storage.CalendarEntry{Event: e, Registration: &storage.Registration{EventID: 42, UserID: 5, State: storage.RegConfirmed}}, orgs
}

func writeICS(t *testing.T, entries []storage.CalendarEntry, orgs map[int64]storage.Organisation, o Options) string {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, entries, orgs, o); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// TestEventRoundTrip writes an event whose title and text hold every
// character TEXT escapes and read it back with golang-ical and with the
// tests' own reader: the same times in the district's zone, the same
// words, an alarm per reminder, lines folded at 75 octets without
// splitting a letter.
func TestEventRoundTrip(t *testing.T) {
	en, orgs := contestEntry()
	e := en.Event
	data := writeICS(t, []storage.CalendarEntry{en}, orgs, Options{Location: moscow, Bot: "vmeste_bot", Printer: printer(t, "ru")})

	for i, l := range strings.Split(strings.TrimSuffix(data, "\r\n"), "\r\n") {
		if len(l) > 75 {
			t.Errorf("physical line %d is %d octets (over 75): %q", i+1, len(l), l)
		}
		if !utf8.ValidString(l) {
			t.Errorf("physical line %d splits a UTF-8 character: %q", i+1, l)
		}
	}
	if !strings.Contains(data, "DTSTART;TZID=Europe/Moscow:20270315T100000\r\n") {
		t.Errorf("no DTSTART in Moscow time:\n%s", data)
	}

	wantDesc := "Соревнование\nОрганизаторы: ГИБДД, МБУ ДО «ЦРТДиЮ» им. Моккаева\nДля кого: 5–7 классы\n\n" +
		strings.TrimSpace(longDescription) + "\n\nКарточка мероприятия в боте: https://t.me/vmeste_bot?start=e42"

	t.Run("own reader", func(t *testing.T) {
		cal := parseICS(t, data)
		if v, _ := cal.Get("VERSION"); v.Value != "2.0" {
			t.Errorf("VERSION %q", v.Value)
		}
		events := cal.All("VEVENT")
		if len(events) != 1 {
			t.Fatalf("%d VEVENTs, want 1", len(events))
		}
		ev := events[0]
		text := func(name string) string {
			p, ok := ev.Get(name)
			if !ok {
				t.Errorf("no %s", name)
			}
			return p.Text()
		}
		for _, c := range []struct{ name, want string }{
			{"UID", "event-42@vmeste"},
			{"SUMMARY", trickyTitle},
			{"LOCATION", e.Place},
			{"DESCRIPTION", wantDesc},
			{"URL", "https://t.me/vmeste_bot?start=e42"},
			{"SEQUENCE", "3"},
			{"STATUS", "CONFIRMED"},
			{"DTSTAMP", "20270201T083000Z"},
			{"LAST-MODIFIED", "20270201T083000Z"},
		} {
			if got := text(c.name); got != c.want {
				t.Errorf("%s = %q, want %q", c.name, got, c.want)
			}
		}
		for name, want := range map[string]time.Time{"DTSTART": e.Start, "DTEND": e.End} {
			p, _ := ev.Get(name)
			got, err := dateTime(p)
			if err != nil {
				t.Fatal(err)
			}
			if !got.Equal(want) || got.Location().String() != "Europe/Moscow" || got.Hour() != want.Hour() {
				t.Errorf("%s = %v, want %v in Europe/Moscow", name, got, want)
			}
		}
		tzs := cal.All("VTIMEZONE")
		if len(tzs) != 1 {
			t.Fatalf("%d VTIMEZONEs, want 1", len(tzs))
		}
		if id, _ := tzs[0].Get("TZID"); id.Value != "Europe/Moscow" {
			t.Errorf("TZID %q", id.Value)
		}
		std := tzs[0].All("STANDARD")
		if len(std) != 1 || len(tzs[0].All("DAYLIGHT")) != 0 {
			t.Fatalf("Moscow has no daylight saving: want one STANDARD, got %+v", tzs[0].Subs)
		}
		if to, _ := std[0].Get("TZOFFSETTO"); to.Value != "+0300" {
			t.Errorf("TZOFFSETTO %q, want +0300", to.Value)
		}
		var alarms []time.Duration
		for _, a := range ev.All("VALARM") {
			if act, _ := a.Get("ACTION"); act.Value != "DISPLAY" {
				t.Errorf("ACTION %q", act.Value)
			}
			if d, _ := a.Get("DESCRIPTION"); !strings.Contains(d.Text(), trickyTitle) {
				t.Errorf("alarm text %q", d.Text())
			}
			tr, _ := a.Get("TRIGGER")
			d, err := icsDuration(tr.Value)
			if err != nil {
				t.Fatal(err)
			}
			alarms = append(alarms, -d)
		}
		slices.Sort(alarms)
		want := slices.Sorted(slices.Values(e.Reminders))
		if !slices.Equal(alarms, want) {
			t.Errorf("alarms %v, want the reminders %v", alarms, want)
		}
	})

	t.Run("golang-ical", func(t *testing.T) {
		cal, err := ics.ParseCalendar(strings.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		evs := cal.Events()
		if len(evs) != 1 {
			t.Fatalf("%d events", len(evs))
		}
		ev := evs[0]
		start, err := ev.GetStartAt()
		if err != nil {
			t.Fatal(err)
		}
		end, err := ev.GetEndAt()
		if err != nil {
			t.Fatal(err)
		}
		if !start.Equal(e.Start) || !end.Equal(e.End) {
			t.Errorf("start %v, end %v; want %v, %v", start, end, e.Start, e.End)
		}
		for prop, want := range map[ics.ComponentProperty]string{
			ics.ComponentPropertySummary: trickyTitle, ics.ComponentPropertyDescription: wantDesc,
			ics.ComponentPropertyLocation: e.Place, ics.ComponentPropertySequence: "3",
		} {
			if got := ev.GetProperty(prop).Value; got != want {
				t.Errorf("%s = %q, want %q", prop, got, want)
			}
		}
		if ev.Id() != "event-42@vmeste" {
			t.Errorf("UID %q", ev.Id())
		}
		if n := len(ev.Alarms()); n != 3 {
			t.Errorf("%d alarms, want 3", n)
		}
	})
}

// TestEventWithoutEndLastsTwoHours checks the default length, the
// waitlist's mark, a cancelled event's status (and no alarms), and an
// event without reminders getting no alarm.
func TestEventWithoutEndLastsTwoHours(t *testing.T) {
	p := printer(t, "ru")
	base := storage.Event{ID: 7, Title: "Семинар", Kind: storage.EventSeminar, Start: time.Date(2027, 4, 1, 15, 0, 0, 0, moscow),
		Status: storage.EventPublished, Reminders: []time.Duration{2 * time.Hour}}
	cancelled := base
	cancelled.ID, cancelled.Status = 8, storage.EventCancelled
	silent := base
	silent.ID, silent.Reminders = 9, nil
	entries := []storage.CalendarEntry{
		{Event: base, Registration: &storage.Registration{State: storage.RegWaitlist}},
		{Event: cancelled, Registration: &storage.Registration{State: storage.RegConfirmed}},
		{Event: silent},
	}
	cal := parseICS(t, writeICS(t, entries, nil, Options{Location: moscow, Printer: p, Name: "Вместе"}))
	if n, _ := cal.Get("X-WR-CALNAME"); n.Text() != "Вместе" {
		t.Errorf("X-WR-CALNAME %q", n.Text())
	}
	evs := cal.All("VEVENT")
	if len(evs) != 3 {
		t.Fatalf("%d events", len(evs))
	}
	endP, _ := evs[0].Get("DTEND")
	end, err := dateTime(endP)
	if err != nil || !end.Equal(base.Start.Add(2*time.Hour)) {
		t.Errorf("DTEND %v (%v), want two hours after the start", end, err)
	}
	for i, want := range []struct{ summary, status string }{
		{"Семинар (лист ожидания)", "CONFIRMED"}, {"Отменено: Семинар", "CANCELLED"}, {"Семинар", "CONFIRMED"},
	} {
		s, _ := evs[i].Get("SUMMARY")
		st, _ := evs[i].Get("STATUS")
		if s.Text() != want.summary || st.Value != want.status {
			t.Errorf("event %d: %q %s, want %q %s", i, s.Text(), st.Value, want.summary, want.status)
		}
	}
	if d, _ := evs[0].Get("DESCRIPTION"); !strings.Contains(d.Text(), "Вы в листе ожидания") {
		t.Errorf("the waitlist is not said: %q", d.Text())
	}
	for i, want := range []int{1, 0, 0} {
		if n := len(evs[i].All("VALARM")); n != want {
			t.Errorf("event %d: %d alarms, want %d", i, n, want)
		}
	}
}

// TestZoneWithDaylightSaving: a district in a zone that changes its
// clocks gets an observance for each period its events fall in, and the
// times read back with the right offsets.
func TestZoneWithDaylightSaving(t *testing.T) {
	berlin := mustZone("Europe/Berlin")
	winter := storage.Event{ID: 1, Title: "Winter", Kind: storage.EventOther, Start: time.Date(2027, 1, 20, 10, 0, 0, 0, berlin), Status: storage.EventPublished}
	summer := storage.Event{ID: 2, Title: "Summer", Kind: storage.EventOther, Start: time.Date(2027, 6, 20, 10, 0, 0, 0, berlin), Status: storage.EventPublished}
	cal := parseICS(t, writeICS(t, []storage.CalendarEntry{{Event: winter}, {Event: summer}}, nil,
		Options{Location: berlin, Printer: printer(t, "en")}))
	tz := cal.All("VTIMEZONE")[0]
	std, dst := tz.All("STANDARD"), tz.All("DAYLIGHT")
	if len(std) == 0 || len(dst) == 0 {
		t.Fatalf("want STANDARD and DAYLIGHT observances, got %d and %d", len(std), len(dst))
	}
	if to, _ := dst[0].Get("TZOFFSETTO"); to.Value != "+0200" {
		t.Errorf("daylight TZOFFSETTO %q", to.Value)
	}
	if start, _ := dst[0].Get("DTSTART"); start.Value != "20270328T020000" {
		t.Errorf("daylight saving begins %q, want 20270328T020000", start.Value)
	}
	for i, want := range []storage.Event{winter, summer} {
		p, _ := cal.All("VEVENT")[i].Get("DTSTART")
		got, err := dateTime(p)
		if err != nil || !got.Equal(want.Start) {
			t.Errorf("event %d starts %v (%v), want %v", i, got, err, want.Start)
		}
	}
}

func TestDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		7 * 24 * time.Hour: "P7D", 2 * time.Hour: "PT2H", 90 * time.Minute: "PT1H30M",
		26 * time.Hour: "P1DT2H", 45 * time.Second: "PT45S",
	} {
		if got := duration(d); got != want {
			t.Errorf("duration(%v) = %q, want %q", d, got, want)
		}
		back, err := icsDuration(want)
		if err != nil || back != d {
			t.Errorf("own reader: %q = %v (%v), want %v", want, back, err, d)
		}
	}
}
