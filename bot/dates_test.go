package bot

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// dateZone loads a time zone for the date tests.
func dateZone(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// dateAt is a wall time in loc, to the minute.
func dateAt(loc *time.Location, y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, loc)
}

func TestParseWhenAcceptedForms(t *testing.T) {
	for _, zone := range []string{"Europe/Moscow", "Asia/Yekaterinburg", "UTC", "America/New_York"} {
		loc := dateZone(t, zone)
		// Tuesday 10 March 2026, 14:30 local time.
		now := dateAt(loc, 2026, time.March, 10, 14, 30)
		tests := []struct {
			in   string
			want time.Time
		}{
			{"15.03.2027 10:00", dateAt(loc, 2027, time.March, 15, 10, 0)},
			{"15.03.2027 в 10:00", dateAt(loc, 2027, time.March, 15, 10, 0)},
			{"15.03.2027 В 10:00", dateAt(loc, 2027, time.March, 15, 10, 0)},
			{"15.03.2027 at 10:00", dateAt(loc, 2027, time.March, 15, 10, 0)},
			{"15.03.2027, 10:00", dateAt(loc, 2027, time.March, 15, 10, 0)},
			{"15.03.2027,10:00", dateAt(loc, 2027, time.March, 15, 10, 0)},
			{"15.03.2027, в 10:00", dateAt(loc, 2027, time.March, 15, 10, 0)},
			{"15.03.27 10:00", dateAt(loc, 2027, time.March, 15, 10, 0)},
			{"5.3.27 9:05", dateAt(loc, 2027, time.March, 5, 9, 5)},
			{"05.03.2027 09:05", dateAt(loc, 2027, time.March, 5, 9, 5)},
			{"15.03.2027 10.00", dateAt(loc, 2027, time.March, 15, 10, 0)},
			{"15.03.2027 10-00", dateAt(loc, 2027, time.March, 15, 10, 0)},
			{"15.03.2027    10:00", dateAt(loc, 2027, time.March, 15, 10, 0)},
			{"  15.03.2027 10:00 \n", dateAt(loc, 2027, time.March, 15, 10, 0)},
			{"15.03.2027\u00a010:00", dateAt(loc, 2027, time.March, 15, 10, 0)}, // no-break space
			{"15.03.2027\t10:00", dateAt(loc, 2027, time.March, 15, 10, 0)},
			{"01.01.2000 00:00", dateAt(loc, 2000, time.January, 1, 0, 0)},
			{"31.12.2100 23:59", dateAt(loc, 2100, time.December, 31, 23, 59)},
			{"15.03.00 10:00", dateAt(loc, 2000, time.March, 15, 10, 0)},
			{"15.03.99 10:00", dateAt(loc, 2099, time.March, 15, 10, 0)},
			{"29.02.2028 10:00", dateAt(loc, 2028, time.February, 29, 10, 0)},
			// No year: still ahead this year, or today, or already past.
			{"15.03 10:00", dateAt(loc, 2026, time.March, 15, 10, 0)},
			{"10.03 18:00", dateAt(loc, 2026, time.March, 10, 18, 0)},
			{"10.03 09:00", dateAt(loc, 2026, time.March, 10, 9, 0)},    // today, already past: the caller refuses it
			{"09.03 10:00", dateAt(loc, 2026, time.March, 9, 10, 0)},    // yesterday: past, not next year
			{"10.01 10:00", dateAt(loc, 2026, time.January, 10, 10, 0)}, // 59 days ago: still past
			{"08.01 10:00", dateAt(loc, 2027, time.January, 8, 10, 0)},  // 61 days ago: next year
			{"1.1 10:00", dateAt(loc, 2027, time.January, 1, 10, 0)},
			{"31.12 23:59", dateAt(loc, 2026, time.December, 31, 23, 59)},
			{"29.02 10:00", dateAt(loc, 2028, time.February, 29, 10, 0)}, // the next leap year
			// Relative words.
			{"сегодня 18:00", dateAt(loc, 2026, time.March, 10, 18, 0)},
			{"Сегодня 08:00", dateAt(loc, 2026, time.March, 10, 8, 0)},
			{"завтра 10:00", dateAt(loc, 2026, time.March, 11, 10, 0)},
			{"ЗАВТРА В 10:00", dateAt(loc, 2026, time.March, 11, 10, 0)},
			{"завтра, 10.00", dateAt(loc, 2026, time.March, 11, 10, 0)},
			{"послезавтра 9:30", dateAt(loc, 2026, time.March, 12, 9, 30)},
			{"послезавтра в 9-30", dateAt(loc, 2026, time.March, 12, 9, 30)},
			{"today 18:00", dateAt(loc, 2026, time.March, 10, 18, 0)},
			{"Tomorrow 10:00", dateAt(loc, 2026, time.March, 11, 10, 0)},
			{"tomorrow at 10:00", dateAt(loc, 2026, time.March, 11, 10, 0)},
			{"day after tomorrow 9:30", dateAt(loc, 2026, time.March, 12, 9, 30)},
			{"Day  After   Tomorrow, 9:30", dateAt(loc, 2026, time.March, 12, 9, 30)},
		}
		for _, tt := range tests {
			got, err := parseWhen(tt.in, now, loc)
			if err != nil {
				t.Errorf("%s: parseWhen(%q): %v", zone, tt.in, err)
				continue
			}
			if !got.Equal(tt.want) || got.Location() != loc {
				t.Errorf("%s: parseWhen(%q) = %v, want %v", zone, tt.in, got, tt.want)
			}
		}
	}
}

