package storage

import (
	"strings"
	"testing"
	"time"
)

// TestEventFieldRules: the limits both faces check, and the times: a time
// kept from the stored event is not held against the clock.
func TestEventFieldRules(t *testing.T) {
	for _, tc := range []struct {
		field, text string
		bad         bool
	}{
		{FieldTitle, "Аб", true}, {FieldTitle, "Дари добро", false}, {FieldTitle, strings.Repeat("я", MaxTitleLen+1), true},
		{FieldPlace, "Я", true}, {FieldPlace, "ДК", false},
		{FieldAudience, "", false}, {FieldAudience, strings.Repeat("я", MaxAudienceLen+1), true},
		{FieldDescription, strings.Repeat("я", MaxDescriptionLen), false}, {FieldDescription, strings.Repeat("я", MaxDescriptionLen+1), true},
	} {
		if got := CheckEventText(tc.field, tc.text); (got != nil) != tc.bad {
			t.Errorf("%s of %d runes: %+v", tc.field, len([]rune(tc.text)), got)
		}
	}
	for _, tc := range []struct {
		field string
		v     int
		bad   bool
	}{{FieldMaxTeam, 0, true}, {FieldMaxTeam, MaxTeamSize, false}, {FieldMaxTeam, MaxTeamSize + 1, true},
		{FieldCapacity, 1, false}, {FieldCapacity, MaxCapacity + 1, true}} {
		if got := CheckEventNumber(tc.field, tc.v); (got != nil) != tc.bad {
			t.Errorf("%s %d: %+v", tc.field, tc.v, got)
		}
	}

	now := time.Date(2027, 3, 1, 12, 0, 0, 0, time.UTC)
	when := func(t time.Time) string { return t.Format(time.DateTime) }
	future, past := now.Add(48*time.Hour), now.Add(-48*time.Hour)
	stored := Event{Start: past, Deadline: past.Add(-time.Hour)}
	for _, tc := range []struct {
		name string
		e    Event
		old  *Event
		want string // the field refused, "" for none
	}{
		{"no start", Event{}, nil, FieldStart},
		{"a start gone", Event{Start: past}, nil, FieldStart},
		{"a start ahead", Event{Start: future}, nil, ""},
		{"an end before the start", Event{Start: future, End: future.Add(-time.Minute)}, nil, FieldEnd},
		{"a deadline gone", Event{Start: future, Deadline: past}, nil, FieldDeadline},
		{"a deadline after the start", Event{Start: future, Deadline: future.Add(time.Hour)}, nil, FieldDeadline},
		{"an event under way, its times kept", Event{Start: past, Deadline: past.Add(-time.Hour), End: now.Add(time.Hour)}, &stored, ""},
		{"an event under way, moved into the past", Event{Start: past.Add(time.Hour)}, &stored, FieldStart},
	} {
		got := CheckEventTimes(tc.e, tc.old, now, when, "15.03.2027 10:00")
		field := ""
		if got != nil {
			field = got.Field
		}
		if field != tc.want {
			t.Errorf("%s: refused %q (%+v), want %q", tc.name, field, got, tc.want)
		}
	}
}
