package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"vmeste/locales"
	"vmeste/storage"
)

// /report: the coverage report (охват) for coordinators (their
// organisation's events: owned or organised) and admins (the whole
// district). The coordinator picks a period with buttons — the school year
// (1 September – 31 August), the year before, a quarter, a month — or types
// two dates; the bot answers with the figures and the top lines of a cut
// (by partner agency, by kind of event, by organisation; buttons switch the
// cut), then an XLSX workbook with a sheet per cut and a bar chart. The
// period rides in the buttons' data (a short code, period), so only
// the typed dates need a wizard (flowReport), kept in bbolt like every
// other.

const (
	flowReport      = "report"
	stepReportDates = "dates"

	// reportTopLines is how many lines of the cut the message shows; the
	// workbook has them all.
	reportTopLines = 10
)

// The cuts, by their letter in callback data.
const (
	cutAgency = "a"
	cutKind   = "k"
	cutOrg    = "o"
)

// cmdReport offers the periods.
func (b *Bot) cmdReport(ctx context.Context, r *Request, _ string) error {
	if r.Role() != roleAdmin && r.User.OrgID == 0 {
		_, err := b.send(ctx, r.ChatID, r.P.T("report_no_org"), nil)
		return err
	}
	text, kb := b.reportMenu(r, "")
	_, err := b.send(ctx, r.ChatID, text, kb)
	return err
}

// reportMenu is the period question: the main choices, or (sub "q", "m")
// the quarters or the months to pick from.
func (b *Bot) reportMenu(r *Request, sub string) (string, keyboard) {
	now := b.cfg.Now().In(b.cfg.Location)
	loc := b.cfg.Location
	var kb keyboard
	switch sub {
	case "q":
		var row []modelsButton
		for _, p := range lastQuarters(now, 4, loc) {
			row = append(row, button(p.label(r.P), cb(cbReportPeriod, p.Code)))
			if len(row) == 2 {
				kb, row = append(kb, row), nil
			}
		}
	case "m":
		var row []modelsButton
		for _, p := range lastMonths(now, 6, loc) {
			row = append(row, button(p.label(r.P), cb(cbReportPeriod, p.Code)))
			if len(row) == 3 {
				kb, row = append(kb, row), nil
			}
		}
	default:
		y := schoolYearOf(now)
		kb = keyboard{
			{button("📅 "+schoolYearPeriod(y, loc).label(r.P), cb(cbReportPeriod, schoolYearPeriod(y, loc).Code))},
			{button(schoolYearPeriod(y-1, loc).label(r.P), cb(cbReportPeriod, schoolYearPeriod(y-1, loc).Code))},
			{button(r.P.T("btn_report_quarter"), cb(cbReportMenu, "q")), button(r.P.T("btn_report_month"), cb(cbReportMenu, "m"))},
			{button(r.P.T("btn_report_dates"), cbReportDates)},
		}
		return r.P.T("report_ask_period"), kb
	}
	kb = append(kb, []modelsButton{button(r.P.T("btn_back"), cb(cbReportMenu, "p"))})
	return r.P.T("report_ask_period"), kb
}

// cbReportMenu shows the quarters, the months, or the main choices again:
// rpm:<q|m|p>.
func (b *Bot) cbReportMenu(ctx context.Context, r *Request, args []string) error {
	if len(args) != 1 || (args[0] != "q" && args[0] != "m" && args[0] != "p") {
		return b.stale(ctx, r)
	}
	if err := b.answer(ctx, r, "", false); err != nil {
		return err
	}
	text, kb := b.reportMenu(r, args[0])
	return b.reply(ctx, r, text, kb)
}

// cbReportPeriod makes the report for a period: rpp:<period>. The menu
// becomes the report (cut by partner agency); the workbook and the chart
// follow as files.
func (b *Bot) cbReportPeriod(ctx context.Context, r *Request, args []string) error {
	if len(args) != 1 {
		return b.stale(ctx, r)
	}
	rp, ok := parsePeriodCode(args[0], b.cfg.Location)
	if !ok {
		return b.stale(ctx, r)
	}
	if err := b.answer(ctx, r, r.P.T("report_wait"), false); err != nil {
		return err
	}
	return b.deliverReport(ctx, r, rp)
}