func TestParseWhenRefuses(t *testing.T) {
	loc := dateZone(t, "Europe/Moscow")
	now := dateAt(loc, 2026, time.March, 10, 14, 30)
	bad := []string{
		"", " ", "завтра", "10:00", "15.03.2027", "в 10:00", "завтра в", "завтра 1000",
		"32.01 10:00", "00.01 10:00", "15.13 10:00", "15.00 10:00", "31.02 10:00", "31.04.2027 10:00",
		"29.02.2027 10:00", "29.02.2100 10:00",
		"15.03.2027 25:00", "15.03.2027 24:00", "15.03.2027 10:60", "15.03.2027 10:0",
		"15.03.2027 100:00", "15.03.2027 10:000", "15.03.2027 100", "15.03.2027 10::00", "15.03.2027 -1:00",
		"15.03.1999 10:00", "15.03.2101 10:00", "15.03.027 10:00", "15.03.20270 10:00", "015.03.2027 10:00",
		"вчера 10:00", "yesterday 10:00", "позавчера 10:00", "after tomorrow 10:00", "day after 10:00",
		"15/03.2027 10:00", "15-03/2027 10:00", "2027-03-15-01 10:00", "15.03.2027T10:00", "15.03.2027 10:00:00",
		"15.03.2027 10:00 утра", "15.03.2027 10:00 в", "15.03.2027 в в 10:00", "15.03.2027,, 10:00", "15.03.2027 10:00,",
		", 10:00", "завтра завтра 10:00", "15..03 10:00", "15.03. 10:00", ".15.03 10:00", "+1.03 10:00", "1 5.03 10:00",
		"１５.０３.２０２７ １０:００", // full-width digits
		"15.03.2027 10:00 🎉", "🎉 10:00", "завтра 🕙", "\x00\x01 10:00", "\xff\xfe 10:00", "завтра\x0010:00",
		strings.Repeat("1", 65),
		strings.Repeat(" ", 60) + "15.03 10:00", // over 64 bytes before trimming
		strings.Repeat("завтра ", 100) + "10:00",
		strings.Repeat("15.03.2027 ", 10000) + "10:00",
	}
	for _, in := range bad {
		got, err := parseWhen(in, now, loc)
		if !errors.Is(err, errBadDate) {
			t.Errorf("parseWhen(%.40q) = %v, %v; want errBadDate", in, got, err)
		}
	}
}

func TestParseWhenYearRollover(t *testing.T) {
	for _, zone := range []string{"Europe/Moscow", "Asia/Yekaterinburg"} {
		loc := dateZone(t, zone)
		now := dateAt(loc, 2026, time.December, 31, 23, 50)
		for in, want := range map[string]time.Time{
			"завтра 10:00":            dateAt(loc, 2027, time.January, 1, 10, 0),
			"послезавтра 9:30":        dateAt(loc, 2027, time.January, 2, 9, 30),
			"сегодня 23:59":           dateAt(loc, 2026, time.December, 31, 23, 59),
			"day after tomorrow 9:30": dateAt(loc, 2027, time.January, 2, 9, 30),
			"01.01 10:00":             dateAt(loc, 2027, time.January, 1, 10, 0),
			"31.12 23:55":             dateAt(loc, 2026, time.December, 31, 23, 55),
		} {
			got, err := parseWhen(in, now, loc)
			if err != nil || !got.Equal(want) {
				t.Errorf("%s: parseWhen(%q) = %v, %v; want %v", zone, in, got, err, want)
			}
		}
	}
	// The last day of the range: "завтра" would be 2101.
	loc := dateZone(t, "Europe/Moscow")
	now := dateAt(loc, 2100, time.December, 31, 12, 0)
	if _, err := parseWhen("завтра 10:00", now, loc); !errors.Is(err, errBadDate) {
		t.Errorf("завтра on 31.12.2100: %v, want errBadDate", err)
	}
	if _, err := parseWhen("01.01 10:00", now, loc); !errors.Is(err, errBadDate) {
		t.Errorf("01.01 on 31.12.2100: %v, want errBadDate", err)
	}
	// And the first: "сегодня" in 1999 is out of range, "завтра" is not.
	now = dateAt(loc, 1999, time.December, 31, 12, 0)
	if _, err := parseWhen("сегодня 18:00", now, loc); !errors.Is(err, errBadDate) {
		t.Errorf("сегодня on 31.12.1999: %v, want errBadDate", err)
	}
	if got, err := parseWhen("завтра 10:00", now, loc); err != nil || !got.Equal(dateAt(loc, 2000, time.January, 1, 10, 0)) {
		t.Errorf("завтра on 31.12.1999: %v, %v", got, err)
	}
}

