package documents

import (
	"io"
	"strconv"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"

	"vmeste/locales"
)

// Row is one participant of a sheet for the day.
type Row struct {
	Name   string // the teacher, or the team with its teacher
	Pupils []string
	School string
	// Result is the place in words («1 место», «Лауреат»), for the
	// protocol; "" for none.
	Result string
	// Attended is nil when not marked.
	Attended *bool
}

// Sheet is a sign-in sheet or a results protocol of one event.
type Sheet struct {
	Operator   string
	Event      string
	Organisers []string
	Place      string
	Start      time.Time
	Rows       []Row
}

// WriteSignIn prints the sign-in sheet (лист регистрации: №, participant,
// organisation, a column to sign) as A4 PDF pages to w. A team is one row
// signed by its teacher, with its pupils one per line under the name, so
// that whoever stands at the door can tick them off.
func (s Sheet) WriteSignIn(w io.Writer, p locales.Printer) error {
	cols := []column{
		{plain(p, "doc_col_no"), 10, "C"},
		{plain(p, "doc_col_participant"), 74, "L"},
		{plain(p, "doc_col_org"), 56, "L"},
		{plain(p, "doc_col_signature"), 40, "C"},
	}
	return s.write(w, p, plain(p, "doc_signin_title"), cols, false)
}

// WriteProtocol prints the results protocol (№, participant,
// organisation, result) as A4 PDF pages to w, rows in the order given,
// then the jury's signature lines. Pupils follow a team's name in one
// paragraph.
func (s Sheet) WriteProtocol(w io.Writer, p locales.Printer) error {
	cols := []column{
		{plain(p, "doc_col_no"), 10, "C"},
		{plain(p, "doc_col_participant"), 80, "L"},
		{plain(p, "doc_col_org"), 58, "L"},
		{plain(p, "doc_col_result"), 32, "C"},
	}
	return s.write(w, p, plain(p, "doc_protocol_title"), cols, true)
}

// The sheet's page: A4 portrait, its margins, and where the page number
// goes.
const (
	sheetW      = 210.0
	sheetH      = 297.0
	sheetMargin = 15.0
	sheetBottom = sheetH - 18 // the table and the jury stop here
	pageNumberY = sheetH - 12
	runningH    = 7.0 // the event's title atop pages after the first
	juryH       = 42.0
)

// sheetPage is which rows a page holds, and whether the jury's lines end
// it.
type sheetPage struct {
	first, end int
	jury       bool
}

func (s Sheet) write(w io.Writer, p locales.Printer, title string, cols []column, protocol bool) error {
	pdf := newPDF(Portrait)
	stamp(pdf, title+" "+printable(s.Event), printable(s.Operator), s.Start)
	width := sheetW - 2*sheetMargin

	// Measure everything before the first page: the header, the heading
	// row and every row; then share the rows out to pages.
	header := fitBlocks(pdf, s.header(p, title), width, 110)
	headerH := total(header) + 4
	var head [][]para
	for _, c := range cols {
		head = append(head, []para{{text: c.title, style: "B", pt: 10}})
	}
	headRow := newRow(pdf, cols, head, 8, 40)
	// A row never splits, so none may be taller than a page's room.
	maxRow := sheetBottom - sheetMargin - runningH - headRow.h
	minRow := 8.0
	if !protocol {
		minRow = 11 // room to sign
	}
	rows := make([]tableRow, len(s.Rows))
	for i, r := range s.Rows {
		rows[i] = newRow(pdf, cols, s.cells(i, r, protocol), minRow, maxRow)
	}

	var pages []sheetPage
	top := sheetMargin + headerH
	cur := sheetPage{}
	y := top + headRow.h
	for i, r := range rows {
		// A row that does not fit goes to the next page; so does the first
		// row, when a long heading leaves it no room on page 1.
		if y+r.h > sheetBottom && (i > cur.first || len(pages) == 0) {
			cur.end = i
			pages = append(pages, cur)
			cur = sheetPage{first: i}
			y = sheetMargin + runningH + headRow.h
		}
		y += r.h
	}
	cur.end = len(rows)
	if protocol {
		if y+6+juryH > sheetBottom {
			pages = append(pages, cur)
			cur = sheetPage{first: len(rows), end: len(rows)}
		}
		cur.jury = true
	}
	pages = append(pages, cur)

	for n, pg := range pages {
		pdf.AddPage()
		y := sheetMargin + runningH
		if n == 0 {
			drawBlocks(pdf, header, sheetMargin, sheetMargin, width, total(header))
			y = top
		} else {
			s.running(pdf, width)
		}
		if pg.end > pg.first || n == 0 {
			headRow.draw(pdf, cols, sheetMargin, y, true)
			y += headRow.h
		}
		for _, r := range rows[pg.first:pg.end] {
			r.draw(pdf, cols, sheetMargin, y, false)
			y += r.h
		}
		if pg.jury {
			jury(pdf, p, sheetMargin, y+8)
		}
		textInk(pdf, inkGrey)
		pdf.SetFont(fontFamily, "", 9)
		pdf.SetXY(sheetMargin, pageNumberY)
		pdf.CellFormat(width, 5, plain(p, "doc_page", "Page", n+1, "Pages", len(pages)), "", 0, "R", false, 0, "")
	}
	return finish(pdf, w)
}

