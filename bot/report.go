package bot

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

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
// period rides in the buttons' data (a short code, reportPeriod), so only
// the typed dates need a wizard (flowReport), kept in bbolt like every
// other.

const (
	flowReport      = "report"
	stepReportDates = "dates"

	// reportTopLines is how many lines of the cut the message shows; the
	// workbook has them all.
	reportTopLines = 10
)

// reportPeriod is a period of the report: [From, To) in the district's
// zone, with its code for callback data.
type reportPeriod struct {
	Code     string
	From, To time.Time
}

var (
	reYearCode    = regexp.MustCompile(`^y(\d{4})$`)
	reQuarterCode = regexp.MustCompile(`^q(\d{4})-([1-4])$`)
	reMonthCode   = regexp.MustCompile(`^m(\d{4})-(\d{2})$`)
	reDatesCode   = regexp.MustCompile(`^d(\d{8})-(\d{8})$`)
)

// reportSchoolYear is the school year starting 1 September of year.
func reportSchoolYear(year int, loc *time.Location) reportPeriod {
	return reportPeriod{Code: "y" + strconv.Itoa(year),
		From: time.Date(year, time.September, 1, 0, 0, 0, 0, loc), To: time.Date(year+1, time.September, 1, 0, 0, 0, 0, loc)}
}

// schoolYearOf is the school year that now falls in.
func schoolYearOf(now time.Time) int {
	if now.Month() >= time.September {
		return now.Year()
	}
	return now.Year() - 1
}

// reportQuarter is quarter q (1…4) of year.
func reportQuarter(year, q int, loc *time.Location) reportPeriod {
	from := time.Date(year, time.Month(3*(q-1)+1), 1, 0, 0, 0, 0, loc)
	return reportPeriod{Code: fmt.Sprintf("q%d-%d", year, q), From: from, To: from.AddDate(0, 3, 0)}
}

// reportMonth is month m of year.
func reportMonth(year int, m time.Month, loc *time.Location) reportPeriod {
	from := time.Date(year, m, 1, 0, 0, 0, 0, loc)
	return reportPeriod{Code: fmt.Sprintf("m%d-%02d", year, int(m)), From: from, To: from.AddDate(0, 1, 0)}
}

// datesPeriod is the days first through last, both included.
func datesPeriod(first, last time.Time, loc *time.Location) reportPeriod {
	from := time.Date(first.Year(), first.Month(), first.Day(), 0, 0, 0, 0, loc)
	to := time.Date(last.Year(), last.Month(), last.Day(), 0, 0, 0, 0, loc).AddDate(0, 0, 1)
	return reportPeriod{Code: "d" + from.Format("20060102") + "-" + to.AddDate(0, 0, -1).Format("20060102"), From: from, To: to}
}

// parsePeriodCode reads a period's code back; ok is false for anything a
// button of ours could not carry.
func parsePeriodCode(code string, loc *time.Location) (reportPeriod, bool) {
	year := func(s string) (int, bool) {
		y, err := strconv.Atoi(s)
		return y, err == nil && y >= 2000 && y <= 2100
	}
	if m := reYearCode.FindStringSubmatch(code); m != nil {
		y, ok := year(m[1])
		return reportSchoolYear(y, loc), ok
	}
	if m := reQuarterCode.FindStringSubmatch(code); m != nil {
		y, ok := year(m[1])
		q, _ := strconv.Atoi(m[2])
		return reportQuarter(y, q, loc), ok
	}
	if m := reMonthCode.FindStringSubmatch(code); m != nil {
		y, ok := year(m[1])
		mo, _ := strconv.Atoi(m[2])
		return reportMonth(y, time.Month(mo), loc), ok && mo >= 1 && mo <= 12
	}
	if m := reDatesCode.FindStringSubmatch(code); m != nil {
		first, err1 := time.ParseInLocation("20060102", m[1], loc)
		last, err2 := time.ParseInLocation("20060102", m[2], loc)
		if err1 != nil || err2 != nil || last.Before(first) || first.Year() < 2000 || last.Year() > 2100 {
			return reportPeriod{}, false
		}
		return datesPeriod(first, last, loc), true
	}
	return reportPeriod{}, false
}

// label names the period: «2026/27 учебный год», «IV квартал 2026»,
// «ноябрь 2026», «1 сентября 2026 – 31 декабря 2026».
func (rp reportPeriod) label(p locales.Printer) string {
	switch rp.Code[0] {
	case 'y':
		return p.T("report_period_year", "From", rp.From.Year(), "To", fmt.Sprintf("%02d", rp.To.Year()%100))
	case 'q':
		q := (int(rp.From.Month()) - 1) / 3
		return p.T("report_period_quarter", "Q", []string{"I", "II", "III", "IV"}[q], "N", q+1, "Year", rp.From.Year())
	case 'm':
		return p.T("report_month_"+strconv.Itoa(int(rp.From.Month())), "Year", rp.From.Year())
	}
	return p.T("report_period_dates", "From", p.Day(rp.From), "To", p.Day(rp.To.AddDate(0, 0, -1)))
}

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
		// The last four quarters, the current one last.
		y, q := now.Year(), (int(now.Month())-1)/3+1
		var list []reportPeriod
		for range 4 {
			list = append([]reportPeriod{reportQuarter(y, q, loc)}, list...)
			if q--; q == 0 {
				y, q = y-1, 4
			}
		}
		for _, p := range list {
			row = append(row, button(p.label(r.P), cb(cbReportPeriod, p.Code)))
			if len(row) == 2 {
				kb, row = append(kb, row), nil
			}
		}
	case "m":
		var row []modelsButton
		first := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, loc).AddDate(0, -5, 0)
		for i := range 6 {
			p := reportMonth(first.AddDate(0, i, 0).Year(), first.AddDate(0, i, 0).Month(), loc)
			row = append(row, button(p.label(r.P), cb(cbReportPeriod, p.Code)))
			if len(row) == 3 {
				kb, row = append(kb, row), nil
			}
		}
	default:
		y := schoolYearOf(now)
		kb = keyboard{
			{button("📅 "+reportSchoolYear(y, loc).label(r.P), cb(cbReportPeriod, reportSchoolYear(y, loc).Code))},
			{button(reportSchoolYear(y-1, loc).label(r.P), cb(cbReportPeriod, reportSchoolYear(y-1, loc).Code))},
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
	from := reportSchoolYear(schoolYearOf(now), b.cfg.Location).From
	return r.P.T("report_ask_dates", "Example", from.Format("02.01.2006")+" – "+now.Format("02.01.2006"))
}

