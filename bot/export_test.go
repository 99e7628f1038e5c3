package bot

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"vmeste/storage"
	"vmeste/telegramtest"
)

// The exports, end to end: «📥 Выгрузить» on a card (XLSX, then CSV) and
// /export of a period, each file opened and read back cell by cell.

var sidorov = telegramtest.User{ID: 4105, FirstName: "Олег", LanguageCode: "ru"}

// exportSeed is the seeded event and what its rows must read.
type exportSeed struct {
	event storage.Event
	// want are the participants' sheet's rows under the header, as
	// excelize formats them (and as the CSV holds them).
	want [][]string
	// signedUp are the rows' sign-up times, from storage.
	signedUp []time.Time
}

// seedExport stores «Добрая дорога детства» (ГИБДД, two seats, teams of
// up to five, a form with pupils, a phone, a choice and a yes/no question
// and works) with Иванова and Алиева confirmed, Петрова and Кулиев on the
// waitlist, Сидоров cancelled; after the start Иванова gets the 1st place
// and came, Алиева is a laureate who did not come, and then Алиева
// forgets her data.
func (h *harness) seedExport() exportSeed {
	h.t.Helper()
	ctx := context.Background()
	ids := h.seedOrgs(gibdd, school1, crtdiu, school2)
	gibddID, sch1, sch2 := ids[0], ids[1], ids[3]
	h.makeCoordinator(coordinator, gibddID)
	photo := h.tg.SeedFile(telegramtest.FilePhoto, "", "", []byte("рисунок"))
	e := h.event(gibddID, func(e *storage.Event) {
		e.Title, e.Kind, e.Unit, e.MaxTeam, e.Capacity = "Добрая дорога детства", storage.EventContest, storage.UnitTeam, 5, 2
		e.Form = storage.Form{Pupils: true, PupilBirth: true, Phone: storage.NeedOptional,
			Questions: []storage.Question{
				{ID: 1, Text: "Номинация", Kind: storage.QuestionChoice, Options: []string{"Рисунок", "Плакат"}, Required: true},
				{ID: 2, Text: "Фото можно публиковать?", Kind: storage.QuestionYesNo},
			},
			Works: &storage.WorksSpec{MaxFiles: 3}, LastQuestionID: 2}
	})
	now := h.clock.Now()
	type applicant struct {
		u    telegramtest.User
		org  int64
		name string
		team string
		app  storage.Application
	}
	var regs []storage.Registration
	for _, a := range []applicant{
		{ivanova, sch1, "Иванова Мария Петровна", "5Б", storage.Application{Phone: "+79281234567",
			Pupils:  []storage.Pupil{{Name: "Петров Пётр", Class: "5Б", Birth: "2014-03-12"}, {Name: "Сидорова Ева", Class: "5Б"}},
			Answers: []storage.Answer{{QuestionID: 1, Text: "Рисунок"}, {QuestionID: 2, Text: "yes"}},
			Works:   []storage.Work{work(photo, storage.WorkPhoto)}}},
		{alieva, sch2, "Алиева Залина Муратовна", "", storage.Application{Phone: "+79287654321",
			Pupils:  []storage.Pupil{{Name: "Алиев Тимур", Class: "7В"}},
			Answers: []storage.Answer{{QuestionID: 1, Text: "Рисунок"}}}},
		{petrova, sch1, "Петрова Анна Сергеевна", "", storage.Application{
			Pupils:  []storage.Pupil{{Name: "Козлов Иван", Class: "3А"}},
			Answers: []storage.Answer{{QuestionID: 1, Text: "Плакат"}, {QuestionID: 2, Text: "no"}}}},
		{kuliev, sch1, "Кулиев Руслан", "", storage.Application{
			Pupils:  []storage.Pupil{{Name: "Кулиева Алина", Class: "4Б"}},
			Answers: []storage.Answer{{QuestionID: 1, Text: "Плакат"}}}},
		{sidorov, sch2, "Сидоров Олег", "7А", storage.Application{
			Pupils:  []storage.Pupil{{Name: "Сидоров Илья", Class: "7А"}},
			Answers: []storage.Answer{{QuestionID: 1, Text: "Плакат"}}}},
	} {
		h.applicant(a.u, a.org, a.name, "Учитель ИЗО")
		app := a.app
		app.ParentsConsentAt = now
		reg, err := h.store.Register(ctx, storage.SignUp{EventID: e.ID, UserID: a.u.ID, TeamName: a.team, Application: &app}, now)
		if err != nil {
			h.t.Fatalf("register %s: %v", a.name, err)
		}
		regs = append(regs, reg)
		now = now.Add(time.Minute)
	}
	if _, err := h.store.CancelRegistration(ctx, e.ID, sidorov.ID, nil); err != nil {
		h.t.Fatal(err)
	}
	// The contest has begun: the marks, then Алиева forgets.
	h.clock.advance(8 * 24 * time.Hour)
	for _, m := range []struct {
		u      telegramtest.User
		came   bool
		result string
	}{{ivanova, true, storage.ResultFirst}, {alieva, false, storage.ResultLaureate}} {
		if err := h.store.SetAttendance(ctx, e.ID, m.u.ID, m.came); err != nil {
			h.t.Fatal(err)
		}
		if err := h.store.SetResult(ctx, e.ID, m.u.ID, m.result, nil); err != nil {
			h.t.Fatal(err)
		}
	}
	if _, err := h.store.ForgetUser(ctx, alieva.ID, storage.Forget{Erased: "участник удалил данные"}); err != nil {
		h.t.Fatal(err)
	}
	at := func(i int) string { return regs[i].CreatedAt.In(moscowZone).Format("02.01.2006 15:04") }
	s1, s2 := school1.Name, school2.Name
	return exportSeed{event: e,
		signedUp: []time.Time{regs[0].CreatedAt, regs[1].CreatedAt, regs[2].CreatedAt, regs[3].CreatedAt, regs[4].CreatedAt},
		want: [][]string{
			{s1, "Иванова Мария Петровна", "Учитель ИЗО", "+79281234567", "5Б", "2", "Петров Пётр (5Б); Сидорова Ева (5Б)", "Рисунок", "да", "1", "подтверждена", at(0), "", "пришёл", "1 место"},
			{s2, "участник удалил данные", "", "", "", "1", "", "", "", "0", "подтверждена", at(1), "", "не пришёл", "Лауреат"},
			{s1, "Петрова Анна Сергеевна", "Учитель ИЗО", "", "", "1", "Козлов Иван (3А)", "Плакат", "нет", "0", "лист ожидания", at(2), "1", "", ""},
			{s1, "Кулиев Руслан", "Учитель ИЗО", "", "", "1", "Кулиева Алина (4Б)", "Плакат", "", "0", "лист ожидания", at(3), "2", "", ""},
			{s2, "Сидоров Олег", "Учитель ИЗО", "", "7А", "1", "Сидоров Илья (7А)", "Плакат", "", "0", "отменена", at(4), "", "", ""},
		}}
}

