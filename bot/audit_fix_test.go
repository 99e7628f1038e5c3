package bot

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"vmeste/storage"
)

// TestAuditEditUnchangedAndValues: opening an event's edit and saving it
// without a change records nothing; a recorded edit shows reminders,
// the form of participation, an unlimited capacity and a replaced file
// of the same name in the bot's words, and the list line has the year.
func TestAuditEditUnchangedAndValues(t *testing.T) {
	h := newHarness(t, nil)
	ids := h.seedOrgs(gibdd, school1)
	h.makeCoordinator(coordGIBDD, ids[0])
	h.registerDirect(admin, ids[1])
	e := h.ownedBy(coordGIBDD, ids[:1], func(e *storage.Event) {
		e.Reminders = []time.Duration{24 * time.Hour, 90 * time.Minute}
		e.Capacity = 30
		e.Regulations = &storage.Document{FileID: "file-1", FileName: "Положение.pdf"}
	})
	count := func() int {
		t.Helper()
		_, n, err := h.store.AuditPage(context.Background(), storage.AuditFilter{Event: e.ID}, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := count()

	// «Изменить», then «Сохранить изменения» with nothing changed.
	h.say(coordGIBDD, fmt.Sprintf("/start e%d", e.ID), "Безопасное колесо")
	h.press(coordGIBDD, "✏️ Изменить", "Что изменить")
	h.press(coordGIBDD, "« Назад", "Изменение мероприятия")
	h.press(coordGIBDD, "💾 Сохранить изменения", "сохранены")
	if got := count(); got != before {
		t.Fatalf("an edit saved without a change: %d entries of the event, want %d", got, before)
	}

	stored, err := h.store.Event(context.Background(), e.ID)
	if err != nil {
		t.Fatal(err)
	}
	stored.Reminders = []time.Duration{48 * time.Hour}
	stored.Capacity = 0
	stored.Unit, stored.MaxTeam = storage.UnitTeam, 5
	stored.Regulations = &storage.Document{FileID: "file-2", FileName: "Положение.pdf"}
	if _, err := h.store.UpdateEvent(storage.WithActor(context.Background(), coordGIBDD.ID), stored, nil, nil); err != nil {
		t.Fatal(err)
	}
	m := h.say(admin, fmt.Sprintf("/audit e%d", e.ID), "Журнал изменений")
	lines := auditLines(m)
	year := fmt.Sprint(h.clock.Now().In(moscowZone).Year())
	if len(lines) != before+1 || !strings.Contains(lines[0], year) {
		t.Fatalf("the event's lines, want %d with the year %s:\n%s", before+1, year, m.PlainText())
	}
	_, m = h.press(admin, "1", "Запись журнала")
	text := m.PlainText()
	for _, want := range []string{
		"напоминания: за 1 день, за 90 минут → за 2 дня",
		"форма участия: индивидуально → командой",
		"число мест: «30» → без ограничений",
		"положение: «Положение.pdf» → «Положение.pdf» (другой файл)",
		"Когда: " + h.clock.Now().In(moscowZone).Format("2"),
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the entry lacks %q:\n%s", want, text)
		}
	}
	for _, bad := range []string{"h0m0s", "individual", "team"} {
		if strings.Contains(text, bad) {
			t.Errorf("the entry shows %q:\n%s", bad, text)
		}
	}

	en := newAuditNames(context.Background(), h.bot, h.bot.catalog.For("en"))
	for _, c := range []struct{ field, v, want string }{
		{"reminders", "48h0m0s,1h30m0s", "2 days before, 90 minutes before"},
		{"reminders", "", "none"},
		{"unit", "team", "as a team"},
		{"capacity", "0", "no limit"},
	} {
		if got := string(en.value(c.field, c.v)); got != c.want {
			t.Errorf("English %s %q: %q, want %q", c.field, c.v, got, c.want)
		}
	}
}
