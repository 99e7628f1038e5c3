package bot

import (
	"bytes"
	"context"
	"fmt"
	"image/color"
	"slices"
	"strings"
	"time"

	"github.com/go-telegram/bot/models"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"vmeste/locales"
	"vmeste/sheets"
	"vmeste/storage"
	"vmeste/telegram"
)

// The report's files: an XLSX workbook (a sheet of totals, one per cut,
// one of the organisations that never took part) and a PNG bar chart of
// the pupils reached by organisation, sized for a phone held upright.
// The workbook is written by package sheets, like every table the bot
// sends; the chart is left out when no organisation took part.

// Chart size in pixels (4:5, a phone's portrait photo) and how many
// organisations it shows.
const (
	chartWidth  = 1080
	chartHeight = 1350
	chartBars   = 12
)

// sendReportFiles sends the workbook and the chart.
func (b *Bot) sendReportFiles(ctx context.Context, r *Request, rp period, c storage.Coverage) error {
	p := r.P
	book, err := reportWorkbook(p, rp, c)
	if err != nil {
		return err
	}
	// Named by the period as people read it («Охват — 2026-27 учебный
	// год.xlsx», «Охват — IV квартал 2026.xlsx»), not by its code: «Охват
	// 2026.xlsx» read as the calendar year, «Охват 2026-4.xlsx» as nothing.
	name := zipName(plainText(p.T("report_file_name")+" — "+strings.ReplaceAll(rp.label(p), "/", "-"))) + ".xlsx"
	if _, err := b.sendMessage(ctx, r.ChatID, telegram.Message{
		Text:     p.T("report_xlsx_caption", "Period", rp.label(p)),
		Document: &models.InputFileUpload{Filename: name, Data: bytes.NewReader(book)},
	}); err != nil {
		return err
	}
	if len(c.ByOrg) == 0 {
		return nil
	}
	png, err := reportChart(p, rp, c)
	if err != nil {
		return err
	}
	_, err = b.sendMessage(ctx, r.ChatID, telegram.Message{
		Text:  p.T("report_chart_caption", "Period", rp.label(p)),
		Photo: &models.InputFileUpload{Filename: "report.png", Data: bytes.NewReader(png)},
	})
	return err
}

// reportColumns are the figures' columns of every cut's sheet, after the
// name.
var reportColumns = []string{"report_col_held", "report_col_cancelled", "report_col_orgs", "report_col_teachers",
	"report_col_pupils", "report_col_regs", "report_col_attendance", "report_col_winners", "report_col_laureates"}

func figureCells(f storage.CoverageFigures) []any {
	att := any("")
	if f.Marked > 0 {
		att = sheets.Percent(f.AttendanceRate() / 100)
	}
	return []any{f.EventsHeld, f.EventsCancelled, f.Orgs, f.Teachers, f.Pupils, f.Registrations, att, f.Winners, f.Laureates}
}

// reportWorkbook writes the report as an XLSX file: the totals beside the
// year before, a sheet per cut, and the organisations that never took
// part.
func reportWorkbook(p locales.Printer, rp period, c storage.Coverage) ([]byte, error) {
	w, err := sheets.New(time.UTC) // no dates in it
	if err != nil {
		return nil, fmt.Errorf("bot: report workbook: %w", err)
	}
	columns := func(first string, width float64, keys []string, widths float64) []sheets.Column {
		cols := []sheets.Column{{Title: first, Width: width}}
		for _, k := range keys {
			cols = append(cols, sheets.Column{Title: p.T(k), Width: widths})
		}
		return cols
	}
	sheet := func(name string, cols []sheets.Column, rows [][]any) error {
		s, err := w.NewSheet(name, cols)
		if err != nil {
			return err
		}
		for _, row := range rows {
			if err := s.Row(row...); err != nil {
				return err
			}
		}
		return nil
	}
	fail := func(err error) ([]byte, error) {
		_ = w.Close()
		return nil, fmt.Errorf("bot: report workbook: %w", err)
	}
	// Totals: this period and the year before, side by side.
	totals := [][]any{
		append([]any{rp.label(p)}, figureCells(c.Total)...),
		append([]any{p.T("report_row_previous")}, figureCells(c.Previous)...),
	}
	names := []string{p.T("report_sheet_total"), p.T("report_sheet_agency"), p.T("report_sheet_kind"), p.T("report_sheet_org"), p.T("report_sheet_absent")}
	if err := sheet(names[0], columns(p.T("report_col_period"), 44, reportColumns, 14), totals); err != nil {
		return fail(err)
	}
	for i, cut := range []string{cutAgency, cutKind, cutOrg} {
		var rows [][]any
		for _, l := range cutOf(c, cut) {
			rows = append(rows, append([]any{lineName(p, l)}, figureCells(l.CoverageFigures)...))
		}
		if err := sheet(names[i+1], columns(p.T("report_col_"+cut), 44, reportColumns, 14), rows); err != nil {
			return fail(err)
		}
	}
	var absent [][]any
	for _, o := range c.Absent {
		absent = append(absent, []any{o.Name, p.T("kind_" + string(o.Kind))})
	}
	if err := sheet(names[4], columns(p.T("report_col_o"), 60, []string{"report_col_org_kind"}, 16), absent); err != nil {
		return fail(err)
	}
	data, err := w.Bytes()
	if err != nil {
		return nil, fmt.Errorf("bot: report workbook: %w", err)
	}
	return data, nil
}