// participantsHeader is the participants' sheet's header for the seeded
// form.
var participantsHeader = []string{"Организация", "Педагог", "Должность", "Телефон", "Команда", "Учащихся", "Учащиеся (класс)",
	"Номинация", "Фото можно публиковать?", "Работ", "Статус заявки", "Время записи", "Место в листе ожидания", "Посещение", "Результат"}

// padded is rows with every row as long as the header (excelize leaves
// trailing empty cells out).
func padded(rows [][]string, n int) [][]string {
	out := make([][]string, len(rows))
	for i, r := range rows {
		out[i] = append(slices.Clone(r), make([]string, max(0, n-len(r)))...)
	}
	return out
}

// openXLSX opens a sent workbook.
func openXLSX(t *testing.T, data []byte) *excelize.File {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("open the workbook: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// checkHeader checks that sheet's first row is bold and frozen.
func checkHeader(t *testing.T, f *excelize.File, sheet string) {
	t.Helper()
	panes, err := f.GetPanes(sheet)
	if err != nil || !panes.Freeze || panes.YSplit != 1 || panes.TopLeftCell != "A2" {
		t.Errorf("%s: the header is not frozen: %+v %v", sheet, panes, err)
	}
	id, err := f.GetCellStyle(sheet, "A1")
	if err != nil {
		t.Fatal(err)
	}
	st, err := f.GetStyle(id)
	if err != nil || st.Font == nil || !st.Font.Bold {
		t.Errorf("%s: the header is not bold: %+v %v", sheet, st, err)
	}
	if w, err := f.GetColWidth(sheet, "A"); err != nil || w < 20 {
		t.Errorf("%s: column A is %v wide (%v)", sheet, w, err)
	}
}

func TestExportParticipants(t *testing.T) {
	h := newHarness(t, nil)
	s := h.seedExport()
	card := h.say(coordinator, fmt.Sprintf("/start e%d", s.event.ID), "Добрая дорога детства")
	if !slices.Contains(labels(card), "📥 Выгрузить") {
		t.Fatalf("the card offers %v", labels(card))
	}
	a, _ := h.press(coordinator, "📥 Выгрузить")
	if a.Text != "Готовлю файл…" || a.ShowAlert {
		t.Errorf("the press: %q", a.Text)
	}
	m := h.waitFor(coordinator.ID, "Участники «Добрая дорога детства»: 5 записей — подтверждено 2, в листе ожидания 2, отменено 1.")
	if m.Document == nil || m.Document.Name != "Участники — Добрая дорога детства.xlsx" {
		t.Fatalf("the file: %v", labels(m))
	}
	f := openXLSX(t, m.Document.Content)
	if got := f.GetSheetList(); !slices.Equal(got, []string{"Участники", "Учащиеся"}) {
		t.Fatalf("sheets %v", got)
	}
	rows, err := f.GetRows("Участники")
	if err != nil {
		t.Fatal(err)
	}
	rows = padded(rows, len(participantsHeader))
	if !slices.Equal(rows[0], participantsHeader) {
		t.Errorf("header\n got %q\nwant %q", rows[0], participantsHeader)
	}
	if len(rows) != 1+len(s.want) {
		t.Fatalf("%d rows under the header, want %d", len(rows)-1, len(s.want))
	}
	for i, want := range s.want {
		for j := range want {
			if rows[i+1][j] != want[j] {
				t.Errorf("row %d, %s: %q, want %q", i+2, participantsHeader[j], rows[i+1][j], want[j])
			}
		}
	}
	checkHeader(t, f, "Участники")

	// The sign-up time is a real date, in the district's time, and the
	// counts are numbers.
	for i, at := range s.signedUp {
		cell := fmt.Sprintf("L%d", i+2)
		typ, err := f.GetCellType("Участники", cell)
		if err != nil || (typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset) {
			t.Errorf("%s: type %v (%v)", cell, typ, err)
		}
		raw, _ := f.GetCellValue("Участники", cell, excelize.Options{RawCellValue: true})
		serial, err := strconv.ParseFloat(raw, 64)
		if err != nil {
			t.Fatalf("%s holds %q, not a date serial", cell, raw)
		}
		got, err := excelize.ExcelDateToTime(serial, false)
		// excelize reads a serial back to the second.
		wall := at.In(moscowZone)
		wantWall := time.Date(wall.Year(), wall.Month(), wall.Day(), wall.Hour(), wall.Minute(), wall.Second(), wall.Nanosecond(), time.UTC)
		if err != nil || got.Sub(wantWall).Abs() > time.Second {
			t.Errorf("%s: %v, want %v", cell, got, wantWall)
		}
		id, _ := f.GetCellStyle("Участники", cell)
		st, _ := f.GetStyle(id)
		if st == nil || st.CustomNumFmt == nil || *st.CustomNumFmt != "dd.mm.yyyy hh:mm" {
			t.Errorf("%s: style %+v", cell, st)
		}
	}
	if raw, _ := f.GetCellValue("Участники", "M4", excelize.Options{RawCellValue: true}); raw != "1" {
		t.Errorf("the waitlist place: %q", raw)
	}
	if typ, _ := f.GetCellType("Участники", "F2"); typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
		t.Errorf("the team size is of type %v", typ)
	}

	// One row per pupil, the forgotten teacher's pupils gone with her
	// application.
	pupils, err := f.GetRows("Учащиеся")
	if err != nil {
		t.Fatal(err)
	}
	wantPupils := [][]string{
		{"ФИО учащегося", "Класс", "Дата рождения", "Организация", "Педагог", "Команда", "Статус заявки"},
		{"Петров Пётр", "5Б", "12.03.2014", school1.Name, "Иванова Мария Петровна", "5Б", "подтверждена"},
		{"Сидорова Ева", "5Б", "", school1.Name, "Иванова Мария Петровна", "5Б", "подтверждена"},
		{"Козлов Иван", "3А", "", school1.Name, "Петрова Анна Сергеевна", "", "лист ожидания"},
		{"Кулиева Алина", "4Б", "", school1.Name, "Кулиев Руслан", "", "лист ожидания"},
		{"Сидоров Илья", "7А", "", school2.Name, "Сидоров Олег", "7А", "отменена"},
	}
	pupils = padded(pupils, 7)
	if len(pupils) != len(wantPupils) {
		t.Fatalf("pupils sheet: %q", pupils)
	}
	for i := range wantPupils {
		if !slices.Equal(pupils[i], wantPupils[i]) {
			t.Errorf("pupils row %d\n got %q\nwant %q", i+1, pupils[i], wantPupils[i])
		}
	}
	checkHeader(t, f, "Учащиеся")

	// The same table as CSV, from the button under the file.
	h.press(coordinator, "📄 То же в CSV")
	c, err := h.tg.WaitBotMessage(h.ctx(), coordinator.ID, func(m telegramtest.Message) bool {
		return m.Document != nil && strings.HasSuffix(m.Document.Name, ".csv")
	})
	if err != nil || c.Document.Name != "Участники — Добрая дорога детства.csv" || !strings.Contains(c.PlainText(), "5 записей") {
		t.Fatalf("the CSV: %v", err)
	}
	if !bytes.HasPrefix(c.Document.Content, []byte("\ufeff")) {
		t.Error("the CSV has no byte order mark")
	}
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(c.Document.Content, []byte("\ufeff"))))
	r.Comma = ';'
	records, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(records) != 1+len(s.want) || !slices.Equal(records[0], participantsHeader) {
		t.Fatalf("the CSV: %q", records)
	}
	for i, want := range s.want {
		if !slices.Equal(records[i+1], want) {
			t.Errorf("CSV row %d\n got %q\nwant %q", i+2, records[i+1], want)
		}
	}
	h.noPersonalDataInLogs()
}

