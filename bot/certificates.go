package bot

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"vmeste/locales"
	"vmeste/storage"
)

// «🏅 Документы»: after an event has started, those who may mark its
// results (actMark) issue its documents — diplomas for places 1–3,
// laureates' diplomas, participation certificates and thank-you letters
// to the teams' leading teachers. The screen says what would be issued
// now, per kind, with a toggle each; «✅ Выдать» issues them in one
// storage transaction (storage.IssueCertificates), which also puts each
// new document in its teacher's outbox: the sender prints the PDF when it
// sends it (RenderCertificate). Which kinds are chosen travels in the
// buttons' data as a bit mask (certKindBits), so the screen keeps no
// state.

// certAllKinds is the mask of every kind: the screen opens with all of
// them chosen.
var certAllKinds = 1<<len(storage.CertificateKinds) - 1

// certKinds are the kinds whose bits are set in mask, in display order.
func certKinds(mask int) []storage.CertificateKind {
	var out []storage.CertificateKind
	for i, k := range storage.CertificateKinds {
		if mask&(1<<i) != 0 {
			out = append(out, k)
		}
	}
	return out
}

// certEventMask parses "<event id>[:<mask>]"; the mask defaults to every
// kind (certOffered narrows it to the event's).
func certEventMask(args []string) (id int64, mask int, ok bool) {
	id, ok = argID(args, 0)
	switch {
	case !ok || len(args) > 2:
		return 0, 0, false
	case len(args) == 1:
		return id, certAllKinds, true
	}
	mask, ok = argIndex(args, 1, certAllKinds+1)
	return id, mask, ok
}

// certOffered is the mask of the kinds e's screen offers: an event
// without places (a seminar, a campaign) has no diplomas, and one of
// individual participants has no leading teacher to thank.
func certOffered(e storage.Event) int {
	mask := certAllKinds
	if !e.Kind.Graded() {
		mask &^= certBit(storage.CertDiploma) | certBit(storage.CertLaureate)
	}
	if e.Unit != storage.UnitTeam {
		mask &^= certBit(storage.CertThanks)
	}
	return mask
}

// certEvent loads the event of a documents button for actMark: it must
// have taken place (published or finished, started). ok false: the user
// has been answered.
func (b *Bot) certEvent(ctx context.Context, r *Request, id int64) (storage.Event, bool, error) {
	e, ok, err := b.eventFor(ctx, r, id, actMark)
	if !ok {
		return e, false, err
	}
	if (e.Status != storage.EventPublished && e.Status != storage.EventFinished) || b.cfg.Now().Before(e.Start) {
		return e, false, b.answer(ctx, r, r.P.T("marking_not_yet"), true)
	}
	return e, true, nil
}

// cbCerts shows the documents screen: cd:<event id>[:<mask>].
func (b *Bot) cbCerts(ctx context.Context, r *Request, args []string) error {
	id, mask, ok := certEventMask(args)
	if !ok {
		return b.stale(ctx, r)
	}
	e, ok, err := b.certEvent(ctx, r, id)
	if !ok {
		return err
	}
	return b.showCerts(ctx, r, e, mask&certOffered(e), "")
}

