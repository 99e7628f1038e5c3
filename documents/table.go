package documents

import (
	"codeberg.org/go-pdf/fpdf"
)

// column is a column of a sheet's table: its heading, width (mm) and how
// its text aligns.
type column struct {
	title string
	w     float64
	align string // "L" or "C"
}

// para is a paragraph in a table's cell.
type para struct {
	text  string
	style string
	pt    float64
}

// line is one wrapped line of a cell.
type line struct {
	text  string
	style string
	pt    float64
}

// cellPad is the padding inside a table's cell, mm.
const cellPad = 1.5

func (l line) height() float64 { return l.pt * ptToMM * leading }

// wrapCell wraps paras to the width w less the padding. A cell never gets
// more than maxH of lines: the last line kept ends with "…" (a team of 200
// pupils would not fit a page).
func wrapCell(pdf *fpdf.Fpdf, paras []para, w, maxH float64) []line {
	var out []line
	h := 2 * cellPad
	inner := w - 2*cellPad
	for _, p := range paras {
		if p.text == "" {
			continue
		}
		pdf.SetFont(fontFamily, p.style, p.pt)
		for _, t := range pdf.SplitText(p.text, inner) {
			l := line{text: t, style: p.style, pt: p.pt}
			if h+l.height() > maxH && len(out) > 0 {
				last := &out[len(out)-1]
				pdf.SetFont(fontFamily, last.style, last.pt)
				last.text = ellipsis(pdf, last.text, inner)
				return out
			}
			h += l.height()
			out = append(out, l)
		}
	}
	return out
}

// tableRow is a row wrapped to its columns: the lines of each cell, and the
// row's height (the tallest cell, at least min).
type tableRow struct {
	cells [][]line
	h     float64
}

func newRow(pdf *fpdf.Fpdf, cols []column, cells [][]para, minH, maxH float64) tableRow {
	r := tableRow{h: minH}
	for i, c := range cols {
		var ps []para
		if i < len(cells) {
			ps = cells[i]
		}
		lines := wrapCell(pdf, ps, c.w, maxH)
		h := 2 * cellPad
		for _, l := range lines {
			h += l.height()
		}
		r.h = max(r.h, h)
		r.cells = append(r.cells, lines)
	}
	return r
}

// draw prints the row at x, y with its cell borders; fill shades it (the
// heading row). Text sits at the top of each cell.
func (r tableRow) draw(pdf *fpdf.Fpdf, cols []column, x, y float64, fill bool) {
	drawInk(pdf, inkBlack)
	pdf.SetLineWidth(0.25)
	if fill {
		pdf.SetFillColor(232, 236, 243)
	}
	for i, c := range cols {
		style := "D"
		if fill {
			style = "FD"
		}
		pdf.Rect(x, y, c.w, r.h, style)
		ly := y + cellPad
		for _, l := range r.cells[i] {
			pdf.SetFont(fontFamily, l.style, l.pt)
			textInk(pdf, inkBlack)
			pdf.SetXY(x+cellPad, ly)
			pdf.CellFormat(c.w-2*cellPad, l.height(), l.text, "", 0, c.align, false, 0, "")
			ly += l.height()
		}
		x += c.w
	}
}
