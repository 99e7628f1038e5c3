package calendar

import (
	"cmp"
	"fmt"
	"html"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	ics "github.com/arran4/golang-ical"

	"vmeste/locales"
	"vmeste/storage"
)

// DefaultDuration is how long an event without an end lasts in a
// calendar: two hours, the length of a seminar or a contest's round, so
// that a phone shows a block of the day rather than a point.
const DefaultDuration = 2 * time.Hour

// Options say how Write writes a calendar.
type Options struct {
	// Location is the district's zone: every time is written in it, with
	// its TZID. nil means UTC.
	Location *time.Location
	// Bot is the bot's @username without the @, for the link back to an
	// event's card (https://t.me/<bot>?start=e<id>); "" leaves the link out.
	Bot string
	// Printer renders the words (the kind, "organisers", the waitlist's
	// mark) in the user's language.
	Printer locales.Printer
	// Name, if not empty, names the calendar (X-WR-CALNAME) and asks a
	// subscribed calendar to look again every hour: the feed sets it, a
	// single event's file does not.
	Name string
}

// UID is the stable identifier of an event in every calendar.
func UID(eventID int64) string { return "event-" + strconv.FormatInt(eventID, 10) + "@vmeste" }

// Link is the deep link that opens the event's card in the bot.
func Link(bot string, eventID int64) string {
	return "https://t.me/" + bot + "?start=e" + strconv.FormatInt(eventID, 10)
}

// FileName is the name of a single event's .ics file.
func FileName(eventID int64) string { return "event-" + strconv.FormatInt(eventID, 10) + ".ics" }

// Write writes entries (with their organisers in orgs) as one VCALENDAR
// to w, lines ending in CRLF. The same entries and options give the same
// bytes.
func Write(w io.Writer, entries []storage.CalendarEntry, orgs map[int64]storage.Organisation, o Options) error {
	if o.Location == nil {
		o.Location = time.UTC
	}
	cal := ics.NewCalendarFor("Vmeste")
	cal.SetCalscale("GREGORIAN")
	if o.Name != "" {
		cal.SetName(o.Name)
		cal.SetXWRCalName(o.Name)
		cal.SetXWRTimezone(o.Location.String())
		cal.SetRefreshInterval("PT1H")
		cal.SetXPublishedTTL("PT1H")
	}
	var span []time.Time
	for _, en := range entries {
		span = append(span, en.Event.Start, end(en.Event))
	}
	if len(span) > 0 {
		addZone(cal, o.Location, slices.MinFunc(span, time.Time.Compare), slices.MaxFunc(span, time.Time.Compare))
	}
	for _, en := range entries {
		addEvent(cal, en, orgs, o)
	}
	if err := cal.SerializeTo(w, ics.WithNewLineWindows); err != nil {
		return fmt.Errorf("calendar: write: %w", err)
	}
	return nil
}

// end is when the event ends in a calendar: its end, or DefaultDuration
// after its start.
func end(e storage.Event) time.Time {
	if e.End.After(e.Start) {
		return e.End
	}
	return e.Start.Add(DefaultDuration)
}

// localTime is the DATE-TIME form of t in loc, written with TZID=loc.
const localTime = "20060102T150405"