// "Завтра" is tomorrow's date where the district is, not where now was
// taken: 23:30 UTC on 10 March is already 11 March in Moscow and Yekaterinburg.
func TestParseWhenRelativeDaysInLoc(t *testing.T) {
	now := time.Date(2026, time.March, 10, 23, 30, 0, 0, time.UTC)
	for zone, wantDay := range map[string]int{"Europe/Moscow": 12, "Asia/Yekaterinburg": 12, "UTC": 11, "America/New_York": 11} {
		loc := dateZone(t, zone)
		got, err := parseWhen("завтра 10:00", now, loc)
		if err != nil || !got.Equal(dateAt(loc, 2026, time.March, wantDay, 10, 0)) || got.Location() != loc {
			t.Errorf("%s: завтра 10:00 = %v, %v; want %d March 10:00 there", zone, got, err, wantDay)
		}
	}
	// At 23:30 UTC on 14 March it is already 15 March in Moscow, so "14.03"
	// has passed there (next year) but is still today in UTC (this year).
	now = time.Date(2026, time.March, 14, 23, 30, 0, 0, time.UTC)
	msk := dateZone(t, "Europe/Moscow")
	if got, err := parseWhen("14.03 10:00", now, msk); err != nil || got.Year() != 2026 || got.After(now) {
		t.Errorf("14.03 seen from 15 March in Moscow = %v, %v; want yesterday, 2026", got, err)
	}
	if got, err := parseWhen("14.03 10:00", now, time.UTC); err != nil || got.Year() != 2026 {
		t.Errorf("14.03 seen from 14 March in UTC = %v, %v; want 2026", got, err)
	}
}

// "15.03 10:00" means this year until 60 days after 15 March, then next year.
func TestParseWhenDateWithoutYear(t *testing.T) {
	loc := dateZone(t, "Asia/Yekaterinburg")
	for _, tt := range []struct {
		now  time.Time
		want int
	}{
		{dateAt(loc, 2026, time.January, 1, 0, 0), 2026},
		{dateAt(loc, 2026, time.March, 14, 23, 59), 2026},
		{dateAt(loc, 2026, time.March, 15, 0, 0), 2026},
		{dateAt(loc, 2026, time.March, 15, 23, 59), 2026},
		{dateAt(loc, 2026, time.March, 16, 0, 0), 2026}, // just passed: the caller refuses it
		{dateAt(loc, 2026, time.May, 14, 23, 59), 2026}, // 60 days after
		{dateAt(loc, 2026, time.May, 15, 0, 0), 2027},   // 61 days after
		{dateAt(loc, 2026, time.December, 31, 23, 59), 2027},
	} {
		got, err := parseWhen("15.03 10:00", tt.now, loc)
		if err != nil || !got.Equal(dateAt(loc, tt.want, time.March, 15, 10, 0)) {
			t.Errorf("now %v: 15.03 10:00 = %v, %v; want %d", tt.now, got, err, tt.want)
		}
	}
	// 29 February without a year waits for a leap year, but not past 2100.
	for now, want := range map[time.Time]int{
		dateAt(loc, 2028, time.February, 29, 12, 0): 2028,
		dateAt(loc, 2028, time.March, 1, 12, 0):     2028, // just passed
		dateAt(loc, 2028, time.May, 1, 12, 0):       2032,
		dateAt(loc, 2097, time.March, 1, 12, 0):     0, // 2100 is not a leap year
	} {
		got, err := parseWhen("29.02 10:00", now, loc)
		switch {
		case want == 0 && !errors.Is(err, errBadDate):
			t.Errorf("now %v: 29.02 = %v, %v; want errBadDate", now, got, err)
		case want != 0 && (err != nil || got.Year() != want):
			t.Errorf("now %v: 29.02 = %v, %v; want %d", now, got, err, want)
		}
	}
}

