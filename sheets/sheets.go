package sheets

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
)

// Column is one column of a sheet: its header and its width in
// characters (0: excelize's default).
type Column struct {
	Title string
	Width float64
	// Wrap: the column's texts wrap within its width (long help texts).
	Wrap bool
}

// Day is a date without the time of day: written as «15.03.2027».
type Day time.Time

// Percent is a share written as a percentage cell: Percent(0.87) shows
// «87%».
type Percent float64

// Number formats of dates, as a Russian Excel shows them.
const (
	DateTimeFormat = "dd.mm.yyyy hh:mm"
	DateFormat     = "dd.mm.yyyy"
)

// Workbook is an XLSX file being written.
type Workbook struct {
	f   *excelize.File
	loc *time.Location
	// plain are the cells' styles; boxed the same with thin borders, for
	// a sheet printed as a table (Print.Grid), made when first needed.
	plain  styles
	boxed  *styles
	titles *titleStyles // made when a sheet first has a title
	sheets []*Sheet
}

// styles are the style ids of a sheet's cells.
type styles struct {
	bold int // the header
	when int // a date with the time
	day  int // a date alone
	wrap int // a text that wraps
	pct  int // a share as a percentage
	text int // any other value (0: excelize's default)
}

// Sheet is one sheet of a Workbook, written row by row.
type Sheet struct {
	w     *Workbook
	sw    *excelize.StreamWriter
	st    *styles
	grid  bool // every cell of a row boxed, empty ones too
	cols  int
	row   int
	cells []any     // reused by Row: SetRow copies what it writes
	wrap  []bool    // the columns whose texts wrap
	width []float64 // the columns' widths, for the height of wrapped rows
}

// New starts an empty workbook whose dates are shown in loc (nil: UTC).
func New(loc *time.Location) (*Workbook, error) {
	if loc == nil {
		loc = time.UTC
	}
	f := excelize.NewFile()
	w := &Workbook{f: f, loc: loc}
	st, err := newStyles(f, nil)
	if err != nil {
		return nil, err
	}
	w.plain = st
	return w, nil
}

// newStyles adds the cells' styles to f, each with border (nil: none).
func newStyles(f *excelize.File, border []excelize.Border) (styles, error) {
	var st styles
	var err error
	if st.bold, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Border: border,
		Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}}); err != nil {
		return st, fmt.Errorf("sheets: header style: %w", err)
	}
	dt, d := DateTimeFormat, DateFormat
	if st.when, err = f.NewStyle(&excelize.Style{CustomNumFmt: &dt, Border: border}); err != nil {
		return st, fmt.Errorf("sheets: date style: %w", err)
	}
	if st.day, err = f.NewStyle(&excelize.Style{CustomNumFmt: &d, Border: border}); err != nil {
		return st, fmt.Errorf("sheets: date style: %w", err)
	}
	if st.pct, err = f.NewStyle(&excelize.Style{NumFmt: 9, Border: border}); err != nil { // 0%
		return st, fmt.Errorf("sheets: percent style: %w", err)
	}
	if st.wrap, err = f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}, Border: border}); err != nil {
		return st, fmt.Errorf("sheets: wrap style: %w", err)
	}
	if border != nil {
		if st.text, err = f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{Vertical: "top"}, Border: border}); err != nil {
			return st, fmt.Errorf("sheets: cell style: %w", err)
		}
	}
	return st, nil
}

// NewSheet adds a sheet named name with the given columns: their widths
// set, the header written in bold and frozen above the rows.
func (w *Workbook) NewSheet(name string, cols []Column) (*Sheet, error) {
	return w.NewSheetLayout(name, cols, Layout{})
}

