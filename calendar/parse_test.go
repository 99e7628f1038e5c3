package calendar

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"
)

// A second iCalendar reader, written for these tests alone and sharing no
// code with golang-ical: it unfolds lines (RFC 5545 §3.1), splits a
// content line into name, parameters and value, unescapes TEXT (§3.3.11)
// and reads DATE-TIME values with their TZID.

// icsProp is one content line.
type icsProp struct {
	Name   string
	Params map[string]string
	Value  string // raw, still escaped
}

// Text is the value unescaped as TEXT.
func (p icsProp) Text() string { return unescapeText(p.Value) }

// icsComp is a component (VCALENDAR, VEVENT, VALARM…) with its properties
// and subcomponents in order.
type icsComp struct {
	Name  string
	Props []icsProp
	Subs  []*icsComp
}

// Get returns the first property named name.
func (c *icsComp) Get(name string) (icsProp, bool) {
	for _, p := range c.Props {
		if p.Name == name {
			return p, true
		}
	}
	return icsProp{}, false
}

// All returns the subcomponents named name.
func (c *icsComp) All(name string) []*icsComp {
	var out []*icsComp
	for _, s := range c.Subs {
		if s.Name == name {
			out = append(out, s)
		}
	}
	return out
}

// unfold splits data into logical lines: every line must end in CRLF, and
// a line that begins with a space or a tab continues the one before,
// without that first character.
func unfold(t *testing.T, data string) []string {
	t.Helper()
	if !strings.HasSuffix(data, "\r\n") {
		t.Fatalf("the data does not end in CRLF")
	}
	var out []string
	for i, l := range strings.Split(strings.TrimSuffix(data, "\r\n"), "\r\n") {
		if strings.Contains(l, "\n") || strings.Contains(l, "\r") {
			t.Fatalf("physical line %d has a bare CR or LF: %q", i+1, l)
		}
		if len(l) > 0 && (l[0] == ' ' || l[0] == '\t') {
			if len(out) == 0 {
				t.Fatalf("the first line is a continuation")
			}
			out[len(out)-1] += l[1:]
			continue
		}
		out = append(out, l)
	}
	return out
}

// parseContentLine reads name *(";" param) ":" value, where a parameter's
// value may be quoted (and then hold ; and :).
func parseContentLine(l string) (icsProp, error) {
	p := icsProp{Params: map[string]string{}}
	i := strings.IndexAny(l, ";:")
	if i <= 0 {
		return p, fmt.Errorf("no name in %q", l)
	}
	p.Name = strings.ToUpper(l[:i])
	for l[i] == ';' {
		eq := strings.IndexByte(l[i:], '=')
		if eq < 0 {
			return p, fmt.Errorf("parameter without = in %q", l)
		}
		key := strings.ToUpper(l[i+1 : i+eq])
		j := i + eq + 1
		var val string
		if j < len(l) && l[j] == '"' {
			end := strings.IndexByte(l[j+1:], '"')
			if end < 0 {
				return p, fmt.Errorf("unclosed quote in %q", l)
			}
			val, j = l[j+1:j+1+end], j+end+2
		} else {
			end := strings.IndexAny(l[j:], ";:")
			if end < 0 {
				return p, fmt.Errorf("parameter runs to the end of %q", l)
			}
			val, j = l[j:j+end], j+end
		}
		p.Params[key] = val
		i = j
		if i >= len(l) {
			return p, fmt.Errorf("no value in %q", l)
		}
	}
	p.Value = l[i+1:]
	return p, nil
}

// unescapeText undoes TEXT escaping: \\ \; \, \n \N.
func unescapeText(v string) string {
	var sb strings.Builder
	for i := 0; i < len(v); i++ {
		if v[i] != '\\' || i+1 == len(v) {
			sb.WriteByte(v[i])
			continue
		}
		i++
		switch v[i] {
		case 'n', 'N':
			sb.WriteByte('\n')
		default: // \\ \; \,
			sb.WriteByte(v[i])
		}
	}
	return sb.String()
}

// parseICS reads data into its VCALENDAR.
func parseICS(t *testing.T, data string) *icsComp {
	t.Helper()
	var stack []*icsComp
	var root *icsComp
	for _, l := range unfold(t, data) {
		p, err := parseContentLine(l)
		if err != nil {
			t.Fatal(err)
		}
		switch p.Name {
		case "BEGIN":
			c := &icsComp{Name: p.Value}
			if len(stack) > 0 {
				top := stack[len(stack)-1]
				top.Subs = append(top.Subs, c)
			} else if root == nil {
				root = c
			} else {
				t.Fatalf("a second top-level component %s", p.Value)
			}
			stack = append(stack, c)
		case "END":
			if len(stack) == 0 || stack[len(stack)-1].Name != p.Value {
				t.Fatalf("END:%s does not close what is open", p.Value)
			}
			stack = stack[:len(stack)-1]
		default:
			if len(stack) == 0 {
				t.Fatalf("property %s outside any component", p.Name)
			}
			top := stack[len(stack)-1]
			top.Props = append(top.Props, p)
		}
	}
	if root == nil || root.Name != "VCALENDAR" || len(stack) != 0 {
		t.Fatalf("not one closed VCALENDAR")
	}
	return root
}

// dateTime reads a DATE-TIME property: UTC with a Z, else local to its
// TZID (loaded from the Go zone database by name).
func dateTime(p icsProp) (time.Time, error) {
	if v, ok := strings.CutSuffix(p.Value, "Z"); ok {
		return time.ParseInLocation("20060102T150405", v, time.UTC)
	}
	tzid, ok := p.Params["TZID"]
	if !ok {
		return time.Time{}, fmt.Errorf("%s %s: floating time", p.Name, p.Value)
	}
	loc, err := time.LoadLocation(tzid)
	if err != nil {
		return time.Time{}, err
	}
	return time.ParseInLocation("20060102T150405", p.Value, loc)
}

// icsDuration reads a negative or positive dur-value of days, hours,
// minutes and seconds (no weeks): -P7D, -PT2H, P1DT12H.
func icsDuration(v string) (time.Duration, error) {
	sign := time.Duration(1)
	switch {
	case strings.HasPrefix(v, "-"):
		sign, v = -1, v[1:]
	case strings.HasPrefix(v, "+"):
		v = v[1:]
	}
	rest, ok := strings.CutPrefix(v, "P")
	if !ok || rest == "" {
		return 0, fmt.Errorf("duration %q", v)
	}
	var d time.Duration
	inTime := false
	num := ""
	for _, r := range rest {
		switch {
		case r >= '0' && r <= '9':
			num += string(r)
		case r == 'T':
			inTime = true
		default:
			n, err := strconv.Atoi(num)
			if err != nil {
				return 0, fmt.Errorf("duration %q", v)
			}
			num = ""
			unit := map[string]time.Duration{"D": 24 * time.Hour, "TH": time.Hour, "TM": time.Minute, "TS": time.Second}
			key := string(r)
			if inTime {
				key = "T" + key
			}
			u, ok := unit[key]
			if !ok {
				return 0, fmt.Errorf("duration %q: unit %q", v, key)
			}
			d += time.Duration(n) * u
		}
	}
	if num != "" {
		return 0, fmt.Errorf("duration %q: trailing number", v)
	}
	return sign * d, nil
}
