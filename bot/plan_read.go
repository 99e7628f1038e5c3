package bot

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"
)

// Reading the annual plan's table: an XLSX workbook (its first sheet) or a
// CSV file (UTF-8 with or without BOM, or Windows-1251 as Excel saves it;
// «;» or «,» between columns). Every cell comes back as text; an Excel date
// cell comes back written the way the date parser reads it
// («15.04.2027 10:00», or «15.04.2027» for a whole day), so a date typed as
// text and a real date cell go through the same words.

// tableRow is one non-empty row of the table: its line in the file (the
// Excel row number, or the CSV line) and its cells, trimmed.
type tableRow struct {
	Line  int
	Cells []string
}

// Formats of a plan file.
const (
	formatXLSX = "xlsx"
	formatCSV  = "csv"
)

// errNotTable is returned for a file that is neither a readable XLSX
// workbook nor a CSV table.
var errNotTable = errors.New("bot: not an XLSX or CSV table")

// planFormat is the format a file's name says ("" for any other).
func planFormat(name string) string {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".xlsx":
		return formatXLSX
	case ".csv":
		return formatCSV
	}
	return ""
}

// planDateColumns are the columns whose Excel date cells are read as
// dates: start, end, deadline.
var planDateColumns = map[int]bool{planColStart: true, planColEnd: true, planColDeadline: true}

// readTable reads the rows of data in format; at most limit rows are
// returned (more is reported by more).
func readTable(data []byte, format string, limit int) (rows []tableRow, more bool, err error) {
	switch format {
	case formatXLSX:
		return readXLSX(data, limit)
	case formatCSV:
		return readCSV(data, limit)
	}
	return nil, false, errNotTable
}

func readXLSX(data []byte, limit int) ([]tableRow, bool, error) {
	if !bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		return nil, false, errNotTable
	}
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		return nil, false, errNotTable
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, false, errNotTable
	}
	it, err := f.Rows(sheets[0])
	if err != nil {
		return nil, false, errNotTable
	}
	defer it.Close()
	var rows []tableRow
	for line := 1; it.Next(); line++ {
		cells, err := it.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, false, errNotTable
		}
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
			if planDateColumns[i] {
				cells[i] = excelDateText(cells[i])
			}
		}
		if strings.Join(cells, "") == "" {
			continue
		}
		if len(rows) == limit {
			return rows, true, nil
		}
		rows = append(rows, tableRow{Line: line, Cells: cells})
	}
	if err := it.Error(); err != nil {
		return nil, false, errNotTable
	}
	return rows, false, nil
}

// excelDateText writes an Excel date cell's raw value (days since 1900,
// the time as a fraction) the way parseWhen reads dates; any other value
// is returned as it is.
func excelDateText(raw string) string {
	v, err := strconv.ParseFloat(raw, 64)
	if err != nil || v < 1 || v > 2958465 || math.IsNaN(v) {
		return raw
	}
	t, err := excelize.ExcelDateToTime(v, false)
	if err != nil {
		return raw
	}
	t = t.Round(time.Minute)
	if t.Hour() == 0 && t.Minute() == 0 && v == math.Trunc(v) {
		return t.Format("02.01.2006")
	}
	return t.Format("02.01.2006 15:04")
}

// decodeTableText turns a CSV file's bytes into UTF-8: a BOM is dropped,
// text that is not valid UTF-8 is read as Windows-1251. ok is false for
// binary data.
func decodeTableText(data []byte) ([]byte, bool) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(data) {
		dec, err := charmap.Windows1251.NewDecoder().Bytes(data)
		if err != nil {
			return nil, false
		}
		data = dec
	}
	if bytes.IndexByte(data, 0) >= 0 {
		return nil, false
	}
	return data, true
}

// csvReader reads UTF-8 text with the separator its first line uses most,
// «;» or «,».
func csvReader(data []byte) *csv.Reader {
	firstLine, _, _ := bytes.Cut(data, []byte("\n"))
	rd := csv.NewReader(bytes.NewReader(data))
	rd.FieldsPerRecord = -1
	rd.LazyQuotes = true
	rd.Comma = ','
	if bytes.Count(firstLine, []byte(";")) > bytes.Count(firstLine, []byte(",")) {
		rd.Comma = ';'
	}
	return rd
}

func readCSV(data []byte, limit int) ([]tableRow, bool, error) {
	text, ok := decodeTableText(data)
	if !ok || looksBinary(text) {
		return nil, false, errNotTable
	}
	rd := csvReader(text)
	var rows []tableRow
	for {
		rec, err := rd.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		var perr *csv.ParseError
		if errors.As(err, &perr) {
			// A broken quote: the row is shown to the user as it is.
			rows = append(rows, tableRow{Line: perr.Line, Cells: []string{""}})
			continue
		}
		if err != nil {
			return nil, false, errNotTable
		}
		line, _ := rd.FieldPos(0)
		for i := range rec {
			rec[i] = strings.TrimSpace(rec[i])
		}
		if strings.Join(rec, "") == "" {
			continue
		}
		if len(rows) == limit {
			return rows, true, nil
		}
		rows = append(rows, tableRow{Line: line, Cells: rec})
	}
	if len(rows) == 0 {
		return nil, false, errNotTable
	}
	return rows, false, nil
}

// looksBinary reports whether text has control characters other than
// tabs and line ends: a file that decoded but is not a table (a .docx
// renamed, a picture).
func looksBinary(text []byte) bool {
	bad := 0
	for _, c := range string(text) {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
			bad++
		}
	}
	return bad > 0
}
