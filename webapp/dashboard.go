package webapp

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"vmeste/storage"
)

// Dashboard: the coverage report's figures (storage.Coverage, the same
// call /report makes) for a period — the school year by default, the
// previous one, or two dates — for the district (an admin, who may also
// pick one organisation) or the coordinator's organisation; growth
// against the same period a year before; bar charts as inline SVG; the
// schools, kindergartens and colleges that took no part.

// bar is one bar of a chart: Width is its length in percent of the
// longest.
type bar struct {
	Label string
	Value int
	Width int
}

// figure is one of the report's figures with its growth.
type figure struct {
	Key         string // the figure's name, for data-figure and the label's key
	Value, Prev int
	Growth      string // "+12 %", "−3 %", "—" when there was nothing
}

// dashboardData is the Dashboard page.
type dashboardData struct {
	From, To       string // the period's dates as date inputs show them
	Period         string // "year", "last", "dates"
	Org            int64
	OrgName        string
	Orgs           []storage.Organisation
	CanPickOrg     bool
	NoOrg          bool
	Figures        []figure
	Attendance     string
	ByKind         []bar
	ByAgency       []bar
	ByOrg          []bar
	Absent         []storage.Organisation
	PeriodText     string
	AnyEvents      bool
	PreviousFigure storage.CoverageFigures
}

const dateInput = "2006-01-02"

// maxOrgBars bounds the organisations' chart.
const maxOrgBars = 10

func (a *App) dashboardPage(w http.ResponseWriter, r *http.Request, s *session) {
	ctx := r.Context()
	q := r.URL.Query()
	loc := a.cfg.Location
	from, to, _ := storage.SchoolYear(a.cfg.Now(), loc)
	d := dashboardData{Period: q.Get("period"), CanPickOrg: s.Admin}
	if datesEdited(q, from, to, loc) {
		d.Period = "dates"
	}
	switch d.Period {
	case "last":
		from, to = from.AddDate(-1, 0, 0), to.AddDate(-1, 0, 0)
	case "dates":
		f, err1 := time.ParseInLocation(dateInput, q.Get("from"), loc)
		t, err2 := time.ParseInLocation(dateInput, q.Get("to"), loc)
		if err1 == nil && err2 == nil && !t.Before(f) && t.Sub(f) < 10*366*24*time.Hour {
			from, to = f, t.AddDate(0, 0, 1) // the last day counts whole
		} else {
			d.Period = "year"
		}
	default:
		d.Period = "year"
	}
	d.From, d.To = from.Format(dateInput), to.AddDate(0, 0, -1).Format(dateInput)
	d.PeriodText = s.P.Day(from) + " – " + s.P.Day(to.AddDate(0, 0, -1))
	switch {
	case s.Admin:
		d.Org, _ = strconv.ParseInt(q.Get("org"), 10, 64)
	case s.User.OrgID == 0:
		d.NoOrg = true
		a.render(w, http.StatusOK, "dashboard", s.P, s, d, s.P.T("app_nav_dashboard"))
		return
	default:
		d.Org = s.User.OrgID
	}
	orgs, err := a.store.Organisations(ctx)
	if err != nil {
		a.serverError(w, r, s.P, err)
		return
	}
	d.Orgs = orgs
	for _, o := range orgs {
		if o.ID == d.Org {
			d.OrgName = o.Name
		}
	}
	if d.Org != 0 && d.OrgName == "" {
		d.Org = 0 // an unknown organisation: the district
	}
	cov, err := a.store.Coverage(ctx, storage.CoverageQuery{From: from, To: to, Org: d.Org, Now: a.cfg.Now()})
	if err != nil {
		a.serverError(w, r, s.P, err)
		return
	}
	t, p := cov.Total, cov.Previous
	d.AnyEvents = t.EventsHeld+t.EventsCancelled > 0
	for _, f := range []figure{
		{Key: "events", Value: t.EventsHeld, Prev: p.EventsHeld},
		{Key: "cancelled", Value: t.EventsCancelled, Prev: p.EventsCancelled},
		{Key: "orgs", Value: t.Orgs, Prev: p.Orgs},
		{Key: "teachers", Value: t.Teachers, Prev: p.Teachers},
		{Key: "pupils", Value: t.Pupils, Prev: p.Pupils},
		{Key: "registrations", Value: t.Registrations, Prev: p.Registrations},
		{Key: "winners", Value: t.Winners, Prev: p.Winners},
		{Key: "laureates", Value: t.Laureates, Prev: p.Laureates},
	} {
		f.Growth = growth(f.Value, f.Prev)
		d.Figures = append(d.Figures, f)
	}
	d.Attendance = "—"
	if rate := t.AttendanceRate(); rate >= 0 {
		d.Attendance = fmt.Sprintf("%.0f %%", rate)
	}
	d.ByKind = bars(cov.ByKind, func(l storage.CoverageLine) (string, int) { return s.P.T("ekind_" + string(l.Kind)), l.EventsHeld })
	d.ByAgency = bars(cov.ByAgency, func(l storage.CoverageLine) (string, int) { return s.P.T("kind_" + string(l.Agency)), l.EventsHeld })
	byOrg := cov.ByOrg
	if len(byOrg) > maxOrgBars {
		byOrg = byOrg[:maxOrgBars]
	}
	d.ByOrg = bars(byOrg, func(l storage.CoverageLine) (string, int) {
		if l.Org.ShortName != "" {
			return l.Org.ShortName, l.Pupils
		}
		return l.Org.Name, l.Pupils
	})
	d.Absent = cov.Absent
	a.render(w, http.StatusOK, "dashboard", s.P, s, d, s.P.T("app_nav_dashboard"))
}

// datesEdited reports whether q's dates were typed rather than left as
// the page showed them (shown_from, shown_to; without those, the preset
// period's dates — this school year, from yFrom to yTo, or the last one):
// typed dates mean the period is those dates whatever the select says.
func datesEdited(q url.Values, yFrom, yTo time.Time, loc *time.Location) bool {
	from, to := q.Get("from"), q.Get("to")
	if from == "" && to == "" {
		return false
	}
	shownFrom, shownTo := q.Get("shown_from"), q.Get("shown_to")
	if !q.Has("shown_from") && !q.Has("shown_to") {
		if q.Get("period") == "last" {
			yFrom, yTo = yFrom.AddDate(-1, 0, 0), yTo.AddDate(-1, 0, 0)
		}
		shownFrom, shownTo = yFrom.In(loc).Format(dateInput), yTo.AddDate(0, 0, -1).In(loc).Format(dateInput)
	}
	return from != shownFrom || to != shownTo
}

// bars makes a chart's bars from lines, each read by of.
func bars(lines []storage.CoverageLine, of func(storage.CoverageLine) (string, int)) []bar {
	top := 0
	out := make([]bar, 0, len(lines))
	for _, l := range lines {
		label, v := of(l)
		top = max(top, v)
		out = append(out, bar{Label: label, Value: v})
	}
	for i := range out {
		if top > 0 {
			out[i].Width = max(1, out[i].Value*100/top)
		}
	}
	return out
}

// growth is the change from prev to cur in percent, signed; "—" when
// prev is 0.
func growth(cur, prev int) string {
	if prev == 0 {
		return "—"
	}
	pct := (float64(cur) - float64(prev)) * 100 / float64(prev)
	switch {
	case pct > 0:
		return fmt.Sprintf("+%.0f %%", pct)
	case pct < 0:
		return fmt.Sprintf("−%.0f %%", -pct)
	}
	return "0 %"
}
