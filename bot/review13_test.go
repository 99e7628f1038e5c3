package bot

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"vmeste/documents/pdftest"
	"vmeste/storage"
	"vmeste/telegramtest"
)

// Issue 13 as its users found it: each fault of the review, end to end
// through the emulator, the way a coordinator or a teacher meets it.

// The warning about unmarked attendance names the card's button by its
// real label.
func TestReview13UnmarkedNamesTheRealButton(t *testing.T) {
	h := newHarness(t, nil)
	w := h.seedWheel()
	card := h.say(coordinator, fmt.Sprintf("/start e%d", w.event.ID), "Безопасное колесо")
	label := h.bot.catalog.For("ru").T("btn_attendance")
	if !strings.Contains(buttonLabels(card), label) {
		t.Fatalf("the card has no %q: %s", label, buttonLabels(card))
	}
	_, m := h.press(coordinator, "🏅 Документы", "Присутствие ещё не отмечено")
	if !strings.Contains(m.PlainText(), "«"+label+"» на карточке") {
		t.Errorf("the warning does not name «%s»:\n%s", label, m.PlainText())
	}
}

// /calendar's caption promises a self-updating calendar only where the
// feed is served.
func TestReview13CalendarCaptionFeedHintOnlyWhenServed(t *testing.T) {
	for _, tc := range []struct {
		name string
		feed string
		hint bool
	}{
		{"no public URL", "", false},
		{"feed served", "https://vmeste.example.ru/calendar/", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, func(b *Bot) { b.cfg.CalendarFeedURL = tc.feed })
			e := h.calendarSeed()
			h.say(teacher, fmt.Sprintf("/start e%d", e.ID), "Безопасное колесо")
			h.press(teacher, "✅ Записаться", "Вы записаны")
			m := h.say(teacher, "/calendar", "1 мероприятие")
			if m.Document == nil {
				t.Fatalf("no file: %q", m.PlainText())
			}
			if got := strings.Contains(m.PlainText(), "/settings"); got != tc.hint {
				t.Errorf("caption %q: mentions the feed %v, want %v", m.PlainText(), got, tc.hint)
			}
			// What the hint points to keeps its word.
			s := h.say(teacher, "/settings")
			if tc.hint && !strings.Contains(s.PlainText(), tc.feed) {
				t.Errorf("/settings shows no link: %q", s.PlainText())
			}
		})
	}
}

// A card of an event that is over offers no «📅 В календарь»; one still
// ahead does.
func TestReview13NoCalendarButtonOnPastEvent(t *testing.T) {
	h := newHarness(t, nil)
	e := h.calendarSeed()
	card := h.say(teacher, fmt.Sprintf("/start e%d", e.ID), "Безопасное колесо")
	if !strings.Contains(buttonLabels(card), "📅 В календарь") {
		t.Fatalf("an event ahead has no calendar button: %s", buttonLabels(card))
	}
	h.press(teacher, "✅ Записаться", "Вы записаны")
	h.clock.advance(8 * 24 * time.Hour)
	for _, u := range []telegramtest.User{teacher, coordinator} {
		card = h.say(u, fmt.Sprintf("/start e%d", e.ID), "Безопасное колесо")
		if strings.Contains(buttonLabels(card), "В календарь") {
			t.Errorf("%d: a past event offers the calendar: %s", u.ID, buttonLabels(card))
		}
	}
}

// An event of individual participants has no leading teacher: its
// documents screen has no thank-you letters, neither toggle nor count.
func TestReview13NoThanksForIndividualEvent(t *testing.T) {
	h := newHarness(t, nil)
	ids := h.seedOrgs(gibdd, school1)
	h.makeCoordinator(coordinator, ids[0])
	e := h.event(ids[0], func(e *storage.Event) { e.Title = "Знатоки ПДД" })
	h.applicant(ivanova, ids[1], "Иванова Мария Петровна", "Учитель ОБЖ")
	if _, err := h.store.Register(h.ctx(), storage.SignUp{EventID: e.ID, UserID: ivanova.ID}, h.clock.Now()); err != nil {
		t.Fatal(err)
	}
	h.clock.advance(8 * 24 * time.Hour)
	if err := h.store.SetAttendance(h.ctx(), e.ID, ivanova.ID, true); err != nil {
		t.Fatal(err)
	}
	h.say(coordinator, fmt.Sprintf("/start e%d", e.ID), "Знатоки ПДД")
	_, m := h.press(coordinator, "🏅 Документы", "Сертификаты участника: 1")
	if strings.Contains(m.PlainText()+buttonLabels(m), "Благодарственные") {
		t.Errorf("an individual event offers letters of thanks:\n%s\n%s", m.PlainText(), buttonLabels(m))
	}
	h.press(coordinator, "✅ Выдать", "Выдан 1 документ")
	certs, err := h.store.EventCertificates(h.ctx(), e.ID)
	if err != nil || len(certs) != 1 || certs[0].Kind != storage.CertParticipation {
		t.Errorf("issued %+v, %v", certs, err)
	}
}

