package bot

import (
	"bytes"
	"context"
	"errors"
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

// Period codes, the arg of xp:<code>.
const (
	periodYear     = "y"  // this school year
	periodLastYear = "yp" // the previous school year
	periodQuarter  = "q"  // this calendar quarter
	periodLastQ    = "qp" // the previous one
	periodMonth    = "m"  // this month
	periodLastM    = "mp" // the previous one
	periodTyped    = "d"  // two dates, typed
)

// period is [From, To) in the district's zone.
type period struct {
	From, To time.Time
}

// label is the period as a file name and a caption read it: «01.09.2026–31.08.2027».
func (pr period) label() string {
	return pr.From.Format("02.01.2006") + "–" + pr.To.AddDate(0, 0, -1).Format("02.01.2006")
}

// schoolYear is the school year holding now: from 1 September to the
// next 1 September (exclusive), shifted back by back years.
func schoolYear(now time.Time, back int) period {
	y := now.Year()
	if now.Month() < time.September {
		y--
	}
	y -= back
	from := time.Date(y, time.September, 1, 0, 0, 0, 0, now.Location())
	return period{from, from.AddDate(1, 0, 0)}
}

// quarter is the calendar quarter holding now, shifted back by back
// quarters.
func quarter(now time.Time, back int) period {
	m := (int(now.Month())-1)/3*3 + 1 - 3*back
	from := time.Date(now.Year(), time.Month(m), 1, 0, 0, 0, 0, now.Location())
	return period{from, from.AddDate(0, 3, 0)}
}

// month is the month holding now, shifted back by back months.
func month(now time.Time, back int) period {
	from := time.Date(now.Year(), now.Month()-time.Month(back), 1, 0, 0, 0, 0, now.Location())
	return period{from, from.AddDate(0, 1, 0)}
}

// periodOf is the period a button's code names at now.
func periodOf(code string, now time.Time) (period, bool) {
	switch code {
	case periodYear:
		return schoolYear(now, 0), true
	case periodLastYear:
		return schoolYear(now, 1), true
	case periodQuarter:
		return quarter(now, 0), true
	case periodLastQ:
		return quarter(now, 1), true
	case periodMonth:
		return month(now, 0), true
	case periodLastM:
		return month(now, 1), true
	}
	return period{}, false
}

// quarterName is «IV квартал 2026».
func quarterName(p locales.Printer, pr period) string {
	return p.T("export_quarter", "N", localesHTML([]string{"I", "II", "III", "IV"}[(pr.From.Month()-1)/3]), "Year", pr.From.Year())
}

// monthName is «Декабрь 2026».
func monthName(p locales.Printer, pr period) string {
	return p.T(fmt.Sprintf("export_month_%d", pr.From.Month()), "Year", pr.From.Year())
}

// periodKeyboard offers the periods, the school year first.
func periodKeyboard(p locales.Printer, now time.Time) keyboard {
	year, last := schoolYear(now, 0), schoolYear(now, 1)
	yearName := func(pr period) string { return fmt.Sprintf("%d/%02d", pr.From.Year(), (pr.From.Year()+1)%100) }
	return keyboard{
		{button(p.T("btn_export_year", "Year", yearName(year)), cb(cbExportPeriod, periodYear))},
		{button(p.T("btn_export_last_year", "Year", yearName(last)), cb(cbExportPeriod, periodLastYear))},
		{button(quarterName(p, quarter(now, 0)), cb(cbExportPeriod, periodQuarter)),
			button(quarterName(p, quarter(now, 1)), cb(cbExportPeriod, periodLastQ))},
		{button(monthName(p, month(now, 0)), cb(cbExportPeriod, periodMonth)),
			button(monthName(p, month(now, 1)), cb(cbExportPeriod, periodLastM))},
		{button(p.T("btn_export_dates"), cb(cbExportPeriod, periodTyped))},
	}
}

// cmdExport asks for the period.
func (b *Bot) cmdExport(ctx context.Context, r *Request, _ string) error {
	now := b.cfg.Now().In(b.cfg.Location)
	_, err := b.send(ctx, r.ChatID, r.P.T("export_ask_period"), periodKeyboard(r.P, now))
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
	pr, ok := periodOf(args[0], b.cfg.Now().In(b.cfg.Location))
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
	y := schoolYear(now, 0)
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
	pr, problem := b.parsePeriod(r.P, text)
	if problem != "" {
		_, err := b.send(ctx, r.ChatID, problem, keyboard{navRow(r.P, flowExport, stepExportPeriod, false)})
		return err
	}
	if err := b.store.ClearConversation(ctx, r.User.ID); err != nil {
		return err
	}
	return b.sendPeriodExport(ctx, r, pr)
}

// periodSeparators split a typed period into its two dates, tried in
// order («-» only with spaces around it: it may be inside a date).
var periodSeparators = []string{"\n", "—", "–", " - ", " по ", " до ", " to "}

// maxPeriodText bounds a typed period.
const maxPeriodText = 140

// parsePeriod reads «01.09.2026 – 31.12.2026» (either date as the event
// wizard reads one, a time of day ignored; the two may also be split by a
// lone «-», or be two words): the period from the first day to the end of
// the second. problem says what is wrong, in p's language.
func (b *Bot) parsePeriod(p locales.Printer, text string) (pr period, problem string) {
	now := b.cfg.Now().In(b.cfg.Location)
	example := localesHTML(schoolYear(now, 0).From.Format("02.01.2006") + " – " + now.Format("02.01.2006"))
	s := strings.ToLower(strings.TrimSpace(text))
	if len(s) > maxPeriodText {
		return period{}, p.T("export_bad_dates", "Example", example)
	}
	for _, w := range []string{"с ", "from "} {
		s = strings.TrimPrefix(s, w)
	}
	var parts []string
	for _, sep := range periodSeparators {
		if a, z, ok := strings.Cut(s, sep); ok {
			parts = []string{a, z}
			break
		}
	}
	switch f := strings.Fields(s); {
	case len(parts) == 2:
	case strings.Count(s, "-") == 1: // «01.09.2026-31.12.2026»
		a, z, _ := strings.Cut(s, "-")
		parts = []string{a, z}
	case len(f) == 2: // «01.09.2026 31.12.2026»
		parts = f
	default:
		return period{}, p.T("export_bad_dates", "Example", example)
	}
	var days [2]time.Time
	for i, part := range parts {
		part = strings.TrimSpace(part)
		t, err := parseWhen(part, now, b.cfg.Location)
		if err != nil {
			t, err = parseWhen(part+" 00:00", now, b.cfg.Location)
		}
		var de *dateError
		switch {
		case errors.As(err, &de):
			return period{}, impossibleDate(p, de)
		case err != nil:
			return period{}, p.T("export_bad_date", "Text", part, "Example", example)
		}
		y, m, d := t.In(b.cfg.Location).Date()
		days[i] = time.Date(y, m, d, 0, 0, 0, 0, b.cfg.Location)
	}
	if days[1].Before(days[0]) {
		return period{}, p.T("export_dates_reversed", "Example", example)
	}
	return period{days[0], days[1].AddDate(0, 0, 1)}, ""
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
		_, err := b.send(ctx, r.ChatID, p.T("export_period_empty", "Period", pr.label()), nil)
		return err
	}
	data, err := b.periodXLSX(p, ex)
	if err != nil {
		return err
	}
	name := zipName(p.T("export_file_events")+" "+pr.label()) + ".xlsx"
	caption := p.N("export_period_caption", len(ex.Events), "Period", pr.label())
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
