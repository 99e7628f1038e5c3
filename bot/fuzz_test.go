package bot

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// fuzzZones are the zones FuzzParseWhen picks from: the districts' own, and
// some with daylight saving, odd offsets or a skipped day (Apia, 30.12.2011).
var fuzzZones = []string{
	"Europe/Moscow", "Asia/Yekaterinburg", "UTC", "America/New_York",
	"Europe/Berlin", "Australia/Lord_Howe", "Asia/Kathmandu", "Pacific/Apia",
}

// fuzzNow maps any int64 to an instant between 1990 and 2140, so that the
// year limits of parseWhen are crossed from both sides.
func fuzzNow(sec int64) time.Time {
	const span = 150 * 365 * 24 * 60 * 60
	base := time.Date(1990, time.January, 1, 0, 0, 0, 0, time.UTC)
	return base.Add(time.Duration((sec%span+span)%span) * time.Second)
}

// FuzzParseWhen checks that parseWhen never panics, that what it accepts is
// a whole minute in loc within 2000–2100, and that the result formatted as
// the full form reads back as the same instant.
func FuzzParseWhen(f *testing.F) {
	locs := make([]*time.Location, len(fuzzZones))
	for i, name := range fuzzZones {
		locs[i] = dateZone(f, name)
	}
	march2026 := time.Date(2026, time.March, 10, 11, 30, 0, 0, time.UTC).Unix() -
		fuzzNow(0).Unix()
	for i, s := range []string{
		"15.03.2027 10:00", "15.03.2027 в 10:00", "15.03.27 10:00", "15.03 10:00",
		"15.03.2027, 10:00", "15.03.2027 10.00", "15.03.2027 10-00", "29.02 10:00",
		"завтра 10:00", "послезавтра 9:30", "сегодня 18:00", "ЗАВТРА в 10:00",
		"tomorrow 10:00", "today 18:00", "day after tomorrow 9:30", "tomorrow at 10:00",
		"29.02.2028 10:00", "29.02.2027 10:00", "31.02 10:00", "24:00", "10:60",
		"", "завтра", "10:00", "32.01 10:00", "15.13 10:00", "15.03.2027 25:00",
		"вчера 10:00", "15/03/2027 10:00", "15.03.2027 10:00 🎉",
		"14.03.2027 02:30", "07.11.2027 01:30", "30.12.2011 10:00",
		strings.Repeat("1", 65),
		// Issue 10: the forms teachers type, and the refusals that say why.
		"завтра в 10", "15 апреля в 10", "10:00 15.04.2027", "15.04.2027 10", "15 апр 10:00",
		"15/04/2027 10:00", "2027-04-15 10:00", "в четверг 10:00", "во вторник в 9 часов",
		"15 апреля 2027 г., 10:00", "31.04.2027 10:00", "09.03 10:00", "10.01 10:00", "завтра в 25",
	} {
		f.Add(s, march2026, uint8(i))
	}
	f.Fuzz(func(t *testing.T, s string, nowSec int64, zone uint8) {
		loc := locs[int(zone)%len(locs)]
		now := fuzzNow(nowSec)
		got, err := parseWhen(s, now, loc)
		if err != nil {
			if !errors.Is(err, errBadDate) {
				t.Fatalf("parseWhen(%q) error %v, want errBadDate", s, err)
			}
			return
		}
		if len(s) > maxWhenLen {
			t.Fatalf("parseWhen accepted %d bytes", len(s))
		}
		if got.Location() != loc {
			t.Fatalf("parseWhen(%q) in %v, want %v", s, got.Location(), loc)
		}
		if y := got.Year(); y < 2000 || y > 2100 {
			t.Fatalf("parseWhen(%q) = %v: year out of range", s, got)
		}
		if got.Second() != 0 || got.Nanosecond() != 0 {
			t.Fatalf("parseWhen(%q) = %v: not a whole minute", s, got)
		}
		full := got.Format("02.01.2006 15:04")
		again, err := parseWhen(full, now, loc)
		if err != nil || !again.Equal(got) {
			t.Fatalf("parseWhen(%q) = %v; its form %q reads back as %v, %v", s, got, full, again, err)
		}
		// Surrounding spaces change nothing.
		if len(s)+2 <= maxWhenLen {
			padded, err := parseWhen(" "+s+"\t", now, loc)
			if err != nil || !padded.Equal(got) {
				t.Fatalf("parseWhen(%q) = %v but padded %v, %v", s, got, padded, err)
			}
		}
	})
}

// FuzzDecodeCallback checks that decodeCallback never panics, decodes only
// data Telegram could have sent, and splits it losslessly; and that argID and
// argIndex never panic on what it returns and stay in their ranges.
func FuzzDecodeCallback(f *testing.F) {
	for _, s := range []string{
		"oo:12", "ok:0:3", "ps:7", "", "oa", ":", "::", "oo:", "oo:-1", "oo:0", "oo:+5",
		"oo:9223372036854775807", "oo:9223372036854775808", "bo:12:3", "оо:12", "oo:12\n", "oo 12",
		strings.Repeat("a", 64), strings.Repeat("a", 65), "oo:" + strings.Repeat("9", 61),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data string) {
		prefix, args := decodeCallback(data)
		valid := len(data) > 0 && len(data) <= maxCallbackData
		for i := 0; i < len(data); i++ {
			if data[i] < 0x21 || data[i] > 0x7e {
				valid = false
			}
		}
		decoded := prefix != "" || args != nil
		if decoded != valid {
			t.Fatalf("decodeCallback(%q) = %q, %q; data valid: %v", data, prefix, args, valid)
		}
		if prefix != "" && (len(data) > maxCallbackData || !valid) {
			t.Fatalf("decodeCallback(%q): prefix %q from data Telegram cannot send", data, prefix)
		}
		if decoded {
			if back := strings.Join(append([]string{prefix}, args...), ":"); back != data {
				t.Fatalf("decodeCallback(%q) = %q, %q; joined back %q", data, prefix, args, back)
			}
			if strings.Contains(prefix, ":") {
				t.Fatalf("decodeCallback(%q): prefix %q holds a colon", data, prefix)
			}
		}
		for i := 0; i <= len(args); i++ {
			if id, ok := argID(args, i); ok && id <= 0 {
				t.Fatalf("argID(%q, %d) = %d, true", args, i, id)
			} else if !ok && id != 0 {
				t.Fatalf("argID(%q, %d) = %d, false", args, i, id)
			}
			for _, n := range []int{0, 1, 3, 10, 1 << 30} {
				if v, ok := argIndex(args, i, n); ok && (v < 0 || v >= n) {
					t.Fatalf("argIndex(%q, %d, %d) = %d, true", args, i, n, v)
				}
			}
		}
	})
}
