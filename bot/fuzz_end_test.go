package bot

import (
	"errors"
	"testing"
	"time"
)

// FuzzParseEnd checks that parseEnd never panics, refuses only with
// errBadDate, and that what it accepts is a whole minute in loc, and a
// length no longer than maxEventLength when it is not a date or a time.
func FuzzParseEnd(f *testing.F) {
	for _, s := range []string{
		"13:00", "до 13:00", "до 13", "по 13:30", "2 часа", "1,5 часа", "2ч30м", "полтора часа", "полчаса",
		"3 дня", "на 2 часа", "16.04.2027 18:00", "13", "до 25:00", "nan ч", "1e3 ч", "61 день", "",
	} {
		f.Add(s)
	}
	start := time.Date(2027, time.April, 15, 10, 0, 0, 0, moscowZone)
	now := time.Date(2026, time.December, 2, 15, 0, 0, 0, moscowZone)
	f.Fuzz(func(t *testing.T, s string) {
		got, err := parseEnd(s, start, now, moscowZone)
		if err != nil {
			if !errors.Is(err, errBadDate) {
				t.Fatalf("parseEnd(%q) error %v, want errBadDate", s, err)
			}
			return
		}
		if got.Location() != moscowZone || got.Second() != 0 || got.Nanosecond() != 0 {
			t.Fatalf("parseEnd(%q) = %v: not a whole minute in Moscow", s, got)
		}
		if _, werr := parseWhen(s, now, moscowZone); werr != nil {
			if d := got.Sub(start); d > maxEventLength || d < -24*time.Hour {
				t.Fatalf("parseEnd(%q) = %v: %v from the start", s, got, d)
			}
		}
	})
}