func TestExportRefused(t *testing.T) {
	h := newHarness(t, nil)
	s := h.seedExport()
	stranger := telegramtest.User{ID: 4301, FirstName: "Завуч", LanguageCode: "ru"}
	h.makeCoordinator(stranger, h.seedOrgs(storage.Organisation{Name: "МКОУ «СОШ №3»", ShortName: "СОШ №3", Kind: storage.KindSchool})[0])
	for _, u := range []telegramtest.User{stranger, ivanova} {
		card := h.say(u, fmt.Sprintf("/start e%d", s.event.ID), "Добрая дорога детства")
		if slices.Contains(labels(card), "📥 Выгрузить") {
			t.Errorf("%d is offered the export", u.ID)
		}
		for _, data := range []string{cb(cbEventExport, s.event.ID), cb(cbEventExport, s.event.ID, exportFormatCSV)} {
			a := h.forge(u, card.ID, data)
			if !a.ShowAlert || (!strings.Contains(a.Text, "только организаторам") && a.Text != "Это действие вам недоступно.") {
				t.Errorf("%d pressing %s: %q (alert %v)", u.ID, data, a.Text, a.ShowAlert)
			}
		}
		for _, m := range h.tg.BotMessages(u.ID) {
			if m.Document != nil {
				t.Errorf("%d got a file: %s", u.ID, m.Document.Name)
			}
		}
	}
	// A teacher has no /export at all.
	h.say(ivanova, "/export", "недоступно")

	// Stale and forged data: answered, nothing sent.
	card := h.say(coordinator, fmt.Sprintf("/start e%d", s.event.ID), "Добрая дорога детства")
	for _, c := range []struct{ data, want string }{
		{cb(cbEventExport, s.event.ID, "x"), "неактуальна"},
		{cb(cbEventExport, 99999), "больше нет"},
		{"xe:abc", "неактуальна"},
		{"xp:zz", "неактуальна"},
	} {
		if a := h.forge(coordinator, card.ID, c.data); !strings.Contains(a.Text, c.want) {
			t.Errorf("%s: %q", c.data, a.Text)
		}
	}
}

