package bot

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"

	"vmeste/storage"
	"vmeste/telegramtest"
)

// gymnasium5 is an organisation whose name a plan misspells.
var gymnasium5 = storage.Organisation{Name: "МКОУ «Гимназия №5» г.п. Тырныауз", ShortName: "Гимназия №5", Kind: storage.KindSchool}

// planSetup seeds the organisations of the plan tests and makes the
// coordinator the ГИБДД's; it returns the ids (ГИБДД, СОШ №1, ЦРТДиЮ,
// Гимназия №5).
func planSetup(h *harness) []int64 {
	ids := h.seedOrgs(gibdd, school1, crtdiu, gymnasium5)
	h.makeCoordinator(coordinator, ids[0])
	return ids
}

// planYear is a year all the plan tests' dates are ahead in.
func planYear(h *harness) int { return h.clock.Now().In(moscowZone).Year() + 1 }

// sendFile sends a document as u and waits for a bot message containing
// want.
func (h *harness) sendDoc(u telegramtest.User, name, mime string, data []byte, want ...string) telegramtest.Message {
	h.t.Helper()
	v := h.tg.Version()
	h.tg.SendDocument(u, name, mime, data, "")
	m, err := h.tg.WaitBotMessageAfter(h.ctx(), u.ID, v, contains(want...))
	if err != nil {
		h.t.Fatal(err)
	}
	return m
}

// drafts are the stored drafts, by title.
func (h *harness) drafts() map[string][]storage.Event {
	h.t.Helper()
	list, err := h.store.Drafts(h.ctx())
	if err != nil {
		h.t.Fatal(err)
	}
	out := map[string][]storage.Event{}
	for _, e := range list {
		out[e.Title] = append(out[e.Title], e)
	}
	return out
}

// planRows are the rows the tests add below the template's two examples
// (rows 2 and 3): a bad date, an unknown organisation, a repeat of row 2
// and a row with the coordinator's own organisation as organiser.
func planRows(year int) [][]string {
	y := fmt.Sprint(year)
	return [][]string{
		{"Весна идёт", "Выставка", "31.04." + y + " 10:00", "", "ЦРТДиЮ", "ЦРТДиЮ", "", "", ""},
		{"Весёлые старты", "Соревнование", "20.05." + y + " 11:00", "2 часа", "Стадион", "Гимнозия №5", "", "команда до 6", ""},
		{"Безопасное колесо", "Соревнование", "15.04." + y + " 10:00", "13:00", "ЦРТДиЮ, автогородок", "ГИБДД, СОШ №1", "12", "команда до 4", "10.04." + y + " 18:00"},
		{"Урок мужества", "встреча", "12.02." + y + " 12:00", "", "СОШ №1, актовый зал", "", "", "индивидуально", ""},
	}
}

// wantPlanReport checks the report of the template with planRows, line by
// line.
func wantPlanReport(t *testing.T, m telegramtest.Message) {
	t.Helper()
	text := m.PlainText()
	for _, want := range []string{
		"Прочитано 6 строк плана.",
		"Не подходят 3 строки",
		"4. Весна идёт — Начало: В апреле 30 дней — такой даты нет.",
		"5. Весёлые старты — нет организации «Гимнозия №5». Может быть: «Гимназия №5»?",
		"6. Безопасное колесо — повторяет строку 2",
		"Готовы 3 строки:",
		"2. Безопасное колесо — 15 апреля, 10:00 · ГИБДД, СОШ №1",
		"3. Война глазами детей — 5 мая, 11:00 · ЦРТДиЮ",
		"7. Урок мужества — 12 февраля, 12:00 · ГИБДД",
		"Создать 3 черновика?",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the report lacks %q:\n%s", want, text)
		}
	}
	if got := labels(m); !slices.Equal(got, []string{"✅ Создать 3 черновика", "Отмена"}) {
		t.Errorf("buttons %q", got)
	}
}

