package documents

import (
	"fmt"
	"html"
	"io"

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

// newPDF starts an A4 document of the orientation with the fonts added and
// no page yet.
func newPDF(orientation string) *fpdf.Fpdf {
	pdf := fpdf.New(orientation, "mm", "A4", "")
	pdf.SetCompression(true)
	pdf.AddUTF8FontFromBytes(fontFamily, "", liberationserifregular.TTF)
	pdf.AddUTF8FontFromBytes(fontFamily, "B", liberationserifbold.TTF)
	pdf.AddUTF8FontFromBytes(fontFamily, "I", liberationserifitalic.TTF)
	pdf.SetAutoPageBreak(false, 0)
	return pdf
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