// periodSeed is the school year's seeded events.
type periodSeed struct {
	year                   period
	held, cancelled, other storage.Event
	gibdd                  int64
}

// seedPeriod stores, in the current school year: a held team contest of
// the ГИБДД with figures, a seminar of the ЦРТДиЮ co-organised by the
// ГИБДД and cancelled, an event of the СОШ №2 alone, a draft of the
// ГИБДД; and an event of the ГИБДД in the previous school year.
func (h *harness) seedPeriod() periodSeed {
	h.t.Helper()
	ctx := context.Background()
	ids := h.seedOrgs(gibdd, school1, crtdiu, school2)
	gibddID, sch1, crt, sch2 := ids[0], ids[1], ids[2], ids[3]
	h.makeCoordinator(coordinator, gibddID)
	h.makeCoordinator(coordCRT, crt)
	coordSch2 := telegramtest.User{ID: 4202, FirstName: "Завуч", LanguageCode: "ru"}
	h.makeCoordinator(coordSch2, sch2)
	now := h.clock.Now().In(moscowZone)
	year := schoolYearPeriod(schoolYearOf(now), moscowZone)
	day := func(n int) time.Time { return year.From.AddDate(0, 0, n).Add(10 * time.Hour) }
	s := periodSeed{year: year, gibdd: gibddID}
	s.held = h.event(gibddID, func(e *storage.Event) {
		e.Title, e.Kind, e.Unit, e.MaxTeam, e.Capacity, e.Start = "Безопасное колесо", storage.EventCompetition, storage.UnitTeam, 5, 3, day(10)
		e.End, e.Place = day(10).Add(3*time.Hour), "Стадион «Геолог»"
	})
	s.cancelled = h.event(gibddID, func(e *storage.Event) {
		e.Title, e.Kind, e.Start, e.CreatedBy, e.Organisers = "Семинар по ПДД", storage.EventSeminar, day(20), coordCRT.ID, []int64{crt, gibddID}
	})
	s.other = h.event(sch2, func(e *storage.Event) {
		e.Title, e.Kind, e.Start, e.CreatedBy, e.Organisers = "День здоровья", storage.EventCelebration, day(30), coordSch2.ID, []int64{sch2}
	})
	h.event(gibddID, func(e *storage.Event) { e.Title, e.Start, e.Status = "Черновик", day(40), storage.EventDraft })
	h.event(gibddID, func(e *storage.Event) {
		e.Title, e.Start = "Прошлогодний конкурс", year.From.AddDate(0, -2, 0)
	})

	teams := h.teachers(5001, 5, sch1)
	signUpAt := s.held.Start.Add(-48 * time.Hour)
	for i, size := range []int{3, 2, 4, 1, 2} {
		if _, err := h.store.Register(ctx, storage.SignUp{EventID: s.held.ID, UserID: teams[i].ID, TeamSize: size}, signUpAt.Add(time.Duration(i)*time.Minute)); err != nil {
			h.t.Fatal(err)
		}
	}
	if _, err := h.store.CancelRegistration(ctx, s.held.ID, teams[4].ID, nil); err != nil {
		h.t.Fatal(err)
	}
	for i, m := range []struct {
		came   bool
		result string
	}{{true, storage.ResultFirst}, {true, storage.ResultLaureate}, {false, storage.ResultThird}} {
		if err := h.store.SetAttendance(ctx, s.held.ID, teams[i].ID, m.came); err != nil {
			h.t.Fatal(err)
		}
		if err := h.store.SetResult(ctx, s.held.ID, teams[i].ID, m.result, nil); err != nil {
			h.t.Fatal(err)
		}
	}
	if _, err := h.store.Register(ctx, storage.SignUp{EventID: s.cancelled.ID, UserID: teams[0].ID}, s.cancelled.Start.Add(-48*time.Hour)); err != nil {
		h.t.Fatal(err)
	}
	if _, _, err := h.store.CancelEvent(ctx, s.cancelled.ID, nil); err != nil {
		h.t.Fatal(err)
	}
	s.cancelled, _ = h.store.Event(ctx, s.cancelled.ID)
	return s
}

