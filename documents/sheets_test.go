package documents_test

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"vmeste/documents"
	"vmeste/documents/pdftest"
	"vmeste/locales"
)

// dayOf is the sheet of «Безопасное колесо» with n participants: every
// third a team with pupils, some with long names and schools.
func dayOf(n int) documents.Sheet {
	s := documents.Sheet{
		Operator:   "МКУ «Управление образования» местной администрации Эльбрусского муниципального района",
		Event:      "Безопасное колесо — 2027",
		Organisers: []string{"Отдел ГИБДД ОМВД России по Эльбрусскому району", "МБУ «ЦРТДиЮ» им. Моккаева"},
		Place:      "г.п. Тырныауз, стадион «Тырныауз»",
		Start:      time.Date(2027, 4, 15, 10, 0, 0, 0, moscow),
	}
	results := []string{"1 место", "2 место", "3 место", "Лауреат", ""}
	for i := 1; i <= n; i++ {
		r := documents.Row{
			Name:   fmt.Sprintf("Участникова Мария Ивановна %d", i),
			School: fmt.Sprintf("МОУ «СОШ № %d» г.п. Тырныауз", i),
			Result: results[i%len(results)],
		}
		if i%3 == 0 {
			r.Name = fmt.Sprintf("Команда ЮИД «Светофор-%d» (рук. Кузьмина С. П.)", i)
			r.Pupils = []string{"Хаджиев Алим, 5 «А»", "Тебердиева Залина, 5 «Б»", "Гуртуев Ислам, 6 «А»"}
		}
		if i%7 == 0 {
			r.School = "Муниципальное казённое общеобразовательное учреждение «Средняя общеобразовательная школа № 6 им. А. А. Атмурзаева»"
		}
		s.Rows = append(s.Rows, r)
	}
	return s
}

func writeSheet(t *testing.T, name string, f func(*bytes.Buffer) error) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := f(&buf); err != nil {
		t.Fatalf("write: %v", err)
	}
	if dir := os.Getenv("DOCS_DUMP"); dir != "" {
		_ = os.WriteFile(dir+"/"+name+".pdf", buf.Bytes(), 0o644)
	}
	return buf.Bytes()
}

// sheetMargin is the least margin of a sheet's page (the page number's
// line), in points: 7 mm, inside what office printers print.
const sheetMargin = 7 * 72 / 25.4

func TestSignInSheetOfHundred(t *testing.T) {
	p := printer(t, locales.Russian)
	s := dayOf(100)
	data := writeSheet(t, "signin-100", func(b *bytes.Buffer) error { return s.WriteSignIn(b, p) })
	pages := pdftest.Pages(t, data)
	if pages < 3 {
		t.Fatalf("pages = %d, want several for 100 rows", pages)
	}
	words := inside(t, data, sheetMargin)
	text := flat(t, data)
	for _, want := range []string{
		"ЛИСТ РЕГИСТРАЦИИ УЧАСТНИКОВ", "«Безопасное колесо — 2027»", "Дата и время: 15 апреля 2027, 10:00",
		"Место проведения: г.п. Тырныауз, стадион «Тырныауз»",
		"Организаторы: Отдел ГИБДД ОМВД России по Эльбрусскому району, МБУ «ЦРТДиЮ» им. Моккаева",
		"1. Хаджиев Алим, 5 «А»", "3. Гуртуев Ислам, 6 «А»",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("no %q in:\n%s", want, text)
		}
	}
	everyName(t, s, words)
	perPage(t, words, pages, "Подпись")
}

// everyName checks that every row's name is on the sheet: its words in
// order, wherever its cell wrapped them.
func everyName(t *testing.T, s documents.Sheet, words []pdftest.Word) {
	t.Helper()
	var all []string
	for _, w := range words {
		all = append(all, w.Text)
	}
	joined := " " + strings.Join(all, " ") + " "
	for i, r := range s.Rows {
		if !strings.Contains(joined, " "+r.Name+" ") {
			t.Errorf("row %d: no %q", i+1, r.Name)
		}
	}
}

// perPage checks that every page has the table's heading (the column
// word) and «Стр. N из M».
func perPage(t *testing.T, words []pdftest.Word, pages int, column string) {
	t.Helper()
	text := make([]string, pages)
	for _, w := range words {
		text[w.Page-1] += " " + w.Text
	}
	for i, pg := range text {
		if !strings.Contains(pg, column) || !strings.Contains(pg, "Участник") || !strings.Contains(pg, "Организация") {
			t.Errorf("page %d has no table heading: %s", i+1, pg)
		}
		if want := fmt.Sprintf("Стр. %d из %d", i+1, pages); !strings.Contains(pg, want) {
			t.Errorf("page %d has no %q", i+1, want)
		}
	}
}

