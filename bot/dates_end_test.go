package bot

import (
	"errors"
	"testing"
	"time"
)

func TestParseEnd(t *testing.T) {
	loc := moscowZone
	now := dateAt(loc, 2026, time.December, 2, 15, 0)
	start := dateAt(loc, 2027, time.April, 15, 10, 0)
	for _, tt := range []struct {
		in   string
		want time.Time
	}{
		// A time on the start's day.
		{"13:00", dateAt(loc, 2027, time.April, 15, 13, 0)},
		{"13.30", dateAt(loc, 2027, time.April, 15, 13, 30)},
		{"до 13:00", dateAt(loc, 2027, time.April, 15, 13, 0)},
		{"До 13", dateAt(loc, 2027, time.April, 15, 13, 0)},
		{"до 13 часов", dateAt(loc, 2027, time.April, 15, 13, 0)},
		{"по 13:30", dateAt(loc, 2027, time.April, 15, 13, 30)},
		{"в 13:00", dateAt(loc, 2027, time.April, 15, 13, 0)},
		{"until 13:00", dateAt(loc, 2027, time.April, 15, 13, 0)},
		// A length.
		{"2 часа", dateAt(loc, 2027, time.April, 15, 12, 0)},
		{"на 2 часа", dateAt(loc, 2027, time.April, 15, 12, 0)},
		{"2ч", dateAt(loc, 2027, time.April, 15, 12, 0)},
		{"1,5 часа", dateAt(loc, 2027, time.April, 15, 11, 30)},
		{"1.5 ч", dateAt(loc, 2027, time.April, 15, 11, 30)},
		{"2 ч 30 мин", dateAt(loc, 2027, time.April, 15, 12, 30)},
		{"2ч30м", dateAt(loc, 2027, time.April, 15, 12, 30)},
		{"1 час и 15 минут", dateAt(loc, 2027, time.April, 15, 11, 15)},
		{"полтора часа", dateAt(loc, 2027, time.April, 15, 11, 30)},
		{"полчаса", dateAt(loc, 2027, time.April, 15, 10, 30)},
		{"час", dateAt(loc, 2027, time.April, 15, 11, 0)},
		{"90 минут", dateAt(loc, 2027, time.April, 15, 11, 30)},
		{"3 дня", dateAt(loc, 2027, time.April, 18, 10, 0)},
		{"сутки", dateAt(loc, 2027, time.April, 16, 10, 0)},
		{"2 hours", dateAt(loc, 2027, time.April, 15, 12, 0)},
		// A date and time, as for the start.
		{"16.04.2027 18:00", dateAt(loc, 2027, time.April, 16, 18, 0)},
		{"16 апреля в 18", dateAt(loc, 2027, time.April, 16, 18, 0)},
	} {
		got, err := parseEnd(tt.in, start, now, loc)
		if err != nil || !got.Equal(tt.want) {
			t.Errorf("parseEnd(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "13", "2", "до", "часа", "2 попугая", "nan ч", "inf ч", "1e3 ч", "0 часов",
		"61 день", "полтора", "13:00 13:00", "до 13:00 завтра", "-2 часа", "2 часа 🎉"} {
		if got, err := parseEnd(bad, start, now, loc); !errors.Is(err, errBadDate) {
			t.Errorf("parseEnd(%q) = %v, %v; want errBadDate", bad, got, err)
		}
	}
	var de *dateError
	for _, in := range []string{"до 25:00", "13:60", "31.04.2027 18:00"} {
		if _, err := parseEnd(in, start, now, loc); !errors.As(err, &de) {
			t.Errorf("parseEnd(%q) = %v; want a dateError", in, err)
		}
	}
}
