package documents

import (
	"io"
	"time"

	"vmeste/locales"
)

// Row is one participant of a sheet for the day.
type Row struct {
	Name   string // the teacher, or the team with its teacher
	Pupils []string
	School string
	// Result is the place in words («1 место», «Лауреат»), for the
	// protocol; "" for none.
	Result string
	// Attended is nil when not marked.
	Attended *bool
}

// Sheet is a sign-in sheet or a results protocol of one event.
type Sheet struct {
	Operator   string
	Event      string
	Organisers []string
	Place      string
	Start      time.Time
	Rows       []Row
}

// WriteSignIn prints the sign-in sheet (лист регистрации: №, participant,
// organisation, a column to sign) as A4 PDF pages to w.
func (s Sheet) WriteSignIn(w io.Writer, p locales.Printer) error {
	return s.write(w, p)
}

// WriteProtocol prints the results protocol (№, participant,
// organisation, result) as A4 PDF pages to w.
func (s Sheet) WriteProtocol(w io.Writer, p locales.Printer) error {
	return s.write(w, p)
}

func (s Sheet) write(w io.Writer, _ locales.Printer) error {
	pdf := newPDF(Portrait)
	pdf.AddPage()
	pdf.SetFont(fontFamily, "", 11)
	pdf.SetXY(15, 15)
	pdf.MultiCell(0, 6, s.Event, "", "L", false)
	for _, r := range s.Rows {
		pdf.MultiCell(0, 6, r.Name+" — "+r.School+" "+r.Result, "", "L", false)
	}
	return finish(pdf, w)
}