// A wall time in a daylight-saving gap comes back as a real instant that
// reads the same when formatted and parsed again; and parseWhen never
// panics on a nil zone or a zero now.
func TestParseWhenDaylightSavingAndOddInputs(t *testing.T) {
	ny := dateZone(t, "America/New_York")
	now := dateAt(ny, 2027, time.January, 1, 12, 0)
	// Clocks go forward at 02:00 on 14 March 2027 in New York.
	got, err := parseWhen("14.03.2027 02:30", now, ny)
	if err != nil {
		t.Fatal(err)
	}
	again, err := parseWhen(got.Format("02.01.2006 15:04"), now, ny)
	if err != nil || !again.Equal(got) {
		t.Errorf("gap: %v, again %v, %v", got, again, err)
	}
	// Clocks go back at 02:00 on 7 November 2027: 01:30 happens twice.
	got, err = parseWhen("07.11.2027 01:30", now, ny)
	if err != nil || got.Hour() != 1 || got.Minute() != 30 {
		t.Errorf("overlap: %v, %v", got, err)
	}

	if got, err := parseWhen("15.03.2027 10:00", now, nil); err != nil || !got.Equal(time.Date(2027, 3, 15, 10, 0, 0, 0, time.UTC)) {
		t.Errorf("nil loc: %v, %v", got, err)
	}
	if _, err := parseWhen("завтра 10:00", time.Time{}, ny); !errors.Is(err, errBadDate) {
		t.Errorf("zero now: %v, want errBadDate (year 1)", err)
	}
	if got, err := parseWhen("15.03.2027 10:00", time.Time{}, ny); err != nil || got.Year() != 2027 {
		t.Errorf("zero now, full date: %v, %v", got, err)
	}
}

