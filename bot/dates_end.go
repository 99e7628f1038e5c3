package bot

import (
	"errors"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// maxEventLength bounds an end typed as a length ("3 дня").
const maxEventLength = 60 * 24 * time.Hour

// parseEnd reads an event's end as a coordinator types it, given its start
// (in loc):
//
//   - a date and time, as parseWhen reads them: "16.04.2027 18:00";
//   - a time on the start's day: "13:00", "до 13:00", "до 13", "по 13:30";
//   - a length from the start: "2 часа", "1,5 часа", "2 ч 30 мин",
//     "полтора часа", "полчаса", "90 минут", "3 дня", "на 2 часа".
//
// It does not judge whether the end is after the start: callers do. It
// returns errBadDate for anything else, or parseWhen's *dateError when the
// text was a date that cannot be (31.04.2027 18:00).
func parseEnd(s string, start, now time.Time, loc *time.Location) (time.Time, error) {
	if len(s) > maxWhenLen {
		return time.Time{}, errBadDate
	}
	if loc == nil {
		loc = time.UTC
	}
	t, whenErr := parseWhen(s, now, loc)
	if whenErr == nil {
		return t, nil
	}
	if hour, minute, ok := endClock(s); ok {
		y, m, d := start.In(loc).Date()
		return time.Date(y, m, d, hour, minute, 0, 0, loc), nil
	}
	if d, ok := parseLength(s); ok {
		return start.Add(d), nil
	}
	var de *dateError
	if errors.As(whenErr, &de) {
		return time.Time{}, whenErr
	}
	if _, _, _, err := trailingClock(strings.Fields(strings.ToLower(s))); errors.As(err, &de) {
		return time.Time{}, err // "до 25:00"
	}
	return time.Time{}, errBadDate
}

// endClock reads a time alone: "13:00", "в 13:00", "до 13:00", "до 13",
// "до 13 часов". A whole hour alone ("13") is not taken: it could as well
// be a length.
func endClock(s string) (hour, minute int, ok bool) {
	words := strings.Fields(strings.ToLower(s))
	until := len(words) > 0 && untilWords[words[0]]
	if until {
		words = words[1:]
	}
	hour, minute, n, err := trailingClock(words)
	if err != nil || n != len(words) {
		return 0, 0, false
	}
	if !until && !strings.ContainsAny(words[len(words)-1], ":.-") {
		return 0, 0, false
	}
	return hour, minute, true
}

// untilWords may precede an end's time.
var untilWords = map[string]bool{"до": true, "по": true, "until": true, "till": true, "to": true}

// lengthGlue splits "2ч30мин" into "2 ч 30 мин".
var (
	lengthDigitLetter = regexp.MustCompile(`(\d)([a-zа-яё])`)
	lengthLetterDigit = regexp.MustCompile(`([a-zа-яё])(\d)`)
	lengthNumber      = regexp.MustCompile(`^\d{1,3}(\.\d{1,2})?$`)
)

// parseLength reads the length of an event: "2 часа", "1,5 часа", "2 ч 30
// мин", "2ч30м", "полтора часа", "полчаса", "час", "90 минут", "3 дня",
// "сутки", "на 2 часа", "2 hours". ok is false for anything else, for
// nothing, and for over 60 days; the result is a whole number of minutes.
func parseLength(s string) (time.Duration, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	s = strings.ReplaceAll(s, ",", ".")
	s = lengthDigitLetter.ReplaceAllString(s, "$1 $2")
	s = lengthLetterDigit.ReplaceAllString(s, "$1 $2")
	words := strings.Fields(s)
	if len(words) > 0 && (words[0] == "на" || words[0] == "for") {
		words = words[1:]
	}
	var total time.Duration
	for i := 0; i < len(words); i++ {
		w := words[i]
		switch {
		case w == "и" || w == "and":
			continue
		case w == "полчаса":
			total += 30 * time.Minute
		case w == "полтора" || w == "полторы":
			if i+1 >= len(words) {
				return 0, false
			}
			unit, ok := lengthUnit(words[i+1])
			if !ok {
				return 0, false
			}
			total += unit * 3 / 2
			i++
		case w == "час" || w == "день" || w == "сутки" || w == "неделя" || w == "неделю" || w == "hour" || w == "day" || w == "week":
			unit, _ := lengthUnit(w)
			total += unit
		default:
			if !lengthNumber.MatchString(w) || i+1 >= len(words) {
				return 0, false
			}
			n, err := strconv.ParseFloat(w, 64)
			if err != nil {
				return 0, false
			}
			unit, ok := lengthUnit(words[i+1])
			if !ok {
				return 0, false
			}
			total += time.Duration(n * float64(unit))
			i++
		}
		if total > maxEventLength {
			return 0, false
		}
	}
	total = total.Round(time.Minute)
	return total, total > 0
}

// lengthUnit is the unit a word names: ч, час, часа, часов, h, hours; мин,
// минут, м, m; д, день, дня, дней, сутки, d, days; нед, неделя, w, weeks.
func lengthUnit(w string) (time.Duration, bool) {
	w = strings.TrimSuffix(w, ".")
	if w == "м" {
		return time.Minute, true
	}
	return offsetUnit(w)
}
