package bot

import (
	"bytes"
	"fmt"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"vmeste/storage"
	"vmeste/telegramtest"
)

// TestPlanHeaderAsPeopleTypeIt: a plan of the coordinator's own making,
// its header in capitals with longer words («НАЗВАНИЕ МЕРОПРИЯТИЯ»),
// dates as text, Excel date cells, short names with typos and an empty
// row: the header is not reported as a bad row nor counted; a start given
// as a day alone begins at 10:00 and the report says so; every other row
// is told as the date parser and the organisation search say.
func TestPlanHeaderAsPeopleTypeIt(t *testing.T) {
	h := newHarness(t, nil)
	planSetup(h)
	y := planYear(h)
	ys := fmt.Sprint(y)
	f := excelize.NewFile()
	rows := [][]any{
		{"НАЗВАНИЕ МЕРОПРИЯТИЯ", "ВИД", "ДАТА ПРОВЕДЕНИЯ", "ОКОНЧАНИЕ", "МЕСТО", "ОРГАНИЗАТОРЫ", "МЕСТА", "УЧАСТИЕ", "ЗАПИСЬ ДО"},
		{"Безопасное колесо", "соревнование", "15.04." + ys + " 10:00", "", "Автогородок", "гибдд, сош 1", 12, "Команда до 4", "10.04." + ys},
		{"Весенняя неделя добра", "Акция", "15 апреля", "", "Школы района", "ЦРТДиЮ", "", "", ""},
		{"Урок мужества", "Встреча", time.Date(y, 2, 12, 0, 0, 0, 0, time.UTC), "", "СОШ №1", "СОШ №1", "", "", ""},
		{"Урок памяти", "Встреча", time.Date(y, 2, 13, 12, 30, 0, 0, time.UTC), time.Date(y, 2, 13, 14, 0, 0, 0, time.UTC), "СОШ №1", "Гимназия 5", "", "", time.Date(y, 2, 10, 0, 0, 0, 0, time.UTC)},
		{},
		{"Весёлые старты", "Соревнование", "20 мая 11:00", "2 часа", "Стадион", "Гимназя №5; ЦРТДИЮ", "30", "команда 6", ""},
		{"Конкурс чтецов", "конкурс", "01.03." + ys + " 10:00", "", "ЦРТДиЮ", "Гимназия№5", "", "", "25.02." + ys},
		{"Слёт отрядов ЮИД", "слёт", "1 июня в 10", "", "Лагерь", "Гибдд", "", "", ""},
		{"Фестиваль", "Праздник", "5.06." + ys[2:] + " 10:00", "", "ДК", "ЦРТДиЮ", "", "", ""},
		{"День знаний", "Праздник", "1 сентября 9:00", "", "Площадь", "СОШ 1", "", "", ""},
	}
	for i, r := range rows {
		for j, v := range r {
			ref, _ := excelize.CoordinatesToCellName(j+1, i+1)
			if err := f.SetCellValue("Sheet1", ref, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	h.say(coordinator, "/plan", "Заполните шаблон")
	m := h.sendDoc(coordinator, "plan.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", buf.Bytes(), "Прочитан")
	text := m.PlainText()
	for _, want := range []string{
		"Прочитано 9 строк плана.",
		"Не подходит 1 строка",
		"7. Весёлые старты — нет организации «Гимназя №5». Может быть: «Гимназия №5»?",
		"Готово 8 строк",
		"3. Весенняя неделя добра — 15 апреля, 10:00 · ЦРТДиЮ (время не указано — поставлено 10:00, поправьте в черновике)",
		"4. Урок мужества — 12 февраля, 10:00 · СОШ №1 (время не указано — поставлено 10:00, поправьте в черновике)",
		"2. Безопасное колесо — 15 апреля, 10:00 · ГИБДД, СОШ №1",
		"5. Урок памяти — 13 февраля, 12:30 · Гимназия №5",
		"11. День знаний — 1 сентября, 09:00 · СОШ №1",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the report lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "НАЗВАНИЕ") {
		t.Errorf("the header is reported as a row:\n%s", text)
	}
	if strings.Contains(text, "2. Безопасное колесо — 15 апреля, 10:00 · ГИБДД, СОШ №1 (") {
		t.Errorf("a start with its time is marked as having none:\n%s", text)
	}
	h.press(coordinator, "✅ Создать 8 черновиков", "Создано 8 черновиков")
	if d := h.drafts(); len(d) != 8 || len(d["Урок мужества"]) != 1 || !d["Урок мужества"][0].Start.Equal(time.Date(y, 2, 12, 10, 0, 0, 0, moscowZone)) || len(d["Урок памяти"]) != 1 || !d["Урок памяти"][0].Deadline.Equal(time.Date(y, 2, 10, 23, 59, 0, 0, moscowZone)) {
		t.Errorf("drafts: %v", d)
	}
}

// TestCopyEventYearButtonTwice: a coordinator presses «🔁 Повторить»
// twice and continues, so two questions stand in the chat; «На год вперёд» under the
// second makes the copy, and the same button under the first, pressed
// afterwards, is an old button: it is answered and makes no second copy.
func TestCopyEventYearButtonTwice(t *testing.T) {
	h := newHarness(t, nil)
	ids := planSetup(h)
	src := h.lastYearsWheel(ids)
	h.say(coordinator, fmt.Sprintf("/start e%d", src.ID), "Безопасное колесо")
	h.press(coordinator, "🔁 Повторить", "Повторить «Безопасное колесо»")
	h.press(coordinator, "🔁 Повторить", "Вы ещё не закончили")
	h.press(coordinator, "▶️ Продолжить", "Повторить «Безопасное колесо»")
	var questions []telegramtest.Message
	for _, m := range h.tg.BotMessages(coordinator.ID) {
		if strings.Contains(m.PlainText(), "Повторить «Безопасное колесо»") {
			questions = append(questions, m)
		}
	}
	if len(questions) != 2 {
		t.Fatalf("%d questions", len(questions))
	}
	label := "📅 На год вперёд: " + plainText(h.bot.catalog.For("ru").DateYear(src.Start.In(moscowZone).AddDate(1, 0, 0)))
	h.press(coordinator, label, "Изменение мероприятия")
	if n := len(h.copies(src)); n != 1 {
		t.Fatalf("%d copies after the first press", n)
	}
	q, err := h.tg.PressButtonOn(coordinator, coordinator.ID, questions[0].ID, label)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.tg.WaitCallbackAnswered(h.ctx(), q); err != nil {
		t.Fatal(err)
	}
	if n := len(h.copies(src)); n != 1 {
		t.Errorf("%d copies after the old button: one press, one copy", n)
	}
}

// TestReportFileNamedByPeriod: the workbook of the report is named by its
// period as the message names it, so that a methodologist who keeps a
// year's, a quarter's and her own dates' files in one folder tells them
// apart: not «Охват 2027.xlsx» for 2027/28 nor «Охват 2028-1.xlsx».
func TestReportFileNamedByPeriod(t *testing.T) {
	h := newHarness(t, nil)
	sd := seedReport(t, h)
	yearLabel := fmt.Sprintf("%d/%02d учебный год", sd.year, (sd.year+1)%100)
	h.say(admin, "/report", "За какой период?")
	h.press(admin, "📅 "+yearLabel, "Охват: "+yearLabel)
	doc := h.driver().Expect(admin.ID, 0, "Отчёт об охвате: "+yearLabel)
	if want := fmt.Sprintf("Охват — %d-%02d учебный год.xlsx", sd.year, (sd.year+1)%100); doc.Document == nil || doc.Document.Name != want {
		t.Errorf("the year's file is %+v; want %q", doc.Document, want)
	}
	h.say(admin, "/report", "За какой период?")
	h.press(admin, "Квартал", "За какой период?")
	q := fmt.Sprintf("I квартал %d", sd.year+1)
	h.press(admin, q, "Охват: "+q)
	doc = h.driver().Expect(admin.ID, 0, "Отчёт об охвате: "+q)
	if want := "Охват — " + q + ".xlsx"; doc.Document == nil || doc.Document.Name != want {
		t.Errorf("the quarter's file is %+v; want %q", doc.Document, want)
	}
	h.say(admin, "/report", "За какой период?")
	h.press(admin, "✍️ Свои даты", "Напишите первый и последний день периода")
	dates := fmt.Sprintf("1 сентября %d – 31 декабря %d", sd.year, sd.year)
	h.say(admin, fmt.Sprintf("01.09.%d-31.12.%d", sd.year, sd.year), "Охват: "+dates)
	doc = h.driver().Expect(admin.ID, 0, "Отчёт об охвате: "+dates)
	if want := "Охват — " + dates + ".xlsx"; doc.Document == nil || doc.Document.Name != want {
		t.Errorf("the dates' file is %+v; want %q", doc.Document, want)
	}
}

// TestReportOfAnOrganisationWithoutEvents: the coordinator of a school
// that organised nothing this year asks for the report: the message does
// not promise a chart that is not sent, nor show attendance as
// «— (пришли 0 из 0 отмеченных)».
func TestReportOfAnOrganisationWithoutEvents(t *testing.T) {
	h := newHarness(t, nil)
	sd := seedReport(t, h)
	sc := telegramtest.User{ID: 4444, FirstName: "Фатима", LanguageCode: "ru"}
	h.makeCoordinator(sc, sd.orgs["СОШ №1"])
	yearLabel := fmt.Sprintf("%d/%02d учебный год", sd.year, (sd.year+1)%100)
	h.say(sc, "/report", "За какой период?")
	_, m := h.press(sc, "📅 "+yearLabel, "Охват: "+yearLabel, "мероприятия СОШ №1", "Мероприятий проведено: 0",
		"Явка: никто ещё не отмечен", "Таблица со всеми разрезами — ниже.")
	if strings.Contains(m.PlainText(), "диаграмма") || strings.Contains(m.PlainText(), "из 0 отмеченных") {
		t.Errorf("the message:\n%s", m.PlainText())
	}
	h.driver().Expect(sc.ID, 0, "Отчёт об охвате: "+yearLabel)
	for _, bm := range h.tg.BotMessages(sc.ID) {
		if bm.Photo != nil {
			t.Error("a chart of nothing was sent")
		}
	}
	// The admin's district report still promises and sends the chart.
	h.say(admin, "/report", "За какой период?")
	h.press(admin, "📅 "+yearLabel, "Явка: 50%", "Таблица со всеми разрезами и диаграмма — ниже.")
	h.driver().Expect(admin.ID, 0, "Обучающиеся по организациям: "+yearLabel)
}

// TestPlanKindsInThePlural: a plan's kind column as people fill it, in
// the plural («Соревнования», «Конкурсы», «Акции», «Мастер-классы»): the
// rows are read as their kinds; a word near no kind is still refused.
func TestPlanKindsInThePlural(t *testing.T) {
	h := newHarness(t, nil)
	planSetup(h)
	y := fmt.Sprint(planYear(h))
	csv := "Весёлые старты;Соревнования;20.05." + y + " 11:00;;Стадион;ГИБДД;;;\n" +
		"Конкурс чтецов;Конкурсы;01.03." + y + " 10:00;;ЦРТДиЮ;ГИБДД;;;\n" +
		"Неделя добра;акции;02.03." + y + " 10:00;;Школы;ГИБДД;;;\n" +
		"Лепка из глины;Мастер-классы;03.03." + y + " 10:00;;ЦРТДиЮ;ГИБДД;;;\n" +
		"Субботник;Уборка;04.03." + y + " 10:00;;Парк;ГИБДД;;;\n"
	h.say(coordinator, "/plan", "Заполните шаблон")
	m := h.sendDoc(coordinator, "plan.csv", "text/csv", []byte(csv), "Прочитано 5 строк")
	if !strings.Contains(m.PlainText(), "5. Субботник — неизвестный вид «Уборка»") || !strings.Contains(m.PlainText(), "Готовы 4 строки") {
		t.Fatalf("the report:\n%s", m.PlainText())
	}
	h.press(coordinator, "✅ Создать 4 черновика", "Создано 4 черновика")
	d := h.drafts()
	for title, kind := range map[string]storage.EventKind{"Весёлые старты": storage.EventCompetition, "Конкурс чтецов": storage.EventContest,
		"Неделя добра": storage.EventCampaign, "Лепка из глины": storage.EventMasterClass} {
		if len(d[title]) != 1 || d[title][0].Kind != kind {
			t.Errorf("%s: %+v", title, d[title])
		}
	}
}

// TestReportChartTitleFits: the chart of a typed period with long month
// names keeps its title inside the picture: the period goes on a line of
// its own (on one line «Охват обучающихся, 28 сентября 2027 – 30 октября
// 2027» ran into the picture's edges on a phone).
func TestReportChartTitleFits(t *testing.T) {
	h := newHarness(t, nil)
	sd := seedReport(t, h)
	h.say(admin, "/report", "За какой период?")
	h.press(admin, "✍️ Свои даты", "Напишите первый и последний день периода")
	dates := fmt.Sprintf("28 сентября %d – 30 октября %d", sd.year, sd.year)
	h.say(admin, fmt.Sprintf("28.09.%d – 30.10.%d", sd.year, sd.year), "Охват: "+dates)
	pic := h.driver().Expect(admin.ID, 0, "Обучающиеся по организациям: "+dates)
	if pic.Photo == nil {
		t.Fatalf("no chart: %+v", pic)
	}
	img, err := png.Decode(bytes.NewReader(pic.Photo.Content))
	if err != nil {
		t.Fatal(err)
	}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Min.Y+160; y++ {
		for _, x := range []int{b.Min.X, b.Min.X + 1, b.Min.X + 2, b.Max.X - 3, b.Max.X - 2, b.Max.X - 1} {
			if r, g, bl, _ := img.At(x, y).RGBA(); r < 0xf000 || g < 0xf000 || bl < 0xf000 {
				t.Fatalf("the title touches the picture's edge at (%d, %d)", x, y)
			}
		}
	}
}

// TestPlanReportStaysAfterCreate: after «Создать N черновиков» the report
// with the rows that did not fit (and why) stays in the chat, its buttons
// gone, and the result comes as a new message: the coordinator fixes
// those rows next and must still see them.
func TestPlanReportStaysAfterCreate(t *testing.T) {
	h := newHarness(t, nil)
	planSetup(h)
	y := fmt.Sprint(planYear(h))
	csv := "Олимпиада по ПДД;Конкурс;01.03." + y + " 10:00;;СОШ №1;ГИБДД;;;\n" +
		"Весна идёт;Выставка;31.04." + y + " 10:00;;ЦРТДиЮ;ЦРТДиЮ;;;\n"
	h.say(coordinator, "/plan", "Заполните шаблон")
	report := h.sendDoc(coordinator, "plan.csv", "text/csv", []byte(csv), "Готова 1 строка")
	h.press(coordinator, "✅ Создать 1 черновик", "Создан 1 черновик")
	var after *telegramtest.Message
	for _, m := range h.tg.BotMessages(coordinator.ID) {
		if m.ID == report.ID {
			after = &m
		}
	}
	if after == nil {
		t.Fatal("the report is gone")
	}
	if !strings.Contains(after.PlainText(), "2. Весна идёт — Начало: В апреле 30 дней") || len(after.Buttons) != 0 {
		t.Errorf("the report after the confirmation: %s %q", after.PlainText(), labels(*after))
	}
	if !strings.Contains(after.Text, "<b>") && strings.Contains(report.Text, "<b>") {
		t.Errorf("the report lost its formatting: %q", after.Text)
	}
	if d := h.drafts(); len(d) != 1 || len(d["Олимпиада по ПДД"]) != 1 {
		t.Errorf("drafts: %v", d)
	}
}