// header is the first page's heading: the operator, the sheet's title, the
// event, when and where, the organisers.
func (s Sheet) header(p locales.Printer, title string) []block {
	var when, place string
	if !s.Start.IsZero() {
		when = plain(p, "doc_sheet_when", "When", locales.HTML(p.DateYear(s.Start)))
	}
	if pl := printable(s.Place); pl != "" {
		place = plain(p, "doc_sheet_place", "Place", pl)
	}
	var event string
	if e := printable(s.Event); e != "" {
		event = plain(p, "doc_event_untyped", "Event", e)
	}
	return []block{
		{text: printable(s.Operator), size: 11, min: 8, ink: inkBlack},
		{text: title, style: "B", size: 15, min: 11, gap: 4, ink: inkBlack},
		{text: event, style: "B", size: 13, min: 9, gap: 2, ink: inkBlack},
		{text: when, size: 11, min: 8, gap: 2, ink: inkBlack},
		{text: place, size: 11, min: 8, ink: inkBlack},
		{text: organisers(p, s.Organisers), style: "I", size: 10, min: 7, gap: 1, ink: inkBlack, cut: true},
	}
}

// cells is a row's paragraphs: its number, the participant with the
// pupils, the organisation, and the result (protocol) or nothing (the
// column to sign).
func (s Sheet) cells(i int, r Row, protocol bool) [][]para {
	who := []para{{text: printable(r.Name), style: "B", pt: 10.5}}
	pupils := printableAll(r.Pupils)
	if protocol {
		who = append(who, para{text: strings.Join(pupils, ", "), pt: 9})
	} else {
		for k, name := range pupils {
			who = append(who, para{text: strconv.Itoa(k+1) + ". " + name, pt: 9})
		}
	}
	var result []para
	if protocol {
		result = []para{{text: printable(r.Result), style: "B", pt: 10.5}}
	}
	return [][]para{
		{{text: strconv.Itoa(i + 1), pt: 10.5}},
		who,
		{{text: printable(r.School), pt: 10}},
		result,
	}
}

// running prints the event's title in small type atop a page after the
// first, so that a loose page still says what it is of.
func (s Sheet) running(pdf *fpdf.Fpdf, width float64) {
	pdf.SetFont(fontFamily, "I", 9)
	textInk(pdf, inkGrey)
	t := printable(s.Event)
	if pdf.GetStringWidth(t) > width {
		t = ellipsis(pdf, string([]rune(t)[:min(len([]rune(t)), 140)]), width)
	}
	pdf.SetXY(sheetMargin, sheetMargin)
	pdf.CellFormat(width, 5, t, "", 0, "L", false, 0, "")
}

// jury prints the jury's signature lines: the chair, and three lines for
// its members.
func jury(pdf *fpdf.Fpdf, p locales.Printer, x, y float64) {
	textInk(pdf, inkBlack)
	drawInk(pdf, inkBlack)
	pdf.SetLineWidth(0.25)
	pdf.SetFont(fontFamily, "B", 11)
	signLine := func(label string, y float64) {
		w := 0.0
		if label != "" {
			pdf.SetXY(x, y)
			w = pdf.GetStringWidth(label) + 3
			pdf.CellFormat(w, 6, label, "", 0, "L", false, 0, "")
		}
		lx := x + 52
		pdf.Line(lx, y+5.5, lx+45, y+5.5)
		pdf.SetXY(lx+45, y)
		pdf.CellFormat(6, 6, "/", "", 0, "C", false, 0, "")
		pdf.Line(lx+51, y+5.5, lx+110, y+5.5)
	}
	signLine(plain(p, "doc_jury_chair"), y)
	pdf.SetFont(fontFamily, "B", 11)
	signLine(plain(p, "doc_jury_members"), y+10)
	signLine("", y+20)
	signLine("", y+30)
}
