package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"vmeste/documents/pdftest"
	"vmeste/scheduler"
	"vmeste/storage"
	"vmeste/telegramtest"
)

// Documents after an event, end to end: the coordinator marks who came
// and the places through the bot's buttons, opens «🏅 Документы» and
// presses «✅ Выдать»; the teachers get their PDFs through the outbox,
// across a restart in the middle of the delivery, each exactly once; the
// coordinator's ZIP holds them all; a second press issues nothing; a
// teacher asks for hers again on the card; and anyone may verify one.

// wheel is the seeded «Безопасное колесо» after it took place.
type wheel struct {
	event                   storage.Event
	gibdd, school1, school2 int64
}

// seedWheel stores the ГИБДД's competition «Безопасное колесо» (co-organised
// by the ЦРТДиЮ) with three teachers signed up — Иванова (СОШ №1) with
// team «5Б» of three, Петрова (СОШ №1) alone, Алиева (СОШ №2) alone — and
// moves the clock past its start.
func (h *harness) seedWheel() wheel {
	h.t.Helper()
	ids := h.seedOrgs(gibdd, school1, crtdiu, school2)
	w := wheel{gibdd: ids[0], school1: ids[1], school2: ids[3]}
	h.makeCoordinator(coordinator, w.gibdd)
	w.event = h.event(w.gibdd, func(e *storage.Event) {
		e.Unit, e.MaxTeam, e.Organisers = storage.UnitTeam, 5, []int64{w.gibdd, ids[2]}
	})
	now := h.clock.Now()
	for _, a := range []struct {
		u    telegramtest.User
		org  int64
		name string
		team int
	}{
		{ivanova, w.school1, "Иванова Мария Петровна", 3},
		{petrova, w.school1, "Петрова Анна Сергеевна", 0},
		{alieva, w.school2, "Алиева Залина Муратовна", 0},
	} {
		h.applicant(a.u, a.org, a.name, "Учитель начальных классов")
		team := ""
		if a.team > 0 {
			team = "5Б"
		}
		if _, err := h.store.Register(context.Background(), storage.SignUp{EventID: w.event.ID, UserID: a.u.ID,
			TeamSize: a.team, TeamName: team}, now); err != nil {
			h.t.Fatal(err)
		}
		now = now.Add(time.Minute)
	}
	h.clock.advance(7*24*time.Hour + 3*time.Hour)
	return w
}

// markWheel marks, as the coordinator through the buttons, that all three
// came, Иванова 1st, Петрова 2nd and Алиева a laureate.
func (h *harness) markWheel(w wheel) {
	h.t.Helper()
	h.say(coordinator, fmt.Sprintf("/start e%d", w.event.ID), "Безопасное колесо")
	h.press(coordinator, "✔️ Посещаемость", "Посещаемость")
	for i, name := range []string{"Иванова Мария Петровна", "Петрова Анна Сергеевна", "Алиева Залина Муратовна"} {
		h.press(coordinator, fmt.Sprintf("⬜ %d. %s", i+1, name), "Посещаемость")
	}
	h.press(coordinator, "« К мероприятию", "Безопасное колесо")
	for i, place := range []string{"1 место", "2 место", "Лауреат"} {
		h.press(coordinator, "🏆 Итоги", "Итоги")
		name := []string{"Иванова Мария Петровна", "Петрова Анна Сергеевна", "Алиева Залина Муратовна"}[i]
		h.press(coordinator, fmt.Sprintf("%d. %s", i+1, name), "Результат")
		h.press(coordinator, place, "Итоги")
		h.press(coordinator, "« К мероприятию", "Безопасное колесо")
	}
}

// gatedSender runs a sender of one worker whose printer lets through the
// first n certificates and holds the next until stop, which cancels the
// sender first, then lets the held one finish, and waits: a restart in
// the middle of a delivery.
func (h *harness) gatedSender(n int) (held <-chan int64, stop func()) {
	h.t.Helper()
	var (
		mu      sync.Mutex
		printed int
	)
	release, heldCh := make(chan struct{}), make(chan int64, 1)
	render := func(ctx context.Context, id int64) (string, []byte, error) {
		mu.Lock()
		printed++
		wait := printed > n
		mu.Unlock()
		if wait {
			heldCh <- id
			<-release
		}
		return h.bot.RenderCertificate(ctx, id)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := scheduler.NewSender(h.store, scheduler.Gateway{G: h.bot.tg, Render: render}, scheduler.SenderConfig{Rate: 1000, Workers: 1})
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := s.Run(ctx); err != nil {
			h.t.Errorf("sender: %v", err)
		}
	}()
	return heldCh, func() {
		cancel()
		close(release)
		<-done
	}
}

