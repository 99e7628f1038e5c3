package bot

import (
	"bytes"
	"context"
	"time"

	"github.com/go-telegram/bot/models"

	"vmeste/storage"
	"vmeste/telegram"
)

// The papers for the day, for those who may see an event's participants
// (actParticipants): «🖨 Лист регистрации» (№, participant, organisation,
// a column to sign) for an event published or held, and «🏆 Протокол»
// (№, participant, organisation, result) once it has started and
// attendance or a place is marked. Both buttons are under the file that
// «📥 Выгрузить» sends, beside «📄 То же в CSV». A press sends the paper
// twice: as PDF, ready to print (documents.Sheet lays it out), and as
// XLSX, to correct before printing (a name typed wrong, a late team).
// What they hold is decided in daysheet_rows.go.

// daySheetButtons are the papers' buttons for ex as it was read at now:
// none for a draft, a cancelled event or one with nobody confirmed; the
// protocol only after the start with a mark made.
func daySheetButtons(r *Request, ex storage.EventExport, now time.Time) []modelsButton {
	e := ex.Event
	confirmed, marked := daySheetConfirmed(ex)
	if e.Status == storage.EventDraft || e.Status == storage.EventCancelled || confirmed == 0 {
		return nil
	}
	row := []modelsButton{button(r.P.T("btn_daysheet_signin"), cb(cbDaySheet, e.ID, string(daySheetSignIn)))}
	if marked > 0 && !now.Before(e.Start) {
		row = append(row, button(r.P.T("btn_daysheet_protocol"), cb(cbDaySheet, e.ID, string(daySheetProtocol))))
	}
	return row
}

// cbDaySheet: ds:<event id>:<s|p>: the sign-in sheet or the protocol, as
// PDF and XLSX.
func (b *Bot) cbDaySheet(ctx context.Context, r *Request, args []string) error {
	if len(args) != 2 || (daySheetKind(args[1]) != daySheetSignIn && daySheetKind(args[1]) != daySheetProtocol) {
		return b.stale(ctx, r)
	}
	kind := daySheetKind(args[1])
	ex, ok, err := b.participantsExport(ctx, r, args)
	if !ok {
		return err
	}
	p, e := r.P, ex.Event
	confirmed, marked := daySheetConfirmed(ex)
	var refusal string
	switch {
	case e.Status == storage.EventCancelled:
		refusal = "daysheet_cancelled"
	case e.Status == storage.EventDraft:
		refusal = "daysheet_draft"
	case confirmed == 0:
		refusal = "daysheet_empty"
	case kind == daySheetProtocol && b.cfg.Now().Before(e.Start):
		refusal = "daysheet_protocol_not_started"
	case kind == daySheetProtocol && marked == 0:
		refusal = "daysheet_protocol_no_marks"
	}
	if refusal != "" {
		return b.answer(ctx, r, p.T(refusal), true)
	}
	if err := b.answer(ctx, r, p.T("daysheet_preparing_"+string(kind)), false); err != nil {
		return err
	}
	d := newDaySheet(p, kind, ex)
	loc := b.cfg.Location
	pdf, err := d.pdf(p, b.cfg.Operator, loc)
	if err != nil {
		return err
	}
	xlsx, err := d.xlsx(p, loc)
	if err != nil {
		return err
	}
	caption := p.N("daysheet_caption_"+string(kind), len(d.rows), "Title", e.Title)
	if kind == daySheetSignIn && d.waitlist > 0 {
		caption += "\n" + p.N("daysheet_caption_waitlist", d.waitlist)
	}
	// Names are plain text, not HTML: the title goes in as typed.
	if _, err := b.sendMessage(ctx, r.ChatID, telegram.Message{Text: caption,
		Document: &models.InputFileUpload{Filename: d.fileName(p, loc, ".pdf"), Data: bytes.NewReader(pdf)}}); err != nil {
		return err
	}
	if _, err := b.sendMessage(ctx, r.ChatID, telegram.Message{Text: p.T("daysheet_caption_xlsx"),
		Document: &models.InputFileUpload{Filename: d.fileName(p, loc, ".xlsx"), Data: bytes.NewReader(xlsx)}}); err != nil {
		return err
	}
	b.log.Info("daysheet: sent", "event", e.ID, "user_id", r.User.ID, "kind", string(kind), "rows", len(d.rows),
		"pdf_bytes", len(pdf), "xlsx_bytes", len(xlsx))
	return nil
}
