package bot

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// errBadDate is what parseWhen returns for anything it cannot read. A date
// whose reason can be told (31.04, 25:00) comes back as a *dateError, which
// matches errBadDate with errors.Is.
var errBadDate = errors.New("bot: unreadable date")

// dateReason says why a date that was read whole cannot be.
type dateReason int

// Reasons of a dateError.
const (
	// reasonNoSuchDay: the month has no such day (31.04; 29.02 of a year
	// that is not a leap year).
	reasonNoSuchDay dateReason = iota + 1
	// reasonDayRange: the day is 0 or over 31.
	reasonDayRange
	// reasonMonthRange: the month is 0 or over 12.
	reasonMonthRange
	// reasonClock: the hour is over 23 or the minute over 59.
	reasonClock
)

// dateError is a date that was read whole but cannot be, with what the
// user should be told. Day, Month and Year are as typed (Year 0: none
// typed); errors.Is(err, errBadDate) is true for it.
type dateError struct {
	Reason           dateReason
	Day, Month, Year int
}

func (e *dateError) Error() string {
	return fmt.Sprintf("bot: impossible date %02d.%02d.%04d (reason %d)", e.Day, e.Month, e.Year, e.Reason)
}

// Is makes every dateError an errBadDate.
func (e *dateError) Is(target error) bool { return target == errBadDate }

// Limits of what parseWhen accepts.
const (
	maxWhenLen  = 64   // bytes of input; longer is refused before any work
	minWhenYear = 2000 // inclusive
	maxWhenYear = 2100 // inclusive
	// pastWindowDays: a date typed without a year that fell this many days
	// ago or fewer is that past date (the caller refuses it as past), not
	// the same day next year.
	pastWindowDays = 60
)

// parseWhen reads a date and time as a teacher types it, in loc, relative to now.
//
// The date is one of:
//
//	15.04.2027, 15.04.27 (20YY), 15.04, 15/04/2027, 15-04-2027,
//	2027-04-15 (the year first, four digits),
//	15 апреля, 15 апр, 15 апр., 15 апреля 2027, 15 апреля 2027 г.,
//	15 April, 15 Apr 2027,
//	сегодня, завтра, послезавтра, today, tomorrow, day after tomorrow,
//	четверг, в четверг, чт, во вторник, thursday, on thu (the next such
//	day after today: on a Thursday, "в четверг" is a week ahead).
//
// The time is H, HH (a whole hour: "завтра в 10"), H:MM or HH:MM with ":",
// "." or "-" between hours and minutes; a whole hour may be followed by
// "ч" or "часов" ("в 10 часов", "10ч"). The word "в" (or "at") may precede
// the time. The time usually follows the date ("15.04.2027 10:00", "15
// апреля в 10"); it may also come first when written with a colon ("10:00
// 15.04.2027", "в 10:00 завтра"). One comma may separate the two.
//
// Words are separated by any Unicode spaces; case does not matter;
// surrounding spaces are trimmed.
//
// A date without a year is this year's if that calendar day (in loc) is
// today or ahead, and also if it passed within the last 60 days (so
// "1.12 10:00" on 2 December is 1 December of this year, which the caller
// refuses as past, and "28.12" on 5 January is last year's): a date that
// has just passed is never moved a year ahead. An earlier one is next
// year's, or the next year in which the day exists ("29.02" finds the next
// leap year).
//
// The relative words count calendar days from now's date in loc ("завтра"
// on 31 December is 1 January of the next year), not 24-hour steps.
//
// Anything else is errBadDate, and so is a year outside 2000–2100. An
// impossible date or time that was otherwise read (31.04, 29.02.2027,
// 15.13, 32.01, 24:00, 10:60) is a *dateError saying why. It does not judge
// past or future: callers do. Input over 64 bytes is refused at once.
//
// The result is in loc, built by time.Date: a wall time that falls in a
// daylight-saving gap (such as 02:30 on the night clocks go forward) comes
// back normalised to a real instant on one side of the gap, and a wall time
// that occurs twice (clocks going back) comes back as one of the two; Go does
// not promise which, but it is the same one every time. A nil loc is UTC.
func parseWhen(s string, now time.Time, loc *time.Location) (time.Time, error) {
	if len(s) > maxWhenLen {
		return time.Time{}, errBadDate
	}
	if loc == nil {
		loc = time.UTC
	}
	words, comma, ok := whenWords(s)
	if !ok {
		return time.Time{}, errBadDate
	}
	// The time last (the usual order), then first: the first reading that
	// works wins; else the more telling of the two refusals.
	var refusal error = errBadDate
	for _, timeFirst := range []bool{false, true} {
		t, err := parseWhenOrdered(words, comma, timeFirst, now, loc)
		if err == nil {
			return t, nil
		}
		var de *dateError
		if refusal == errBadDate && errors.As(err, &de) {
			refusal = err
		}
	}
	return time.Time{}, refusal
}