// docs are the documents (file name → PDF) the bot sent to chat after
// version.
func (h *harness) docs(chat int64, after uint64) map[string][]byte {
	out := map[string][]byte{}
	for _, m := range h.tg.BotMessages(chat) {
		if m.Version > after && m.Document != nil {
			if _, twice := out[m.Document.Name]; twice {
				h.t.Errorf("chat %d got %s twice", chat, m.Document.Name)
			}
			out[m.Document.Name] = m.Document.Content
		}
	}
	return out
}

func TestCertificatesIssuedDeliveredAndZipped(t *testing.T) {
	h := newHarness(t, nil)
	w := h.seedWheel()
	start := h.tg.Version()
	h.markWheel(w)

	// The screen: what would be issued, per kind.
	h.press(coordinator, "🏅 Документы",
		"Документы: «Безопасное колесо»", "Дипломы: 2 · Лауреаты: 1 · Сертификаты участника: 3 · Благодарственные письма: 1")
	a, m := h.press(coordinator, "✅ Выдать", "Выдано 7 документов, они отправляются педагогам.")
	if a.Text != "Выдано 7 документов, они отправляются педагогам." {
		t.Errorf("the press was answered %q", a.Text)
	}
	if !strings.Contains(m.PlainText(), "Уже выдано 7 документов.") {
		t.Errorf("the screen after issuing: %q", m.PlainText())
	}
	certs, err := h.store.EventCertificates(h.ctx(), w.event.ID)
	if err != nil || len(certs) != 7 {
		t.Fatalf("issued: %d, %v", len(certs), err)
	}

	// Delivery, with a restart after two documents and a third in flight.
	held, stop := h.gatedSender(2)
	select {
	case <-held:
	case <-time.After(waitTimeout):
		t.Fatal("the sender never reached the third document")
	}
	stop()
	if n, _ := h.store.OutboxPendingCount(h.ctx()); n != 4 {
		t.Fatalf("%d deliveries left before the restart, want 4", n)
	}
	h.restart()
	stopSender := h.startSender()
	want := map[int64][]string{
		ivanova.ID: {"🏅 Ваш диплом за I место — «Безопасное колесо»", "📄 Ваш сертификат участника — «Безопасное колесо»",
			"💐 Вам благодарственное письмо — «Безопасное колесо»"},
		petrova.ID: {"🏅 Ваш диплом за II место — «Безопасное колесо»", "📄 Ваш сертификат участника — «Безопасное колесо»"},
		alieva.ID:  {"🏅 Ваш диплом лауреата — «Безопасное колесо»", "📄 Ваш сертификат участника — «Безопасное колесо»"},
	}
	for chat, captions := range want {
		for _, c := range captions {
			h.waitFor(chat, c)
		}
	}
	stopSender()
	if n, _ := h.store.OutboxPendingCount(h.ctx()); n != 0 {
		t.Errorf("%d deliveries still pending", n)
	}
	// Each exactly once, the PDF saying whose, from where, for what.
	people := map[int64][2]string{ivanova.ID: {"Иванова Мария Петровна", school1.Name},
		petrova.ID: {"Петрова Анна Сергеевна", school1.Name}, alieva.ID: {"Алиева Залина Муратовна", school2.Name}}
	sent := map[string][]byte{}
	for chat, captions := range want {
		got := h.docs(chat, start)
		if len(got) != len(captions) {
			t.Errorf("chat %d got %d documents, want %d: %v", chat, len(got), len(captions), keys(got))
		}
		for name, pdf := range got {
			// Words as read, whatever the lines: a long name wraps.
			text := strings.Join(strings.Fields(pdftest.Text(t, pdf)), " ")
			who := people[chat]
			// The place (or what the paper is for), and the QR code that
			// verifies it.
			var reason, link string
			for _, c := range certs {
				if strings.HasPrefix(name, c.Number+" ") {
					reason = map[storage.CertificateKind]string{storage.CertDiploma: "за " + romanPlace(c.Place) + " место",
						storage.CertLaureate: "за успешное выступление", storage.CertParticipation: "за участие",
						storage.CertThanks: "за подготовку участников"}[c.Kind]
					link = h.bot.verifyLink(c)
				}
			}
			if reason == "" {
				t.Errorf("%s is none of the issued documents", name)
			}
			if got := pdftest.QR(t, pdf); got != link {
				t.Errorf("%s: the QR code opens %q, want %q", name, got, link)
			}
			for _, part := range []string{who[0], who[1], "Безопасное колесо", reason} {
				if !strings.Contains(text, part) {
					t.Errorf("%s does not print %q:\n%s", name, part, text)
				}
			}
			sent[name] = pdf
		}
	}
	if _, ok := sent[findName(certs, ivanova.ID, storage.CertDiploma)+""]; !ok {
		t.Errorf("Иванова's diploma is not among %v", keys(sent))
	}
	for _, c := range certs {
		name := fmt.Sprintf("%s %s — %s.pdf", c.Number, shortPersonName(c.Recipient, false), map[storage.CertificateKind]string{
			storage.CertDiploma: "диплом " + romanPlace(c.Place) + " степени", storage.CertLaureate: "диплом лауреата",
			storage.CertParticipation: "сертификат участника", storage.CertThanks: "благодарственное письмо"}[c.Kind])
		if _, ok := sent[name]; !ok {
			t.Errorf("%s was not delivered (got %v)", name, keys(sent))
		}
	}

	// A second press issues nothing and sends nothing.
	h.say(coordinator, fmt.Sprintf("/start e%d", w.event.ID), "Безопасное колесо")
	h.press(coordinator, "🏅 Документы", "Новых документов нет")
	a, _ = h.press(coordinator, "✅ Выдать", "Новых документов нет")
	if a.Text != "Новых документов нет: всё уже выдано." {
		t.Errorf("the second press: %q", a.Text)
	}
	if n, _ := h.store.OutboxPendingCount(h.ctx()); n != 0 {
		t.Errorf("the second press enqueued %d", n)
	}

	// The ZIP: a folder per organisation, every document in it.
	a, _ = h.press(coordinator, "🗜 Архивом (ZIP)")
	if a.Text != "Собираю архив документов…" {
		t.Errorf("the ZIP press: %q", a.Text)
	}
	zm := h.waitFor(coordinator.ID, "Документы «Безопасное колесо»: 7 файлов")
	if zm.Document == nil || zm.Document.Name != "Документы — Безопасное колесо.zip" {
		t.Fatalf("the archive: %+v", zm.Document)
	}
	files := readZip(t, zm.Document.Content)
	if len(files) != 7 {
		t.Errorf("the archive holds %v", keys(files))
	}
	for name := range sent {
		folder := "СОШ №1/"
		if strings.Contains(name, "Алиева") {
			folder = "СОШ №2/"
		}
		if pdf, ok := files[folder+name]; !ok || !strings.Contains(pdftest.Text(t, pdf), "Безопасное колесо") {
			t.Errorf("%s%s is not in the archive: %v", folder, name, keys(files))
		}
	}

	// The teacher asks for hers again on the card.
	v := h.tg.Version()
	h.say(ivanova, fmt.Sprintf("/start e%d", w.event.ID), "Безопасное колесо")
	a, _ = h.press(ivanova, "📄 Мои документы (3)")
	if a.Text != "Отправляю ваши документы…" {
		t.Errorf("«Мои документы»: %q", a.Text)
	}
	// Sent in issue order: the letter comes last.
	if _, err := h.tg.WaitBotMessageAfter(h.ctx(), ivanova.ID, v, contains("💐 Вам благодарственное письмо")); err != nil {
		t.Fatal(err)
	}
	if got := h.docs(ivanova.ID, v); len(got) != 3 {
		t.Errorf("sent again: %v", keys(got))
	}
	// Petrova's card shows her two, not Ivanova's.
	h.say(petrova, fmt.Sprintf("/start e%d", w.event.ID), "Безопасное колесо")
	if m := h.lastBot(petrova.ID); !strings.Contains(buttonLabels(m), "📄 Мои документы (2)") {
		t.Errorf("Петрова's card: %s", buttonLabels(m))
	}
	h.noPersonalDataInLogs()
}