// showCerts draws the screen for the kinds in mask, with note (what was
// just done) above it, "" for none.
func (b *Bot) showCerts(ctx context.Context, r *Request, e storage.Event, mask int, note string) error {
	p := r.P
	// What every kind would give, so a toggle shows its figure even when
	// it is off.
	all, err := b.store.PlanCertificates(ctx, e.ID, storage.CertificateKinds)
	if err != nil {
		return err
	}
	var lines []string
	if note != "" {
		lines = append(lines, note, "")
	}
	lines = append(lines, p.T("cert_screen_title", "Title", e.Title))
	chosen := certKinds(mask)
	var news []string
	already, replace, annul := 0, 0, 0
	for _, k := range chosen {
		if n := all.New[k]; n > 0 {
			news = append(news, p.T("cert_count_"+string(k), "N", n))
		}
		already += all.Already[k]
		replace += all.Replaced[k]
		annul += all.Revoked[k] - all.Replaced[k]
	}
	switch {
	case len(news) > 0:
		lines = append(lines, p.T("cert_screen_new", "List", localesHTML(strings.Join(news, " · "))))
	case already > 0:
		lines = append(lines, p.T("cert_screen_nothing_new"))
	default:
		lines = append(lines, p.T("review13_cert_nothing_yet"))
	}
	if replace > 0 {
		lines = append(lines, p.N("review13_cert_screen_replace", replace))
	}
	if annul > 0 {
		lines = append(lines, p.N("cert_screen_revoke", annul))
	}
	participation := mask&certBit(storage.CertParticipation) != 0
	switch {
	case all.Unmarked && participation:
		lines = append(lines, "", p.T("cert_screen_unmarked", "Button", p.T("btn_attendance")))
	case all.Waiting > 0 && participation:
		lines = append(lines, p.N("review13_cert_screen_waiting", all.Waiting, "Button", p.T("btn_attendance")))
	}
	if already > 0 {
		lines = append(lines, "", p.N("cert_screen_already", already))
	}
	deliveries, err := b.store.CertificateDeliveries(ctx, e.ID, 0)
	if err != nil {
		return err
	}
	lines = append(lines, certDeliveryLines(p, deliveries)...)
	var kb keyboard
	for i, k := range storage.CertificateKinds {
		if certOffered(e)&(1<<i) == 0 {
			continue
		}
		mark := "▫️ "
		if mask&(1<<i) != 0 {
			mark = "✅ "
		}
		kb = append(kb, []modelsButton{button(mark+p.T("cert_count_"+string(k), "N", all.New[k]), cb(cbCerts, e.ID, mask^(1<<i)))})
	}
	kb = append(kb,
		[]modelsButton{button(p.T("btn_cert_issue"), cb(cbCertsIssue, e.ID, mask))},
		[]modelsButton{button(p.T("btn_cert_zip"), cb(cbCertsZip, e.ID))},
		[]modelsButton{button(p.T("btn_back_to_event"), cb(cbEventCard, e.ID))})
	return b.reply(ctx, r, strings.Join(lines, "\n"), kb)
}

// certBit is kind's bit in a mask.
func certBit(k storage.CertificateKind) int {
	for i, x := range storage.CertificateKinds {
		if x == k {
			return 1 << i
		}
	}
	return 0
}

// cbCertsIssue issues the chosen kinds: cdi:<event id>:<mask>. The answer
// comes after the commit; a second press issues nothing new and says so.
func (b *Bot) cbCertsIssue(ctx context.Context, r *Request, args []string) error {
	id, mask, ok := certEventMask(args)
	if !ok || len(args) != 2 {
		return b.stale(ctx, r)
	}
	e, ok, err := b.certEvent(ctx, r, id)
	if !ok {
		return err
	}
	if mask &= certOffered(e); mask == 0 {
		return b.answer(ctx, r, r.P.T("cert_none_chosen"), true)
	}
	plan, err := b.store.IssueCertificates(ctx, storage.CertificateIssue{EventID: id, By: r.User.ID, Kinds: certKinds(mask),
		Operator: b.cfg.Operator}, b.notifyCertificate)
	switch {
	case errors.Is(err, storage.ErrAttendanceUnmarked):
		return b.answer(ctx, r, r.P.T("cert_unmarked_refused"), true)
	case errors.Is(err, storage.ErrEventNotStarted):
		return b.answer(ctx, r, r.P.T("marking_not_yet"), true)
	case storage.IsNotFound(err):
		return b.answer(ctx, r, r.P.T("event_gone"), true)
	case err != nil:
		return err
	}
	b.log.Info("certificates issued", "event", id, "by", r.User.ID, "new", plan.New.Total(),
		"revoked", plan.Revoked.Total(), "notified", plan.Notified)
	p := r.P
	note := p.T("cert_issued_nothing")
	if n := plan.New.Total(); n > 0 {
		note = p.N("cert_issued", n)
		if plan.Notified < n { // no promise of a delivery the outbox will not make
			note = p.N("review13_cert_issued_partly", n, "Sent", plan.Notified)
		}
		if m := plan.Revoked.Total(); m > 0 {
			note += " " + p.N("cert_issued_revoked", m)
		}
	}
	if err := b.answer(ctx, r, truncateRunes(plainText(note), maxAnswer), false); err != nil {
		return err
	}
	return b.showCerts(ctx, r, e, mask, note)
}