// periodRows reads the events' sheet of the workbook the user was sent
// last with caption.
func (h *harness) periodRows(u telegramtest.User, caption string) [][]string {
	h.t.Helper()
	m, err := h.tg.WaitBotMessage(h.ctx(), u.ID, func(m telegramtest.Message) bool {
		return m.Document != nil && strings.Contains(m.PlainText(), caption)
	})
	if err != nil {
		h.t.Fatalf("no file %q: %v", caption, err)
	}
	t := h.t.(*testing.T)
	f := openXLSX(t, m.Document.Content)
	checkHeader(t, f, "Мероприятия")
	rows, err := f.GetRows("Мероприятия")
	if err != nil {
		h.t.Fatal(err)
	}
	return padded(rows, 15)
}

func TestExportPeriod(t *testing.T) {
	h := newHarness(t, nil)
	s := h.seedPeriod()
	now := h.clock.Now()
	yearLabel := fmt.Sprintf("Учебный год %d/%02d", s.year.From.Year(), (s.year.From.Year()+1)%100)
	when := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(moscowZone).Format("02.01.2006 15:04")
	}
	heldStatus := "опубликовано"
	if s.held.Over(now) {
		heldStatus = "прошло"
	}
	// The figures as seeded: three confirmed teams of 3, 2 and 4 pupils,
	// one waiting, one cancelled; two came; a 1st and a 3rd place and a
	// laureate.
	held := []string{"Безопасное колесо", "Соревнование", when(s.held.Start), when(s.held.End), "Стадион «Геолог»", "ГИБДД",
		heldStatus, "3", "3", "1", "3", "9", "2", "2", "1"}
	// A cancelled event keeps the sign-ups it had when it was cancelled.
	cancelled := []string{"Семинар по ПДД", "Семинар", when(s.cancelled.Start), "", "ЦРТДиЮ", "ЦРТДиЮ, ГИБДД",
		"отменено", "", "1", "0", "0", "0", "0", "0", "0"}
	other := []string{"День здоровья", "Праздник", when(s.other.Start), "", "ЦРТДиЮ", "СОШ №2",
		"опубликовано", "", "0", "0", "0", "0", "0", "0", "0"}
	if s.other.Over(now) {
		other[6] = "прошло"
	}
	header := []string{"Название", "Вид", "Начало", "Окончание", "Место проведения", "Организаторы", "Статус", "Мест",
		"Подтверждено", "Лист ожидания", "Команд", "Учащихся", "Пришли", "Призёры (1–3 место)", "Лауреаты"}
	label := s.year.From.Format("02.01.2006") + "–" + s.year.To.AddDate(0, 0, -1).Format("02.01.2006")

	// The coordinator of the ГИБДД: its own event and the one it
	// co-organises, not the school's, the draft or last year's.
	h.say(coordinator, "/export", "За какой период?")
	h.press(coordinator, yearLabel)
	for _, c := range []struct {
		u    telegramtest.User
		want [][]string
	}{{coordinator, [][]string{header, held, cancelled}}, {admin, [][]string{header, held, cancelled, other}}} {
		if c.u == admin {
			h.registerDirect(admin, s.gibdd)
			h.say(admin, "/export", "За какой период?")
			h.press(admin, yearLabel)
		}
		rows := h.periodRows(c.u, fmt.Sprintf("Мероприятия за %s: %d.", label, len(c.want)-1))
		if len(rows) != len(c.want) {
			t.Fatalf("%d: %d rows: %q", c.u.ID, len(rows), rows)
		}
		for i := range c.want {
			if !slices.Equal(rows[i], c.want[i]) {
				t.Errorf("%d, row %d\n got %q\nwant %q", c.u.ID, i+1, rows[i], c.want[i])
			}
		}
	}

	// Two dates typed, across a restart, after a reversed pair and a typo.
	h.say(coordinator, "/export", "За какой период?")
	h.press(coordinator, "📅 Свои даты", "Напишите начало и конец периода")
	h.restart()
	d := s.held.Start.In(moscowZone).Format("02.01.2006")
	last := s.cancelled.Start.In(moscowZone).AddDate(0, 0, -1).Format("02.01.2006")
	h.say(coordinator, last+" – "+d, "Вторая дата раньше первой")
	h.say(coordinator, "с 1 сентебря по вчера", "Не понял")
	h.say(coordinator, "31.02.2027 - 01.03.2027", "В феврале")
	h.say(coordinator, d+" – "+last)
	rows := h.periodRows(coordinator, fmt.Sprintf("Мероприятия за %s–%s: 1.", d, last))
	if len(rows) != 2 || !slices.Equal(rows[1], held) {
		t.Errorf("the typed period: %q", rows)
	}
	if c, err := h.store.Conversation(h.ctx(), coordinator.ID); err == nil {
		t.Errorf("the wizard is still there: %+v", c)
	}
}

