package sheets

import (
	"bytes"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// A time is shown to the minute as Excel shows it: 20:58:59.7 is 20:58.
func TestTimeShownToTheMinuteAsWritten(t *testing.T) {
	w, err := New(time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	s, err := w.NewSheet("S", []Column{{Title: "Когда"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, sec := range []time.Duration{59*time.Second + 700*time.Millisecond, 59 * time.Second, 30 * time.Second} {
		if err := s.Row(time.Date(2026, 12, 2, 20, 58, 0, 0, time.UTC).Add(sec)); err != nil {
			t.Fatal(err)
		}
	}
	data, err := w.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.GetRows("S")
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range rows[1:] {
		if r[0] != "02.12.2026 20:58" {
			t.Errorf("row %d shows %q, want 02.12.2026 20:58", i+2, r[0])
		}
	}
}
