package bot

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"vmeste/locales"

	"github.com/xuri/excelize/v2"

	"vmeste/storage"
	"vmeste/telegramtest"
)

// reportSeed is a school year seeded through the store, with what was
// seeded kept beside it so that the test counts the figures itself.
type reportSeed struct {
	year     int // the school year from 1 September of year
	orgs     map[string]int64
	events   []reportSeedEvent
	rows     []reportSeedRow
	coordGB  telegramtest.User
	teachers []telegramtest.User
}

type reportSeedEvent struct {
	id         int64
	owner      int64 // the organisation of its author
	organisers []int64
	start      time.Time
	cancelled  bool
}

type reportSeedRow struct {
	event     int
	user      int64
	org       int64
	team      int
	pupils    []storage.Pupil
	came      *bool
	result    string
	forgotten bool
}

func seedReport(t *testing.T, h *harness) *reportSeed {
	t.Helper()
	ctx := context.Background()
	real := time.Now().In(moscowZone)
	sd := &reportSeed{year: schoolYearOf(real) + 1, orgs: map[string]int64{}, coordGB: coordinator}
	// Now is 1 March of the school year: its autumn is over.
	target := time.Date(sd.year+1, time.March, 1, 12, 0, 0, 0, moscowZone)
	h.clock.advance(time.Until(target))
	kinder := storage.Organisation{Name: "МКДОУ «Детский сад „Солнышко“»", ShortName: "Д/с «Солнышко»", Kind: storage.KindPreschool}
	school2 := storage.Organisation{Name: "МКОУ «СОШ №2» с. Кёнделен", ShortName: "СОШ №2", Kind: storage.KindSchool}
	ids := h.seedOrgs(gibdd, school1, crtdiu, kinder, school2)
	for i, o := range []storage.Organisation{gibdd, school1, crtdiu, kinder, school2} {
		sd.orgs[o.ShortName] = ids[i]
	}
	h.makeCoordinator(coordinator, sd.orgs["ГИБДД"])
	h.registerDirect(admin, sd.orgs["ЦРТДиЮ"])
	t1 := telegramtest.User{ID: 4001, FirstName: "Мадина", LanguageCode: "ru"}
	t2 := telegramtest.User{ID: 4002, FirstName: "Залина", LanguageCode: "ru"}
	t3 := telegramtest.User{ID: 4003, FirstName: "Артур", LanguageCode: "ru"}
	h.registerDirect(t1, sd.orgs["СОШ №1"])
	h.registerDirect(t2, sd.orgs["Д/с «Солнышко»"])
	h.registerDirect(t3, sd.orgs["СОШ №1"])
	sd.teachers = []telegramtest.User{t1, t2, t3}
	orgOf := map[int64]int64{t1.ID: sd.orgs["СОШ №1"], t2.ID: sd.orgs["Д/с «Солнышко»"], t3.ID: sd.orgs["СОШ №1"]}

	// The ЦРТДиЮ's campaign is the admin's (of the ЦРТДиЮ); the rest are
	// the ГИБДД coordinator's.
	add := func(title string, kind storage.EventKind, start time.Time, pupils bool, organiser string) int {
		author, owner := coordinator.ID, sd.orgs["ГИБДД"]
		if organiser == "ЦРТДиЮ" {
			author, owner = admin.ID, sd.orgs["ЦРТДиЮ"]
		}
		e := storage.Event{Title: title, Kind: kind, Start: start, Place: "Тырныауз", Organisers: []int64{sd.orgs[organiser]},
			Unit: storage.UnitTeam, MaxTeam: 10, Status: storage.EventPublished, CreatedBy: author}
		if pupils {
			e.Form = storage.Form{Pupils: true}
		}
		e, err := h.store.CreateEvent(ctx, e)
		if err != nil {
			t.Fatal(err)
		}
		sd.events = append(sd.events, reportSeedEvent{id: e.ID, owner: owner, organisers: e.Organisers, start: e.Start})
		return len(sd.events) - 1
	}
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 10, 0, 0, 0, moscowZone) }
	prev := add("Безопасное колесо", storage.EventContest, day(sd.year-1, time.October, 10), true, "ГИБДД")
	wheel := add("Безопасное колесо", storage.EventContest, day(sd.year, time.October, 10), true, "ГИБДД")
	kindness := add("Весенняя неделя добра", storage.EventCampaign, day(sd.year, time.November, 15), false, "ЦРТДиЮ")
	road := add("Добрая дорога детства", storage.EventContest, day(sd.year, time.December, 1), false, "ГИБДД")

	p := func(name, class string) storage.Pupil { return storage.Pupil{Name: name, Class: class} }
	signUp := func(ev int, u telegramtest.User, team int, pupils ...storage.Pupil) *reportSeedRow {
		t.Helper()
		su := storage.SignUp{EventID: sd.events[ev].id, UserID: u.ID, TeamSize: team}
		if len(pupils) > 0 {
			su.Application = &storage.Application{Pupils: pupils, ParentsConsentAt: target.AddDate(-2, 0, 0)}
		}
		r, err := h.store.Register(ctx, su, sd.events[ev].start.AddDate(0, 0, -20))
		if err != nil {
			t.Fatal(err)
		}
		sd.rows = append(sd.rows, reportSeedRow{event: ev, user: u.ID, org: orgOf[u.ID], team: r.TeamSize, pupils: pupils})
		return &sd.rows[len(sd.rows)-1]
	}
	yes, no := true, false
	signUp(prev, t1, 0, p("Иванов Пётр", "4Б"))
	r := signUp(wheel, t1, 0, p("Иванов Пётр", "5Б"), p("Петрова Анна", "5Б"))
	r.came, r.result = &yes, storage.ResultFirst
	r = signUp(wheel, t2, 0, p("Сидоров Иван", "подготовительная"))
	r.came = &no
	signUp(kindness, t1, 5)
	signUp(kindness, t3, 4)
	signUp(road, t1, 2)
	for _, r := range sd.rows {
		id := sd.events[r.event].id
		if r.came != nil {
			if err := h.store.SetAttendance(ctx, id, r.user, *r.came); err != nil {
				t.Fatal(err)
			}
		}
		if r.result != "" {
			if err := h.store.SetResult(ctx, id, r.user, r.result, nil); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, _, err := h.store.CancelEvent(ctx, sd.events[road].id, nil); err != nil {
		t.Fatal(err)
	}
	sd.events[road].cancelled = true
	if _, err := h.store.ForgetUser(ctx, t3.ID, storage.Forget{Erased: "участник удалил данные"}); err != nil {
		t.Fatal(err)
	}
	for i := range sd.rows {
		sd.rows[i].forgotten = sd.rows[i].user == t3.ID
	}
	return sd
}

// reportWant is what the message shows, counted from the seed.
type reportWant struct {
	held, cancelled, orgs, teachers, pupils, attended, marked, winners int
	prevTeachers, prevPupils                                           int
	byOrg                                                              map[int64][3]int // events, teachers, pupils
}

// want counts the seed's figures for events starting in [from, to) that
// org owns (0: all).
func (sd *reportSeed) want(from, to time.Time, org int64) reportWant {
	w := reportWant{byOrg: map[int64][3]int{}}
	count := func(from, to time.Time) (teachers, pupils int, byOrg map[int64][3]int, f *reportWant) {
		f = &reportWant{}
		people, kids := map[string]bool{}, map[string]bool{}
		orgEvents, orgPeople, orgKids := map[int64]map[int]bool{}, map[int64]map[string]bool{}, map[int64]int{}
		for i, e := range sd.events {
			if e.start.Before(from) || !e.start.Before(to) || org != 0 && e.owner != org && !slices.Contains(e.organisers, org) {
				continue
			}
			if e.cancelled {
				f.cancelled++
				continue
			}
			f.held++
			for _, r := range sd.rows {
				if r.event != i {
					continue
				}
				who := strconv.FormatInt(r.user, 10)
				if r.forgotten {
					who = "anon"
				}
				people[who] = true
				if orgEvents[r.org] == nil {
					orgEvents[r.org], orgPeople[r.org] = map[int]bool{}, map[string]bool{}
				}
				orgEvents[r.org][i], orgPeople[r.org][who] = true, true
				if len(r.pupils) == 0 || r.forgotten {
					pupils += r.team
					orgKids[r.org] += r.team
				} else {
					for _, p := range r.pupils {
						k := fmt.Sprint(r.org, strings.ToLower(p.Name), p.Class)
						if !kids[k] {
							orgKids[r.org]++
						}
						kids[k] = true
					}
				}
				if r.came != nil {
					f.marked++
					if *r.came {
						f.attended++
					}
				}
				if r.result != "" {
					f.winners++
				}
			}
		}
		byOrg = map[int64][3]int{}
		for o, evs := range orgEvents {
			byOrg[o] = [3]int{len(evs), len(orgPeople[o]), orgKids[o]}
		}
		return len(people), pupils + len(kids), byOrg, f
	}
	t, p, byOrg, f := count(from, to)
	w.held, w.cancelled, w.teachers, w.pupils, w.attended, w.marked, w.winners = f.held, f.cancelled, t, p, f.attended, f.marked, f.winners
	w.byOrg, w.orgs = byOrg, len(byOrg)
	w.prevTeachers, w.prevPupils, _, _ = count(from.AddDate(-1, 0, 0), to.AddDate(-1, 0, 0))
	return w
}

// growthText is the growth as the message writes it.
func growthText(now, before int) string {
	if before == 0 {
		return fmt.Sprintf("год назад: %d", before)
	}
	return fmt.Sprintf("%+d (%+.0f%%) к прошлому году", now-before, float64(now-before)*100/float64(before))
}

func (w reportWant) lines() []string {
	rate := "—"
	if w.marked > 0 {
		rate = fmt.Sprintf("%.0f%%", float64(w.attended)*100/float64(w.marked))
	}
	return []string{
		fmt.Sprintf("Мероприятий проведено: %d, отменено: %d", w.held, w.cancelled),
		fmt.Sprintf("Организаций-участников: %d", w.orgs),
		fmt.Sprintf("Педагогов: %d — %s", w.teachers, growthText(w.teachers, w.prevTeachers)),
		fmt.Sprintf("Обучающихся: %d — %s", w.pupils, growthText(w.pupils, w.prevPupils)),
		fmt.Sprintf("Явка: %s (пришли %d из %d отмеченных)", rate, w.attended, w.marked),
		fmt.Sprintf("Победителей и призёров: %d", w.winners),
	}
}

func TestReportDistrictForAdmin(t *testing.T) {
	h := newHarness(t, nil)
	sd := seedReport(t, h)
	yearLabel := fmt.Sprintf("%d/%02d учебный год", sd.year, (sd.year+1)%100)
	from := time.Date(sd.year, time.September, 1, 0, 0, 0, 0, moscowZone)
	w := sd.want(from, from.AddDate(1, 0, 0), 0)
	if w.held != 2 || w.cancelled != 1 || w.teachers != 3 || w.pupils != 12 || w.prevPupils != 1 {
		t.Fatalf("the seed is not what the test means: %+v", w)
	}

	h.say(admin, "/report", "За какой период?")
	h.press(admin, "📅 "+yearLabel, append([]string{"Охват: " + yearLabel, "весь район", "Не участвовали: СОШ №2"}, w.lines()...)...)
	doc := h.driver().Expect(admin.ID, 0, "Отчёт об охвате: "+yearLabel)
	if doc.Document == nil || !strings.HasSuffix(doc.Document.Name, ".xlsx") {
		t.Fatalf("the workbook is %+v", doc)
	}
	pic := h.driver().Expect(admin.ID, 0, "Обучающиеся по организациям: "+yearLabel)
	if pic.Photo == nil {
		t.Fatalf("the chart is not a photo: %+v", pic)
	}
	img, err := png.Decode(bytes.NewReader(pic.Photo.Content))
	if err != nil {
		t.Fatalf("the chart is not a PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() != chartWidth || b.Dy() != chartHeight {
		t.Errorf("the chart is %v; want %d×%d", b, chartWidth, chartHeight)
	}

	book, err := excelize.OpenReader(bytes.NewReader(doc.Document.Content))
	if err != nil {
		t.Fatalf("the workbook does not open: %v", err)
	}
	defer book.Close()
	if got, want := book.GetSheetList(), []string{"Итоги", "По ведомствам", "По видам", "По организациям", "Не участвовали"}; !slices.Equal(got, want) {
		t.Errorf("sheets = %q; want %q", got, want)
	}
	cell := func(sheet, at string) string {
		v, err := book.GetCellValue(sheet, at)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for at, want := range map[string]int{"B2": w.held, "C2": w.cancelled, "D2": w.orgs, "E2": w.teachers, "F2": w.pupils,
		"E3": w.prevTeachers, "F3": w.prevPupils} {
		if got := cell("Итоги", at); got != strconv.Itoa(want) {
			t.Errorf("Итоги!%s = %q; want %d", at, got, want)
		}
	}
	rows, err := book.GetRows("По организациям")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1+len(w.byOrg) {
		t.Errorf("По организациям has %d rows; want a header and %d", len(rows), len(w.byOrg))
	}
	for _, row := range rows[1:] {
		var org int64
		for name, id := range sd.orgs {
			if name == row[0] {
				org = id
			}
		}
		f, ok := w.byOrg[org]
		if !ok || row[1] != strconv.Itoa(f[0]) || row[4] != strconv.Itoa(f[1]) || row[5] != strconv.Itoa(f[2]) {
			t.Errorf("По организациям row %q; want %v", row, f)
		}
	}
	if got := cell("Не участвовали", "A2"); got != "МКОУ «СОШ №2» с. Кёнделен" {
		t.Errorf("Не участвовали!A2 = %q", got)
	}
	if pane, err := book.GetPanes("По видам"); err != nil || !pane.Freeze || pane.YSplit != 1 {
		t.Errorf("По видам's header is not frozen: %+v, %v", pane, err)
	}

	// Another cut edits the message; the files are not sent again.
	v := h.tg.Version()
	f := w.byOrg[sd.orgs["СОШ №1"]]
	h.press(admin, "По организациям", fmt.Sprintf("1. СОШ №1 — %d · %d · %d", f[0], f[1], f[2]), "По организациям участников")
	h.press(admin, "По видам", "Конкурс — 1 · 2 · 3", "Акция — 1 · 2 · 9")
	if n := len(h.tg.Messages(admin.ID)); n == 0 || h.tg.Version() == v {
		t.Error("nothing happened")
	}
	for _, m := range h.tg.Messages(admin.ID) {
		if m.Document != nil && m.Version > v {
			t.Errorf("a cut sent a file again: %+v", m.Document.Name)
		}
	}
}

func TestReportCoordinatorSeesOwnEvents(t *testing.T) {
	h := newHarness(t, nil)
	sd := seedReport(t, h)
	from := time.Date(sd.year, time.September, 1, 0, 0, 0, 0, moscowZone)
	w := sd.want(from, from.AddDate(1, 0, 0), sd.orgs["ГИБДД"])
	if w.held != 1 || w.pupils != 3 {
		t.Fatalf("the seed is not what the test means: %+v", w)
	}
	h.say(coordinator, "/report", "За какой период?")
	yearLabel := fmt.Sprintf("%d/%02d учебный год", sd.year, (sd.year+1)%100)
	h.press(coordinator, "📅 "+yearLabel, append([]string{"мероприятия ГИБДД"}, w.lines()...)...)
	h.press(coordinator, "По видам", "Конкурс — 1 · 2 · 3")
	last, _ := h.tg.LastBotMessage(coordinator.ID)
	if strings.Contains(last.PlainText(), "Акция") {
		t.Errorf("the coordinator sees another organisation's campaign: %s", last.PlainText())
	}

	// A teacher is refused, and so is a forged button; a coordinator's
	// forged period is out of date, not a report.
	m := h.say(sd.teachers[0], "/report", "Это действие вам недоступно")
	if a := h.forge(sd.teachers[0], m.ID, cb(cbReportPeriod, fmt.Sprintf("y%d", sd.year))); !strings.Contains(a.Text, "недоступно") {
		t.Errorf("a teacher's forged report button was answered %q", a.Text)
	}
	for _, data := range []string{"rpp:y1900", "rpp:q2026-9", "rpc:z:y2026", "rpm:x"} {
		v := h.tg.Version()
		h.forge(coordinator, last.ID, data)
		for _, msg := range h.tg.Messages(coordinator.ID) {
			if msg.Version > v && strings.Contains(msg.PlainText(), "Охват") {
				t.Errorf("%s made a report", data)
			}
		}
	}
}

// TestReportTypedDates types a period, badly first, with a restart in
// the middle: the wizard is in bbolt.
func TestReportTypedDates(t *testing.T) {
	h := newHarness(t, nil)
	sd := seedReport(t, h)
	h.say(coordinator, "/report", "За какой период?")
	h.press(coordinator, "✍️ Свои даты", "Напишите первый и последний день периода")
	h.say(coordinator, "1 октября – вчера-позавчера", "Не понял период")
	h.say(coordinator, fmt.Sprintf("31.10.%d - 01.10.%d", sd.year, sd.year), "Вторая дата раньше первой")
	h.restart()
	first := time.Date(sd.year, time.October, 1, 0, 0, 0, 0, moscowZone)
	w := sd.want(first, first.AddDate(0, 1, 0), sd.orgs["ГИБДД"])
	h.say(coordinator, fmt.Sprintf("01.10.%d – 31.10.%d", sd.year, sd.year),
		append([]string{fmt.Sprintf("Охват: 1 октября %d – 31 октября %d", sd.year, sd.year)}, w.lines()...)...)
	if _, err := h.store.Conversation(context.Background(), coordinator.ID); err == nil {
		t.Error("the dates wizard is still open")
	}
	// The month and quarter menus, and an old button from before.
	h.say(coordinator, "/report", "За какой период?")
	h.press(coordinator, "Квартал", "За какой период?")
	h.press(coordinator, "« Назад", "За какой период?")
}

func TestParseReportDates(t *testing.T) {
	now := time.Date(2026, time.December, 2, 12, 0, 0, 0, moscowZone)
	c, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	p := c.For("ru")
	for _, tc := range []struct {
		in          string
		first, last string // YYYY-MM-DD; "" for a refusal
	}{
		{"01.09.2026 – 31.12.2026", "2026-09-01", "2026-12-31"},
		{"01.09.2026-31.12.2026", "2026-09-01", "2026-12-31"},
		{"1.09.2026 - 31.12.2026", "2026-09-01", "2026-12-31"},
		{"1 сентября 2026 по 30 ноября 2026", "2026-09-01", "2026-11-30"},
		{"1 сентября — 30 ноября", "2026-09-01", "2026-11-30"},
		{"2026-09-01 2026-10-01", "2026-09-01", "2026-10-01"},
		{"31.12.2026 – 01.09.2026", "", ""},
		{"вчера", "", ""},
		{"", "", ""},
		{"31.02.2026 – 01.03.2026", "", ""},
		{"с 1 сентября по 31 декабря", "2026-09-01", "2026-12-31"},
		{"01.09.2026 31.12.2026", "2026-09-01", "2026-12-31"},
	} {
		rp, problem := parsePeriodText(p, tc.in, now, moscowZone)
		first, last := rp.From, rp.To.AddDate(0, 0, -1)
		if tc.first == "" {
			if problem == "" {
				t.Errorf("%q read as %v – %v; want a refusal", tc.in, first, last)
			}
			continue
		}
		if problem != "" || first.Format(time.DateOnly) != tc.first || last.Format(time.DateOnly) != tc.last {
			t.Errorf("%q = %v – %v, %q; want %s – %s", tc.in, first, last, problem, tc.first, tc.last)
		}
	}
}

func TestReportPeriodCodes(t *testing.T) {
	for _, code := range []string{"y2026", "q2026-4", "m2026-11", "d20260901-20261231"} {
		rp, ok := parsePeriodCode(code, moscowZone)
		if !ok || rp.Code != code {
			t.Errorf("%s reads as %+v, %v", code, rp, ok)
		}
	}
	for _, code := range []string{"", "y", "y1999", "q2026-5", "m2026-13", "m2026-00", "d20261231-20260901", "d20260230-20260301", "x2026"} {
		if rp, ok := parsePeriodCode(code, moscowZone); ok {
			t.Errorf("%q reads as %+v; want a refusal", code, rp)
		}
	}
}

// A period in which nothing was held gets its workbook but no chart, and
// the message does not promise one.
func TestReportOfAnEmptyPeriodPromisesNoChart(t *testing.T) {
	h := newHarness(t, nil)
	sd := seedReport(t, h)
	h.say(coordinator, "/report", "За какой период?")
	prev := fmt.Sprintf("%d/%02d учебный год", sd.year-3, (sd.year-2)%100)
	h.press(coordinator, "✍️ Свои даты", "Напишите")
	v := h.tg.Version()
	h.say(coordinator, fmt.Sprintf("01.09.%d – 31.05.%d", sd.year-3, sd.year-2), "Таблица со всеми разрезами — ниже.")
	h.driver().Expect(coordinator.ID, v, "Отчёт об охвате")
	for _, m := range h.tg.Messages(coordinator.ID) {
		if m.Version > v && m.Photo != nil {
			t.Errorf("a chart of nothing was sent for %s", prev)
		}
		if m.Version > v && strings.Contains(m.PlainText(), "диаграмма") {
			t.Errorf("the message promises a chart: %s", m.PlainText())
		}
	}
}