// NewSheetLayout is NewSheet with title lines above the header and a page
// setup for printing (layout.go).
func (w *Workbook) NewSheetLayout(name string, cols []Column, l Layout) (*Sheet, error) {
	if len(w.sheets) == 0 {
		// A new file has one sheet already: the first sheet is it, renamed.
		if err := w.f.SetSheetName(w.f.GetSheetName(0), name); err != nil {
			return nil, fmt.Errorf("sheets: sheet %q: %w", name, err)
		}
	} else if _, err := w.f.NewSheet(name); err != nil {
		return nil, fmt.Errorf("sheets: sheet %q: %w", name, err)
	}
	// The page setup goes in before the stream begins: the stream writes
	// the sheet's properties (fit to page) first.
	if err := w.pageSetup(name, l.Print, len(l.Title)+1); err != nil {
		return nil, err
	}
	sw, err := w.f.NewStreamWriter(name)
	if err != nil {
		return nil, fmt.Errorf("sheets: sheet %q: %w", name, err)
	}
	s := &Sheet{w: w, sw: sw, st: &w.plain, cols: len(cols), cells: make([]any, len(cols)),
		wrap: make([]bool, len(cols)), width: make([]float64, len(cols))}
	if l.Print != nil && l.Print.Grid {
		if w.boxed == nil {
			st, err := newStyles(w.f, thinBorder)
			if err != nil {
				return nil, err
			}
			w.boxed = &st
		}
		s.st, s.grid = w.boxed, true
	}
	for i, c := range cols {
		s.wrap[i], s.width[i] = c.Wrap, c.Width
	}
	// From the last column back: the stream writer puts each width before
	// those set already, so the file lists the columns in order, as the
	// format has them.
	for i := len(cols) - 1; i >= 0; i-- {
		if cols[i].Width > 0 {
			if err := sw.SetColWidth(i+1, i+1, cols[i].Width); err != nil {
				return nil, fmt.Errorf("sheets: sheet %q, column %d: %w", name, i+1, err)
			}
		}
	}
	headerRow := len(l.Title) + 1
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: headerRow, TopLeftCell: "A" + strconv.Itoa(headerRow+1),
		ActivePane: "bottomLeft"}); err != nil {
		return nil, fmt.Errorf("sheets: sheet %q: %w", name, err)
	}
	if err := s.title(l.Title); err != nil {
		return nil, fmt.Errorf("sheets: sheet %q title: %w", name, err)
	}
	header := make([]any, len(cols))
	for i, c := range cols {
		header[i] = excelize.Cell{StyleID: s.st.bold, Value: c.Title}
	}
	opts := s.height(header) // s.row 0: the header
	s.row = headerRow
	if err := sw.SetRow("A"+strconv.Itoa(headerRow), header, opts...); err != nil {
		return nil, fmt.Errorf("sheets: sheet %q header: %w", name, err)
	}
	w.sheets = append(w.sheets, s)
	return s, nil
}

// Row appends a row. Its values are strings, numbers, time.Time (a date
// with the time, in the workbook's zone; the zero time is an empty cell),
// Day, Percent, or nil (an empty cell); more values than the sheet has columns is
// an error. A row whose wrapping texts take more than a line is made as
// high as they need (estimated from the columns' widths).
func (s *Sheet) Row(values ...any) error {
	if len(values) > s.cols {
		return fmt.Errorf("sheets: row %d has %d values for %d columns", s.row+1, len(values), s.cols)
	}
	n := len(values)
	if s.grid {
		n = s.cols // the empty cells boxed too: a column to sign in
	}
	cells := s.cells[:n]
	for i := range cells {
		var v any
		if i < len(values) {
			v = values[i]
		}
		cells[i] = s.cell(i, v)
	}
	s.row++
	if err := s.sw.SetRow("A"+strconv.Itoa(s.row), cells, s.height(values)...); err != nil {
		return fmt.Errorf("sheets: row %d: %w", s.row, err)
	}
	return nil
}

// cell is value v as column i's cell.
func (s *Sheet) cell(i int, v any) any {
	st := s.st
	var empty any
	if s.grid {
		empty = excelize.Cell{StyleID: st.text}
	}
	switch v := v.(type) {
	case nil:
		return empty
	case time.Time:
		if v.IsZero() {
			return empty
		}
		// excelize writes the wall clock of the time's own zone. Whole
		// seconds: a fraction would round «20:58:59.7» up to 20:59 in
		// excelize's rendering, where Excel shows 20:58.
		return excelize.Cell{StyleID: st.when, Value: v.In(s.w.loc).Truncate(time.Second)}
	case Day:
		t := time.Time(v)
		if t.IsZero() {
			return empty
		}
		t = t.In(s.w.loc)
		return excelize.Cell{StyleID: st.day, Value: time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)}
	case Percent:
		return excelize.Cell{StyleID: st.pct, Value: float64(v)}
	case string:
		if s.wrap[i] {
			return excelize.Cell{StyleID: st.wrap, Value: v}
		}
	}
	if s.grid {
		return excelize.Cell{StyleID: st.text, Value: v}
	}
	return v
}

