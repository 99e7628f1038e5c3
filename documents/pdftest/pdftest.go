// Package pdftest reads back the PDFs the bot makes, for tests: their text,
// words with their boxes and page count with poppler's pdftotext and
// pdfinfo, and a QR code from a page rendered by pdftoppm (Debian's
// poppler-utils, which .ci/run installs) and decoded by gozxing. A test that needs them fails,
// never skips, when they are missing.
package pdftest

import (
	"bytes"
	"encoding/xml"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
)

// write puts data in a file of the test's temporary folder.
func write(tb testing.TB, data []byte) string {
	tb.Helper()
	if !bytes.HasPrefix(data, []byte("%PDF-")) {
		tb.Fatalf("pdftest: not a PDF: %.40q", data)
	}
	f, err := os.CreateTemp(tb.TempDir(), "*.pdf")
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := f.Write(data); err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
	return f.Name()
}

func run(tb testing.TB, name string, args ...string) []byte {
	tb.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		tb.Fatalf("pdftest: %s is not installed (Debian's poppler-utils; .ci/run installs it): %v", name, err)
	}
	out, err := exec.Command(path, args...).Output()
	if err != nil {
		tb.Fatalf("pdftest: %s %v: %v", name, args, err)
	}
	return out
}

// Text is the text of every page of data, in reading order (pdftotext
// -layout keeps the columns of a table on one line).
func Text(tb testing.TB, data []byte) string {
	tb.Helper()
	return string(run(tb, "pdftotext", "-layout", "-enc", "UTF-8", write(tb, data), "-"))
}

var pagesLine = regexp.MustCompile(`(?m)^Pages:\s+(\d+)`)

// Pages is the number of pages of data.
func Pages(tb testing.TB, data []byte) int {
	tb.Helper()
	m := pagesLine.FindSubmatch(run(tb, "pdfinfo", write(tb, data)))
	if m == nil {
		tb.Fatal("pdftest: pdfinfo printed no page count")
	}
	n, _ := strconv.Atoi(string(m[1]))
	return n
}

// PNG renders page 1 of data at dpi and returns the PNG's bytes.
func PNG(tb testing.TB, data []byte, dpi int) []byte {
	tb.Helper()
	in := write(tb, data)
	out := filepath.Join(filepath.Dir(in), "page")
	run(tb, "pdftoppm", "-png", "-r", strconv.Itoa(dpi), "-f", "1", "-l", "1", "-singlefile", in, out)
	png, err := os.ReadFile(out + ".png")
	if err != nil {
		tb.Fatal(err)
	}
	return png
}

// Word is a word of a page with its box, in points from the page's top
// left corner (pdftotext -bbox).
type Word struct {
	Text                   string
	Page                   int // from 1
	XMin, YMin, XMax, YMax float64
}

// Page is a page's size in points.
type Page struct{ Width, Height float64 }

// bboxDoc is what pdftotext -bbox prints: XHTML with a page element per
// page and a word element per word.
type bboxDoc struct {
	Pages []struct {
		Width  float64 `xml:"width,attr"`
		Height float64 `xml:"height,attr"`
		Words  []struct {
			XMin float64 `xml:"xMin,attr"`
			YMin float64 `xml:"yMin,attr"`
			XMax float64 `xml:"xMax,attr"`
			YMax float64 `xml:"yMax,attr"`
			Text string  `xml:",chardata"`
		} `xml:"word"`
	} `xml:"body>doc>page"`
}

// Words is every word of data with its box, and the size of every page.
func Words(tb testing.TB, data []byte) ([]Word, []Page) {
	tb.Helper()
	out := run(tb, "pdftotext", "-bbox", "-enc", "UTF-8", write(tb, data), "-")
	var doc bboxDoc
	dec := xml.NewDecoder(bytes.NewReader(out))
	dec.Strict = false
	dec.Entity = xml.HTMLEntity
	if err := dec.Decode(&doc); err != nil {
		tb.Fatalf("pdftest: read pdftotext -bbox: %v", err)
	}
	var words []Word
	var pages []Page
	for i, pg := range doc.Pages {
		pages = append(pages, Page{pg.Width, pg.Height})
		for _, w := range pg.Words {
			words = append(words, Word{Text: w.Text, Page: i + 1, XMin: w.XMin, YMin: w.YMin, XMax: w.XMax, YMax: w.YMax})
		}
	}
	if len(pages) == 0 {
		tb.Fatal("pdftest: pdftotext -bbox found no pages")
	}
	return words, pages
}

// QR decodes the QR code on page 1 of data, rendered at 150 dpi, and
// returns its text. It fails the test when there is none.
func QR(tb testing.TB, data []byte) string {
	tb.Helper()
	img, err := png.Decode(bytes.NewReader(PNG(tb, data, 150)))
	if err != nil {
		tb.Fatalf("pdftest: decode page image: %v", err)
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		tb.Fatalf("pdftest: bitmap: %v", err)
	}
	// A plain pass finds a clean code; only then try harder (slow under
	// -race).
	res, err := qrcode.NewQRCodeReader().Decode(bmp, nil)
	if err != nil {
		hints := map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_TRY_HARDER: true}
		res, err = qrcode.NewQRCodeReader().Decode(bmp, hints)
	}
	if err != nil {
		tb.Fatalf("pdftest: no QR code found on page 1: %v", err)
	}
	return res.GetText()
}