// whenWords lowercases s and splits it into words; comma is the number of
// words before the one comma allowed (-1 when there is none). ok is false
// for more than one comma, or a comma with nothing on one side.
func whenWords(s string) (words []string, comma int, ok bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	switch strings.Count(s, ",") {
	case 0:
		return strings.Fields(s), -1, true
	case 1:
		i := strings.IndexByte(s, ',')
		before, after := strings.Fields(s[:i]), strings.Fields(s[i+1:])
		if len(before) == 0 || len(after) == 0 {
			return nil, 0, false
		}
		return append(before, after...), len(before), true
	}
	return nil, 0, false
}

// parseWhenOrdered reads words as a date then a time, or (timeFirst) a
// time then a date; a comma, if any, must stand between the two.
func parseWhenOrdered(words []string, comma int, timeFirst bool, now time.Time, loc *time.Location) (time.Time, error) {
	var hour, minute, n int
	var err error
	var dateWords []string
	if timeFirst {
		hour, minute, n, err = leadingClock(words)
		if err != nil {
			return time.Time{}, err
		}
		dateWords = words[n:]
		if comma >= 0 && comma != n {
			return time.Time{}, errBadDate
		}
	} else {
		hour, minute, n, err = trailingClock(words)
		if err != nil {
			return time.Time{}, err
		}
		dateWords = words[:len(words)-n]
		if comma >= 0 && comma != len(dateWords) {
			return time.Time{}, errBadDate
		}
	}
	if len(dateWords) == 0 {
		return time.Time{}, errBadDate
	}
	year, month, day, err := parseDate(dateWords, now, loc)
	if err != nil {
		return time.Time{}, err
	}
	t := time.Date(year, time.Month(month), day, hour, minute, 0, 0, loc)
	if y := t.Year(); y < minWhenYear || y > maxWhenYear {
		return time.Time{}, errBadDate
	}
	return t, nil
}

// trailingClock reads the time at the end of words: "10:00", "в 10",
// "в 10 часов"; n is how many words it took.
func trailingClock(words []string) (hour, minute, n int, err error) {
	k := len(words)
	if k == 0 {
		return 0, 0, 0, errBadDate
	}
	w, unit := words[k-1], false
	if k >= 2 && hourWords[w] {
		w, unit, n = words[k-2], true, 1
	}
	hour, minute, bare, err := parseClock(w)
	if err != nil {
		return 0, 0, 0, err
	}
	if unit && !bare {
		return 0, 0, 0, errBadDate // "10:30 часов"
	}
	n++
	if k > n && isWhenAt(words[k-n-1]) {
		n++
	}
	return hour, minute, n, nil
}

// leadingClock reads the time at the start of words, which must have a
// colon ("10:00 15.04.2027", "в 10:00 завтра"); n is how many words it
// took.
func leadingClock(words []string) (hour, minute, n int, err error) {
	if len(words) > 0 && isWhenAt(words[0]) {
		n = 1
	}
	if len(words) <= n || !strings.Contains(words[n], ":") {
		return 0, 0, 0, errBadDate
	}
	hour, minute, _, err = parseClock(words[n])
	if err != nil {
		return 0, 0, 0, err
	}
	return hour, minute, n + 1, nil
}

// hourWords may follow a whole hour: "в 10 часов".
var hourWords = map[string]bool{"ч": true, "ч.": true, "час": true, "часа": true, "часов": true, "h": true}

// isWhenAt reports whether w is the word that may precede the time.
func isWhenAt(w string) bool { return w == "в" || w == "at" }

// parseClock reads H or HH (bare: a whole hour, also as "10ч"), or H:MM or
// HH:MM with ":", "." or "-" as the separator. A clock of that shape with an
// hour over 23 or minutes over 59 is a reasonClock dateError.
func parseClock(w string) (hour, minute int, bare bool, err error) {
	w = strings.TrimSuffix(strings.TrimSuffix(w, "."), "ч")
	if len(w) == 1 || len(w) == 2 {
		hour, ok := digits(w)
		if !ok {
			return 0, 0, false, errBadDate
		}
		if hour > 23 {
			return 0, 0, false, &dateError{Reason: reasonClock}
		}
		return hour, 0, true, nil
	}
	i := strings.IndexAny(w, ":.-")
	if i < 1 || i > 2 || len(w) != i+3 {
		return 0, 0, false, errBadDate
	}
	hour, ok1 := digits(w[:i])
	minute, ok2 := digits(w[i+1:])
	if !ok1 || !ok2 {
		return 0, 0, false, errBadDate
	}
	if hour > 23 || minute > 59 {
		return 0, 0, false, &dateError{Reason: reasonClock}
	}
	return hour, minute, false, nil
}

