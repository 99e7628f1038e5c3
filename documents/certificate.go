package documents

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"codeberg.org/go-pdf/fpdf"

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

// ErrBadCertificate is returned by Write for a certificate it cannot
// print: an unknown kind, or a diploma without a place 1–3.
var ErrBadCertificate = errors.New("documents: bad certificate")

// Write prints c as a one-page A4 PDF to w, in p's language: diplomas,
// laureate diplomas and participation certificates in landscape, the
// thank-you letter in portrait. Every text shrinks and wraps until the
// page holds it (a 120-character title, 30 pupils, 10 organisers); the
// page never overflows and is never more than one. The QR code beside the
// number opens c.VerifyURL (no code when it is ""). Write is safe for
// concurrent use.
func (c Certificate) Write(w io.Writer, p locales.Printer) error {
	if err := c.check(); err != nil {
		return err
	}
	g := landscapeGeometry
	if c.Kind == KindThanks {
		g = portraitGeometry
	}
	pdf := newPDF(g.orientation)
	title := plain(p, "doc_title_"+string(c.Kind))
	stamp(pdf, title+" "+plain(p, "doc_number", "Number", c.Number), printable(c.Operator), c.Issued)
	body := fitBlocks(pdf, c.blocks(p), g.content.w, g.content.h)

	pdf.AddPage()
	drawFrame(pdf, g.page)
	drawBlocks(pdf, body, g.content.x, g.content.y, g.content.w, g.content.h)
	if err := c.drawFooter(pdf, p, g); err != nil {
		return err
	}
	return finish(pdf, w)
}

func (c Certificate) check() error {
	switch {
	case c.Kind == KindDiploma && (c.Place < 1 || c.Place > 3):
		return fmt.Errorf("%w: diploma for place %d", ErrBadCertificate, c.Place)
	case c.Kind != KindDiploma && c.Kind != KindLaureate && c.Kind != KindParticipation && c.Kind != KindThanks:
		return fmt.Errorf("%w: kind %q", ErrBadCertificate, c.Kind)
	}
	return nil
}

// box is a rectangle on the page, mm.
type box struct{ x, y, w, h float64 }

// geometry is where a certificate's parts go on its page.
type geometry struct {
	orientation string
	page        box // the whole sheet
	content     box // the heading down to the organisers
	footer      box // the number, the signature and the QR code
	// sigDrop is how far below the footer's top the signature line is:
	// beside the number on a wide page, under it on a narrow one.
	sigDrop float64
}

var (
	landscapeGeometry = geometry{
		orientation: Landscape,
		page:        box{0, 0, 297, 210},
		content:     box{24, 19, 249, 139},
		footer:      box{24, 160, 249, 34},
		sigDrop:     12,
	}
	portraitGeometry = geometry{
		orientation: Portrait,
		page:        box{0, 0, 210, 297},
		content:     box{24, 19, 162, 222},
		footer:      box{24, 244, 162, 38},
		sigDrop:     22,
	}
)

// qrSize is the QR code's square with its quiet zone, mm.
const qrSize = 30

// blocks is the text of the page from the operator down to the
// organisers, with the sizes it prints in when there is room.
func (c Certificate) blocks(p locales.Printer) []block {
	sub, reason, verb := "", "", plain(p, "doc_verb_award")
	switch c.Kind {
	case KindDiploma:
		sub = plain(p, fmt.Sprintf("doc_subtitle_diploma_%d", c.Place))
		reason = plain(p, fmt.Sprintf("doc_reason_place_%d", c.Place))
	case KindLaureate:
		sub, reason = plain(p, "doc_subtitle_laureate"), plain(p, "doc_reason_laureate")
	case KindParticipation:
		// A certificate and a letter of thanks name their recipient with no
		// verb above: the name comes in the nominative, and Russian's
		// «выдан», «вручается», «выражает благодарность» want the dative.
		// «награждается» is for awards only.
		sub, reason, verb = plain(p, "doc_subtitle_participation"), plain(p, "doc_reason_participation"), ""
	case KindThanks:
		reason, verb = plain(p, "doc_reason_thanks"), ""
	}
	heading := 46.0
	if c.Kind == KindThanks {
		heading = 34
	}
	var pupils string
	if names := printableAll(c.Pupils); len(names) > 0 {
		pupils = plain(p, "doc_pupils", "Names", strings.Join(names, ", "))
	}
	var held string
	if !c.Date.IsZero() {
		held = plain(p, "doc_held", "Date", locales.HTML(p.Day(c.Date)))
	}
	return []block{
		{text: printable(c.Operator), size: 14, min: 8, ink: inkNavy},
		{text: plain(p, "doc_title_"+string(c.Kind)), style: "B", size: heading, min: 22, gap: 5, ink: inkNavy},
		{text: sub, style: "B", size: 24, min: 13, ink: inkNavy},
		{text: verb, style: "I", size: 15, min: 9, gap: 5, ink: inkBlack},
		{text: printable(c.Recipient), style: "B", size: 28, min: 12, gap: 2, ink: inkBlack},
		{text: pupils, size: 12, min: 7, gap: 1.5, ink: inkBlack, cut: true},
		{text: printable(c.School), style: "I", size: 15, min: 8, gap: 1.5, ink: inkBlack},
		{text: reason, style: "B", size: 18, min: 9, gap: 5, ink: inkBlack},
		{text: eventLine(p, c.EventKind, c.Event), size: 17, min: 8, gap: 1, ink: inkBlack},
		{text: held, size: 13, min: 8, gap: 1.5, ink: inkBlack},
		{text: organisers(p, c.Organisers), style: "I", size: 12, min: 7, gap: 4, ink: inkGrey, cut: true},
	}
}