func findName(certs []storage.Certificate, user int64, kind storage.CertificateKind) string {
	for _, c := range certs {
		if c.UserID == user && c.Kind == kind {
			return fmt.Sprintf("%s %s — диплом %s степени.pdf", c.Number, shortPersonName(c.Recipient, false), romanPlace(c.Place))
		}
	}
	return ""
}

// stranger has never written to the bot: a principal scanning a QR code.
var stranger = telegramtest.User{ID: 9901, FirstName: "Директор", LanguageCode: "ru"}

func TestCertificateVerifiedByAnyone(t *testing.T) {
	h := newHarness(t, nil)
	w := h.seedWheel()
	ctx := h.ctx()
	for i, u := range []telegramtest.User{ivanova, petrova, alieva} {
		if err := h.store.SetAttendance(ctx, w.event.ID, u.ID, true); err != nil {
			t.Fatal(err)
		}
		if err := h.store.SetResult(ctx, w.event.ID, u.ID, resultCodes[i], nil); err != nil {
			t.Fatal(err)
		}
	}
	issue := func() {
		if _, err := h.store.IssueCertificates(ctx, storage.CertificateIssue{EventID: w.event.ID, By: coordinator.ID,
			Kinds: storage.CertificateKinds, Operator: "Управление образования"}, h.bot.notifyCertificate); err != nil {
			t.Fatal(err)
		}
	}
	issue()
	certs, err := h.store.EventCertificates(ctx, w.event.ID)
	if err != nil {
		t.Fatal(err)
	}
	var diploma storage.Certificate
	for _, c := range certs {
		if c.UserID == ivanova.ID && c.Kind == storage.CertDiploma {
			diploma = c
		}
	}
	link := h.bot.verifyLink(diploma)
	payload := strings.TrimPrefix(link, "https://t.me/"+h.bot.Username()+"?start=")
	if len(payload) > 64 || payload == link {
		t.Fatalf("the link %q", link)
	}
	// The printed page's QR code opens the same link.
	_, pdf, err := h.bot.printCertificate(diploma)
	if err != nil {
		t.Fatal(err)
	}
	if got := pdftest.QR(t, pdf); got != link {
		t.Errorf("the QR code opens %q, want %s", got, link)
	}
	h.tg.AddChat(telegramtest.Chat{ID: stranger.ID, Type: telegramtest.ChatPrivate})
	m := h.say(stranger, "/start "+payload, "подлинный")
	year := diploma.EventStart.In(moscowZone).Year()
	for _, part := range []string{"✅ Документ № " + diploma.Number + " подлинный.", "Диплом I степени", "Кому: Иванова Мария Петровна",
		"Команда: 5Б", "Организация: " + school1.Name, "Мероприятие: соревнование «Безопасное колесо», ", fmt.Sprint(year),
		"Организаторы: " + gibdd.Name + ", " + crtdiu.Name, "Управление образования"} {
		if !strings.Contains(m.PlainText(), part) {
			t.Errorf("the answer lacks %q:\n%s", part, m.PlainText())
		}
	}
	// A made-up id, a wrong code, a malformed payload: one answer.
	for _, bad := range []string{fmt.Sprintf("v%d_aaaaaaaa", diploma.ID), "v99999_" + diploma.Code, "v" + fmt.Sprint(diploma.ID),
		"v0_" + diploma.Code, "v" + strings.Repeat("9", 30) + "_abcdefgh"} {
		m := h.say(stranger, "/start "+bad, "Документ с таким номером не найден")
		if m.PlainText() != "❌ Документ с таким номером не найден." {
			t.Errorf("%s: %q", bad, m.PlainText())
		}
	}
	// Nothing is kept about the stranger.
	if _, err := h.store.User(ctx, stranger.ID); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("the stranger was stored: %v", err)
	}
	if _, err := h.store.Conversation(ctx, stranger.ID); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("a conversation was started: %v", err)
	}

	// A place changed: the old diploma says it was annulled, and by which.
	if err := h.store.SetResult(ctx, w.event.ID, ivanova.ID, storage.ResultSecond, nil); err != nil {
		t.Fatal(err)
	}
	issue()
	fresh, err := h.store.Certificate(ctx, diploma.ID)
	if err != nil || fresh.ReplacedByNumber == "" {
		t.Fatalf("not replaced: %+v, %v", fresh, err)
	}
	m = h.say(stranger, "/start "+payload, "аннулирован")
	if !strings.Contains(m.PlainText(), "Документ № "+diploma.Number+" аннулирован") ||
		!strings.Contains(m.PlainText(), "вместо него выдан № "+fresh.ReplacedByNumber) {
		t.Errorf("the annulled one: %q", m.PlainText())
	}
	// A registered teacher who has not consented to the current text is
	// answered too, without being asked first.
	if err := h.store.PutUser(ctx, storage.User{ID: kuliev.ID, ChatID: kuliev.ID, FullName: "Кулиев Руслан", Lang: "ru",
		Role: storage.RoleTeacher, Registered: true, Active: true}); err != nil {
		t.Fatal(err)
	}
	h.tg.AddChat(telegramtest.Chat{ID: kuliev.ID, Type: telegramtest.ChatPrivate})
	m = h.say(kuliev, "/start "+payload, "Документ №")
	if strings.Contains(m.PlainText(), "Согласие") {
		t.Errorf("asked for consent instead: %q", m.PlainText())
	}
}