// cbReportCut shows another cut of a report: rpc:<a|k|o>:<period>. Only
// the message changes; the files sent stay.
func (b *Bot) cbReportCut(ctx context.Context, r *Request, args []string) error {
	if len(args) != 2 || (args[0] != cutAgency && args[0] != cutKind && args[0] != cutOrg) {
		return b.stale(ctx, r)
	}
	rp, ok := parsePeriodCode(args[1], b.cfg.Location)
	if !ok {
		return b.stale(ctx, r)
	}
	c, err := b.coverage(ctx, r, rp)
	if err != nil {
		return err
	}
	if err := b.answer(ctx, r, "", false); err != nil {
		return err
	}
	return b.reply(ctx, r, b.reportText(ctx, r, rp, c, args[0]), b.reportKeyboard(r, rp, args[0]))
}

// cbReportDates asks for two dates: rpd.
func (b *Bot) cbReportDates(ctx context.Context, r *Request, _ []string) error {
	if err := b.store.PutConversation(ctx, r.User.ID, storage.Conversation{Flow: flowReport, Step: stepReportDates}); err != nil {
		return err
	}
	if err := b.answer(ctx, r, "", false); err != nil {
		return err
	}
	return b.reply(ctx, r, b.reportDatesPrompt(r), withNav(nil, r.P, flowReport, stepReportDates, false))
}

func (b *Bot) reportDatesPrompt(r *Request) string {
	now := b.cfg.Now().In(b.cfg.Location)
	from := schoolYearPeriod(schoolYearOf(now), b.cfg.Location).From
	return r.P.T("report_ask_dates", "Example", from.Format("02.01.2006")+" – "+now.Format("02.01.2006"))
}

// resumeReport asks for the dates again.
func (b *Bot) resumeReport(ctx context.Context, r *Request, _ storage.Conversation) error {
	_, err := b.send(ctx, r.ChatID, b.reportDatesPrompt(r), withNav(nil, r.P, flowReport, stepReportDates, false))
	return err
}

// reportDatesText takes the typed period.
func (b *Bot) reportDatesText(ctx context.Context, r *Request, _ storage.Conversation, text string) error {
	rp, problem := parsePeriodText(r.P, text, b.cfg.Now().In(b.cfg.Location), b.cfg.Location)
	if problem != "" {
		_, err := b.send(ctx, r.ChatID, problem, withNav(nil, r.P, flowReport, stepReportDates, false))
		return err
	}
	if err := b.store.ClearConversation(ctx, r.User.ID); err != nil {
		return err
	}
	return b.deliverReport(ctx, r, rp)
}

// coverage computes the report of the period in the request's scope.
func (b *Bot) coverage(ctx context.Context, r *Request, rp period) (storage.Coverage, error) {
	q := storage.CoverageQuery{From: rp.From, To: rp.To, Now: b.cfg.Now()}
	if r.Role() != roleAdmin {
		q.Org = r.User.OrgID
		if q.Org == 0 {
			return storage.Coverage{}, fmt.Errorf("bot: report for user %d: no organisation", r.User.ID)
		}
	}
	return b.store.Coverage(ctx, q)
}

// deliverReport sends the report of the period: the message (replacing
// the menu when a button asked), the workbook and the chart.
func (b *Bot) deliverReport(ctx context.Context, r *Request, rp period) error {
	c, err := b.coverage(ctx, r, rp)
	if err != nil {
		return err
	}
	if err := b.reply(ctx, r, b.reportText(ctx, r, rp, c, cutAgency), b.reportKeyboard(r, rp, cutAgency)); err != nil {
		return err
	}
	return b.sendReportFiles(ctx, r, rp, c)
}

// reportKeyboard switches the cut; the cut shown is marked.
func (b *Bot) reportKeyboard(r *Request, rp period, cut string) keyboard {
	var row []modelsButton
	for _, c := range []string{cutAgency, cutKind, cutOrg} {
		label := r.P.T("btn_report_cut_" + c)
		if c == cut {
			label = "✓ " + label
		}
		row = append(row, button(label, cb(cbReportCut, c, rp.Code)))
	}
	return keyboard{row, {button(r.P.T("btn_report_other_period"), cb(cbReportMenu, "p"))}}
}