// notifyCertificate renders the caption of a new document for its teacher,
// in their language (runs inside the storage transaction: computes only).
func (b *Bot) notifyCertificate(u storage.User, c storage.Certificate) storage.Content {
	p := b.catalog.For(u.Lang)
	text := p.T("cert_notice_"+string(c.Kind), "Title", c.Event, "Place", localesHTML(romanPlace(c.Place)))
	text += "\n" + p.T("cert_notice_number", "Number", c.Number)
	if c.Replaces != "" {
		text += "\n" + p.T("review13_cert_replaces", "Number", c.Replaces)
	}
	return storage.Content{Text: text}
}

// romanPlace is a diploma's degree as printed: I, II, III ("" for none).
func romanPlace(place int) string {
	switch place {
	case 1:
		return "I"
	case 2:
		return "II"
	case 3:
		return "III"
	}
	return ""
}

// certKindName names what c is, in p's language: «диплом I степени».
func certKindName(p locales.Printer, c storage.Certificate) string {
	return plainText(p.T("cert_kind_"+string(c.Kind), "Place", localesHTML(romanPlace(c.Place))))
}

// certFileName is a document's file name, in the district's language:
// «2027-0042 Иванова М. П. — диплом I степени.pdf».
func (b *Bot) certFileName(c storage.Certificate) string {
	p := b.catalog.For(locales.Russian)
	name := shortPersonName(c.Recipient, false)
	if name == "" {
		name = "—"
	}
	return zipName(c.Number+" "+name+" — "+certKindName(p, c)) + ".pdf"
}

// certArgs parses "<event id>" of a teacher's documents button.
func certArgs(args []string) (int64, bool) {
	id, ok := argID(args, 0)
	return id, ok && len(args) == 1
}

// cbCertsMine sends the teacher her documents of the event again, as
// replies: cdm:<event id>. One the outbox has yet to deliver is left to
// it, so that no document comes twice; the answer says so.
func (b *Bot) cbCertsMine(ctx context.Context, r *Request, args []string) error {
	id, ok := certArgs(args)
	if !ok {
		return b.stale(ctx, r)
	}
	deliveries, err := b.store.CertificateDeliveries(ctx, id, r.User.ID)
	if err != nil {
		return err
	}
	var mine []storage.Certificate
	for _, d := range deliveries {
		if d.State != storage.DeliveryPending {
			mine = append(mine, d.Certificate)
		}
	}
	onWay := len(deliveries) - len(mine)
	switch {
	case len(deliveries) == 0:
		return b.answer(ctx, r, r.P.T("cert_mine_none"), true)
	case len(mine) == 0:
		return b.answer(ctx, r, r.P.T("review13_cert_mine_all_on_way"), true)
	}
	text := r.P.T("cert_mine_sending")
	if onWay > 0 {
		text += " " + r.P.N("review13_cert_mine_on_way", onWay)
	}
	if err := b.answer(ctx, r, truncateRunes(text, maxAnswer), onWay > 0); err != nil {
		return err
	}
	for _, c := range mine {
		name, pdf, err := b.printCertificate(c)
		if err != nil {
			return err
		}
		caption := b.notifyCertificate(r.User, c).Text
		if _, err := b.sendMessage(ctx, r.ChatID, certDocument(name, pdf, caption)); err != nil {
			return err
		}
	}
	return nil
}

// certIDString is the id as a deep link carries it.
func certIDString(id int64) string { return strconv.FormatInt(id, 10) }