func TestCertificatesRefused(t *testing.T) {
	h := newHarness(t, nil)
	w := h.seedWheel()
	id := w.event.ID
	// Nobody's attendance is marked: participation certificates wait.
	h.say(coordinator, fmt.Sprintf("/start e%d", id), "Безопасное колесо")
	h.press(coordinator, "🏅 Документы", "Присутствие ещё не отмечено")
	a, _ := h.press(coordinator, "✅ Выдать")
	if !a.ShowAlert || !strings.Contains(a.Text, "Сначала отметьте присутствие") {
		t.Errorf("issuing without attendance: %+v", a)
	}
	// Without the certificates, nothing to issue yet, and the toggle says so.
	h.press(coordinator, "✅ Сертификаты участника: 0", "Новых документов нет")
	if certs, _ := h.store.EventCertificates(h.ctx(), id); len(certs) != 0 {
		t.Errorf("issued %d", len(certs))
	}
	// A teacher forging the coordinator's buttons, another organisation's
	// coordinator, made-up data: refused, nothing issued.
	h.makeCoordinator(coordCRT, w.school2)
	msg := map[int64]int{}
	for _, u := range []telegramtest.User{coordinator, coordCRT, ivanova} {
		msg[u.ID] = h.say(u, fmt.Sprintf("/start e%d", id), "Безопасное колесо").ID
	}
	for _, tc := range []struct {
		u    telegramtest.User
		data string
		want string
	}{
		{ivanova, cb(cbCertsIssue, id, 15), "недоступно"},
		{coordCRT, cb(cbCertsIssue, id, 15), "ГИБДД"},
		{coordinator, cb(cbCertsIssue, id, 99), "неактуальна"},
		{coordinator, cb(cbCertsIssue, 424242, 4), "больше нет"},
		{coordinator, "cdi:" + fmt.Sprint(id), "неактуальна"},
		{coordinator, cb(cbCertsZip, id), "ещё не выданы"},
		{ivanova, cb(cbCertsMine, id), "нет"},
		{ivanova, "cdm:x", "неактуальна"},
	} {
		a := h.forge(tc.u, msg[tc.u.ID], tc.data)
		if !strings.Contains(a.Text, tc.want) {
			t.Errorf("%d %s: answered %q, want %q", tc.u.ID, tc.data, a.Text, tc.want)
		}
	}
	if certs, _ := h.store.EventCertificates(h.ctx(), id); len(certs) != 0 {
		t.Errorf("issued %d", len(certs))
	}
	// Before an event has started there is no button and no issuing.
	later := h.event(w.gibdd, func(e *storage.Event) { e.Title = "Добрая дорога детства" })
	card := h.say(coordinator, fmt.Sprintf("/start e%d", later.ID), "Добрая дорога детства")
	if strings.Contains(buttonLabels(card), "Документы") {
		t.Errorf("a future event offers documents: %s", buttonLabels(card))
	}
	if a := h.forge(coordinator, card.ID, cb(cbCerts, later.ID)); !strings.Contains(a.Text, "после начала") {
		t.Errorf("documents before the start: %q", a.Text)
	}
	if len(h.notices(ivanova.ID)) != 0 {
		t.Errorf("notices were enqueued: %v", h.notices(ivanova.ID))
	}
}

