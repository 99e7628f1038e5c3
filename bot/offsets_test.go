package bot

import (
	"testing"
	"time"
)

func TestParseOffsets(t *testing.T) {
	day, hour := 24*time.Hour, time.Hour
	for _, tc := range []struct {
		in   string
		want []time.Duration
	}{
		{"7д 1д", []time.Duration{7 * day, day}},
		{"1 день, 2 часа", []time.Duration{day, 2 * hour}},
		{"2ч 1д", []time.Duration{day, 2 * hour}},
		{"3d 2h", []time.Duration{3 * day, 2 * hour}},
		{"30 мин", []time.Duration{30 * time.Minute}},
		{"1 неделя и 1 день", []time.Duration{7 * day, day}},
		{"1д 1д", []time.Duration{day}},
		{"", nil},
		{"завтра", nil},
		{"0д", nil},
		{"100д", nil},
		{"1д 2д 3д 4д 5д 6д", nil},
		{"7", nil},
		{"за 7 дней, за 1 день", []time.Duration{7 * day, day}},
		{"1 месяц", nil},
		{"за неделю и за день", []time.Duration{7 * day, day}},
		{"за 2 часа", []time.Duration{2 * hour}},
		{"30 мин", []time.Duration{30 * time.Minute}},
	} {
		got, err := parseOffsets(tc.in)
		if (err != nil) != (tc.want == nil) {
			t.Errorf("parseOffsets(%q) error %v, want %v", tc.in, err, tc.want)
			continue
		}
		if len(got) != len(tc.want) {
			t.Errorf("parseOffsets(%q) = %v, want %v", tc.in, got, tc.want)
			continue
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("parseOffsets(%q) = %v, want %v", tc.in, got, tc.want)
			}
		}
	}
}
