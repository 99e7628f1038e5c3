package bot

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"vmeste/documents/pdftest"
	"vmeste/storage"
	"vmeste/telegramtest"
)

// The papers for the day, end to end: «🖨 Лист регистрации» and
// «🏆 Протокол» under «📥 Выгрузить», each a PDF read back with poppler
// and an XLSX read back with excelize.

// daySheetSeed is «Безопасное колесо» with its participants.
type daySheetSeed struct {
	event                  storage.Event
	gibdd, sch1, sch2, crt int64
}

// seedDaySheet stores the ГИБДД's team competition «Безопасное колесо»
// (co-organised by the ЦРТДиЮ, three seats, pupils on the form) and
// signs up: Иванова of СОШ №1 through the application wizard, typing her
// team's pupils as teachers do; Алиева of СОШ №2 and Петрова of СОШ №1
// directly; Кулиев of СОШ №1, last, on the waitlist.
func (h *harness) seedDaySheet() daySheetSeed {
	h.t.Helper()
	ids := h.seedOrgs(gibdd, school1, crtdiu, school2)
	s := daySheetSeed{gibdd: ids[0], sch1: ids[1], sch2: ids[3], crt: ids[2]}
	h.makeCoordinator(coordinator, s.gibdd)
	s.event = h.event(s.gibdd, func(e *storage.Event) {
		e.Organisers = []int64{ids[0], ids[2]}
		e.Unit, e.MaxTeam, e.Capacity = storage.UnitTeam, 5, 3
		e.Place = "МБУ ДО «ЦРТДиЮ», ул. Энеева, 5"
		e.Form = storage.Form{Pupils: true}
	})
	h.applicant(ivanova, s.sch1, "Иванова Мария Петровна", "Учитель ОБЖ")
	h.applicant(alieva, s.sch2, "Алиева Залина Муратовна", "Педагог-организатор")
	h.applicant(petrova, s.sch1, "Петрова Анна Сергеевна", "Классный руководитель")
	h.applicant(kuliev, s.sch1, "Кулиев Руслан Ахматович", "Учитель физкультуры")

	h.say(ivanova, fmt.Sprintf("/start e%d", s.event.ID), "Безопасное колесо")
	h.press(ivanova, "✅ Записаться", "согласие родителей")
	h.press(ivanova, "✅ Подтверждаю", "Учащиеся команды")
	h.say(ivanova, "Тхагапсоев Ислам, 5Б\nГуртуева Амина 5 Б\nОтаров Алим — 6А", "В команде 3 учащихся", "Название команды")
	h.press(ivanova, "Без названия", "Всё верно?")
	h.press(ivanova, "✅ Отправить заявку", "Вы записаны")

	now := h.clock.Now()
	for _, a := range []struct {
		u    telegramtest.User
		team string
		app  storage.Application
	}{
		{alieva, "Юные инспекторы", storage.Application{Pupils: []storage.Pupil{{Name: "Алиев Тимур", Class: "7В"}, {Name: "Байзуллаева Дана", Class: "7В"}}}},
		{petrova, "", storage.Application{Pupils: []storage.Pupil{{Name: "Козлов Иван", Class: "3А"}}}},
		{kuliev, "", storage.Application{Pupils: []storage.Pupil{{Name: "Кулиева Алина", Class: "4Б"}}}},
	} {
		app := a.app
		app.ParentsConsentAt = now
		if _, err := h.store.Register(context.Background(), storage.SignUp{EventID: s.event.ID, UserID: a.u.ID, TeamName: a.team,
			Application: &app}, now); err != nil {
			h.t.Fatalf("register %d: %v", a.u.ID, err)
		}
	}
	if reg := h.registration(s.event.ID, kuliev); reg.State != storage.RegWaitlist {
		h.t.Fatalf("Кулиев is %s, want the waitlist", reg.State)
	}
	return s
}

