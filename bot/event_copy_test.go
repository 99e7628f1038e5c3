package bot

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"vmeste/storage"
)

// lastYearsWheel stores last year's «Безопасное колесо» of the ГИБДД,
// held (finished), with its form, organisers and dates.
func (h *harness) lastYearsWheel(ids []int64) storage.Event {
	h.t.Helper()
	now := h.clock.Now().In(moscowZone)
	start := time.Date(now.Year(), now.Month(), now.Day(), 10, 0, 0, 0, moscowZone).AddDate(0, -2, 0)
	e := h.event(ids[0], func(e *storage.Event) {
		e.Start, e.End, e.Deadline = start, start.Add(3*time.Hour), start.AddDate(0, 0, -5)
		e.Organisers = []int64{ids[0], ids[1]}
		e.Unit, e.MaxTeam, e.Capacity = storage.UnitTeam, 4, 12
		e.Form = storage.Form{Pupils: true, Phone: storage.NeedRequired,
			Questions: []storage.Question{{ID: 1, Text: "Название отряда ЮИД", Kind: storage.QuestionText, Required: true}},
			Works:     &storage.WorksSpec{MaxFiles: 2, Until: start.AddDate(0, 0, -2)}}
		e.Reminders = []time.Duration{48 * time.Hour}
	})
	if err := h.store.SetEventStatus(h.ctx(), e.ID, storage.EventFinished); err != nil {
		h.t.Fatal(err)
	}
	return e
}

// copies are the drafts copied from src, newest last.
func (h *harness) copies(src storage.Event) []storage.Event {
	h.t.Helper()
	var out []storage.Event
	for _, e := range h.drafts()[src.Title] {
		if e.ID != src.ID {
			out = append(out, e)
		}
	}
	return out
}

// sameSettings checks that a copy kept the source's settings.
func sameSettings(t *testing.T, c, src storage.Event) {
	t.Helper()
	if c.Title != src.Title || c.Kind != src.Kind || c.Place != src.Place || !slices.Equal(c.Organisers, src.Organisers) ||
		c.Unit != src.Unit || c.MaxTeam != src.MaxTeam || c.Capacity != src.Capacity || !slices.Equal(c.Reminders, src.Reminders) ||
		c.Form.Pupils != src.Form.Pupils || c.Form.Phone != src.Form.Phone || len(c.Form.Questions) != 1 ||
		c.Form.Questions[0].Text != src.Form.Questions[0].Text || !c.Form.Questions[0].Required || c.Form.Works == nil || c.Form.Works.MaxFiles != 2 {
		t.Errorf("the copy's settings differ:\n%+v\nsource:\n%+v", c, src)
	}
	if c.Status != storage.EventDraft || c.CreatedBy != coordinator.ID || c.Taken != 0 {
		t.Errorf("the copy: status %s author %d taken %d", c.Status, c.CreatedBy, c.Taken)
	}
}

// TestCopyEventAYearAhead: last year's «Безопасное колесо» becomes a
// draft a year later with the same organisers and form, opened in the
// wizard's edit preview; saving it leads to its card with «Опубликовать».
func TestCopyEventAYearAhead(t *testing.T) {
	h := newHarness(t, nil)
	ids := planSetup(h)
	src := h.lastYearsWheel(ids)
	card := h.say(coordinator, fmt.Sprintf("/start e%d", src.ID), "Безопасное колесо")
	if !slices.Contains(labels(card), "🔁 Повторить") {
		t.Fatalf("no «Повторить» on the card: %q", labels(card))
	}
	year := func(t time.Time) time.Time { return t.In(moscowZone).AddDate(1, 0, 0) }
	h.press(coordinator, "🔁 Повторить", "Повторить «Безопасное колесо»", "На год вперёд")

	h.restart() // the question waits in bbolt
	_, m := h.press(coordinator, "📅 На год вперёд: "+plainText(h.bot.catalog.For("ru").DateYear(year(src.Start))), "Изменение мероприятия")
	if !slices.Contains(labels(m), "💾 Сохранить изменения") {
		t.Errorf("the preview's buttons: %q", labels(m))
	}
	copies := h.copies(src)
	if len(copies) != 1 {
		t.Fatalf("copies: %+v", copies)
	}
	c := copies[0]
	sameSettings(t, c, src)
	if !c.Start.Equal(year(src.Start)) || !c.End.Equal(year(src.End)) || !c.Deadline.Equal(year(src.Deadline)) ||
		!c.Form.Works.Until.Equal(year(src.Form.Works.Until)) {
		t.Errorf("dates: start %v end %v deadline %v until %v", c.Start, c.End, c.Deadline, c.Form.Works.Until)
	}
	if got, _ := h.store.Event(h.ctx(), src.ID); got.Status != storage.EventFinished || !got.Start.Equal(src.Start) {
		t.Errorf("the source changed: %+v", got)
	}
	v := h.tg.Version()
	h.press(coordinator, "💾 Сохранить изменения", "Изменения в мероприятии «Безопасное колесо» сохранены")
	m, err := h.tg.WaitBotMessageAfter(h.ctx(), coordinator.ID, v, contains("Безопасное колесо", "Проводит"))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(labels(m), "✅ Опубликовать") || !strings.Contains(m.PlainText(), fmt.Sprint(c.Start.Year())) {
		t.Errorf("the card after saving: %s %q", m.PlainText(), labels(m))
	}
}