// parseDate reads the date's words (see parseWhen) into a calendar day.
func parseDate(words []string, now time.Time, loc *time.Location) (year, month, day int, err error) {
	if days, ok := whenDays[strings.Join(words, " ")]; ok {
		y, m, d := now.In(loc).Date()
		t := time.Date(y, m, d+days, 12, 0, 0, 0, time.UTC)
		return t.Year(), int(t.Month()), t.Day(), nil
	}
	if wd, ok := weekdayWords(words); ok {
		y, m, d := now.In(loc).Date()
		today := time.Date(y, m, d, 12, 0, 0, 0, time.UTC)
		ahead := (int(wd)-int(today.Weekday())+6)%7 + 1 // 1…7: never today
		t := today.AddDate(0, 0, ahead)
		return t.Year(), int(t.Month()), t.Day(), nil
	}
	var typedDay, typedMonth, typedYear int
	var ok bool
	if len(words) == 1 {
		typedDay, typedMonth, typedYear, ok = parseDay(words[0])
	} else {
		typedDay, typedMonth, typedYear, ok = monthWords(words)
	}
	if !ok {
		return 0, 0, 0, errBadDate
	}
	switch {
	case typedMonth < 1 || typedMonth > 12:
		return 0, 0, 0, &dateError{Reason: reasonMonthRange, Day: typedDay, Month: typedMonth, Year: typedYear}
	case typedDay < 1 || typedDay > 31:
		return 0, 0, 0, &dateError{Reason: reasonDayRange, Day: typedDay, Month: typedMonth, Year: typedYear}
	}
	if typedYear != 0 && (typedYear < minWhenYear || typedYear > maxWhenYear) {
		return 0, 0, 0, errBadDate
	}
	noSuchDay := &dateError{Reason: reasonNoSuchDay, Day: typedDay, Month: typedMonth, Year: typedYear}
	year = typedYear
	if year == 0 {
		if typedDay > daysIn(typedMonth, 2028) { // not even in a leap year
			return 0, 0, 0, noSuchDay
		}
		if year = yearOf(typedDay, typedMonth, now, loc); year == 0 {
			return 0, 0, 0, errBadDate // 29.02 with no leap year left before 2100
		}
	}
	if !dayExists(typedDay, typedMonth, year) {
		return 0, 0, 0, noSuchDay
	}
	return year, typedMonth, typedDay, nil
}

// yearOf is the year of day.month typed without one, as parseWhen says:
// the first year, from last year on, in which the day exists and is not
// more than pastWindowDays before today in loc. 0 when none is found
// within eight years (which always reach a 29 February, even across 2100)
// or the day exists in no year.
func yearOf(day, month int, now time.Time, loc *time.Location) int {
	ny, nm, nd := now.In(loc).Date()
	earliest := time.Date(ny, nm, nd-pastWindowDays, 0, 0, 0, 0, time.UTC)
	for y := ny - 1; y <= ny+8; y++ {
		if dayExists(day, month, y) && !time.Date(y, time.Month(month), day, 0, 0, 0, 0, time.UTC).Before(earliest) {
			return y
		}
	}
	return 0
}

// parseDay reads one word of digits: D.M, D.M.YY, D.M.YYYY with ".", "/"
// or "-" (one kind in a word), or YYYY-MM-DD with a four-digit year first;
// year is 0 when absent. Ranges are not checked here, except that a year
// has two or four digits.
func parseDay(w string) (day, month, year int, ok bool) {
	i := strings.IndexAny(w, "./-")
	if i < 0 {
		return 0, 0, 0, false
	}
	parts := strings.Split(w, w[i:i+1])
	if len(parts) < 2 || len(parts) > 3 {
		return 0, 0, 0, false
	}
	if len(parts) == 3 && len(parts[0]) == 4 { // 2027-04-15
		parts = []string{parts[2], parts[1], parts[0]}
	}
	if len(parts[0]) > 2 || len(parts[1]) > 2 {
		return 0, 0, 0, false
	}
	day, ok1 := digits(parts[0])
	month, ok2 := digits(parts[1])
	if !ok1 || !ok2 {
		return 0, 0, 0, false
	}
	if len(parts) == 3 {
		y, ok := digits(parts[2])
		switch {
		case !ok:
			return 0, 0, 0, false
		case len(parts[2]) == 2:
			year = 2000 + y
		case len(parts[2]) == 4:
			year = y
		default:
			return 0, 0, 0, false
		}
	}
	return day, month, year, true
}

// digits parses a short non-empty run of ASCII digits (no sign, no spaces).
func digits(s string) (int, bool) {
	if s == "" || len(s) > 4 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// daysIn is the number of days of month (1–12) in year.
func daysIn(month, year int) int {
	// Day 0 of the next month is the last day of this one.
	return time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// dayExists reports whether day.month exists in year (31.04 and 29.02.2027
// do not).
func dayExists(day, month, year int) bool {
	if month < 1 || month > 12 || day < 1 {
		return false
	}
	return day <= daysIn(month, year)
}
