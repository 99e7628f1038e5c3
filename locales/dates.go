package locales

import (
	"fmt"
	"time"
)

// Date renders t the way a teacher writes it: "15 марта, 10:00" in Russian,
// "15 March, 10:00" in English. t is shown in its own location: convert it
// to the district's zone first.
func (p Printer) Date(t time.Time) string {
	return p.T("date_short", "Day", t.Day(), "Month", p.month(t), "Time", HTML(t.Format("15:04")))
}

// DateYear is Date with the year: "15 марта 2027, 10:00".
func (p Printer) DateYear(t time.Time) string {
	return p.T("date_long", "Day", t.Day(), "Month", p.month(t), "Year", t.Year(), "Time", HTML(t.Format("15:04")))
}

// Day renders a date without time: "15 марта 2027".
func (p Printer) Day(t time.Time) string {
	return p.T("date_day", "Day", t.Day(), "Month", p.month(t), "Year", t.Year())
}

func (p Printer) month(t time.Time) HTML {
	return HTML(p.T(fmt.Sprintf("month_%d", int(t.Month()))))
}

// DayMonth renders a date without year or time: "15 марта".
func (p Printer) DayMonth(t time.Time) string {
	return p.T("date_day_month", "Day", t.Day(), "Month", p.month(t))
}
