package documents

import (
	"fmt"
	"html"
	"io"
	"strings"
	"time"
	"unicode"

	"codeberg.org/go-fonts/liberation/liberationserifbold"
	"codeberg.org/go-fonts/liberation/liberationserifitalic"
	"codeberg.org/go-fonts/liberation/liberationserifregular"
	"codeberg.org/go-pdf/fpdf"

	"vmeste/locales"
)

// Orientations of a page.
const (
	Portrait  = "P"
	Landscape = "L"
)

// fontFamily is the family every page prints in, with "", "B" and "I"
// styles.
const fontFamily = "LiberationSerif"

// ptToMM converts a font size in points to millimetres, the unit of every
// page here.
const ptToMM = 25.4 / 72

// rgb is a colour of ink.
type rgb struct{ r, g, b int }

// Inks: navy for frames and headings (it prints as a dark grey on a
// black-and-white office printer), black for text, grey for captions.
var (
	inkNavy  = rgb{25, 50, 95}
	inkBlack = rgb{0, 0, 0}
	inkGrey  = rgb{90, 90, 90}
)

func textInk(pdf *fpdf.Fpdf, c rgb) { pdf.SetTextColor(c.r, c.g, c.b) }
func drawInk(pdf *fpdf.Fpdf, c rgb) { pdf.SetDrawColor(c.r, c.g, c.b) }

// newPDF starts an A4 document of the orientation with the fonts added and
// no page yet. Cells have no inner margin: layouts place their own padding.
func newPDF(orientation string) *fpdf.Fpdf {
	pdf := fpdf.New(orientation, "mm", "A4", "")
	pdf.SetCompression(true)
	pdf.SetCatalogSort(true) // the fonts in one order: the same data, the same bytes
	pdf.AddUTF8FontFromBytes(fontFamily, "", liberationserifregular.TTF)
	pdf.AddUTF8FontFromBytes(fontFamily, "B", liberationserifbold.TTF)
	pdf.AddUTF8FontFromBytes(fontFamily, "I", liberationserifitalic.TTF)
	pdf.SetAutoPageBreak(false, 0)
	pdf.SetCellMargin(0)
	return pdf
}

// stamp sets the document's metadata. The dates are the given day rather
// than the clock's, so that the same data prints the same bytes.
func stamp(pdf *fpdf.Fpdf, title, author string, when time.Time) {
	pdf.SetTitle(title, true)
	pdf.SetAuthor(author, true)
	pdf.SetCreator("Vmeste", true)
	if !when.IsZero() {
		pdf.SetCreationDate(when)
		pdf.SetModificationDate(when)
	}
}

// finish writes pdf to w, or returns the first error of building it.
func finish(pdf *fpdf.Fpdf, w io.Writer) error {
	if err := pdf.Output(w); err != nil {
		return fmt.Errorf("documents: write pdf: %w", err)
	}
	return nil
}

// plain renders a catalog message as plain text (the printer escapes
// values for HTML; a page is not HTML).
func plain(p locales.Printer, key string, kv ...any) string {
	return html.UnescapeString(p.T(key, kv...))
}

// printable is s as the fonts can print it: runes outside the Basic
// Multilingual Plane (emoji in a team's name), the pictographs from U+2300
// up that the Liberation fonts do not have (☀, ✅, ⭐; «№», «©» and «°»
// stay), variation selectors and control characters are dropped (fpdf would print a box,
// or index past its width table), runs of spaces and line breaks become
// one space.
func printable(s string) string {
	var sb strings.Builder
	sb.Grow(len(s))
	space := false
	for _, r := range s {
		switch {
		case unicode.IsSpace(r):
			space = sb.Len() > 0
			continue
		case r > 0xFFFF, unicode.IsControl(r), r >= 0x2300 && unicode.Is(unicode.So, r), unicode.Is(unicode.Co, r),
			unicode.Is(unicode.Cf, r), unicode.Is(unicode.Variation_Selector, r), r == '\uFFFD':
			continue
		}
		if space {
			sb.WriteByte(' ')
			space = false
		}
		sb.WriteRune(r)
	}
	return sb.String()
}