// TestCopyEventToATypedDate: a typed start moves the end, the deadline and
// the works' Until by the same offset; a bad or past date is told in the
// date parser's words and copies nothing.
func TestCopyEventToATypedDate(t *testing.T) {
	h := newHarness(t, nil)
	ids := planSetup(h)
	src := h.lastYearsWheel(ids)
	h.say(coordinator, fmt.Sprintf("/start e%d", src.ID), "Безопасное колесо")
	h.press(coordinator, "🔁 Повторить", "напишите дату")
	y := h.clock.Now().In(moscowZone).Year() + 1
	h.say(coordinator, fmt.Sprintf("31.04.%d 10:00", y), "В апреле 30 дней")
	h.say(coordinator, fmt.Sprintf("10.10.%d 10:00", y-3), "уже прошла")
	if n := len(h.copies(src)); n != 0 {
		t.Fatalf("%d copies after bad dates", n)
	}
	h.say(coordinator, fmt.Sprintf("20.04.%d 11:30", y), "Изменение мероприятия")
	copies := h.copies(src)
	if len(copies) != 1 {
		t.Fatalf("copies: %+v", copies)
	}
	c := copies[0]
	sameSettings(t, c, src)
	start := time.Date(y, time.April, 20, 11, 30, 0, 0, moscowZone)
	off := start.Sub(src.Start)
	if !c.Start.Equal(start) || !c.End.Equal(src.End.Add(off)) || !c.Deadline.Equal(src.Deadline.Add(off)) ||
		!c.Form.Works.Until.Equal(src.Form.Works.Until.Add(off)) {
		t.Errorf("dates: start %v end %v deadline %v until %v (offset %v)", c.Start, c.End, c.Deadline, c.Form.Works.Until, off)
	}
}

// TestCopyEventOnlyForEditors: a teacher and another organisation's
// coordinator never see «Повторить», and their forged presses copy
// nothing.
func TestCopyEventOnlyForEditors(t *testing.T) {
	h := newHarness(t, nil)
	ids := planSetup(h)
	src := h.lastYearsWheel(ids)
	h.registerDirect(teacher, ids[1])
	h.makeCoordinator(coordCentre, ids[2])
	for _, u := range []struct {
		name string
		id   int64
	}{{"teacher", teacher.ID}, {"centre", coordCentre.ID}} {
		user := teacher
		if u.id == coordCentre.ID {
			user = coordCentre
		}
		m := h.say(user, fmt.Sprintf("/start e%d", src.ID), "Безопасное колесо")
		if slices.Contains(labels(m), "🔁 Повторить") {
			t.Errorf("%s is offered «Повторить»: %q", u.name, labels(m))
		}
		for _, data := range []string{cb(cbEventCopy, src.ID), cb(cbEventCopyYear, src.ID)} {
			if a := h.forge(user, m.ID, data); a.Text == "" || !a.ShowAlert {
				t.Errorf("%s's forged %s answered %q (alert %v)", u.name, data, a.Text, a.ShowAlert)
			}
		}
	}
	if n := len(h.copies(src)); n != 0 {
		t.Errorf("forged presses made %d copies", n)
	}
}
