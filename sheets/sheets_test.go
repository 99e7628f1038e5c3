package sheets

import (
	"bytes"
	"encoding/csv"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

var moscow = func() *time.Location {
	l, err := time.LoadLocation("Europe/Moscow")
	if err != nil {
		panic(err)
	}
	return l
}()

func TestWorkbook(t *testing.T) {
	w, err := New(moscow)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2027, 3, 15, 7, 0, 0, 0, time.UTC) // 10:00 in Moscow
	cols := []Column{{Title: "Название", Width: 30, Wrap: true}, {Title: "Начало", Width: 17}, {Title: "День", Width: 12}, {Title: "Мест"}, {Title: "Пусто", Width: 8}}
	a, err := w.NewSheet("Мероприятия", cols)
	if err != nil {
		t.Fatal(err)
	}
	b, err := w.NewSheet("Второй", []Column{{Title: "Одна", Width: 10}})
	if err != nil {
		t.Fatal(err)
	}
	// Rows of two sheets interleave.
	if err := a.Row("=СУММ(1)", at, Day(at), 25, nil); err != nil {
		t.Fatal(err)
	}
	if err := b.Row("б"); err != nil {
		t.Fatal(err)
	}
	if err := a.Row("Второе", time.Time{}, Day{}, 3.5); err != nil {
		t.Fatal(err)
	}
	if err := a.Row(1, 2, 3, 4, 5, 6); err == nil {
		t.Error("a row longer than the columns was taken")
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
	if got := f.GetSheetList(); !slices.Equal(got, []string{"Мероприятия", "Второй"}) {
		t.Fatalf("sheets %v", got)
	}
	rows, _ := f.GetRows("Мероприятия")
	want := [][]string{{"Название", "Начало", "День", "Мест", "Пусто"}, {"=СУММ(1)", "15.03.2027 10:00", "15.03.2027", "25"}, {"Второе", "", "", "3.5"}}
	if len(rows) != len(want) {
		t.Fatalf("rows %q", rows)
	}
	for i := range want {
		if !slices.Equal(rows[i], want[i]) {
			t.Errorf("row %d: %q, want %q", i+1, rows[i], want[i])
		}
	}
	if f, _ := f.GetCellFormula("Мероприятия", "A2"); f != "" {
		t.Errorf("a text became a formula: %q", f)
	}
	raw, _ := f.GetCellValue("Мероприятия", "B2", excelize.Options{RawCellValue: true})
	serial, err := strconv.ParseFloat(raw, 64)
	if err != nil {
		t.Fatalf("B2 %q", raw)
	}
	if got, _ := excelize.ExcelDateToTime(serial, false); !got.Equal(time.Date(2027, 3, 15, 10, 0, 0, 0, time.UTC)) {
		t.Errorf("B2 is %v", got)
	}
	if w, _ := f.GetColWidth("Мероприятия", "A"); w != 30 {
		t.Errorf("A is %v wide", w)
	}
	panes, _ := f.GetPanes("Второй")
	if !panes.Freeze || panes.YSplit != 1 {
		t.Errorf("panes %+v", panes)
	}
}

func TestCSV(t *testing.T) {
	c, err := NewCSV(moscow, []Column{{Title: "Текст"}, {Title: "Когда"}, {Title: "День"}, {Title: "Число"}, {Title: "Доля"}, {Title: "Ничего"}})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2027, 3, 15, 7, 0, 0, 0, time.UTC)
	for _, row := range [][]any{
		{"Иванова; «5Б»", at, Day(at), 25, 2.5, nil},
		{"=1+2", time.Time{}, Day{}, int64(-3), 0.0, nil},
		{"+79281234567", nil, nil, nil, nil, nil},
		{"-x", "@me", "+", "", "-5", nil},
	} {
		if err := c.Row(row...); err != nil {
			t.Fatal(err)
		}
	}
	data, err := c.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(data, []byte("\ufeff")) {
		t.Fatal("no byte order mark")
	}
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\ufeff"))))
	r.Comma = ';'
	got, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"Текст", "Когда", "День", "Число", "Доля", "Ничего"},
		{"Иванова; «5Б»", "15.03.2027 10:00", "15.03.2027", "25", "2,5", ""},
		{"'=1+2", "", "", "-3", "0", ""},
		{"+79281234567", "", "", "", "", ""},
		{"'-x", "'@me", "'+", "", "-5", ""},
	}
	for i := range want {
		if !slices.Equal(got[i], want[i]) {
			t.Errorf("row %d: %q, want %q", i+1, got[i], want[i])
		}
	}
}
