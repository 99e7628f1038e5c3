package bot

import (
	"fmt"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"vmeste/locales"
	"vmeste/storage"
)

// The template of the annual plan: a sheet with the header and two rows of
// the district program as examples (dates as real dates), and a sheet that
// says how to fill it and lists the allowed values.

// sheetWriter is the little of excelize the template needs: cells written
// row after row, a bold frozen header, column widths.
type sheetWriter struct {
	f     *excelize.File
	sheet string
	row   int
	bold  int
	date  int
	wrap  int
}

// newWorkbook starts a workbook whose first sheet is named first.
func newWorkbook(first string) (*sheetWriter, error) {
	f := excelize.NewFile()
	if err := f.SetSheetName("Sheet1", first); err != nil {
		return nil, fmt.Errorf("bot: workbook: %w", err)
	}
	w := &sheetWriter{f: f, sheet: first}
	var err error
	if w.bold, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}}); err != nil {
		return nil, fmt.Errorf("bot: workbook: %w", err)
	}
	fmtDate := "dd.mm.yyyy hh:mm"
	if w.date, err = f.NewStyle(&excelize.Style{CustomNumFmt: &fmtDate}); err != nil {
		return nil, fmt.Errorf("bot: workbook: %w", err)
	}
	if w.wrap, err = f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}}); err != nil {
		return nil, fmt.Errorf("bot: workbook: %w", err)
	}
	return w, nil
}

// addSheet makes name the sheet written next.
func (w *sheetWriter) addSheet(name string) error {
	if _, err := w.f.NewSheet(name); err != nil {
		return fmt.Errorf("bot: workbook sheet: %w", err)
	}
	w.sheet, w.row = name, 0
	return nil
}

// put writes the next row: strings, ints and times (as real dates in the
// sheet's date format); style is applied to the row's cells (0: none).
func (w *sheetWriter) put(style int, values ...any) error {
	w.row++
	for i, v := range values {
		ref, err := excelize.CoordinatesToCellName(i+1, w.row)
		if err != nil {
			return err
		}
		s := style
		if t, ok := v.(time.Time); ok {
			// Wall time as the sheet shows it: Excel has no zones.
			v = time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), 0, 0, time.UTC)
			s = w.date
		}
		if err := w.f.SetCellValue(w.sheet, ref, v); err != nil {
			return err
		}
		if s != 0 {
			if err := w.f.SetCellStyle(w.sheet, ref, ref, s); err != nil {
				return err
			}
		}
	}
	return nil
}

// header writes a bold row and freezes the sheet below it.
func (w *sheetWriter) header(names ...string) error {
	values := make([]any, len(names))
	for i, n := range names {
		values[i] = n
	}
	if err := w.put(w.bold, values...); err != nil {
		return err
	}
	return w.f.SetPanes(w.sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
}

// widths sets the sheet's column widths, from column A.
func (w *sheetWriter) widths(chars ...float64) error {
	for i, c := range chars {
		col, err := excelize.ColumnNumberToName(i + 1)
		if err != nil {
			return err
		}
		if err := w.f.SetColWidth(w.sheet, col, col, c); err != nil {
			return err
		}
	}
	return nil
}

// bytes is the workbook as an .xlsx file, with its first sheet active.
func (w *sheetWriter) bytes() ([]byte, error) {
	defer w.f.Close()
	w.f.SetActiveSheet(0)
	buf, err := w.f.WriteToBuffer()
	if err != nil {
		return nil, fmt.Errorf("bot: workbook: %w", err)
	}
	return buf.Bytes(), nil
}

// nextDate is the first day.month at hour:minute after now, in loc.
func nextDate(now time.Time, loc *time.Location, month time.Month, day, hour, minute int) time.Time {
	t := time.Date(now.In(loc).Year(), month, day, hour, minute, 0, 0, loc)
	if !t.After(now) {
		t = t.AddDate(1, 0, 0)
	}
	return t
}

// dayAt is t's day at hour:minute, in t's location.
func dayAt(t time.Time, hour, minute int) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), hour, minute, 0, 0, t.Location())
}

// planTemplate builds the template in p's language; the examples fall in
// the coming year.
func (b *Bot) planTemplate(p locales.Printer) ([]byte, error) {
	w, err := newWorkbook(p.T("plan_sheet_plan"))
	if err != nil {
		return nil, err
	}
	loc, now := b.cfg.Location, b.cfg.Now()
	cols := []string{"field_title", "field_kind", "field_start", "field_end", "field_place", "field_orgs", "field_capacity", "field_unit", "field_deadline"}
	names := make([]string, len(cols))
	for i, k := range cols {
		names[i] = p.T(k)
	}
	if err := w.header(names...); err != nil {
		return nil, err
	}
	wheel := nextDate(now, loc, time.April, 15, 10, 0)
	war := nextDate(now, loc, time.May, 5, 11, 0)
	if err := w.put(0, p.T("plan_example1_title"), p.T("ekind_"+string(storage.EventCompetition)), wheel, wheel.Add(3*time.Hour),
		p.T("plan_example1_place"), p.T("plan_example1_orgs"), 12, p.T("plan_team_up_to", "N", 4), dayAt(wheel.AddDate(0, 0, -5), 18, 0)); err != nil {
		return nil, err
	}
	if err := w.put(0, p.T("plan_example2_title"), p.T("ekind_"+string(storage.EventContest)), war, "",
		p.T("plan_example2_place"), p.T("plan_example2_orgs"), "", p.T("plan_individual"), dayAt(war.AddDate(0, 0, -10), 18, 0)); err != nil {
		return nil, err
	}
	if err := w.widths(34, 16, 17, 17, 26, 26, 8, 16, 17); err != nil {
		return nil, err
	}

	if err := w.addSheet(p.T("plan_sheet_help")); err != nil {
		return nil, err
	}
	if err := w.header(p.T("plan_help_column"), p.T("plan_help_what")); err != nil {
		return nil, err
	}
	var kinds []string
	for _, k := range storage.EventKinds {
		kinds = append(kinds, p.T("ekind_"+string(k)))
	}
	help := [][2]string{
		{p.T("field_title"), p.T("plan_help_title")},
		{p.T("field_kind"), p.T("plan_help_kind", "Kinds", strings.Join(kinds, "; "))},
		{p.T("field_start"), p.T("plan_help_start")},
		{p.T("field_end"), p.T("plan_help_end")},
		{p.T("field_place"), p.T("plan_help_place")},
		{p.T("field_orgs"), p.T("plan_help_orgs")},
		{p.T("field_capacity"), p.T("plan_help_capacity")},
		{p.T("field_unit"), p.T("plan_help_unit", "Individual", p.T("plan_individual"), "Team", p.T("plan_team_up_to", "N", 4))},
		{p.T("field_deadline"), p.T("plan_help_deadline")},
		{"", p.T("plan_help_after")},
	}
	for _, h := range help {
		if err := w.put(w.wrap, plainText(h[0]), plainText(h[1])); err != nil {
			return nil, err
		}
	}
	if err := w.widths(18, 90); err != nil {
		return nil, err
	}
	return w.bytes()
}
