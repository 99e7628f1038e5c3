// Package calendar writes a user's events as iCalendar (RFC 5545) and
// serves them as a private feed that phone calendars (Google, Yandex,
// Apple) subscribe to.
//
// Write turns storage.CalendarEntry values into one VCALENDAR: a VEVENT per
// event whose UID (event-<id>@vmeste) never changes, whose SEQUENCE is the
// event's Revision (it grows with every change, so a phone replaces what
// it holds) and whose times carry the district's zone (TZID, with a
// VTIMEZONE derived from the Go zone database for the span of the events);
// a cancelled event stays, with STATUS:CANCELLED; an alarm per reminder
// the event has. Words come from the locales catalog in the user's
// language. The bot sends it as an .ics file (an event's card, /calendar);
// Handler serves it at GET /calendar/<token>.ics, read from storage in one
// transaction (storage.CalendarFeed).
//
// Caveats: the output is built with github.com/arran4/golang-ical, which
// by default ends lines with a bare LF and folds long lines only at 75
// octets between characters (never inside a UTF-8 sequence); Write asks it
// for CRLF. DTSTAMP is the event's UpdatedAt rather than the time of
// writing, so that the same data gives the same bytes and the feed's ETag
// holds between two requests.
//
// It imports storage and locales of ours, nothing else.
package calendar