// daySheetFiles presses label under the participants' export and returns
// the PDF and the XLSX it sends, in that order.
func (h *harness) daySheetFiles(u telegramtest.User, eventID int64, label, answer string) (pdf, xlsx telegramtest.Message) {
	h.t.Helper()
	h.say(u, fmt.Sprintf("/start e%d", eventID), "Безопасное колесо")
	before := len(h.tg.BotMessages(u.ID))
	h.press(u, "📥 Выгрузить")
	if _, err := h.tg.WaitBotMessage(h.ctx(), u.ID, func(telegramtest.Message) bool {
		for _, m := range h.tg.BotMessages(u.ID)[before:] {
			if m.Document != nil && strings.HasPrefix(m.Document.Name, "Участники") {
				return true
			}
		}
		return false
	}); err != nil {
		h.t.Fatalf("no export: %v", err)
	}
	before = len(h.tg.BotMessages(u.ID))
	a, _ := h.press(u, label)
	if a.Text != answer || a.ShowAlert {
		h.t.Errorf("%s: the press is answered %q (alert %v), want %q", label, a.Text, a.ShowAlert, answer)
	}
	return h.twoFiles(u, before)
}

// twoFiles waits for the two files sent to u after its first before bot
// messages, and returns them in the order sent.
func (h *harness) twoFiles(u telegramtest.User, before int) (first, second telegramtest.Message) {
	h.t.Helper()
	var files []telegramtest.Message
	_, err := h.tg.WaitBotMessage(h.ctx(), u.ID, func(telegramtest.Message) bool {
		files = files[:0]
		for _, m := range h.tg.BotMessages(u.ID)[before:] {
			if m.Document != nil {
				files = append(files, m)
			}
		}
		return len(files) == 2
	})
	if err != nil {
		h.t.Fatalf("%d: %d files came: %v", u.ID, len(files), err)
	}
	return files[0], files[1]
}

// xlsxRows are a workbook's first sheet's rows under its header (the
// title lines above it are the first lines), each padded to n cells.
func xlsxRows(t *testing.T, data []byte, sheet string, n int) (title, header []string, rows [][]string) {
	t.Helper()
	f := openXLSX(t, data)
	if got := f.GetSheetList(); !slices.Equal(got, []string{sheet}) {
		t.Fatalf("sheets %v, want %q", got, sheet)
	}
	all, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	all = padded(all, n)
	for i, r := range all {
		if r[0] == "№" {
			for _, tl := range all[:i] {
				title = append(title, tl[0])
			}
			return title, r, all[i+1:]
		}
	}
	t.Fatalf("no header in %q", all)
	return nil, nil, nil
}

// firstLines are each row's participant (column B) up to its first line
// break: the name without the pupils listed under it.
func firstLines(rows [][]string) []string {
	var out []string
	for _, r := range rows {
		name, _, _ := strings.Cut(r[1], "\n")
		out = append(out, name)
	}
	return out
}

// inOrder reports whether every part appears in text, each after the one
// before.
func inOrder(text string, parts ...string) bool {
	at := 0
	for _, p := range parts {
		i := strings.Index(text[at:], p)
		if i < 0 {
			return false
		}
		at += i + len(p)
	}
	return true
}