func addEvent(cal *ics.Calendar, en storage.CalendarEntry, orgs map[int64]storage.Organisation, o Options) {
	e, p := en.Event, o.Printer
	ev := cal.AddEvent(UID(e.ID))
	stamp := cmp.Or(e.UpdatedAt, e.CreatedAt, e.Start)
	ev.SetDtStampTime(stamp)
	if !e.CreatedAt.IsZero() {
		ev.SetCreatedTime(e.CreatedAt)
	}
	ev.SetModifiedAt(stamp)
	ev.SetSequence(e.Revision)
	tz := ics.WithTZID(o.Location.String())
	ev.SetProperty(ics.ComponentPropertyDtStart, e.Start.In(o.Location).Format(localTime), tz)
	ev.SetProperty(ics.ComponentPropertyDtEnd, end(e).In(o.Location).Format(localTime), tz)

	title := oneLine(e.Title)
	summary, status := title, ics.ObjectStatusConfirmed
	switch {
	case e.Status == storage.EventCancelled:
		summary, status = plain(p.T("cal_summary_cancelled", "Title", title)), ics.ObjectStatusCancelled
	case en.Waitlisted():
		summary = plain(p.T("cal_summary_waitlist", "Title", title))
	}
	ev.SetSummary(summary)
	ev.SetStatus(status)
	if place := oneLine(e.Place); place != "" {
		ev.SetLocation(place)
	}
	ev.SetDescription(description(en, orgs, o))
	if o.Bot != "" {
		ev.SetURL(Link(o.Bot, e.ID))
	}
	ev.SetProperty(ics.ComponentPropertyCategories, plain(p.T("ekind_"+string(e.Kind))))
	if e.Status == storage.EventCancelled {
		return // nothing to be reminded of
	}
	offsets := slices.Clone(e.Reminders)
	slices.Sort(offsets)
	offsets = slices.Compact(offsets)
	for _, off := range slices.Backward(offsets) { // earliest alarm first
		if off <= 0 {
			continue
		}
		a := ev.AddAlarm()
		a.SetAction(ics.ActionDisplay)
		a.SetTrigger("-" + duration(off))
		a.SetProperty(ics.ComponentPropertyDescription, plain(p.T("cal_alarm", "Title", title)))
	}
}

// description is the event's DESCRIPTION: its kind, organisers and
// audience, the waitlist's mark, the coordinator's text and the link back.
func description(en storage.CalendarEntry, orgs map[int64]storage.Organisation, o Options) string {
	e, p := en.Event, o.Printer
	lines := []string{plain(p.T("ekind_" + string(e.Kind)))}
	var names []string
	for _, id := range e.Organisers {
		if org, ok := orgs[id]; ok {
			names = append(names, org.Label())
		}
	}
	if len(names) > 0 {
		lines = append(lines, plain(p.T("cal_desc_organisers", "Orgs", strings.Join(names, ", "))))
	}
	if a := strings.TrimSpace(e.Audience); a != "" {
		lines = append(lines, plain(p.T("cal_desc_audience", "Audience", a)))
	}
	switch {
	case e.Status == storage.EventCancelled:
		lines = append(lines, plain(p.T("cal_desc_cancelled")))
	case en.Waitlisted():
		lines = append(lines, plain(p.T("cal_desc_waitlist")))
	}
	if d := strings.TrimSpace(strings.ReplaceAll(e.Description, "\r", "")); d != "" {
		lines = append(lines, "", d)
	}
	if o.Bot != "" {
		lines = append(lines, "", plain(p.T("cal_desc_link", "Link", Link(o.Bot, e.ID))))
	}
	return strings.Join(lines, "\n")
}

// plain is a rendered message as text: the printer escapes the values
// for Telegram's HTML, and a calendar is not HTML.
func plain(s string) string { return html.UnescapeString(s) }

// oneLine is s with line breaks as spaces, for a one-line property.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// duration is d as an RFC 5545 duration without its sign: P7D, PT2H,
// PT1H30M.
func duration(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		return "P" + strconv.FormatInt(int64(d/(24*time.Hour)), 10) + "D"
	}
	var sb strings.Builder
	sb.WriteString("P")
	if days := d / (24 * time.Hour); days > 0 {
		sb.WriteString(strconv.FormatInt(int64(days), 10) + "D")
		d -= days * 24 * time.Hour
	}
	sb.WriteString("T")
	if h := d / time.Hour; h > 0 {
		sb.WriteString(strconv.FormatInt(int64(h), 10) + "H")
		d -= h * time.Hour
	}
	if m := d / time.Minute; m > 0 {
		sb.WriteString(strconv.FormatInt(int64(m), 10) + "M")
		d -= m * time.Minute
	}
	if s := d / time.Second; s > 0 || sb.Len() == 2 {
		sb.WriteString(strconv.FormatInt(int64(s), 10) + "S")
	}
	return sb.String()
}