// reportChart draws the pupils reached by organisation (the first
// chartBars of the cut, most first from the top) as horizontal bars, in
// Liberation Sans (gonum's own font collection, embedded in the binary:
// it has Cyrillic), with labels large enough to read on a phone.
func reportChart(p locales.Printer, rp period, c storage.Coverage) ([]byte, error) {
	lines := c.ByOrg[:min(len(c.ByOrg), chartBars)]
	values := make(plotter.Values, len(lines))
	names := make([]string, len(lines))
	// The plot's Y axis goes up: the first line is drawn last, at the top.
	for i, l := range lines {
		j := len(lines) - 1 - i
		values[j] = float64(l.Pupils)
		names[j] = truncateRunes(lineName(p, l), 24)
	}
	pl := plot.New()
	sans := font.Font{Typeface: "Liberation", Variant: "Sans"}
	pl.Title.Text = p.T("report_chart_title", "Period", rp.label(p))
	pl.Title.TextStyle.Font = font.From(sans, 30)
	pl.Title.Padding = vg.Points(16)
	pl.X.Label.Text = p.T("report_chart_axis")
	pl.X.Label.TextStyle.Font = font.From(sans, 22)
	pl.X.Tick.Label.Font = font.From(sans, 20)
	pl.Y.Tick.Label.Font = font.From(sans, 22)
	pl.X.Min = 0
	bars, err := plotter.NewBarChart(values, vg.Points(float64(chartHeight)*0.45/float64(max(len(lines), 4))))
	if err != nil {
		return nil, fmt.Errorf("bot: report chart: %w", err)
	}
	bars.Horizontal = true
	bars.Color = color.RGBA{R: 0x2e, G: 0x7d, B: 0xd1, A: 0xff}
	bars.LineStyle.Width = 0
	pl.Add(bars)
	pl.NominalY(names...)
	for i, v := range values {
		labels, err := plotter.NewLabels(plotter.XYLabels{
			XYs:    plotter.XYs{{X: v, Y: float64(i)}},
			Labels: []string{fmt.Sprintf(" %d", int(v))},
		})
		if err != nil {
			return nil, fmt.Errorf("bot: report chart: %w", err)
		}
		for j := range labels.TextStyle {
			labels.TextStyle[j].Font = font.From(sans, 20)
			labels.TextStyle[j].YAlign = draw.YCenter
		}
		pl.Add(labels)
	}
	if top := slices.Max(values); top > 0 {
		pl.X.Max = top * 1.15 // room for the figures after the bars
	} else {
		pl.X.Max = 1
	}
	const dpi = 96
	canvas := vgimg.NewWith(vgimg.UseWH(vg.Length(chartWidth)*vg.Inch/dpi, vg.Length(chartHeight)*vg.Inch/dpi), vgimg.UseDPI(dpi))
	dc := draw.New(canvas)
	canvas.SetColor(color.White)
	dc.Fill(dc.Rectangle.Path())
	pl.Draw(draw.Crop(dc, vg.Points(12), -vg.Points(24), vg.Points(12), -vg.Points(12)))
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: canvas}).WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("bot: report chart: %w", err)
	}
	return buf.Bytes(), nil
}
