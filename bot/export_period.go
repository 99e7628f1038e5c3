package bot

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/go-telegram/bot/models"

	"vmeste/locales"
	"vmeste/sheets"
	"vmeste/storage"
	"vmeste/telegram"
)

// /export: the events of a period with their figures, as one XLSX — a
// coordinator's organisation's events (it owns or co-organises them), or
// every event for an admin. The period is the school year (1 September –
// 31 August) by default, the previous one, this or the last quarter or
// month, or two dates typed (the event wizard's date parser reads each).
// Drafts are left out; cancelled events are listed with their status.

// flowExport is the wizard that waits for the two dates of a period.
const (
	flowExport       = "export"
	stepExportPeriod = "period"
)

// periodTyped is the arg of xp: that asks for two dates; any other arg
// is a period's code (period.go).
const periodTyped = "d"

// periodKeyboard offers the periods, the school year first: this and the
// last school year, quarter and month, or two dates typed.
func periodKeyboard(p locales.Printer, now time.Time, loc *time.Location) keyboard {
	y := schoolYearOf(now)
	year, last := schoolYearPeriod(y, loc), schoolYearPeriod(y-1, loc)
	yearName := func(pr period) string { return fmt.Sprintf("%d/%02d", pr.From.Year(), (pr.From.Year()+1)%100) }
	q, m := lastQuarters(now, 2, loc), lastMonths(now, 2, loc)
	return keyboard{
		{button(p.T("btn_export_year", "Year", yearName(year)), cb(cbExportPeriod, year.Code))},
		{button(p.T("btn_export_last_year", "Year", yearName(last)), cb(cbExportPeriod, last.Code))},
		{button(q[1].label(p), cb(cbExportPeriod, q[1].Code)), button(q[0].label(p), cb(cbExportPeriod, q[0].Code))},
		{button(upperFirst(m[1].label(p)), cb(cbExportPeriod, m[1].Code)), button(upperFirst(m[0].label(p)), cb(cbExportPeriod, m[0].Code))},
		{button(p.T("btn_export_dates"), cb(cbExportPeriod, periodTyped))},
	}
}

// cmdExport asks for the period.
func (b *Bot) cmdExport(ctx context.Context, r *Request, _ string) error {
	now := b.cfg.Now().In(b.cfg.Location)
	_, err := b.send(ctx, r.ChatID, r.P.T("export_ask_period"), periodKeyboard(r.P, now, b.cfg.Location))
	return err
}

// exportStarts: only «Свои даты» begins a wizard.
func exportStarts(_ context.Context, _ *Request, args []string) bool {
	return len(args) == 1 && args[0] == periodTyped
}

// cbExportPeriod: xp:<code>: the events of that period, or (d) asks for
// two dates.
func (b *Bot) cbExportPeriod(ctx context.Context, r *Request, args []string) error {
	if len(args) != 1 {
		return b.stale(ctx, r)
	}
	if args[0] == periodTyped {
		if err := b.store.PutConversation(ctx, r.User.ID, storage.Conversation{Flow: flowExport, Step: stepExportPeriod}); err != nil {
			return err
		}
		if err := b.answer(ctx, r, "", false); err != nil {
			return err
		}
		return b.askExportDates(ctx, r)
	}
	pr, ok := parsePeriodCode(args[0], b.cfg.Location)
	if !ok {
		return b.stale(ctx, r)
	}
	// A period pressed while the dates are awaited ends that wait: the
	// next text is not taken for dates.
	if c, err := b.store.Conversation(ctx, r.User.ID); err == nil && c.Flow == flowExport {
		if err := b.store.ClearConversation(ctx, r.User.ID); err != nil {
			return err
		}
	}
	if err := b.answer(ctx, r, r.P.T("export_preparing"), false); err != nil {
		return err
	}
	return b.sendPeriodExport(ctx, r, pr)
}

// askExportDates asks for the two dates.
func (b *Bot) askExportDates(ctx context.Context, r *Request) error {
	now := b.cfg.Now().In(b.cfg.Location)
	y := schoolYearPeriod(schoolYearOf(now), b.cfg.Location)
	example := y.From.Format("02.01.2006") + " – " + now.Format("02.01.2006")
	_, err := b.send(ctx, r.ChatID, r.P.T("export_ask_dates", "Example", example), keyboard{navRow(r.P, flowExport, stepExportPeriod, false)})
	return err
}

// resumeExport asks for the dates again.
func (b *Bot) resumeExport(ctx context.Context, r *Request, _ storage.Conversation) error {
	return b.askExportDates(ctx, r)
}

