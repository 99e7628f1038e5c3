package bot

import (
	"errors"
	"strconv"
	"strings"
	"time"
)

// errBadDate is what parseWhen returns for anything it cannot read.
var errBadDate = errors.New("bot: unreadable date")

// Limits of what parseWhen accepts.
const (
	maxWhenLen  = 64   // bytes of input; longer is refused before any work
	minWhenYear = 2000 // inclusive
	maxWhenYear = 2100 // inclusive
)

// whenDays are the relative dates, as days from today, by their words.
var whenDays = map[string]int{
	"сегодня":            0,
	"today":              0,
	"завтра":             1,
	"tomorrow":           1,
	"послезавтра":        2,
	"day after tomorrow": 2,
}

// parseWhen reads a date and time as a teacher types it, in loc, relative to now:
//
//	"15.03.2027 10:00", "15.03.2027 в 10:00", "15.03.27 10:00" (20YY),
//	"15.03 10:00" (the next such date, see below),
//	"завтра 10:00", "послезавтра 9:30", "сегодня 18:00",
//	"tomorrow 10:00", "today 18:00", "day after tomorrow 9:30".
//
// The time is H:MM or HH:MM with ":", "." or "-" between hours and minutes.
// Words are separated by one or more spaces (any Unicode space, so a
// non-breaking space from a phone keyboard is fine); case does not matter;
// surrounding spaces are trimmed. One comma may follow the date
// ("15.03.2027, 10:00") and the word "в" (or "at") may precede the time, with
// any date form. Day and month take one or two digits, the year two or four.
//
// "15.03 10:00" without a year means this year if that calendar day (in loc)
// is today or still ahead, else the next year in which the day exists (so
// "29.02" finds the next leap year). A day that is today keeps this year even
// if the hour has passed: the caller then refuses it as past, rather than the
// parser silently moving it a year ahead.
//
// The relative words count calendar days from now's date in loc ("завтра"
// on 31 December is 1 January of the next year), not 24-hour steps.
//
// It returns errBadDate for anything else, including impossible dates
// (31.02, 29.02.2027, 24:00, 10:60) and years outside 2000–2100. It does not
// judge past or future: callers do. Input over 64 bytes is refused at once.
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
	s = strings.ToLower(strings.TrimSpace(s))

	// Split into the date's words and the time's words (an optional "в"
	// or "at", then the time).
	var dateWords, timeWords []string
	switch strings.Count(s, ",") {
	case 0:
		words := strings.Fields(s)
		if len(words) < 2 {
			return time.Time{}, errBadDate
		}
		n := len(words) - 1
		if n >= 2 && isWhenAt(words[n-1]) {
			n--
		}
		dateWords, timeWords = words[:n], words[n:]
	case 1:
		i := strings.IndexByte(s, ',')
		dateWords, timeWords = strings.Fields(s[:i]), strings.Fields(s[i+1:])
	default:
		return time.Time{}, errBadDate
	}
	switch {
	case len(timeWords) == 1:
	case len(timeWords) == 2 && isWhenAt(timeWords[0]):
		timeWords = timeWords[1:]
	default:
		return time.Time{}, errBadDate
	}
	if len(dateWords) == 0 {
		return time.Time{}, errBadDate
	}
	hour, min, ok := parseClock(timeWords[0])
	if !ok {
		return time.Time{}, errBadDate
	}

	var t time.Time
	if days, rel := whenDays[strings.Join(dateWords, " ")]; rel {
		y, m, d := now.In(loc).Date()
		t = time.Date(y, m, d+days, hour, min, 0, 0, loc)
	} else {
		if w, ok := monthWords(dateWords); ok { // "3 декабря", "3 декабря 2026"
			dateWords = []string{w}
		}
		if len(dateWords) != 1 {
			return time.Time{}, errBadDate
		}
		day, month, year, ok := parseDay(dateWords[0])
		if !ok {
			return time.Time{}, errBadDate
		}
		if year == 0 { // no year: the next such day
			ny, nm, nd := now.In(loc).Date()
			today := time.Date(ny, nm, nd, 0, 0, 0, 0, time.UTC)
			// Eight years always reach a 29 February, even across 2100.
			for y := ny; y <= ny+8; y++ {
				if !dayExists(day, month, y) {
					continue
				}
				if !time.Date(y, time.Month(month), day, 0, 0, 0, 0, time.UTC).Before(today) {
					year = y
					break
				}
			}
			if year == 0 {
				return time.Time{}, errBadDate
			}
		}
		if !dayExists(day, month, year) {
			return time.Time{}, errBadDate
		}
		t = time.Date(year, time.Month(month), day, hour, min, 0, 0, loc)
	}
	if y := t.Year(); y < minWhenYear || y > maxWhenYear {
		return time.Time{}, errBadDate
	}
	return t, nil
}

