package calendar

import (
	"fmt"
	"time"

	ics "github.com/arran4/golang-ical"
)

// maxObservances bounds the VTIMEZONE of a calendar spanning many years
// of a zone with daylight saving (two observances a year).
const maxObservances = 200

// addZone adds the VTIMEZONE of loc for the times from..to: one
// observance (STANDARD, or DAYLIGHT while daylight saving is in effect)
// per period of a fixed offset that overlaps them, from the Go zone
// database — for Europe/Moscow today a single STANDARD of +0300 since
// 26 October 2014. A zone that never changed (UTC) gets one STANDARD
// starting in 1970.
func addZone(cal *ics.Calendar, loc *time.Location, from, to time.Time) {
	tz := cal.AddTimezone(loc.String())
	t := from.In(loc)
	for range maxObservances {
		start, end := t.ZoneBounds()
		name, offset := t.Zone()
		prev, dtstart := offset, "19700101T000000"
		if !start.IsZero() {
			_, prev = start.Add(-time.Second).Zone()
			// An observance begins at the local time before the change.
			dtstart = start.In(time.FixedZone("", prev)).Format(localTime)
		}
		var obs *ics.ComponentBase
		if t.IsDST() {
			d := &ics.Daylight{}
			tz.Components = append(tz.Components, d)
			obs = &d.ComponentBase
		} else {
			obs = &tz.AddStandard().ComponentBase
		}
		obs.SetProperty(ics.ComponentPropertyDtStart, dtstart)
		obs.SetProperty(ics.ComponentProperty(ics.PropertyTzoffsetfrom), utcOffset(prev))
		obs.SetProperty(ics.ComponentProperty(ics.PropertyTzoffsetto), utcOffset(offset))
		if name != "" {
			obs.SetProperty(ics.ComponentProperty(ics.PropertyTzname), name)
		}
		if end.IsZero() || end.After(to) {
			return
		}
		t = end.In(loc)
	}
}

// utcOffset is seconds east of UTC as RFC 5545 writes them: +0300,
// -0430, +053328 when seconds are left.
func utcOffset(sec int) string {
	sign := '+'
	if sec < 0 {
		sign, sec = '-', -sec
	}
	s := fmt.Sprintf("%c%02d%02d", sign, sec/3600, sec%3600/60)
	if sec%60 != 0 {
		s += fmt.Sprintf("%02d", sec%60)
	}
	return s
}
