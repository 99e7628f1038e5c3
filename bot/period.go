package bot

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"vmeste/locales"
	"vmeste/storage"
)

// Periods of /report and /export: the school year (1 September – 31
// August), a quarter, a month, or two typed dates. A period rides in a
// button's data as a short code (y2026, q2026-4, m2026-11,
// d20260901-20261231), so a button means what it showed whenever it is
// pressed; typed dates are read by parsePeriodText.

// period is a period of a report or an export: [From, To) in the
// district's zone, with its code for callback data.
type period struct {
	Code     string
	From, To time.Time
}

var (
	reYearCode    = regexp.MustCompile(`^y(\d{4})$`)
	reQuarterCode = regexp.MustCompile(`^q(\d{4})-([1-4])$`)
	reMonthCode   = regexp.MustCompile(`^m(\d{4})-(\d{2})$`)
	reDatesCode   = regexp.MustCompile(`^d(\d{8})-(\d{8})$`)
)

// schoolYearPeriod is the school year starting 1 September of year.
func schoolYearPeriod(year int, loc *time.Location) period {
	return period{Code: "y" + strconv.Itoa(year),
		From: time.Date(year, time.September, 1, 0, 0, 0, 0, loc), To: time.Date(year+1, time.September, 1, 0, 0, 0, 0, loc)}
}

// schoolYearOf is the school year that now falls in (storage.SchoolYear,
// read in now's own zone).
func schoolYearOf(now time.Time) int {
	_, _, year := storage.SchoolYear(now, now.Location())
	return year
}

// quarterPeriod is quarter q (1…4) of year.
func quarterPeriod(year, q int, loc *time.Location) period {
	from := time.Date(year, time.Month(3*(q-1)+1), 1, 0, 0, 0, 0, loc)
	return period{Code: fmt.Sprintf("q%d-%d", year, q), From: from, To: from.AddDate(0, 3, 0)}
}

// monthPeriod is month m of year.
func monthPeriod(year int, m time.Month, loc *time.Location) period {
	from := time.Date(year, m, 1, 0, 0, 0, 0, loc)
	return period{Code: fmt.Sprintf("m%d-%02d", year, int(m)), From: from, To: from.AddDate(0, 1, 0)}
}

// datesPeriod is the days first through last, both included.
func datesPeriod(first, last time.Time, loc *time.Location) period {
	from := time.Date(first.Year(), first.Month(), first.Day(), 0, 0, 0, 0, loc)
	to := time.Date(last.Year(), last.Month(), last.Day(), 0, 0, 0, 0, loc).AddDate(0, 0, 1)
	return period{Code: "d" + from.Format("20060102") + "-" + to.AddDate(0, 0, -1).Format("20060102"), From: from, To: to}
}

// parsePeriodCode reads a period's code back; ok is false for anything a
// button of ours could not carry.
func parsePeriodCode(code string, loc *time.Location) (period, bool) {
	year := func(s string) (int, bool) {
		y, err := strconv.Atoi(s)
		return y, err == nil && y >= 2000 && y <= 2100
	}
	if m := reYearCode.FindStringSubmatch(code); m != nil {
		y, ok := year(m[1])
		return schoolYearPeriod(y, loc), ok
	}
	if m := reQuarterCode.FindStringSubmatch(code); m != nil {
		y, ok := year(m[1])
		q, _ := strconv.Atoi(m[2])
		return quarterPeriod(y, q, loc), ok
	}
	if m := reMonthCode.FindStringSubmatch(code); m != nil {
		y, ok := year(m[1])
		mo, _ := strconv.Atoi(m[2])
		return monthPeriod(y, time.Month(mo), loc), ok && mo >= 1 && mo <= 12
	}
	if m := reDatesCode.FindStringSubmatch(code); m != nil {
		first, err1 := time.ParseInLocation("20060102", m[1], loc)
		last, err2 := time.ParseInLocation("20060102", m[2], loc)
		if err1 != nil || err2 != nil || last.Before(first) || first.Year() < 2000 || last.Year() > 2100 {
			return period{}, false
		}
		return datesPeriod(first, last, loc), true
	}
	return period{}, false
}