func TestProtocolOfHundred(t *testing.T) {
	p := printer(t, locales.Russian)
	s := dayOf(100)
	data := writeSheet(t, "protocol-100", func(b *bytes.Buffer) error { return s.WriteProtocol(b, p) })
	pages := pdftest.Pages(t, data)
	if pages < 3 {
		t.Fatalf("pages = %d, want several for 100 rows", pages)
	}
	words := inside(t, data, sheetMargin)
	text := flat(t, data)
	for _, want := range []string{"ПРОТОКОЛ ПОДВЕДЕНИЯ ИТОГОВ", "Результат", "Председатель жюри", "Члены жюри:",
		"Хаджиев Алим, 5 «А», Тебердиева Залина, 5 «Б», Гуртуев Ислам, 6 «А»"} {
		if !strings.Contains(text, want) {
			t.Errorf("no %q in:\n%s", want, text)
		}
	}
	everyName(t, s, words)
	// Rows keep the caller's order, each with its result (a teacher's
	// name is one line: the text finds it).
	last := -1
	for i, r := range s.Rows {
		if len(r.Pupils) > 0 {
			continue
		}
		at := strings.Index(text, r.Name+" ")
		if at < last {
			t.Errorf("row %d %q is out of order", i+1, r.Name)
		}
		last = at
		if r.Result != "" && !strings.Contains(text[at:], r.Result) {
			t.Errorf("row %d: no result %q after it", i+1, r.Result)
		}
	}
	perPage(t, words, pages, "Результат")
	// The jury signs on the last page, below the last row.
	var chair, lastRow pdftest.Word
	for _, w := range words {
		if w.Text == "Председатель" {
			chair = w
		}
		if w.Text == "100" && w.XMax < 120 {
			lastRow = w
		}
	}
	if chair.Page != pages || (lastRow.Page == pages && chair.YMin < lastRow.YMax) {
		t.Errorf("the jury (page %d, y %.0f) is not after the last row (page %d, y %.0f) on the last page %d",
			chair.Page, chair.YMin, lastRow.Page, lastRow.YMax, pages)
	}
}

// A row never splits across pages: a team of 40 pupils is whole on one
// page, and every page's cells stay inside it.
func TestSheetRowNeverSplits(t *testing.T) {
	p := printer(t, locales.Russian)
	s := dayOf(12)
	var team []string
	for i := 1; i <= 40; i++ {
		team = append(team, fmt.Sprintf("Ученик Номер-%d", i))
	}
	s.Rows[10].Pupils = team
	data := writeSheet(t, "signin-team", func(b *bytes.Buffer) error { return s.WriteSignIn(b, p) })
	words := inside(t, data, sheetMargin)
	pageOf := map[string]int{}
	for _, w := range words {
		if strings.HasPrefix(w.Text, "Номер-") {
			pageOf[w.Text] = w.Page
		}
	}
	if len(pageOf) != 40 {
		t.Fatalf("found %d of 40 pupils", len(pageOf))
	}
	for name, pg := range pageOf {
		if pg != pageOf["Номер-1,"] && pg != pageOf["Номер-1"] {
			t.Errorf("%s is on page %d, the team starts on page %d", name, pg, pageOf["Номер-1"])
		}
	}
	if pdftest.Pages(t, data) < 2 {
		t.Error("a 40-pupil team after 10 rows should start a new page")
	}
}

// An empty list still prints the heading, the table's heading, and for
// the protocol the jury's lines, on one page; the English catalog has
// every word.
func TestEmptySheetAndEnglish(t *testing.T) {
	s := dayOf(0)
	ru := printer(t, locales.Russian)
	data := writeSheet(t, "protocol-0", func(b *bytes.Buffer) error { return s.WriteProtocol(b, ru) })
	if n := pdftest.Pages(t, data); n != 1 {
		t.Errorf("pages = %d, want 1", n)
	}
	if text := flat(t, data); !strings.Contains(text, "Председатель жюри") || !strings.Contains(text, "Стр. 1 из 1") {
		t.Errorf("empty protocol: %s", text)
	}
	en := printer(t, locales.English)
	s = dayOf(5)
	for name, f := range map[string]func(*bytes.Buffer) error{
		"signin-en":   func(b *bytes.Buffer) error { return s.WriteSignIn(b, en) },
		"protocol-en": func(b *bytes.Buffer) error { return s.WriteProtocol(b, en) },
	} {
		text := flat(t, writeSheet(t, name, f))
		for _, want := range []string{"Participant", "Organisation", "Page 1 of 1", "Date and time: 15 April 2027, 10:00", "Venue:"} {
			if !strings.Contains(text, want) {
				t.Errorf("%s: no %q in:\n%s", name, want, text)
			}
		}
		if strings.Contains(text, "[doc_") {
			t.Errorf("%s: a missing locale key: %s", name, text)
		}
	}
}

// A heading as long as the caller can make it, and a first row as tall as
// a page: page 1 keeps the heading, the row goes whole to page 2.
func TestSheetHugeHeadingAndRow(t *testing.T) {
	p := printer(t, locales.Russian)
	s := dayOf(2)
	s.Operator = strings.Repeat("Управление образования местной администрации ", 8)
	s.Event = strings.Repeat("Очень длинное название мероприятия ", 12)
	for i := 0; i < 4; i++ {
		s.Organisers = append(s.Organisers, tenOrganisers()...)
	}
	for i := 1; i <= 60; i++ {
		s.Rows[0].Pupils = append(s.Rows[0].Pupils, fmt.Sprintf("Ученик Номер-%d", i))
	}
	data := writeSheet(t, "signin-huge", func(b *bytes.Buffer) error { return s.WriteSignIn(b, p) })
	words := inside(t, data, sheetMargin)
	pages := pdftest.Pages(t, data)
	if pages < 2 {
		t.Fatalf("pages = %d, want the tall row on a page of its own", pages)
	}
	perPage(t, words, pages, "Подпись")
}
