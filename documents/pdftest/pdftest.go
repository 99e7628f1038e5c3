// Package pdftest reads back the PDFs the bot makes, for tests: their text
// and page count with poppler's pdftotext and pdfinfo (Debian's
// poppler-utils, which .ci/run installs). A test that needs them fails,
// never skips, when they are missing.
package pdftest

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
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