// checkPlanDrafts checks the drafts the plan made, field by field.
func checkPlanDrafts(t *testing.T, h *harness, ids []int64) {
	t.Helper()
	y := planYear(h)
	at := func(m time.Month, d, hh, mm int) time.Time { return time.Date(y, m, d, hh, mm, 0, 0, moscowZone) }
	drafts := h.drafts()
	if len(drafts) != 3 {
		t.Fatalf("drafts: %v", drafts)
	}
	for title, list := range drafts {
		if len(list) != 1 {
			t.Errorf("%d drafts of %q", len(list), title)
		}
		e := list[0]
		if e.CreatedBy != coordinator.ID || e.OwnerOrg != ids[0] || e.Status != storage.EventDraft {
			t.Errorf("%q: author %d owner %d status %s", title, e.CreatedBy, e.OwnerOrg, e.Status)
		}
		if !slices.Equal(e.Reminders, storage.DefaultReminders(e.Kind)) {
			t.Errorf("%q: reminders %v", title, e.Reminders)
		}
		if want := storage.DefaultForm(e.Kind, e.Unit); e.Form.Pupils != want.Pupils || e.Form.Phone != want.Phone {
			t.Errorf("%q: form %+v, want %+v", title, e.Form, want)
		}
	}
	wheel := drafts["Безопасное колесо"][0]
	if wheel.Kind != storage.EventCompetition || !wheel.Start.Equal(at(time.April, 15, 10, 0)) || !wheel.End.Equal(at(time.April, 15, 13, 0)) ||
		wheel.Place != "ЦРТДиЮ, автогородок" || !slices.Equal(wheel.Organisers, []int64{ids[0], ids[1]}) || wheel.Capacity != 12 ||
		wheel.Unit != storage.UnitTeam || wheel.MaxTeam != 4 || !wheel.Deadline.Equal(at(time.April, 10, 18, 0)) || !wheel.Form.Pupils {
		t.Errorf("Безопасное колесо: %+v", wheel)
	}
	war := drafts["Война глазами детей"][0]
	if war.Kind != storage.EventContest || !war.Start.Equal(at(time.May, 5, 11, 0)) || !war.End.IsZero() ||
		!slices.Equal(war.Organisers, []int64{ids[2]}) || war.Unit != storage.UnitIndividual || war.Capacity != 0 ||
		!war.Deadline.Equal(at(time.April, 25, 18, 0)) {
		t.Errorf("Война глазами детей: %+v", war)
	}
	lesson := drafts["Урок мужества"][0]
	if lesson.Kind != storage.EventMeeting || !slices.Equal(lesson.Organisers, []int64{ids[0]}) || !lesson.Deadline.IsZero() {
		t.Errorf("Урок мужества: %+v", lesson)
	}
}