// eventLine is «Конкурс «Title»»: the kind, capitalised, before the title in
// quotes — a line that needs no declension of the kind the caller gives in
// the nominative.
func eventLine(p locales.Printer, kind, title string) string {
	title = printable(title)
	if title == "" {
		return ""
	}
	kind = printable(kind)
	if kind == "" {
		return plain(p, "doc_event_untyped", "Event", title)
	}
	r, n := utf8.DecodeRuneInString(kind)
	return plain(p, "doc_event", "Kind", string(unicode.ToUpper(r))+kind[n:], "Event", title)
}

// organisers is «Организаторы: …» or, for one, «Организатор: …».
func organisers(p locales.Printer, names []string) string {
	names = printableAll(names)
	switch len(names) {
	case 0:
		return ""
	case 1:
		return plain(p, "doc_organiser", "Names", names[0])
	}
	return plain(p, "doc_organisers", "Names", strings.Join(names, ", "))
}

func printableAll(list []string) []string {
	out := make([]string, 0, len(list))
	for _, s := range list {
		if s = printable(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// drawFrame draws the double frame of a certificate around the page.
func drawFrame(pdf *fpdf.Fpdf, page box) {
	drawInk(pdf, inkNavy)
	pdf.SetLineWidth(1.6)
	pdf.Rect(page.x+8, page.y+8, page.w-16, page.h-16, "D")
	pdf.SetLineWidth(0.4)
	pdf.Rect(page.x+11, page.y+11, page.w-22, page.h-22, "D")
	// Corner squares tie the two lines together.
	for _, c := range [][2]float64{{8, 8}, {page.w - 14, 8}, {8, page.h - 14}, {page.w - 14, page.h - 14}} {
		pdf.Rect(page.x+c[0], page.y+c[1], 6, 6, "D")
	}
}

// drawFooter prints the signature line on the left, and on the right the
// number, the day of issue and the QR code with its caption.
func (c Certificate) drawFooter(pdf *fpdf.Fpdf, p locales.Printer, g geometry) error {
	f := g.footer
	qx := f.x + f.w - qrSize
	if c.VerifyURL != "" {
		if err := drawQR(pdf, c.VerifyURL, qx, f.y-2, qrSize); err != nil {
			return err
		}
		textInk(pdf, inkGrey)
		pdf.SetFont(fontFamily, "", 8)
		pdf.SetXY(qx-6, f.y-2+qrSize-1)
		pdf.CellFormat(qrSize+12, 4, plain(p, "doc_verify"), "", 0, "C", false, 0, "")
	}

	// The number and the day of issue end just left of the code.
	right := qx - 2
	textInk(pdf, inkBlack)
	if c.Number != "" {
		pdf.SetFont(fontFamily, "B", 13)
		pdf.SetXY(right-80, f.y+7)
		pdf.CellFormat(80, 6, plain(p, "doc_number", "Number", printable(c.Number)), "", 0, "R", false, 0, "")
	}
	if !c.Issued.IsZero() {
		pdf.SetFont(fontFamily, "", 10)
		pdf.SetXY(right-80, f.y+13)
		pdf.CellFormat(80, 5, plain(p, "doc_issued", "Date", locales.HTML(p.Day(c.Issued))), "", 0, "R", false, 0, "")
	}

	// Руководитель ________ / ________ with captions, and М. П. below.
	y := f.y + g.sigDrop
	x := f.x
	pdf.SetFont(fontFamily, "", 12)
	head := plain(p, "doc_head")
	pdf.SetXY(x, y)
	pdf.CellFormat(pdf.GetStringWidth(head)+3, 6, head, "", 0, "L", false, 0, "")
	x += pdf.GetStringWidth(head) + 3
	const blank = 38.0
	drawInk(pdf, inkBlack)
	pdf.SetLineWidth(0.25)
	pdf.Line(x, y+5.5, x+blank, y+5.5)
	pdf.SetXY(x+blank, y)
	pdf.CellFormat(5, 6, "/", "", 0, "C", false, 0, "")
	pdf.Line(x+blank+5, y+5.5, x+2*blank+5, y+5.5)
	textInk(pdf, inkGrey)
	pdf.SetFont(fontFamily, "I", 7)
	pdf.SetXY(x, y+6)
	pdf.CellFormat(blank, 3, plain(p, "doc_signature"), "", 0, "C", false, 0, "")
	pdf.SetXY(x+blank+5, y+6)
	pdf.CellFormat(blank, 3, plain(p, "doc_signature_name"), "", 0, "C", false, 0, "")
	pdf.SetFont(fontFamily, "", 10)
	pdf.SetXY(x+blank-8, y+11)
	pdf.CellFormat(20, 5, plain(p, "doc_seal"), "", 0, "C", false, 0, "")
	return nil
}