// One who used /forget is left out of the event's ZIP: the archive holds
// the others' documents only.
func TestReview13ForgottenLeftOutOfZip(t *testing.T) {
	h := newHarness(t, nil)
	w := h.seedWheel()
	ctx := h.ctx()
	for _, u := range []telegramtest.User{ivanova, petrova, alieva} {
		if err := h.store.SetAttendance(ctx, w.event.ID, u.ID, true); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := h.store.IssueCertificates(ctx, storage.CertificateIssue{EventID: w.event.ID, By: coordinator.ID,
		Kinds: storage.CertificateKinds}, nil); err != nil {
		t.Fatal(err)
	}
	h.say(petrova, "/forget", "Удалить мои данные?")
	h.press(petrova, "🗑 Да, удалить мои данные", "Ваши данные удалены")

	h.say(coordinator, fmt.Sprintf("/start e%d", w.event.ID), "Безопасное колесо")
	h.press(coordinator, "🏅 Документы", "Документы: «Безопасное колесо»")
	h.press(coordinator, "🗜 Архивом (ZIP)")
	zm := h.waitFor(coordinator.ID, "Документы «Безопасное колесо»: 3 файла")
	files := readZip(t, zm.Document.Content)
	if len(files) != 3 {
		t.Errorf("the archive holds %v", keys(files))
	}
	for name := range files {
		if strings.Contains(name, "Петрова") || strings.Contains(name, "—  —") || strings.Contains(name, " — — ") {
			t.Errorf("the forgotten person's document is in the archive: %s", name)
		}
	}
}

// markWheelDirect marks, in the store, that all three came, Иванова 1st,
// Петрова 2nd and Алиева a laureate.
func (h *harness) markWheelDirect(w wheel) {
	h.t.Helper()
	for i, u := range []telegramtest.User{ivanova, petrova, alieva} {
		if err := h.store.SetAttendance(h.ctx(), w.event.ID, u.ID, true); err != nil {
			h.t.Fatal(err)
		}
		result := []string{storage.ResultFirst, storage.ResultSecond, storage.ResultLaureate}[i]
		if err := h.store.SetResult(h.ctx(), w.event.ID, u.ID, result, nil); err != nil {
			h.t.Fatal(err)
		}
	}
}

// issueWheel opens the documents screen of w as the coordinator and
// presses «✅ Выдать», expecting want in the answer.
func (h *harness) issueWheel(w wheel, want string) telegramtest.Message {
	h.t.Helper()
	h.say(coordinator, fmt.Sprintf("/start e%d", w.event.ID), "Безопасное колесо")
	h.press(coordinator, "🏅 Документы", "Документы: «Безопасное колесо»")
	_, m := h.press(coordinator, "✅ Выдать", want)
	return m
}

// certOf is the valid certificate of kind held by user.
func (h *harness) certOf(eventID, user int64, kind storage.CertificateKind) storage.Certificate {
	h.t.Helper()
	certs, err := h.store.EventCertificates(h.ctx(), eventID)
	if err != nil {
		h.t.Fatal(err)
	}
	for _, c := range certs {
		if c.UserID == user && c.Kind == kind && !c.Revoked() {
			return c
		}
	}
	h.t.Fatalf("user %d holds no valid %s", user, kind)
	return storage.Certificate{}
}

// A name corrected after issue, and a place changed: the next «Выдать»
// reissues exactly those documents under new numbers, each teacher is
// told which number the new one replaces, the new paper prints the new
// facts, and a further press issues nothing.
func TestReview13ChangedFactsReissuedAndReplacementTold(t *testing.T) {
	h := newHarness(t, nil)
	w := h.seedWheel()
	h.markWheelDirect(w)
	h.startSender()
	h.issueWheel(w, "Выдано 7 документов")
	h.waitFor(ivanova.ID, "💐 Вам благодарственное письмо")
	h.waitFor(petrova.ID, "📄 Ваш сертификат участника")
	oldDiploma := h.certOf(w.event.ID, ivanova.ID, storage.CertDiploma)
	oldPetrova := h.certOf(w.event.ID, petrova.ID, storage.CertDiploma)

	// Иванова's name is corrected; Петрова's place becomes the first.
	u := h.user(ivanova.ID)
	u.FullName = "Иванова-Смирнова Мария Петровна"
	if err := h.store.PutUser(h.ctx(), u); err != nil {
		t.Fatal(err)
	}
	if err := h.store.SetResult(h.ctx(), w.event.ID, petrova.ID, storage.ResultFirst, nil); err != nil {
		t.Fatal(err)
	}
	v := h.tg.Version()
	h.issueWheel(w, "Выдано 4 документа")
	m := h.lastBot(coordinator.ID)
	if !strings.Contains(m.PlainText(), "Аннулировано 4 прежних документа.") {
		t.Errorf("the screen after reissuing:\n%s", m.PlainText())
	}
	newDiploma := h.certOf(w.event.ID, ivanova.ID, storage.CertDiploma)
	if newDiploma.Number == oldDiploma.Number || newDiploma.Recipient != u.FullName {
		t.Errorf("Иванова's diploma after the correction: %+v", newDiploma)
	}
	got := h.waitFor(ivanova.ID, "Ваш диплом за I место", "заменяет документ № "+oldDiploma.Number)
	if got.Version <= v {
		t.Errorf("no new message for Иванова")
	}
	h.waitFor(petrova.ID, "Ваш диплом за I место", "заменяет документ № "+oldPetrova.Number)
	h.waitFor(ivanova.ID, "💐 Вам благодарственное письмо", "заменяет документ №")
	// The new paper prints the corrected name.
	for name, pdf := range h.docs(ivanova.ID, v) {
		if strings.HasPrefix(name, newDiploma.Number+" ") {
			if text := strings.Join(strings.Fields(pdftest.Text(t, pdf)), " "); !strings.Contains(text, u.FullName) {
				t.Errorf("%s does not print %q", name, u.FullName)
			}
		}
	}
	// Алиева's documents did not change: not reissued.
	if c := h.certOf(w.event.ID, alieva.ID, storage.CertLaureate); c.Replaces != "" {
		t.Errorf("Алиева's diploma was reissued: %+v", c)
	}
	// Nothing changed since: nothing new.
	a, _ := h.press(coordinator, "✅ Выдать", "Новых документов нет")
	if a.Text != "Новых документов нет: всё уже выдано." {
		t.Errorf("the second press: %q", a.Text)
	}
}
