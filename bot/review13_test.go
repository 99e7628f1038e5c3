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
			// /help promises the same.
			if help := h.say(teacher, "/help", "/calendar"); strings.Contains(help.PlainText(), "обновляется сам") != tc.hint {
				t.Errorf("/help:\n%s", help.PlainText())
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
	e := h.attendedByIvanova(func(e *storage.Event) { e.Title = "Знатоки ПДД" })
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
	h.markWheelDirect(w)
	h.issueWheel(w, "Выдано 7 документов")
	h.say(petrova, "/forget", "Удалить мои данные?")
	h.press(petrova, "🗑 Да, удалить мои данные", "Ваши данные удалены")

	h.say(coordinator, fmt.Sprintf("/start e%d", w.event.ID), "Безопасное колесо")
	h.press(coordinator, "🏅 Документы", "Документы: «Безопасное колесо»")
	h.press(coordinator, "🗜 Архивом (ZIP)")
	zm := h.waitFor(coordinator.ID, "Документы «Безопасное колесо»: 5 файлов")
	files := readZip(t, zm.Document.Content)
	if len(files) != 5 {
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

// The screen tells the truth before and after «Выдать»: what will be
// issued, who still waits for an attendance mark, how many of the issued
// documents the outbox will send; after the delivery, how many arrived
// and whose did not — a teacher who blocked the bot, one who was already
// unreachable — for the coordinator to print.
func TestReview13ScreenCountsAndUnreachableTeachers(t *testing.T) {
	h := newHarness(t, nil)
	w := h.seedWheel()
	ctx := h.ctx()
	for _, u := range []telegramtest.User{ivanova, petrova} {
		if err := h.store.SetAttendance(ctx, w.event.ID, u.ID, true); err != nil {
			t.Fatal(err)
		}
	}
	for u, res := range map[int64]string{ivanova.ID: storage.ResultFirst, petrova.ID: storage.ResultSecond, alieva.ID: storage.ResultLaureate} {
		if err := h.store.SetResult(ctx, w.event.ID, u, res, nil); err != nil {
			t.Fatal(err)
		}
	}
	// Алиева left the bot long ago.
	if err := h.store.SetUserActive(ctx, alieva.ID, false); err != nil {
		t.Fatal(err)
	}
	h.say(coordinator, fmt.Sprintf("/start e%d", w.event.ID), "Безопасное колесо")
	_, m := h.press(coordinator, "🏅 Документы",
		"Будут выданы сейчас: Дипломы: 2 · Лауреаты: 1 · Сертификаты участника: 2 · Благодарственные письма: 1",
		"1 участник ещё не отмечен")
	if strings.Contains(m.PlainText(), "Доставка") || strings.Contains(m.PlainText(), "Уже выдан") {
		t.Errorf("nothing issued yet, but:\n%s", m.PlainText())
	}
	a, m := h.press(coordinator, "✅ Выдать", "Выдано 6 документов; в чат педагогам отправится 5")
	if strings.Contains(a.Text, "они отправляются педагогам") {
		t.Errorf("promises every teacher a delivery: %q", a.Text)
	}
	for _, part := range []string{"Уже выдано 6 документов.", "Доставка выданных: дошло 0, отправляется 5, не дошло 1.",
		"Откройте этот экран позже", "1 педагог не получил документы", "• Алиева Залина Муратовна (СОШ №2): 1"} {
		if !strings.Contains(m.PlainText(), part) {
			t.Errorf("the screen after issuing lacks %q:\n%s", part, m.PlainText())
		}
	}

	// Иванова blocks the bot before her documents go out.
	h.tg.BlockBot(ivanova)
	stop := h.startSender()
	h.waitOutboxDrained()
	stop()
	h.say(coordinator, fmt.Sprintf("/start e%d", w.event.ID), "Безопасное колесо")
	_, m = h.press(coordinator, "🏅 Документы", "Доставка выданных")
	for _, part := range []string{"Доставка выданных: дошло 2, отправляется 0, не дошло 4.", "2 педагога не получили документы",
		"• Иванова Мария Петровна (СОШ №1): 3", "• Алиева Залина Муратовна (СОШ №2): 1"} {
		if !strings.Contains(m.PlainText(), part) {
			t.Errorf("the screen after the delivery lacks %q:\n%s", part, m.PlainText())
		}
	}
	if strings.Contains(m.PlainText(), "Петрова") || strings.Contains(m.PlainText(), "Откройте этот экран позже") {
		t.Errorf("the screen after the delivery:\n%s", m.PlainText())
	}
	// The blocked teacher got nothing.
	if got := h.docs(ivanova.ID, 0); len(got) != 0 {
		t.Errorf("a blocked teacher got %v", keys(got))
	}
}

// «📄 Мои документы» pressed before the outbox has sent them sends
// nothing itself: each document arrives once.
func TestReview13MyDocumentsBeforeDeliveryNotTwice(t *testing.T) {
	h := newHarness(t, nil)
	w := h.seedWheel()
	h.markWheelDirect(w)
	start := h.tg.Version()
	h.issueWheel(w, "Выдано 7 документов")
	h.say(ivanova, fmt.Sprintf("/start e%d", w.event.ID), "Безопасное колесо")
	a, _ := h.press(ivanova, "📄 Мои документы (3)")
	if a.Text != "Ваши документы уже отправляются — они придут в этот чат." {
		t.Errorf("pressed before the delivery: %q", a.Text)
	}
	stop := h.startSender()
	h.waitFor(ivanova.ID, "💐 Вам благодарственное письмо")
	h.waitFor(petrova.ID, "📄 Ваш сертификат участника")
	h.waitFor(alieva.ID, "📄 Ваш сертификат участника")
	stop()
	if got := h.docs(ivanova.ID, start); len(got) != 3 { // docs also fails on a name sent twice
		t.Errorf("Иванова got %v", keys(got))
	}
	// Once delivered, the button sends them again on request.
	v := h.tg.Version()
	a, _ = h.press(ivanova, "📄 Мои документы (3)")
	if a.Text != "Отправляю ваши документы…" {
		t.Errorf("pressed after the delivery: %q", a.Text)
	}
	if _, err := h.tg.WaitBotMessageAfter(h.ctx(), ivanova.ID, v, contains("💐 Вам благодарственное письмо")); err != nil {
		t.Fatal(err)
	}
	if got := h.docs(ivanova.ID, v); len(got) != 3 {
		t.Errorf("sent again: %v", keys(got))
	}
}

// waitOutboxDrained waits, checking the store at each tick, until the
// outbox has nothing pending: the sender has recorded every delivery,
// the failed ones too, which no chat shows.
func (h *harness) waitOutboxDrained() {
	h.t.Helper()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(waitTimeout)
	for {
		n, err := h.store.OutboxPendingCount(h.ctx())
		if err != nil {
			h.t.Fatal(err)
		}
		if n == 0 {
			return
		}
		select {
		case <-tick.C:
		case <-deadline:
			h.t.Fatalf("%d deliveries still pending", n)
		}
	}
}

// A documents' archive cut short by a restart is told through the outbox
// (the notice shared with the works' archive), with the button to ask
// again, which then builds it.
func TestReview13CertZipCutShortByARestart(t *testing.T) {
	h := newHarness(t, func(b *Bot) { b.cfg.ShutdownGrace = 300 * time.Millisecond })
	w := h.seedWheel()
	h.markWheelDirect(w)
	h.issueWheel(w, "Выдано 7 документов")
	for range maxArchivesAtOnce { // every slot taken: the archive waits
		h.bot.archives.slots <- struct{}{}
	}
	if a, _ := h.press(coordinator, "🗜 Архивом (ZIP)"); a.Text != "Собираю архив документов…" {
		t.Errorf("the press: %q", a.Text)
	}
	h.restart()
	h.startSender()
	m := h.waitFor(coordinator.ID, "Архив документов «Безопасное колесо» не успел собраться")
	if !strings.Contains(buttonLabels(m), "🗜 Архивом (ZIP)") {
		t.Fatalf("the notice's buttons: %s", buttonLabels(m))
	}
	h.press(coordinator, "🗜 Архивом (ZIP)")
	h.waitFor(coordinator.ID, "Документы «Безопасное колесо»: 7 файлов")
}
