package documents

import (
	"io"
	"time"

	"vmeste/locales"
)

// Kind is the kind of a certificate.
type Kind string

// Kinds of certificates. A diploma is for places 1–3 (Certificate.Place).
const (
	KindDiploma       Kind = "diploma"
	KindLaureate      Kind = "laureate"
	KindParticipation Kind = "participation"
	KindThanks        Kind = "thanks" // a thank-you letter to the leading teacher
)

// Certificate is what one page of a diploma, certificate or letter says.
// Strings are plain text (not HTML).
type Certificate struct {
	Kind   Kind
	Number string // as printed: «№ 2027-0042»'s "2027-0042"
	// Place is 1, 2 or 3 for KindDiploma, else 0.
	Place int
	// Operator is the department that issues it (VMESTE_OPERATOR).
	Operator string
	// Event is the event's title; EventKind its kind in words («конкурс»),
	// may be "".
	Event     string
	EventKind string
	// Organisers are the partner agencies by name.
	Organisers []string
	// Recipient is the participant: the teacher, or the team's name and its
	// pupils (Pupils), or for KindThanks the leading teacher.
	Recipient string
	Pupils    []string
	// School is the recipient's organisation.
	School string
	// Date is the event's day (district time).
	Date time.Time
	// Issued is when the document was issued (district time).
	Issued time.Time
	// VerifyURL is the deep link the QR code opens: the bot verifies the
	// number there.
	VerifyURL string
}

// Write prints c as a one-page A4 PDF to w, in p's language.
func (c Certificate) Write(w io.Writer, p locales.Printer) error {
	pdf := newPDF(Landscape)
	pdf.AddPage()
	pdf.SetFont(fontFamily, "", 14)
	pdf.SetXY(20, 20)
	for _, line := range []string{c.Operator, c.Event, c.Recipient, c.School, c.Number, c.VerifyURL} {
		pdf.MultiCell(0, 8, line, "", "C", false)
	}
	return finish(pdf, w)
}