// exportText reads the two dates of a period; a bad answer is told why
// and the wizard waits on.
func (b *Bot) exportText(ctx context.Context, r *Request, _ storage.Conversation, text string) error {
	pr, problem := parsePeriodText(r.P, text, b.cfg.Now().In(b.cfg.Location), b.cfg.Location)
	if problem != "" {
		_, err := b.send(ctx, r.ChatID, problem, keyboard{navRow(r.P, flowExport, stepExportPeriod, false)})
		return err
	}
	if err := b.store.ClearConversation(ctx, r.User.ID); err != nil {
		return err
	}
	return b.sendPeriodExport(ctx, r, pr)
}

// sendPeriodExport sends the workbook of pr's events that r's user may
// export.
func (b *Bot) sendPeriodExport(ctx context.Context, r *Request, pr period) error {
	p := r.P
	admin, org := r.Admin, r.User.OrgID
	ex, err := b.store.ExportPeriod(ctx, pr.From, pr.To, func(e storage.Event) bool {
		return admin || org != 0 && (e.OwnerOrg == org || slices.Contains(e.Organisers, org))
	})
	if err != nil {
		return err
	}
	if len(ex.Events) == 0 {
		_, err := b.send(ctx, r.ChatID, p.T("export_period_empty", "Period", pr.span()), nil)
		return err
	}
	data, err := b.periodXLSX(p, ex)
	if err != nil {
		return err
	}
	name := zipName(p.T("export_file_events")+" "+pr.span()) + ".xlsx"
	caption := p.N("export_period_caption", len(ex.Events), "Period", pr.span())
	_, err = b.sendMessage(ctx, r.ChatID, telegram.Message{Text: caption,
		Document: &models.InputFileUpload{Filename: name, Data: bytes.NewReader(data)}})
	if err == nil {
		b.log.Info("export: events sent", "user_id", r.User.ID, "from", pr.From.Format(time.DateOnly), "events", len(ex.Events), "bytes", len(data))
	}
	return err
}

// periodColumns are the columns of the events' sheet.
func periodColumns(p locales.Printer) []sheets.Column {
	c := func(key string, width float64) sheets.Column { return sheets.Column{Title: p.T(key), Width: width} }
	return []sheets.Column{c("export_col_title", 40), c("export_col_kind", 18), c("export_col_start", 17), c("export_col_end", 17),
		c("export_col_venue", 30), c("export_col_organisers", 40), c("export_col_status", 14), c("export_col_capacity", 10),
		c("export_col_confirmed", 13), c("export_col_waitlist", 13), c("export_col_teams", 10), c("export_col_pupil_count", 11),
		c("export_col_attended_count", 11), c("export_col_winners", 13), c("export_col_laureates", 11)}
}

// periodXLSX is the events' workbook: one sheet, a row per event.
func (b *Bot) periodXLSX(p locales.Printer, ex storage.PeriodExport) ([]byte, error) {
	wb, err := sheets.New(b.cfg.Location)
	if err != nil {
		return nil, err
	}
	defer wb.Close()
	now := b.cfg.Now()
	sh, err := wb.NewSheet(p.T("export_sheet_events"), periodColumns(p))
	if err != nil {
		return nil, err
	}
	for _, f := range ex.Events {
		if err := sh.Row(periodRow(p, ex.Orgs, f, now)...); err != nil {
			return nil, err
		}
	}
	return wb.Bytes()
}

// periodRow is one event's row at now: its figures as numbers, its dates
// as dates; capacity is empty when there is no limit. A published event
// that is over reads as held, whether or not the tick has marked it yet.
func periodRow(p locales.Printer, orgs map[int64]storage.Organisation, f storage.EventFigures, now time.Time) []any {
	e := f.Event
	status := e.Status
	if status == storage.EventPublished && e.Over(now) {
		status = storage.EventFinished
	}
	names := make([]string, 0, len(e.Organisers))
	for _, id := range e.Organisers {
		if o, ok := orgs[id]; ok {
			names = append(names, o.Label())
		}
	}
	var capacity any
	if e.Capacity > 0 {
		capacity = e.Capacity
	}
	return []any{e.Title, p.T("ekind_" + string(e.Kind)), e.Start, e.End, e.Place, strings.Join(names, ", "),
		p.T("export_status_" + string(status)), capacity, f.Confirmed, f.Waitlist, f.Teams, f.Pupils, f.Attended,
		f.Winners, f.Laureates}
}
