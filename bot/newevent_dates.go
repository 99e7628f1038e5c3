package bot

import (
	"errors"
	"fmt"
	"time"
)

// parseStepDate reads the answer to a date step of the event wizard: the
// end as parseEnd reads it (a time on the start's day, a length, or a date
// and time), the start and the deadline as parseWhen does.
func (b *Bot) parseStepDate(step, text string, start, now time.Time) (time.Time, error) {
	if step == stepEnd && !start.IsZero() {
		return parseEnd(text, start, now, b.cfg.Location)
	}
	return parseWhen(text, now, b.cfg.Location)
}

// badDate is the complaint about a date the wizard could not take (err is
// what reading it returned): an impossible date is told why (31.04: «В
// апреле 30 дней»), a date without a time is told to add one, an end is
// shown its forms, anything else gets an example.
func (b *Bot) badDate(p localesPrinter, step, text string, err error, now time.Time) string {
	var de *dateError
	if errors.As(err, &de) {
		return impossibleDate(p, de)
	}
	if _, err := parseWhen(text+" 10:00", now, b.cfg.Location); err == nil {
		return p.T("ne_date_needs_time", "Example", text+" 10:00")
	} else if errors.As(err, &de) {
		return impossibleDate(p, de) // "31.04.2027" without a time
	}
	if step == stepEnd {
		return p.T("ne_bad_end", "Example", localesHTML(b.dateExample(p)))
	}
	return p.T("ne_bad_date", "Example", localesHTML(b.dateExample(p)))
}

// impossibleDate says why a date cannot be, in the user's language.
func impossibleDate(p localesPrinter, de *dateError) string {
	switch de.Reason {
	case reasonNoSuchDay:
		if de.Month == 2 {
			if de.Year != 0 && de.Day == 29 {
				return p.T("ne_date_not_leap", "Year", de.Year)
			}
			return p.T("ne_date_february")
		}
		return p.N("ne_date_no_such_day", daysIn(de.Month, 2028), "Month", localesHTML(p.T(fmt.Sprintf("month_in_%d", de.Month))))
	case reasonDayRange:
		return p.T("ne_date_day_range")
	case reasonMonthRange:
		return p.T("ne_date_month_range")
	}
	return p.T("ne_date_clock_range")
}
