package sheets

import (
	"archive/zip"
	"bytes"
	"io"
	"regexp"
	"slices"
	"strconv"
	"testing"

	"github.com/xuri/excelize/v2"
)

// A sheet to print: two title lines above the header, merged across the
// columns; the header frozen under them and repeated on every printed
// page; A4 fit to the width; every cell boxed, the empty signature
// column too; a row with a list of pupils as high as its lines.
func TestSheetLayoutForPrinting(t *testing.T) {
	w, err := New(moscow)
	if err != nil {
		t.Fatal(err)
	}
	cols := []Column{{Title: "№", Width: 5}, {Title: "Участник", Width: 30, Wrap: true}, {Title: "Подпись", Width: 25}}
	s, err := w.NewSheetLayout("Лист регистрации", cols, Layout{
		Title: []string{"Лист регистрации", "«Безопасное колесо», 15 марта 2027, 10:00, ЦРТДиЮ"},
		Print: &Print{FitToWidth: true, RepeatHeader: true, Grid: true},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Row(1, "Иванова Мария Петровна\nПетров Пётр, 5Б\nСидорова Ева, 5Б"); err != nil {
		t.Fatal(err)
	}
	if err := s.Row(2, "Алиева Залина", nil); err != nil {
		t.Fatal(err)
	}
	plain, err := w.NewSheet("Без разметки", []Column{{Title: "А"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := plain.Row("x"); err != nil {
		t.Fatal(err)
	}
	data, err := w.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	const sheet = "Лист регистрации"
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"Лист регистрации"}, {"«Безопасное колесо», 15 марта 2027, 10:00, ЦРТДиЮ"}, {"№", "Участник", "Подпись"},
		{"1", "Иванова Мария Петровна\nПетров Пётр, 5Б\nСидорова Ева, 5Б"}, {"2", "Алиева Залина"}}
	if len(rows) != len(want) {
		t.Fatalf("rows %q", rows)
	}
	for i := range want {
		if !slices.Equal(rows[i], want[i]) {
			t.Errorf("row %d: %q, want %q", i+1, rows[i], want[i])
		}
	}
	merged, err := f.GetMergeCells(sheet)
	if err != nil || len(merged) != 2 || merged[0].GetStartAxis() != "A1" || merged[0].GetEndAxis() != "C1" {
		t.Errorf("merged cells %v (%v)", merged, err)
	}
	panes, _ := f.GetPanes(sheet)
	if !panes.Freeze || panes.YSplit != 3 || panes.TopLeftCell != "A4" {
		t.Errorf("panes %+v", panes)
	}
	layout, err := f.GetPageLayout(sheet)
	if err != nil || layout.Size == nil || *layout.Size != 9 || layout.FitToWidth == nil || *layout.FitToWidth != 1 ||
		layout.FitToHeight == nil || *layout.FitToHeight != 0 || *layout.Orientation != "portrait" {
		t.Errorf("page layout %+v (%v)", layout, err)
	}
	props, err := f.GetSheetProps(sheet)
	if err != nil || props.FitToPage == nil || !*props.FitToPage {
		t.Errorf("not fit to the page: %+v (%v)", props, err)
	}
	var titles bool
	for _, dn := range f.GetDefinedName() {
		if dn.Name == "_xlnm.Print_Titles" && dn.Scope == sheet && dn.RefersTo == "'Лист регистрации'!$3:$3" {
			titles = true
		}
	}
	if !titles {
		t.Errorf("the header is not repeated: %+v", f.GetDefinedName())
	}
	// The empty signature cells are boxed.
	for _, cell := range []string{"C3", "C4", "C5", "A5"} {
		id, _ := f.GetCellStyle(sheet, cell)
		st, err := f.GetStyle(id)
		if err != nil || len(st.Border) != 4 {
			t.Errorf("%s is not boxed: %+v (%v)", cell, st, err)
		}
	}
	if h, _ := f.GetRowHeight(sheet, 4); h < 3*lineHeight {
		t.Errorf("the row of three lines is %v high", h)
	}
	if h, _ := f.GetRowHeight(sheet, 5); h > lineHeight {
		t.Errorf("a row of one line is %v high", h)
	}
	// A sheet with no layout is as before: header in row 1, no borders.
	if panes, _ := f.GetPanes("Без разметки"); panes.YSplit != 1 {
		t.Errorf("plain panes %+v", panes)
	}
	if id, _ := f.GetCellStyle("Без разметки", "A2"); id != 0 {
		t.Errorf("a plain cell has style %d", id)
	}
}

func TestWrappedLines(t *testing.T) {
	for _, c := range []struct {
		text  string
		chars float64
		want  int
	}{
		{"", 10, 1},
		{"коротко", 30, 1},
		{"Иванова Мария Петровна\nПетров Пётр", 30, 2},
		{"очень длинное название мероприятия районного уровня", 10, 6},
	} {
		if got := wrappedLines(c.text, c.chars); got != c.want {
			t.Errorf("%q in %v: %d lines, want %d", c.text, c.chars, got, c.want)
		}
	}
}

// The columns' widths are listed in column order in the sheet's XML.
func TestColumnWidthsInOrder(t *testing.T) {
	w, err := New(moscow)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.NewSheet("S", []Column{{Title: "А", Width: 5}, {Title: "Б"}, {Title: "В", Width: 30}, {Title: "Г", Width: 12}}); err != nil {
		t.Fatal(err)
	}
	data, err := w.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	f, err := zr.Open("xl/worksheets/sheet1.xml")
	if err != nil {
		t.Fatal(err)
	}
	xml, err := io.ReadAll(f)
	if err != nil {
		t.Fatal(err)
	}
	var mins []int
	for _, m := range regexp.MustCompile(`<col min="(\d+)"`).FindAllSubmatch(xml, -1) {
		n, _ := strconv.Atoi(string(m[1]))
		mins = append(mins, n)
	}
	if !slices.Equal(mins, []int{1, 3, 4}) {
		t.Errorf("the columns are listed as %v", mins)
	}
}
