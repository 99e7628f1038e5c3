package bot

import (
	"errors"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// errBadOffsets is returned by parseOffsets for text it cannot read.
var errBadOffsets = errors.New("bot: unreadable reminder offsets")

// maxOffsets and maxOffset bound a reminder schedule.
const (
	maxOffsets = 5
	maxOffset  = 60 * 24 * time.Hour
)

var offsetToken = regexp.MustCompile(`^(\d{1,4})\s*([a-zа-яё]+)$`)

// parseOffsets reads reminder offsets before an event as a coordinator
// types them: "7д 1д", "1 день, 2 часа", "3d 2h", "30 мин". It returns them
// sorted, longest first, without duplicates.
func parseOffsets(s string) ([]time.Duration, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" || len(s) > 200 {
		return nil, errBadOffsets
	}
	s = strings.NewReplacer(",", " ", ";", " ").Replace(s)
	// "за 7 дней, за 1 день" — the way the bot itself writes them — reads too.
	var fields []string
	for _, f := range strings.Fields(s) {
		switch f {
		case "за", "и", "and", "before", "до":
			continue
		}
		fields = append(fields, f)
	}
	// Join "7 дней" into one token.
	var tokens []string
	for i := 0; i < len(fields); i++ {
		f := fields[i]
		if _, err := strconv.Atoi(f); err == nil && i+1 < len(fields) {
			f += fields[i+1]
			i++
		}
		tokens = append(tokens, f)
	}
	seen := map[time.Duration]bool{}
	var out []time.Duration
	for _, t := range tokens {
		if _, ok := offsetUnit(t); ok && !strings.ContainsAny(t[:1], "0123456789") {
			t = "1" + t // "за день", "за неделю": one of the unit
		}
		m := offsetToken.FindStringSubmatch(t)
		if m == nil {
			return nil, errBadOffsets
		}
		n, _ := strconv.Atoi(m[1])
		unit, ok := offsetUnit(m[2])
		if !ok || n <= 0 {
			return nil, errBadOffsets
		}
		d := time.Duration(n) * unit
		if d > maxOffset {
			return nil, errBadOffsets
		}
		if !seen[d] {
			seen[d] = true
			out = append(out, d)
		}
	}
	if len(out) == 0 || len(out) > maxOffsets {
		return nil, errBadOffsets
	}
	sort.Slice(out, func(i, j int) bool { return out[i] > out[j] })
	return out, nil
}

func offsetUnit(u string) (time.Duration, bool) {
	switch {
	case strings.HasPrefix(u, "д"), strings.HasPrefix(u, "сут"), u == "d", strings.HasPrefix(u, "day"):
		return 24 * time.Hour, true
	case strings.HasPrefix(u, "нед"), u == "w", strings.HasPrefix(u, "week"):
		return 7 * 24 * time.Hour, true
	case strings.HasPrefix(u, "ч"), u == "h", strings.HasPrefix(u, "hour"):
		return time.Hour, true
	case strings.HasPrefix(u, "мин"), u == "m", strings.HasPrefix(u, "min"):
		return time.Minute, true
	}
	return 0, false
}
