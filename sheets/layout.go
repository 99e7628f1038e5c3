package sheets

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// Layout is what a sheet has beyond its columns: title lines above the
// header, and how it prints. The zero Layout is a plain table.
type Layout struct {
	// Title lines go above the header, each across every column, wrapped:
	// the first bold and larger (the document's name), the others plain
	// (the event, its date and place). The header stays frozen under them.
	Title []string
	// Print is the printed page; nil leaves the spreadsheet's defaults.
	Print *Print
}

// Print is a sheet's page setup. The paper is A4.
type Print struct {
	Landscape bool
	// FitToWidth prints every column across one page's width, the rows
	// going on over as many pages as they need.
	FitToWidth bool
	// RepeatHeader prints the header row at the top of every page.
	RepeatHeader bool
	// Grid boxes every cell of the header and the rows, empty ones too, so
	// that the table prints with its lines (a spreadsheet does not print
	// its gridlines).
	Grid bool
}

// a4 is the paper size code of A4 in the spreadsheet's page setup.
const a4 = 9

// Row heights, in points: a line of the default font, and of a title.
const (
	lineHeight      = 15.0
	titleLineHeight = 21.0
	maxRowHeight    = 409.0 // Excel's limit
	defaultWidth    = 8.43  // a column of no width set, in characters
	titleFontSize   = 14.0
	defaultFontSize = 11.0
)

var thinBorder = []excelize.Border{
	{Type: "left", Color: "000000", Style: 1}, {Type: "top", Color: "000000", Style: 1},
	{Type: "right", Color: "000000", Style: 1}, {Type: "bottom", Color: "000000", Style: 1},
}

// titleStyles are the styles of a sheet's title lines.
type titleStyles struct{ first, other int }

// pageSetup sets sheet's printed page as p says (nil: nothing), the
// header being row headerRow.
func (w *Workbook) pageSetup(sheet string, p *Print, headerRow int) error {
	if p == nil {
		return nil
	}
	size, orientation := a4, "portrait"
	if p.Landscape {
		orientation = "landscape"
	}
	opts := excelize.PageLayoutOptions{Size: &size, Orientation: &orientation}
	if p.FitToWidth {
		wide, tall, fit := 1, 0, true
		opts.FitToWidth, opts.FitToHeight = &wide, &tall
		if err := w.f.SetSheetProps(sheet, &excelize.SheetPropsOptions{FitToPage: &fit}); err != nil {
			return fmt.Errorf("sheets: sheet %q fit to page: %w", sheet, err)
		}
	}
	if err := w.f.SetPageLayout(sheet, &opts); err != nil {
		return fmt.Errorf("sheets: sheet %q page layout: %w", sheet, err)
	}
	if p.RepeatHeader {
		row := "$" + strconv.Itoa(headerRow)
		if err := w.f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles", Scope: sheet,
			RefersTo: "'" + strings.ReplaceAll(sheet, "'", "''") + "'!" + row + ":" + row}); err != nil {
			return fmt.Errorf("sheets: sheet %q print titles: %w", sheet, err)
		}
	}
	return nil
}

// title writes the title lines at the top of s, each merged across the
// columns and as high as its wrapped text needs.
func (s *Sheet) title(lines []string) error {
	if len(lines) == 0 {
		return nil
	}
	w := s.w
	if w.titles == nil {
		wrap := &excelize.Alignment{Vertical: "top", WrapText: true}
		first, err := w.f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: titleFontSize}, Alignment: wrap})
		if err != nil {
			return err
		}
		other, err := w.f.NewStyle(&excelize.Style{Alignment: wrap})
		if err != nil {
			return err
		}
		w.titles = &titleStyles{first: first, other: other}
	}
	total := 0.0
	for _, width := range s.width {
		total += widthOf(width)
	}
	last, err := excelize.CoordinatesToCellName(max(s.cols, 1), 1)
	if err != nil {
		return err
	}
	lastCol := strings.TrimRight(last, "0123456789")
	for i, line := range lines {
		row := strconv.Itoa(i + 1)
		style, height, chars := w.titles.other, lineHeight, total
		if i == 0 {
			style, height, chars = w.titles.first, titleLineHeight, total*defaultFontSize/titleFontSize
		}
		h := min(maxRowHeight, height*float64(wrappedLines(line, chars)))
		if err := s.sw.SetRow("A"+row, []any{excelize.Cell{StyleID: style, Value: line}}, excelize.RowOpts{Height: h}); err != nil {
			return err
		}
		if s.cols > 1 {
			if err := s.sw.MergeCell("A"+row, lastCol+row); err != nil {
				return err
			}
		}
	}
	return nil
}

// height is the row options of a row of values: its height when a
// wrapping column's text takes more than a line (every column wraps in
// the header), none otherwise.
func (s *Sheet) height(values []any) []excelize.RowOpts {
	header := s.row == 0
	lines := 1
	for i, v := range values {
		if !header && !s.wrap[i] {
			continue
		}
		if c, ok := v.(excelize.Cell); ok {
			v = c.Value
		}
		if text, ok := v.(string); ok {
			lines = max(lines, wrappedLines(text, widthOf(s.width[i])))
		}
	}
	if lines == 1 {
		return nil
	}
	return []excelize.RowOpts{{Height: min(maxRowHeight, lineHeight*float64(lines))}}
}

// widthOf is a column's width in characters: width, or the default.
func widthOf(width float64) float64 {
	if width <= 0 {
		return defaultWidth
	}
	return width
}

// wrappedLines estimates the lines text takes wrapped in a column chars
// characters wide: each of its own lines cut at the width (a character of
// the width is about a letter of the default font; a word is not split,
// which the estimate allows for by a tenth).
func wrappedLines(text string, chars float64) int {
	per := max(1, chars*0.9)
	n := 0
	for line := range strings.SplitSeq(text, "\n") {
		n += max(1, int(math.Ceil(float64(utf8.RuneCountInString(line))/per)))
	}
	return n
}