// TestPlanImportXLSX: the coordinator takes the template from /plan,
// adds rows with a bad date, an unknown organisation, a repeated row and
// a good one, and sends it back: the report says what each row is, a
// restart keeps it, the confirmation creates exactly the good rows as
// drafts, and the same file again creates nothing and says so.
func TestPlanImportXLSX(t *testing.T) {
	h := newHarness(t, nil)
	ids := planSetup(h)
	h.say(coordinator, "/plan", "Заполните шаблон")
	var tmpl *telegramtest.File
	for _, m := range h.tg.BotMessages(coordinator.ID) {
		if m.Document != nil {
			tmpl = m.Document
		}
	}
	if tmpl == nil || !strings.HasSuffix(tmpl.Name, ".xlsx") {
		t.Fatalf("no template sent: %+v", tmpl)
	}
	f, err := excelize.OpenReader(bytes.NewReader(tmpl.Content))
	if err != nil {
		t.Fatal(err)
	}
	if got := f.GetSheetList(); !slices.Equal(got, []string{"План", "Как заполнить"}) {
		t.Errorf("sheets %q", got)
	}
	header, _ := f.GetRows("План")
	if !slices.Equal(header[0], []string{"Название", "Вид", "Начало", "Окончание", "Место", "Организаторы", "Места", "Участие", "Запись до"}) {
		t.Errorf("header %q", header[0])
	}
	if help, _ := f.GetRows("Как заполнить"); !strings.Contains(fmt.Sprint(help), "Профилактическое мероприятие") {
		t.Errorf("the instructions do not list the kinds: %q", help)
	}
	// The examples' start is a real date cell.
	if typ, _ := f.GetCellType("План", "C2"); typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString {
		t.Errorf("the example's start is text (%v)", typ)
	}
	for i, row := range planRows(planYear(h)) {
		for j, v := range row {
			ref, _ := excelize.CoordinatesToCellName(j+1, i+4)
			if err := f.SetCellValue("План", ref, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	plan := buf.Bytes()

	m := h.sendDoc(coordinator, "План 2027.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", plan, "Прочитано")
	wantPlanReport(t, m)
	if n := len(h.drafts()); n != 0 {
		t.Fatalf("%d drafts before the confirmation", n)
	}

	h.restart() // the rows wait in bbolt
	h.press(coordinator, "✅ Создать 3 черновика", "Создано 3 черновика")
	checkPlanDrafts(t, h, ids)

	// The old button again: nothing more.
	q, err := h.tg.PressButton(coordinator, coordinator.ID, "✅ Создать 3 черновика")
	if err == nil {
		if _, err := h.tg.WaitCallbackAnswered(h.ctx(), q); err != nil {
			t.Fatal(err)
		}
	}
	// The same file again, days later and without /plan: everything is
	// loaded already.
	h.clock.advance(3 * 24 * time.Hour)
	m = h.sendDoc(coordinator, "План 2027.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", plan, "Прочитано")
	for _, want := range []string{"Уже загружены 3 строки", "2. Безопасное колесо — 15 апреля, 10:00 · ГИБДД, СОШ №1 — уже загружено", "Создавать нечего"} {
		if !strings.Contains(m.PlainText(), want) {
			t.Errorf("the second report lacks %q:\n%s", want, m.PlainText())
		}
	}
	if len(m.Buttons) != 0 {
		t.Errorf("a create button with nothing to create: %q", labels(m))
	}
	checkPlanDrafts(t, h, ids)
}

// TestPlanImportCSV1251: the same plan saved by Excel as CSV (Windows-1251,
// «;») gives the same report and the same drafts.
func TestPlanImportCSV1251(t *testing.T) {
	h := newHarness(t, nil)
	ids := planSetup(h)
	y := fmt.Sprint(planYear(h))
	rows := append([][]string{
		{"Название", "Вид", "Начало", "Окончание", "Место", "Организаторы", "Мест", "Участие", "Запись до"},
		{"Безопасное колесо", "Соревнование", "15.04." + y + " 10:00", "15.04." + y + " 13:00", "ЦРТДиЮ, автогородок", "ГИБДД, СОШ №1", "12", "команда до 4", "10.04." + y + " 18:00"},
		{"Война глазами детей", "Конкурс", "05.05." + y + " 11:00", "", "ЦРТДиЮ, выставочный зал", "ЦРТДиЮ", "", "индивидуально", "25.04." + y + " 18:00"},
	}, planRows(planYear(h))...)
	var sb strings.Builder
	for _, row := range rows {
		for i, v := range row {
			if i > 0 {
				sb.WriteString(";")
			}
			if strings.ContainsAny(v, ";\"") {
				v = `"` + strings.ReplaceAll(v, `"`, `""`) + `"`
			}
			sb.WriteString(v)
		}
		sb.WriteString("\r\n")
	}
	data, err := charmap.Windows1251.NewEncoder().Bytes([]byte(sb.String()))
	if err != nil {
		t.Fatal(err)
	}
	h.say(coordinator, "/plan", "Заполните шаблон")
	m := h.sendDoc(coordinator, "plan.csv", "text/csv", data, "Прочитано")
	wantPlanReport(t, m)
	h.press(coordinator, "✅ Создать 3 черновика", "Создано 3 черновика")
	checkPlanDrafts(t, h, ids)
	h.say(coordinator, "/plan", "Заполните шаблон")
	m = h.sendDoc(coordinator, "plan.csv", "text/csv", data, "Прочитано")
	if !strings.Contains(m.PlainText(), "Уже загружены 3 строки") || len(m.Buttons) != 0 {
		t.Errorf("the CSV again:\n%s\n%q", m.PlainText(), labels(m))
	}
	checkPlanDrafts(t, h, ids)
}

// TestPlanRefusesWrongFiles: a photo, a .docx, garbage named .xlsx or .csv
// and a teacher's /plan change nothing; a report waiting for its
// confirmation survives them.
func TestPlanRefusesWrongFiles(t *testing.T) {
	h := newHarness(t, nil)
	planSetup(h)
	y := fmt.Sprint(planYear(h))
	csv := "Олимпиада по ПДД;Конкурс;01.03." + y + " 10:00;;СОШ №1;ГИБДД;;;\n"
	h.say(coordinator, "/plan", "Заполните шаблон")
	h.sendDoc(coordinator, "plan.csv", "text/csv", []byte(csv), "Готова 1 строка")

	v := h.tg.Version()
	h.tg.SendPhoto(coordinator, []byte("\x89PNG\r\n\x1a\nnot really"), "")
	if _, err := h.tg.WaitBotMessageAfter(h.ctx(), coordinator.ID, v, contains("кнопками под отчётом")); err != nil {
		t.Fatal(err)
	}
	h.sendDoc(coordinator, "plan.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", []byte("PK\x03\x04docx"), "Нужен файл Excel (.xlsx) или CSV")
	h.sendDoc(coordinator, "plan.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", []byte("PK\x03\x04garbage"), "Не удалось прочитать таблицу")
	h.sendDoc(coordinator, "plan.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", []byte("hello, world"), "Не удалось прочитать таблицу")
	h.sendDoc(coordinator, "plan.csv", "text/csv", []byte("\x00\x01\x02binary\x00"), "Не удалось прочитать таблицу")
	h.sendDoc(coordinator, "plan.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", bytes.Repeat([]byte("PK\x03\x04"), 300_000), "больше 1 МБ")
	h.sendDoc(coordinator, "plan.xls", "application/vnd.ms-excel", []byte("\xd0\xcf\x11\xe0"), "сохраните его как")
	if n := len(h.drafts()); n != 0 {
		t.Fatalf("%d drafts after wrong files", n)
	}
	// The report's button still works.
	h.press(coordinator, "✅ Создать 1 черновик", "Создан 1 черновик")
	if d := h.drafts()["Олимпиада по ПДД"]; len(d) != 1 || d[0].Kind != storage.EventContest {
		t.Errorf("drafts: %v", h.drafts())
	}

	h.registerDirect(teacher, 1)
	h.say(teacher, "/plan", "недоступно")
	if n := len(h.drafts()); n != 1 {
		t.Errorf("%d drafts after a teacher's /plan", n)
	}
}

// TestPlanLongReportGoesToAFile: a report over Telegram's limit is
// shortened in the message, the create button kept, and sent whole as a
// text file.
func TestPlanLongReportGoesToAFile(t *testing.T) {
	h := newHarness(t, nil)
	planSetup(h)
	y := fmt.Sprint(planYear(h))
	var sb strings.Builder
	sb.WriteString("Олимпиада по ПДД;Конкурс;01.03." + y + " 10:00;;СОШ №1;ГИБДД;;;\n")
	for i := 0; i < 120; i++ {
		fmt.Fprintf(&sb, "Мероприятие номер %d;Конкурс;01.03.%s 10:00;;СОШ №1;Управление образования района %d;;;\n", i, y, i)
	}
	h.say(coordinator, "/plan", "Заполните шаблон")
	m := h.sendDoc(coordinator, "plan.csv", "text/csv", []byte(sb.String()), "Прочитана 121 строка плана")
	if utf16Len(m.Text) > 4096 {
		t.Errorf("the report is %d long", utf16Len(m.Text))
	}
	if !slices.Contains(labels(m), "✅ Создать 1 черновик") || !strings.Contains(m.PlainText(), "Создать 1 черновик?") {
		t.Errorf("the shortened report lost its end: %q\n%s", labels(m), m.PlainText())
	}
	var file *telegramtest.File
	for _, bm := range h.tg.BotMessages(coordinator.ID) {
		if bm.Document != nil && strings.HasSuffix(bm.Document.Name, ".txt") {
			file = bm.Document
		}
	}
	if file == nil {
		t.Fatal("no report file")
	}
	text := string(file.Content)
	for _, want := range []string{"121. Мероприятие номер 119 — нет организации «Управление образования района 119»", "1. Олимпиада по ПДД — 1 марта, 10:00 · ГИБДД"} {
		if !strings.Contains(text, want) {
			t.Errorf("the file lacks %q", want)
		}
	}
	if strings.Contains(text, "<b>") {
		t.Error("HTML in the text file")
	}
}
