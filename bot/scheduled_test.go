package bot

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"vmeste/locales"
	"vmeste/storage"
	"vmeste/telegramtest"
)

// renderBot is a Bot that can render, at a fixed now.
func renderBot(t *testing.T, now time.Time) *Bot {
	t.Helper()
	c, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	b := &Bot{catalog: c, cfg: Config{Location: moscowZone, Now: func() time.Time { return now }}}
	b.registerRoutes()
	return b
}

func TestReminderTellsTheTruthAndCarriesTheCardButtons(t *testing.T) {
	start := time.Date(2027, time.March, 15, 10, 0, 0, 0, moscowZone)
	e := storage.Event{ID: 42, Title: "Безопасное <колесо>", Start: start, Place: "Стадион «Геолог»"}
	for _, tc := range []struct {
		now  time.Time
		want string
	}{
		{start.Add(-24 * time.Hour), "через 1 день"},
		{start.Add(-10 * time.Hour), "через 10 часов"}, // a 1-day reminder sent late
		{start.Add(-2*time.Hour - 20*time.Second), "через 2 часа"},
		{start.Add(-25 * time.Minute), "через 25 минут"},
	} {
		c := renderBot(t, tc.now).Reminder(storage.User{Lang: "ru"}, e, 24*time.Hour)
		plain, err := telegramtest.ParseHTML(c.Text)
		if err != nil {
			t.Fatalf("not Telegram HTML: %v: %q", err, c.Text)
		}
		if !strings.Contains(plain, tc.want) || !strings.Contains(plain, "Безопасное <колесо>") || !strings.Contains(plain, "15 марта 2027, 10:00") {
			t.Errorf("at %v: %q", tc.now, plain)
		}
		if len(c.Buttons) != 1 || c.Buttons[0][0].Data != "eo:42" || c.Buttons[0][1].Data != "sc:42:c" {
			t.Errorf("buttons: %+v", c.Buttons)
		}
	}
}

func TestDigestAndSummaryRendering(t *testing.T) {
	now := time.Date(2027, time.March, 8, 9, 0, 0, 0, moscowZone)
	b := renderBot(t, now)
	if _, ok := b.Digest(storage.User{Lang: "ru"}, nil, now); ok {
		t.Error("a digest without events would be sent")
	}
	var events []storage.Event
	for i := 0; i < 20; i++ {
		events = append(events, storage.Event{ID: int64(i + 1), Title: fmt.Sprintf("Мероприятие %d", i+1), Kind: storage.EventSeminar,
			Start: now.Add(time.Duration(i) * 6 * time.Hour), Place: "ЦРТДиЮ"})
	}
	c, ok := b.Digest(storage.User{Lang: "ru"}, events, now)
	if !ok {
		t.Fatal("no digest")
	}
	if !strings.Contains(c.Text, "8 марта — 14 марта 2027") || !strings.Contains(c.Text, "и ещё 8 мероприятий") || len(c.Buttons) != 12 {
		t.Errorf("digest: %q, %d buttons", c.Text, len(c.Buttons))
	}
	s := b.Summary(storage.User{Lang: "ru"}, []storage.SummaryItem{
		{Event: storage.Event{Title: "Семинар", Start: now, Capacity: 20, Taken: 12}, NewSignups: 3},
		{Event: storage.Event{Title: "Акция", Start: now}, NewSignups: 1},
	})
	if !strings.Contains(s.Text, "+3 записи, занято 12 из 20") || !strings.Contains(s.Text, "+1 запись") {
		t.Errorf("summary: %q", s.Text)
	}
}
