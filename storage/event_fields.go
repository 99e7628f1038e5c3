package storage

import (
	"time"
	"unicode/utf8"
)

// The limits of an event's fields, as both faces of the bot take them: the
// chat's wizard (package bot) and the Mini App's editor (package webapp)
// check a value with the same call and refuse it with the same words.
const (
	MinTitleLen       = 3
	MaxTitleLen       = 200
	MinPlaceLen       = 2
	MaxPlaceLen       = 300
	MaxAudienceLen    = 300
	MaxDescriptionLen = 2000
	MaxTeamSize       = 50
	MaxCapacity       = 100000
)

// Event fields with a rule of their own, named as the wizard names its
// steps (and the locale keys field_<name>).
const (
	FieldTitle       = "title"
	FieldPlace       = "place"
	FieldAudience    = "audience"
	FieldDescription = "description"
	FieldMaxTeam     = "maxteam"
	FieldCapacity    = "capacity"
	FieldStart       = "start"
	FieldEnd         = "end"
	FieldDeadline    = "deadline"
)

// FieldProblem is why a value of an event's field is refused: the locale
// key of the words the chat uses for it, and the key's arguments.
type FieldProblem struct {
	Field string
	Key   string
	Args  []any
}

// CheckEventText checks a typed text field (title, place, audience,
// description) by its length in runes; nil when it is fine.
func CheckEventText(field, text string) *FieldProblem {
	n := utf8.RuneCountInString(text)
	switch field {
	case FieldTitle:
		if n < MinTitleLen || n > MaxTitleLen {
			return &FieldProblem{field, "ne_bad_title", []any{"Max", MaxTitleLen}}
		}
	case FieldPlace:
		if n < MinPlaceLen || n > MaxPlaceLen {
			return &FieldProblem{field, "ne_bad_place", []any{"Max", MaxPlaceLen}}
		}
	case FieldAudience:
		if n > MaxAudienceLen {
			return &FieldProblem{field, "ne_too_long", []any{"Max", MaxAudienceLen}}
		}
	case FieldDescription:
		if n > MaxDescriptionLen {
			return &FieldProblem{field, "ne_too_long", []any{"Max", MaxDescriptionLen}}
		}
	}
	return nil
}

// CheckEventNumber checks a number field (the team size, the capacity):
// 1…MaxTeamSize or 1…MaxCapacity; nil when it is fine.
func CheckEventNumber(field string, v int) *FieldProblem {
	top := MaxCapacity
	if field == FieldMaxTeam {
		top = MaxTeamSize
	}
	if v < 1 || v > top {
		return &FieldProblem{field, "ne_bad_number", []any{"Min", 1, "Max", top}}
	}
	return nil
}

// CheckEventTimes checks the times of an event being saved at now: a
// start in the future, an end (if any) after the start, a deadline (if
// any) in the future and before the start. old is the event as stored
// (nil for a new one): a start or deadline it already had is not held
// against the clock, so that an event under way can still be corrected,
// as the chat's wizard checks only the date typed at its step. when
// renders a time as the user reads it (the district's zone, their
// language), example is a date the user may give; both go into the
// words. nil when all is fine.
func CheckEventTimes(e Event, old *Event, now time.Time, when func(time.Time) string, example string) *FieldProblem {
	kept := func(t time.Time, was func(Event) time.Time) bool { return old != nil && t.Equal(was(*old)) }
	switch {
	case e.Start.IsZero():
		return &FieldProblem{FieldStart, "ne_bad_date", []any{"Example", example}}
	case !e.Start.After(now) && !kept(e.Start, func(o Event) time.Time { return o.Start }):
		return &FieldProblem{FieldStart, "ne_start_passed", nil}
	case !e.End.IsZero() && !e.End.After(e.Start):
		return &FieldProblem{FieldEnd, "ne_end_before_start", []any{"Start", when(e.Start)}}
	case !e.Deadline.IsZero() && !e.Deadline.After(now) && !kept(e.Deadline, func(o Event) time.Time { return o.Deadline }):
		return &FieldProblem{FieldDeadline, "ne_date_past", []any{"When", when(e.Deadline), "Example", example}}
	case !e.Deadline.IsZero() && !e.Deadline.Before(e.Start):
		return &FieldProblem{FieldDeadline, "ne_deadline_after_start", []any{"Start", when(e.Start)}}
	}
	return nil
}