func TestExportInHelp(t *testing.T) {
	h := newHarness(t, nil)
	org := h.seedOrgs(gibdd)[0]
	h.makeCoordinator(coordinator, org)
	h.registerDirect(teacher, org)
	h.say(coordinator, "/help", "«📥 Выгрузить»", "/export — Выгрузить мероприятия за период в Excel")
	m := h.say(teacher, "/help", "Команды")
	if strings.Contains(m.PlainText(), "/export") || strings.Contains(m.PlainText(), "Выгрузить") {
		t.Errorf("a teacher's /help speaks of exports: %s", m.PlainText())
	}
}

// A coordinator's way through /export and the card's button, mistakes
// included.
func TestExportAsACoordinatorWould(t *testing.T) {
	h := newHarness(t, nil)
	s := h.seedPeriod()
	empty := h.event(s.gibdd, func(e *storage.Event) { e.Title = "Пустой семинар" })
	card := h.say(coordinator, fmt.Sprintf("/start e%d", empty.ID), "Пустой семинар")
	if a, _ := h.press(coordinator, "📥 Выгрузить"); !a.ShowAlert || !strings.Contains(a.Text, "выгружать нечего") {
		t.Errorf("an empty event: %q", a.Text)
	}
	// The CSV button of a deleted event's file.
	if a := h.forge(coordinator, card.ID, cb(cbEventExport, 424242, exportFormatCSV)); !strings.Contains(a.Text, "больше нет") {
		t.Errorf("a gone event: %q", a.Text)
	}

	// Two dates with no dash, or a bare dash, are read too.
	d := s.held.Start.In(moscowZone).Format("02.01.2006")
	for _, typed := range []string{d + " " + d, d + "-" + d} {
		h.say(coordinator, "/export", "За какой период?")
		h.press(coordinator, "📅 Свои даты", "Напишите начало и конец периода")
		h.say(coordinator, typed)
		rows := h.periodRows(coordinator, fmt.Sprintf("Мероприятия за %s–%s: 1.", d, d))
		if len(rows) != 2 || rows[1][0] != "Безопасное колесо" {
			t.Errorf("%q: %q", typed, rows)
		}
	}
	// A day with nothing in it says so, and sends no file.
	h.say(coordinator, "/export", "За какой период?")
	h.press(coordinator, "📅 Свои даты", "Напишите начало и конец периода")
	before := len(h.tg.BotMessages(coordinator.ID))
	nothing := s.year.From.AddDate(0, 0, 2).Format("02.01.2006")
	h.say(coordinator, nothing+" – "+nothing, "мероприятий нет")
	for _, m := range h.tg.BotMessages(coordinator.ID)[before:] {
		if m.Document != nil {
			t.Errorf("a file for an empty period: %s", m.Document.Name)
		}
	}
	// Leaving the dates with /cancel: the next text is not a period.
	h.say(coordinator, "/export", "За какой период?")
	h.press(coordinator, "📅 Свои даты", "Напишите начало и конец периода")
	h.say(coordinator, "/cancel")
	if _, err := h.store.Conversation(h.ctx(), coordinator.ID); err == nil {
		t.Error("the wizard outlived /cancel")
	}
	// A button of the period list pressed again later still works: the
	// period is worked out when it is pressed. Pressed while dates are
	// awaited, it ends the wait.
	h.say(coordinator, "/export", "За какой период?")
	h.press(coordinator, "📅 Свои даты", "Напишите начало и конец периода")
	h.press(coordinator, fmt.Sprintf("Учебный год %d/%02d", s.year.From.Year(), (s.year.From.Year()+1)%100))
	h.periodRows(coordinator, "Мероприятия за "+s.year.From.Format("02.01.2006"))
	if _, err := h.store.Conversation(h.ctx(), coordinator.ID); err == nil {
		t.Error("the dates are still awaited after a period was pressed")
	}
}