func TestParseWhenMonthNames(t *testing.T) {
	now := time.Date(2026, time.November, 26, 17, 0, 0, 0, moscowZone)
	for in, want := range map[string]time.Time{
		"3 декабря 10:00":       time.Date(2026, time.December, 3, 10, 0, 0, 0, moscowZone),
		"3 декабря 2027 в 9:30": time.Date(2027, time.December, 3, 9, 30, 0, 0, moscowZone),
		"15 марта, 10:00":       time.Date(2027, time.March, 15, 10, 0, 0, 0, moscowZone),
		"15 March 10:00":        time.Date(2027, time.March, 15, 10, 0, 0, 0, moscowZone),
		"1 мая 2027 10:00":      time.Date(2027, time.May, 1, 10, 0, 0, 0, moscowZone),
	} {
		got, err := parseWhen(in, now, moscowZone)
		if err != nil || !got.Equal(want) {
			t.Errorf("parseWhen(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"3 декабрь 10:00", "декабря 3 10:00", "31 февраля 10:00", "3 декабря 27 10:00"} {
		if _, err := parseWhen(bad, now, moscowZone); err == nil {
			t.Errorf("parseWhen(%q) accepted", bad)
		}
	}
}

// The forms issue 10 lists, as teachers typed them on Wednesday 2 December
// 2026 at 15:00 in Moscow, and what each must mean.
func TestParseWhenTeachersForms(t *testing.T) {
	loc := moscowZone
	now := dateAt(loc, 2026, time.December, 2, 15, 0)
	if now.Weekday() != time.Wednesday {
		t.Fatalf("now is a %v", now.Weekday())
	}
	apr15 := dateAt(loc, 2027, time.April, 15, 10, 0)
	for _, tt := range []struct {
		in   string
		want time.Time
	}{
		{"завтра в 10", dateAt(loc, 2026, time.December, 3, 10, 0)},
		{"завтра 10", dateAt(loc, 2026, time.December, 3, 10, 0)},
		{"завтра в 10 часов", dateAt(loc, 2026, time.December, 3, 10, 0)},
		{"завтра в 10ч", dateAt(loc, 2026, time.December, 3, 10, 0)},
		{"сегодня в 18", dateAt(loc, 2026, time.December, 2, 18, 0)},
		{"15 апреля в 10", apr15},
		{"15 апреля 10", apr15},
		{"10:00 15.04.2027", apr15},
		{"в 10:00 15.04.2027", apr15},
		{"10:00, 15 апреля", apr15},
		{"15.04.2027 10", apr15},
		{"15.04.2027 в 10", apr15},
		{"15 апр 10:00", apr15},
		{"15 апр. 10:00", apr15},
		{"15 Апр 2027 10:00", apr15},
		{"15 апреля 2027 г. в 10:00", apr15},
		{"15 апреля 2027 года, 10:00", apr15},
		{"15/04/2027 10:00", apr15},
		{"15/04 10:00", apr15},
		{"15-04-2027 10:00", apr15},
		{"2027-04-15 10:00", apr15},
		{"2027-04-15 в 10", apr15},
		{"3 сент 9:30", dateAt(loc, 2027, time.September, 3, 9, 30)},
		{"в четверг 10:00", dateAt(loc, 2026, time.December, 3, 10, 0)}, // tomorrow is Thursday
		{"четверг 10:00", dateAt(loc, 2026, time.December, 3, 10, 0)},
		{"чт 10:00", dateAt(loc, 2026, time.December, 3, 10, 0)},
		{"в среду в 9", dateAt(loc, 2026, time.December, 9, 9, 0)}, // today is Wednesday: next week's
		{"во вторник 14:30", dateAt(loc, 2026, time.December, 8, 14, 30)},
		{"в воскресенье 12:00", dateAt(loc, 2026, time.December, 6, 12, 0)},
		{"в пятницу, в 15:00", dateAt(loc, 2026, time.December, 4, 15, 0)},
		{"on Friday at 15:00", dateAt(loc, 2026, time.December, 4, 15, 0)},
		{"в 10:00 в четверг", dateAt(loc, 2026, time.December, 3, 10, 0)},
		// Today, earlier: read as today; the wizard says it has passed.
		{"02.12 10:00", dateAt(loc, 2026, time.December, 2, 10, 0)},
		// Yesterday without a year: yesterday, never 1 December 2027.
		{"1.12 10:00", dateAt(loc, 2026, time.December, 1, 10, 0)},
		{"1 декабря 10:00", dateAt(loc, 2026, time.December, 1, 10, 0)},
		{"1.12 в 10", dateAt(loc, 2026, time.December, 1, 10, 0)},
		// Long gone: next year.
		{"1.09 10:00", dateAt(loc, 2027, time.September, 1, 10, 0)},
	} {
		got, err := parseWhen(tt.in, now, loc)
		if err != nil || !got.Equal(tt.want) {
			t.Errorf("parseWhen(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

// An impossible date or time that was otherwise read says why.
func TestParseWhenImpossibleDates(t *testing.T) {
	now := dateAt(moscowZone, 2026, time.December, 2, 15, 0)
	for _, tt := range []struct {
		in   string
		want dateError
	}{
		{"31.04.2027 10:00", dateError{Reason: reasonNoSuchDay, Day: 31, Month: 4, Year: 2027}},
		{"31.04 10:00", dateError{Reason: reasonNoSuchDay, Day: 31, Month: 4}},
		{"31 апреля в 10", dateError{Reason: reasonNoSuchDay, Day: 31, Month: 4}},
		{"10:00 31.04.2027", dateError{Reason: reasonNoSuchDay, Day: 31, Month: 4, Year: 2027}},
		{"29.02.2027 10:00", dateError{Reason: reasonNoSuchDay, Day: 29, Month: 2, Year: 2027}},
		{"30.02 10:00", dateError{Reason: reasonNoSuchDay, Day: 30, Month: 2}},
		{"2027-02-30 10:00", dateError{Reason: reasonNoSuchDay, Day: 30, Month: 2, Year: 2027}},
		{"32.01 10:00", dateError{Reason: reasonDayRange, Day: 32, Month: 1}},
		{"0.01.2027 10:00", dateError{Reason: reasonDayRange, Day: 0, Month: 1, Year: 2027}},
		{"15.13 10:00", dateError{Reason: reasonMonthRange, Day: 15, Month: 13}},
		{"15/00/2027 10:00", dateError{Reason: reasonMonthRange, Day: 15, Month: 0, Year: 2027}},
		{"15.04.2027 25:00", dateError{Reason: reasonClock}},
		{"15.04.2027 24:00", dateError{Reason: reasonClock}},
		{"15.04.2027 10:60", dateError{Reason: reasonClock}},
		{"завтра в 25", dateError{Reason: reasonClock}},
	} {
		_, err := parseWhen(tt.in, now, moscowZone)
		var de *dateError
		if !errors.As(err, &de) || *de != tt.want || !errors.Is(err, errBadDate) {
			t.Errorf("parseWhen(%q) = %v; want %+v", tt.in, err, tt.want)
		}
	}
}