// A coordinator of the ГИБДД gets the sign-in sheet of her team
// competition as PDF and XLSX: every confirmed participant with school
// and pupils, grouped by organisation and then by name, the waitlisted
// teacher left out (and counted in the caption). After the start and the
// marks, and a restart of the bot, the protocol lists the places first
// and the absent teacher last.
func TestDaySheetsOfATeamCompetition(t *testing.T) {
	h := newHarness(t, nil)
	s := h.seedDaySheet()
	start := s.event.Start.In(moscowZone).Format("02.01.2006")

	h.say(coordinator, fmt.Sprintf("/start e%d", s.event.ID), "Безопасное колесо")
	h.press(coordinator, "📥 Выгрузить")
	export := h.waitFor(coordinator.ID, "Участники «Безопасное колесо»")
	if got := labels(export); !slices.Equal(got, []string{"📄 То же в CSV", "🖨 Лист регистрации"}) {
		t.Errorf("under the export before the start: %v", got)
	}

	pdf, xlsx := h.daySheetFiles(coordinator, s.event.ID, "🖨 Лист регистрации", "Готовлю лист регистрации…")
	if want := "Лист регистрации — Безопасное колесо — " + start + ".pdf"; pdf.Document.Name != want {
		t.Errorf("the PDF is named %q, want %q", pdf.Document.Name, want)
	}
	if want := "Лист регистрации — Безопасное колесо — " + start + ".xlsx"; xlsx.Document.Name != want {
		t.Errorf("the XLSX is named %q, want %q", xlsx.Document.Name, want)
	}
	if c := pdf.PlainText(); !strings.Contains(c, "Лист регистрации «Безопасное колесо»: 3 участника") ||
		!strings.Contains(c, "В листе ожидания 1 запись — в лист она не включена.") {
		t.Errorf("the PDF's caption: %q", c)
	}
	text := pdftest.Text(t, pdf.Document.Content)
	for _, want := range []string{"Безопасное колесо", "Иванова Мария Петровна", "Петрова Анна Сергеевна", "Алиева Залина Муратовна",
		"Юные инспекторы", school1.Name, school2.Name} {
		if !strings.Contains(text, want) {
			t.Errorf("the sign-in PDF has no %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "Кулиев Руслан") {
		t.Error("the waitlisted teacher is on the sign-in sheet")
	}
	// By organisation (СОШ №1 before СОШ №2), then by name.
	order := []string{"Иванова Мария Петровна", "Петрова Анна Сергеевна", "Алиева Залина Муратовна, команда «Юные инспекторы»"}
	if !inOrder(text, order[0], order[1], "Алиева Залина Муратовна") {
		t.Errorf("the PDF's rows are not in the order %q:\n%s", order, text)
	}

	title, header, rows := xlsxRows(t, xlsx.Document.Content, "Лист регистрации", 4)
	if !slices.Equal(header, []string{"№", "Участник", "Организация", "Подпись"}) {
		t.Errorf("header %q", header)
	}
	if len(title) < 2 || title[0] != "Лист регистрации участников" || !strings.Contains(title[1], "«Безопасное колесо» — ") ||
		!strings.Contains(title[1], "ЦРТДиЮ», ул. Энеева, 5") {
		t.Errorf("the title lines %q", title)
	}
	if got := firstLines(rows); !slices.Equal(got, order) {
		t.Errorf("the XLSX's participants %q, want %q", got, order)
	}
	wantRows := [][]string{
		{"1", "Иванова Мария Петровна\n1. Тхагапсоев Ислам (5Б)\n2. Гуртуева Амина (5Б)\n3. Отаров Алим (6А)", school1.Name, ""},
		{"2", "Петрова Анна Сергеевна\n1. Козлов Иван (3А)", school1.Name, ""},
		{"3", "Алиева Залина Муратовна, команда «Юные инспекторы»\n1. Алиев Тимур (7В)\n2. Байзуллаева Дана (7В)", school2.Name, ""},
	}
	for i := range wantRows {
		if i >= len(rows) || !slices.Equal(rows[i], wantRows[i]) {
			t.Errorf("XLSX row %d: %q, want %q", i+1, rows[min(i, len(rows)-1)], wantRows[i])
		}
	}

	// The contest: Алиева's team first, Иванова's second, Петрова did
	// not come; then the bot restarts.
	h.clock.advance(8 * 24 * time.Hour)
	ctx := context.Background()
	for _, m := range []struct {
		u      telegramtest.User
		came   bool
		result string
	}{{alieva, true, storage.ResultFirst}, {ivanova, true, storage.ResultSecond}, {petrova, false, ""}} {
		if err := h.store.SetAttendance(ctx, s.event.ID, m.u.ID, m.came); err != nil {
			t.Fatal(err)
		}
		if m.result != "" {
			if err := h.store.SetResult(ctx, s.event.ID, m.u.ID, m.result, nil); err != nil {
				t.Fatal(err)
			}
		}
	}
	h.restart()

	pdf, xlsx = h.daySheetFiles(coordinator, s.event.ID, "🏆 Протокол", "Готовлю протокол…")
	if want := "Протокол — Безопасное колесо — " + start + ".pdf"; pdf.Document.Name != want {
		t.Errorf("the PDF is named %q, want %q", pdf.Document.Name, want)
	}
	text = pdftest.Text(t, pdf.Document.Content)
	if !inOrder(text, "Алиева Залина Муратовна", "Иванова Мария Петровна", "Петрова Анна Сергеевна") {
		t.Errorf("the protocol is not in the order of the places:\n%s", text)
	}
	for _, want := range []string{"1 место", "2 место", school1.Name, school2.Name} {
		if !strings.Contains(text, want) {
			t.Errorf("the protocol has no %q:\n%s", want, text)
		}
	}
	_, header, rows = xlsxRows(t, xlsx.Document.Content, "Протокол", 4)
	if !slices.Equal(header, []string{"№", "Участник", "Организация", "Результат"}) {
		t.Errorf("header %q", header)
	}
	var got [][]string
	for _, r := range rows {
		name, _, _ := strings.Cut(r[1], "\n")
		got = append(got, []string{r[0], name, r[2], r[3]})
	}
	want := [][]string{
		{"1", "Алиева Залина Муратовна, команда «Юные инспекторы»", school2.Name, "1 место"},
		{"2", "Иванова Мария Петровна", school1.Name, "2 место"},
		{"3", "Петрова Анна Сергеевна", school1.Name, "неявка"},
	}
	if len(got) != len(want) {
		t.Fatalf("protocol rows %q", got)
	}
	for i := range want {
		if !slices.Equal(got[i], want[i]) {
			t.Errorf("protocol row %d: %q, want %q", i+1, got[i], want[i])
		}
	}

	// The co-organiser's methodologist and the inspector press it at the
	// same moment: each gets the same protocol.
	h.makeCoordinator(coordCentre, s.crt)
	card := h.say(coordCentre, fmt.Sprintf("/start e%d", s.event.ID), "Безопасное колесо")
	mine := h.say(coordinator, fmt.Sprintf("/start e%d", s.event.ID), "Безопасное колесо")
	users := []telegramtest.User{coordCentre, coordinator}
	befores := []int{len(h.tg.BotMessages(coordCentre.ID)), len(h.tg.BotMessages(coordinator.ID))}
	queries := []string{h.tg.Callback(coordCentre, coordCentre.ID, card.ID, cb(cbDaySheet, s.event.ID, "p")),
		h.tg.Callback(coordinator, coordinator.ID, mine.ID, cb(cbDaySheet, s.event.ID, "p"))}
	for i, u := range users {
		if a, err := h.tg.WaitCallbackAnswered(h.ctx(), queries[i]); err != nil || a.Text != "Готовлю протокол…" {
			t.Errorf("%d: %q %v", u.ID, a.Text, err)
		}
		pdf, xlsx := h.twoFiles(u, befores[i])
		if !inOrder(pdftest.Text(t, pdf.Document.Content), "Алиева Залина Муратовна", "Иванова Мария Петровна", "Петрова Анна Сергеевна") {
			t.Errorf("%d: the protocol's order", u.ID)
		}
		if _, _, rows := xlsxRows(t, xlsx.Document.Content, "Протокол", 4); len(rows) != 3 {
			t.Errorf("%d: %d rows", u.ID, len(rows))
		}
	}
	h.noPersonalDataInLogs()
}

// Who may not have the papers, and when there are none: a teacher (a
// participant herself) and a coordinator of another organisation pressing
// forged buttons, forged and stale data, a cancelled event, an event with
// nobody confirmed, a draft, the protocol before the start and before any
// mark. Each gets a short answer and no file.
func TestDaySheetRefused(t *testing.T) {
	h := newHarness(t, nil)
	s := h.seedDaySheet()
	stranger := telegramtest.User{ID: 4301, FirstName: "Завуч", LanguageCode: "ru"}
	h.makeCoordinator(stranger, s.sch2)
	signIn, protocol := cb(cbDaySheet, s.event.ID, "s"), cb(cbDaySheet, s.event.ID, "p")
	for _, c := range []struct {
		u    telegramtest.User
		want string
	}{{ivanova, "Это действие вам недоступно."}, {stranger, "Это доступно только организаторам мероприятия и администраторам."}} {
		card := h.say(c.u, fmt.Sprintf("/start e%d", s.event.ID), "Безопасное колесо")
		for _, data := range []string{signIn, protocol} {
			if a := h.forge(c.u, card.ID, data); a.Text != c.want || !a.ShowAlert {
				t.Errorf("%d pressing %s: %q (alert %v)", c.u.ID, data, a.Text, a.ShowAlert)
			}
		}
	}

	empty := h.event(s.gibdd, func(e *storage.Event) { e.Title = "Дари добро" })
	cancelled := h.event(s.gibdd, func(e *storage.Event) { e.Title = "Весенняя неделя добра" })
	if _, err := h.store.Register(context.Background(), storage.SignUp{EventID: cancelled.ID, UserID: petrova.ID}, h.clock.Now()); err != nil {
		t.Fatal(err)
	}
	if _, _, err := h.store.CancelEvent(context.Background(), cancelled.ID, nil); err != nil {
		t.Fatal(err)
	}
	draft := h.event(s.gibdd, func(e *storage.Event) { e.Title, e.Status = "Школа безопасности", storage.EventDraft })
	card := h.say(coordinator, fmt.Sprintf("/start e%d", s.event.ID), "Безопасное колесо")
	for _, c := range []struct{ data, want string }{
		{cb(cbDaySheet, s.event.ID, "x"), "Эта кнопка уже неактуальна."},
		{cb(cbDaySheet, s.event.ID), "Эта кнопка уже неактуальна."},
		{"ds:abc:s", "Эта кнопка уже неактуальна."},
		{cb(cbDaySheet, 424242, "s"), "Этого мероприятия больше нет."},
		{cb(cbDaySheet, empty.ID, "s"), "Подтверждённых участников пока нет — в лист некого вписать."},
		{cb(cbDaySheet, cancelled.ID, "s"), "Мероприятие отменено — лист регистрации и протокол не нужны."},
		{cb(cbDaySheet, draft.ID, "s"), "Это черновик: лист регистрации и протокол — после публикации."},
		{protocol, "Протокол — после начала мероприятия, когда отмечены посещение или места."},
	} {
		if a := h.forge(coordinator, card.ID, c.data); a.Text != c.want {
			t.Errorf("%s: %q, want %q", c.data, a.Text, c.want)
		}
	}
	h.clock.advance(8 * 24 * time.Hour)
	if a := h.forge(coordinator, card.ID, protocol); !strings.HasPrefix(a.Text, "Пока никто не отмечен.") || !a.ShowAlert {
		t.Errorf("the protocol with no marks: %q", a.Text)
	}
	h.press(coordinator, "📥 Выгрузить")
	export := h.waitFor(coordinator.ID, "Участники «Безопасное колесо»")
	if got := labels(export); slices.Contains(got, "🏆 Протокол") {
		t.Errorf("the protocol is offered with no marks: %v", got)
	}
	for _, u := range []telegramtest.User{ivanova, stranger, coordinator} {
		for _, m := range h.tg.BotMessages(u.ID) {
			if m.Document != nil && (strings.HasSuffix(m.Document.Name, ".pdf") || strings.HasPrefix(m.Document.Name, "Лист")) {
				t.Errorf("%d got %s", u.ID, m.Document.Name)
			}
		}
	}
}