// attendedByIvanova stores the ГИБДД's event (changed by edit) with
// Иванова (СОШ №1) signed up alone, moves the clock past it and marks
// that she came.
func (h *harness) attendedByIvanova(edit func(*storage.Event)) storage.Event {
	h.t.Helper()
	ids := h.seedOrgs(gibdd, school1)
	h.makeCoordinator(coordinator, ids[0])
	e := h.event(ids[0], edit)
	h.applicant(ivanova, ids[1], "Иванова Мария Петровна", "Учитель ОБЖ")
	if _, err := h.store.Register(h.ctx(), storage.SignUp{EventID: e.ID, UserID: ivanova.ID}, h.clock.Now()); err != nil {
		h.t.Fatal(err)
	}
	h.clock.advance(8 * 24 * time.Hour)
	if err := h.store.SetAttendance(h.ctx(), e.ID, ivanova.ID, true); err != nil {
		h.t.Fatal(err)
	}
	return e
}

// A seminar has no places: its screen offers certificates and letters
// only; /mydata lists what was issued.
func TestCertificatesOfASeminar(t *testing.T) {
	h := newHarness(t, nil)
	e := h.attendedByIvanova(func(e *storage.Event) { e.Title, e.Kind = "Школа безопасности", storage.EventSeminar })
	h.say(coordinator, fmt.Sprintf("/start e%d", e.ID), "Школа безопасности")
	_, m := h.press(coordinator, "🏅 Документы", "Будут выданы сейчас: Сертификаты участника: 1")
	if got := buttonLabels(m); strings.Contains(got, "Дипломы") || strings.Contains(got, "Лауреаты") ||
		strings.Contains(got, "Благодарственные письма") {
		t.Errorf("a seminar's toggles: %s", got)
	}
	a, _ := h.press(coordinator, "✅ Выдать", "Выдан 1 документ")
	if a.Text != "Выдан 1 документ, он отправляется педагогу." {
		t.Errorf("issued: %q", a.Text)
	}
	v := h.tg.Version()
	h.say(ivanova, "/mydata")
	md, err := h.tg.WaitBotMessageAfter(h.ctx(), ivanova.ID, v, func(m telegramtest.Message) bool { return m.Document != nil })
	if err != nil {
		t.Fatal(err)
	}
	if text := string(md.Document.Content); !strings.Contains(text, "ДОКУМЕНТЫ (ДИПЛОМЫ, СЕРТИФИКАТЫ, ПИСЬМА)") ||
		!strings.Contains(text, ": сертификат участника — «Школа безопасности»; кому: Иванова Мария Петровна, "+school1.Name) {
		t.Errorf("/mydata:\n%s", text)
	}
}

// A second press while the archive is being built builds no second one.
func TestCertificatesZipPressedTwice(t *testing.T) {
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
	// Every archive slot taken: the first archive waits for one.
	for range maxArchivesAtOnce {
		h.bot.archives.slots <- struct{}{}
	}
	h.say(coordinator, fmt.Sprintf("/start e%d", w.event.ID), "Безопасное колесо")
	h.press(coordinator, "🏅 Документы", "Уже выдано 4 документа.")
	if a, _ := h.press(coordinator, "🗜 Архивом (ZIP)"); a.Text != "Собираю архив документов…" {
		t.Errorf("the first press: %q", a.Text)
	}
	if a, _ := h.press(coordinator, "🗜 Архивом (ZIP)"); !a.ShowAlert || !strings.Contains(a.Text, "уже") {
		t.Errorf("the second press: %+v", a)
	}
	for range maxArchivesAtOnce {
		<-h.bot.archives.slots
	}
	h.waitFor(coordinator.ID, "Документы «Безопасное колесо»: 4 файла")
	h.bot.archives.wait()
	n := 0
	for _, m := range h.tg.BotMessages(coordinator.ID) {
		if m.Document != nil {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d archives sent", n)
	}
}