// isWhenAt reports whether w is the word that may precede the time.
func isWhenAt(w string) bool { return w == "в" || w == "at" }

// parseClock reads H:MM or HH:MM, with ":", "." or "-" as the separator.
func parseClock(w string) (hour, min int, ok bool) {
	i := strings.IndexAny(w, ":.-")
	if i < 1 || i > 2 || len(w) != i+3 {
		return 0, 0, false
	}
	hour, ok1 := digits(w[:i])
	min, ok2 := digits(w[i+1:])
	if !ok1 || !ok2 || hour > 23 || min > 59 {
		return 0, 0, false
	}
	return hour, min, true
}

// parseDay reads D.M, D.M.YY or D.M.YYYY (day and month one or two digits);
// year is 0 when absent. Only the range of each number is checked here.
func parseDay(w string) (day, month, year int, ok bool) {
	parts := strings.Split(w, ".")
	if len(parts) < 2 || len(parts) > 3 || len(parts[0]) > 2 || len(parts[1]) > 2 {
		return 0, 0, 0, false
	}
	day, ok1 := digits(parts[0])
	month, ok2 := digits(parts[1])
	if !ok1 || !ok2 || day < 1 || day > 31 || month < 1 || month > 12 {
		return 0, 0, 0, false
	}
	if len(parts) == 3 {
		switch len(parts[2]) {
		case 2:
			yy, ok := digits(parts[2])
			if !ok {
				return 0, 0, 0, false
			}
			year = 2000 + yy
		case 4:
			year, ok = digits(parts[2])
			if !ok || year < minWhenYear || year > maxWhenYear {
				return 0, 0, 0, false
			}
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

// dayExists reports whether day.month exists in year (31.04 and 29.02.2027
// do not).
func dayExists(day, month, year int) bool {
	if month < 1 || month > 12 || day < 1 {
		return false
	}
	// Day 0 of the next month is the last day of this one.
	last := time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
	return day <= last
}

// monthNames maps month words (Russian genitive, as in "3 декабря", and
// English) to month numbers.
var monthNames = func() map[string]int {
	m := map[string]int{}
	ru := []string{"января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября", "ноября", "декабря"}
	en := []string{"january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"}
	for i := range ru {
		m[ru[i]] = i + 1
		m[en[i]] = i + 1
		m[en[i][:3]] = i + 1
	}
	return m
}()

// monthWords turns "3 декабря" or "3 декабря 2026" into "3.12" or
// "3.12.2026"; ok is false for anything else.
func monthWords(words []string) (string, bool) {
	if len(words) != 2 && len(words) != 3 {
		return "", false
	}
	month, ok := monthNames[words[1]]
	if !ok {
		return "", false
	}
	if _, ok := digits(words[0]); !ok {
		return "", false
	}
	w := words[0] + "." + strconv.Itoa(month)
	if len(words) == 3 {
		if _, ok := digits(words[2]); !ok || len(words[2]) != 4 {
			return "", false
		}
		w += "." + words[2]
	}
	return w, true
}