// resumeReport asks for the dates again.
func (b *Bot) resumeReport(ctx context.Context, r *Request, _ storage.Conversation) error {
	_, err := b.send(ctx, r.ChatID, b.reportDatesPrompt(r), withNav(nil, r.P, flowReport, stepReportDates, false))
	return err
}

// errReportDates is a typed period the bot could not read.
var errReportDates = errors.New("bot: report dates")

// reHasYear finds a year typed in a date: four digits, or two after a
// day and a month («15.04.27»).
var reHasYear = regexp.MustCompile(`\d{4}|\d{1,2}[./-]\d{1,2}[./-]\d{2}`)

// reDatesSplit separates two typed dates: a dash with spaces around it,
// an en or em dash, «по», or «-» between two dates of digits.
var reDatesSplit = regexp.MustCompile(`\s+[-–—]\s+|\s*[–—]\s*|\s+по\s+|\s+to\s+|\s+`)

// parseReportDates reads «01.09.2026 – 31.12.2026», «1.09 по 31.12», «1
// сентября 2026 — 31 декабря 2026»: the first and the last day, both
// included, each read by the date parser (parseDate) without a time. A
// report looks back: a date typed without a year that the parser puts
// after today (it looks ahead, for events) is taken a year earlier.
func parseReportDates(s string, now time.Time, loc *time.Location) (time.Time, time.Time, error) {
	s = strings.TrimSpace(s)
	if len(s) > 2*maxWhenLen {
		return time.Time{}, time.Time{}, errReportDates
	}
	date := func(s string) (time.Time, bool) {
		words, comma, ok := whenWords(s)
		if !ok || comma >= 0 || len(words) == 0 {
			return time.Time{}, false
		}
		y, m, d, err := parseDate(words, now, loc)
		if err != nil {
			return time.Time{}, false
		}
		t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, loc)
		if t.After(now) && !reHasYear.MatchString(s) && dayExists(d, m, y-1) {
			t = t.AddDate(-1, 0, 0)
		}
		return t, true
	}
	// Every place the text could split in two, the first that reads as two
	// dates wins.
	for _, at := range reDatesSplit.FindAllStringIndex(s, -1) {
		first, ok1 := date(s[:at[0]])
		last, ok2 := date(s[at[1]:])
		if ok1 && ok2 {
			if last.Before(first) {
				return time.Time{}, time.Time{}, errReportDates
			}
			return first, last, nil
		}
	}
	// «01.09.2026-31.12.2026»: a bare hyphen between two dates.
	if i := strings.Index(s, "-"); i > 0 {
		for j := i; j >= 0 && j < len(s); j = indexFrom(s, "-", j+1) {
			first, ok1 := date(s[:j])
			last, ok2 := date(s[j+1:])
			if ok1 && ok2 && !last.Before(first) {
				return first, last, nil
			}
		}
	}
	return time.Time{}, time.Time{}, errReportDates
}

func indexFrom(s, sub string, from int) int {
	if from >= len(s) {
		return -1
	}
	i := strings.Index(s[from:], sub)
	if i < 0 {
		return -1
	}
	return from + i
}

// reportDatesText takes the typed period.
func (b *Bot) reportDatesText(ctx context.Context, r *Request, _ storage.Conversation, text string) error {
	now := b.cfg.Now().In(b.cfg.Location)
	first, last, err := parseReportDates(text, now, b.cfg.Location)
	if err != nil {
		_, err := b.send(ctx, r.ChatID, r.P.T("report_bad_dates")+"\n"+b.reportDatesPrompt(r),
			withNav(nil, r.P, flowReport, stepReportDates, false))
		return err
	}
	if err := b.store.ClearConversation(ctx, r.User.ID); err != nil {
		return err
	}
	return b.deliverReport(ctx, r, datesPeriod(first, last, b.cfg.Location))
}

// coverage computes the report of the period in the request's scope.
func (b *Bot) coverage(ctx context.Context, r *Request, rp reportPeriod) (storage.Coverage, error) {
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
func (b *Bot) deliverReport(ctx context.Context, r *Request, rp reportPeriod) error {
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
func (b *Bot) reportKeyboard(r *Request, rp reportPeriod, cut string) keyboard {
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
func (b *Bot) reportText(ctx context.Context, r *Request, rp reportPeriod, c storage.Coverage, cut string) string {
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