// label names the period: «2026/27 учебный год», «IV квартал 2026»,
// «ноябрь 2026», «1 сентября 2026 – 31 декабря 2026».
func (rp period) label(p locales.Printer) string {
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

// span is the period as a file name and a caption read it:
// «01.09.2026–31.08.2027».
func (rp period) span() string {
	return rp.From.Format("02.01.2006") + "–" + rp.To.AddDate(0, 0, -1).Format("02.01.2006")
}

// lastQuarters are the n quarters up to the one holding now, the earliest
// first.
func lastQuarters(now time.Time, n int, loc *time.Location) []period {
	y, q := now.Year(), (int(now.Month())-1)/3+1
	list := make([]period, n)
	for i := n - 1; i >= 0; i-- {
		list[i] = quarterPeriod(y, q, loc)
		if q--; q == 0 {
			y, q = y-1, 4
		}
	}
	return list
}

// lastMonths are the n months up to the one holding now, the earliest
// first.
func lastMonths(now time.Time, n int, loc *time.Location) []period {
	first := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, loc).AddDate(0, 1-n, 0)
	list := make([]period, n)
	for i := range n {
		m := first.AddDate(0, i, 0)
		list[i] = monthPeriod(m.Year(), m.Month(), loc)
	}
	return list
}

// reHasYear finds a year typed in a date: four digits, or two after a
// day and a month («15.04.27»).
var reHasYear = regexp.MustCompile(`\d{4}|\d{1,2}[./-]\d{1,2}[./-]\d{2}`)

// reDatesSplit separates two typed dates: a dash with spaces around it,
// an en or em dash, «по», or «-» between two dates of digits.
var reDatesSplit = regexp.MustCompile(`\s+[-–—]\s+|\s*[–—]\s*|\s+по\s+|\s+to\s+|\s+`)

// parsePeriodText reads two typed dates: «01.09.2026 – 31.12.2026», «1.09
// по 31.12», «с 1 сентября 2026 — 31 декабря 2026», «01.09.2026-31.12.2026»:
// the period from the first day to the end of the last, each read by the
// event wizard's date parser (parseDate) without a time. A report or an
// export looks back: a first day typed without a year that the parser puts
// after today (it looks ahead, for events) is taken a year earlier, and a
// last day without a year is the first such day on or after it. When
// it cannot, problem says why in p's language (an impossible date as the
// wizard says it, dates in the wrong order, or an example of what works).
func parsePeriodText(p locales.Printer, s string, now time.Time, loc *time.Location) (rp period, problem string) {
	example := localesHTML(schoolYearPeriod(schoolYearOf(now), loc).From.Format("02.01.2006") + " – " + now.Format("02.01.2006"))
	s = strings.ToLower(strings.TrimSpace(s))
	for _, w := range []string{"с ", "from "} {
		s = strings.TrimPrefix(s, w)
	}
	if len(s) > 2*maxWhenLen {
		return period{}, p.T("export_bad_dates", "Example", example)
	}
	var impossible *dateError
	// date reads one date as the event wizard would (it looks ahead: a date
	// without a year is its next coming); typed says a year was given.
	date := func(s string) (t time.Time, typed, ok bool) {
		words, comma, ok := whenWords(s)
		if !ok || comma >= 0 || len(words) == 0 {
			return time.Time{}, false, false
		}
		y, m, d, err := parseDate(words, now, loc)
		if err != nil {
			var de *dateError
			if errors.As(err, &de) && impossible == nil {
				impossible = de
			}
			return time.Time{}, false, false
		}
		return time.Date(y, time.Month(m), d, 0, 0, 0, 0, loc), reHasYear.MatchString(s), true
	}
	reversed := false
	try := func(a, z string) (period, bool) {
		first, firstTyped, ok1 := date(a)
		last, lastTyped, ok2 := date(z)
		if !ok1 || !ok2 {
			return period{}, false
		}
		// A period begins in the past: a first day without a year that
		// the parser put ahead is last year's; a last day without a year
		// is the first one on or after the first day.
		if !firstTyped && first.After(now) && dayExists(first.Day(), int(first.Month()), first.Year()-1) {
			first = first.AddDate(-1, 0, 0)
		}
		if !lastTyped {
			for last.AddDate(-1, 0, 0).After(first) || last.AddDate(-1, 0, 0).Equal(first) {
				last = last.AddDate(-1, 0, 0)
			}
		}
		if last.Before(first) {
			reversed = true
			return period{}, false
		}
		return datesPeriod(first, last, loc), true
	}
	// Every place the text could split in two: the first that reads as
	// two dates wins; then a bare hyphen between two dates of digits.
	for _, at := range reDatesSplit.FindAllStringIndex(s, -1) {
		if rp, ok := try(s[:at[0]], s[at[1]:]); ok {
			return rp, ""
		}
	}
	for j := strings.Index(s, "-"); j > 0 && j < len(s); j = indexFrom(s, "-", j+1) {
		if rp, ok := try(s[:j], s[j+1:]); ok {
			return rp, ""
		}
	}
	switch {
	case reversed:
		return period{}, p.T("export_dates_reversed", "Example", example)
	case impossible != nil:
		return period{}, impossibleDate(p, impossible)
	}
	return period{}, p.T("export_bad_dates", "Example", example)
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