// scopeLabel is whose events the report counts.
func (b *Bot) scopeLabel(ctx context.Context, r *Request, c storage.Coverage) string {
	if c.Query.Org == 0 {
		return r.P.T("report_scope_district")
	}
	name := strconv.FormatInt(c.Query.Org, 10)
	if o, err := b.store.Organisation(ctx, c.Query.Org); err == nil {
		name = o.Label()
	}
	return r.P.T("report_scope_org", "Org", name)
}

// growth renders the change against the year before: «+12 (+40%)», or
// just the figure when the year before had none.
func growth(p locales.Printer, now, before int) string {
	d := now - before
	if before == 0 {
		return p.T("report_growth_new", "Before", before)
	}
	pct := float64(d) * 100 / float64(before)
	return p.T("report_growth", "Delta", fmt.Sprintf("%+d", d), "Pct", fmt.Sprintf("%+.0f%%", pct))
}

// rate is the attendance rate, or a dash when nothing is marked.
func rate(f storage.CoverageFigures) string {
	if f.Marked == 0 {
		return "—"
	}
	return fmt.Sprintf("%.0f%%", f.AttendanceRate())
}

// reportText is the message: the period and scope, the main figures with
// the growth, who never took part, and the top lines of the cut. It fits
// Telegram's limit: lines are capped, names shortened.
func (b *Bot) reportText(ctx context.Context, r *Request, rp period, c storage.Coverage, cut string) string {
	p, f := r.P, c.Total
	lines := []string{
		p.T("report_title", "Period", rp.label(p), "Scope", b.scopeLabel(ctx, r, c)),
		"",
		p.T("report_events", "Held", f.EventsHeld, "Cancelled", f.EventsCancelled),
		p.T("report_orgs", "Count", f.Orgs, "Absent", len(c.Absent)),
		p.T("report_teachers", "Count", f.Teachers, "Growth", localesHTML(growth(p, f.Teachers, c.Previous.Teachers))),
		p.T("report_pupils", "Count", f.Pupils, "Growth", localesHTML(growth(p, f.Pupils, c.Previous.Pupils))),
		p.T("report_attendance", "Rate", rate(f), "Attended", f.Attended, "Marked", f.Marked),
		p.T("report_prizes", "Winners", f.Winners, "Laureates", f.Laureates),
	}
	if f.Marked == 0 {
		// «Явка: — (пришли 0 из 0 отмеченных)» read as a fault.
		lines[6] = p.T("report_attendance_unmarked")
	}
	if len(c.Absent) > 0 {
		var names []string
		for i, o := range c.Absent {
			if i == 5 {
				names = append(names, p.N("report_and_more", len(c.Absent)-5))
				break
			}
			names = append(names, truncateRunes(o.Label(), 40))
		}
		lines = append(lines, p.T("report_absent", "Names", strings.Join(names, ", ")))
	}
	lines = append(lines, "", p.T("report_cut_title_"+cut))
	cutLines := cutOf(c, cut)
	if len(cutLines) == 0 {
		lines = append(lines, p.T("report_cut_empty"))
	}
	for i, l := range cutLines {
		if i == reportTopLines {
			lines = append(lines, p.N("report_more_lines", len(cutLines)-reportTopLines))
			break
		}
		lines = append(lines, p.T("report_cut_line", "N", i+1, "Name", truncateRunes(lineName(p, l), 40),
			"Events", l.EventsHeld, "Teachers", l.Teachers, "Pupils", l.Pupils))
	}
	// The chart is drawn only when some organisation took part
	// (sendReportFiles): the note promises no more than comes.
	note := "report_files_note"
	if len(c.ByOrg) == 0 {
		note = "report_files_note_no_chart"
	}
	lines = append(lines, "", p.T(note))
	return p.FitLines(lines, 2)
}

// cutOf is the cut's lines.
func cutOf(c storage.Coverage, cut string) []storage.CoverageLine {
	switch cut {
	case cutKind:
		return c.ByKind
	case cutOrg:
		return c.ByOrg
	}
	return c.ByAgency
}

// lineName names a cut's line: the agency's kind, the event kind or the
// organisation.
func lineName(p locales.Printer, l storage.CoverageLine) string {
	switch {
	case l.Kind != "":
		return p.T("ekind_" + string(l.Kind))
	case l.Agency != "":
		return p.T("kind_" + string(l.Agency))
	case l.Org.Name != "":
		return l.Org.Label()
	}
	return p.T("report_org_unknown", "ID", l.Org.ID)
}