// Bytes ends every sheet and returns the workbook as an XLSX file. The
// workbook is closed after it, whatever the result.
func (w *Workbook) Bytes() ([]byte, error) {
	defer w.f.Close()
	for _, s := range w.sheets {
		if err := s.sw.Flush(); err != nil {
			return nil, fmt.Errorf("sheets: flush %q: %w", s.sw.Sheet, err)
		}
	}
	var buf bytes.Buffer
	if err := w.f.Write(&buf); err != nil {
		return nil, fmt.Errorf("sheets: write: %w", err)
	}
	return buf.Bytes(), nil
}

// Close drops the workbook unwritten (its temporary files, if any). It is
// safe after Bytes.
func (w *Workbook) Close() error { return w.f.Close() }

// CSV is one table as CSV in UTF-8 with a byte order mark and semicolons,
// as Excel opens it in Russia.
type CSV struct {
	buf bytes.Buffer
	w   *csv.Writer
	loc *time.Location
	rec []string
}

// NewCSV starts a CSV table with the columns' titles as its header; dates
// are written in loc (nil: UTC).
func NewCSV(loc *time.Location, cols []Column) (*CSV, error) {
	if loc == nil {
		loc = time.UTC
	}
	c := &CSV{loc: loc}
	c.buf.WriteString("\ufeff")
	c.w = csv.NewWriter(&c.buf)
	c.w.Comma = ';'
	c.w.UseCRLF = true
	header := make([]string, len(cols))
	for i, col := range cols {
		header[i] = col.Title
	}
	if err := c.w.Write(header); err != nil {
		return nil, fmt.Errorf("sheets: csv header: %w", err)
	}
	return c, nil
}

// Row appends a row of the values Sheet.Row takes: a time.Time as
// «15.03.2027 10:00» and a Day as «15.03.2027» in the table's zone, a
// number in digits (a decimal comma), nil as an empty field. A text that a
// spreadsheet would take for a formula (it begins with = or @, or with +
// or - not followed by a digit) gets a leading apostrophe.
func (c *CSV) Row(values ...any) error {
	c.rec = c.rec[:0]
	for _, v := range values {
		c.rec = append(c.rec, c.field(v))
	}
	if err := c.w.Write(c.rec); err != nil {
		return fmt.Errorf("sheets: csv row: %w", err)
	}
	return nil
}

func (c *CSV) field(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return Defuse(v)
	case time.Time:
		if v.IsZero() {
			return ""
		}
		return v.In(c.loc).Format("02.01.2006 15:04")
	case Day:
		t := time.Time(v)
		if t.IsZero() {
			return ""
		}
		return t.In(c.loc).Format("02.01.2006")
	case int:
		return strconv.Itoa(v)
	case int64:
		return strconv.FormatInt(v, 10)
	case float64:
		return strings.Replace(strconv.FormatFloat(v, 'f', -1, 64), ".", ",", 1)
	}
	return Defuse(fmt.Sprint(v))
}

// Defuse keeps a spreadsheet from running a text as a formula: one that
// begins with = or @, or with + or - not followed by a digit (a phone
// «+7…» stays as it is), gets a leading apostrophe.
func Defuse(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '@':
		return "'" + s
	case '+', '-':
		if len(s) == 1 || s[1] < '0' || s[1] > '9' {
			return "'" + s
		}
	}
	return s
}

// Bytes ends the table and returns the file.
func (c *CSV) Bytes() ([]byte, error) {
	c.w.Flush()
	if err := c.w.Error(); err != nil {
		return nil, fmt.Errorf("sheets: csv: %w", err)
	}
	return c.buf.Bytes(), nil
}
