package bot

import (
	"time"

	"vmeste/storage"
)

// The messages the scheduler sends, rendered here because the bot owns
// every word and button a user sees. main hands the Bot to the scheduler
// as its scheduler.Messages. These methods only compute: storage calls
// some of them inside its transactions.

// Reminder renders a reminder to a participant, with the card's buttons.
// "In how long" is counted from now, not from the offset: a reminder sent
// late (after downtime, or after the event was moved closer) tells the
// truth.
func (b *Bot) Reminder(u storage.User, e storage.Event, offset time.Duration) storage.Content {
	p := b.catalog.For(u.Lang)
	left := e.Start.Sub(b.cfg.Now())
	if left <= 0 {
		left = offset
	}
	return storage.Content{
		Text: p.T("reminder", "In", localesHTML(formatIn(p, roundLeft(left))), "Title", e.Title,
			"When", localesHTML(b.eventWhen(p, e)), "Place", e.Place),
		Buttons: [][]storage.Button{{
			{Text: p.T("btn_details"), Data: cb(cbEventOpen, e.ID)},
			{Text: p.T("btn_signup_cancel"), Data: cb(cbSignupCancel, e.ID, "c")}, // reminders go to the confirmed
		}},
	}
}

// DeadlineNotice tells a teacher that registration closes tomorrow.
func (b *Bot) DeadlineNotice(u storage.User, e storage.Event) storage.Content {
	p := b.catalog.For(u.Lang)
	return storage.Content{
		Text: p.T("deadline_notice", "Title", e.Title,
			"Deadline", localesHTML(p.Date(e.Deadline.In(b.cfg.Location))),
			"When", localesHTML(b.eventWhen(p, e))),
		Buttons: [][]storage.Button{{
			{Text: p.T("btn_signup"), Data: cb(cbSignup, e.ID)},
			{Text: p.T("btn_details"), Data: cb(cbEventOpen, e.ID)},
		}},
	}
}

// Finished asks the event's coordinator to mark attendance and results.
func (b *Bot) Finished(u storage.User, e storage.Event) storage.Content {
	p := b.catalog.For(u.Lang)
	key := "finished_notice"
	row := []storage.Button{{Text: p.T("btn_attendance"), Data: cb(cbAttendance, e.ID, 0)}}
	if e.Kind.Graded() {
		key = "finished_notice_graded"
		row = append(row, storage.Button{Text: p.T("btn_results"), Data: cb(cbResults, e.ID, 0)})
	}
	return storage.Content{Text: p.T(key, "Title", e.Title), Buttons: [][]storage.Button{row}}
}

// digestEvents bounds the events a digest lists (and gives buttons).
const digestEvents = 12

// Digest renders the week's events; nothing when there are none.
func (b *Bot) Digest(u storage.User, events []storage.Event, from time.Time) (storage.Content, bool) {
	if len(events) == 0 {
		return storage.Content{}, false
	}
	p := b.catalog.For(u.Lang)
	from = from.In(b.cfg.Location)
	lines := []string{p.T("digest_title", "From", localesHTML(p.DayMonth(from)), "To", localesHTML(p.Day(from.AddDate(0, 0, 6))))}
	var buttons [][]storage.Button
	for i, e := range events {
		if i == digestEvents {
			lines = append(lines, "", p.N("events_more", len(events)-i))
			break
		}
		lines = append(lines, "", p.T("events_line", "N", i+1, "Title", e.Title,
			"When", localesHTML(p.Date(e.Start.In(b.cfg.Location))),
			"Kind", localesHTML(p.T("ekind_"+string(e.Kind))), "Place", truncateRunes(e.Place, 60)))
		buttons = append(buttons, []storage.Button{{Text: truncateRunes(e.Title, 40), Data: cb(cbEventOpen, e.ID)}})
	}
	lines = append(lines, "", p.T("digest_footer"))
	return storage.Content{Text: p.FitLines(lines, 2), Buttons: buttons}, true
}

// Summary renders a coordinator's new sign-ups and changed applications of
// the last day.
func (b *Bot) Summary(u storage.User, items []storage.SummaryItem) storage.Content {
	p := b.catalog.For(u.Lang)
	lines := []string{p.T("summary_title")}
	for _, it := range items {
		seats := p.T("summary_unlimited", "Taken", it.Event.Taken)
		if it.Event.Capacity > 0 {
			seats = p.T("summary_seats", "Taken", it.Event.Taken, "Capacity", it.Event.Capacity)
		}
		when := localesHTML(p.Date(it.Event.Start.In(b.cfg.Location)))
		if it.NewSignups > 0 {
			lines = append(lines, p.N("summary_line", it.NewSignups, "Title", it.Event.Title, "When", when, "Seats", localesHTML(seats)))
		}
		if it.Changed > 0 {
			lines = append(lines, p.N("summary_changed", it.Changed, "Title", it.Event.Title, "When", when))
		}
	}
	return storage.Content{Text: p.FitLines(lines, 0)}
}

// roundLeft rounds how long is left to what a person would say: whole
// days from a day on, whole hours from an hour on, else minutes.
func roundLeft(d time.Duration) time.Duration {
	switch {
	case d >= 24*time.Hour-time.Minute:
		return (d + 12*time.Hour).Truncate(24 * time.Hour)
	case d >= time.Hour-time.Minute:
		return (d + 30*time.Minute).Truncate(time.Hour)
	}
	return (d + 30*time.Second).Truncate(time.Minute)
}

// formatIn renders how soon an event is: "через 1 день", "через 2 часа".
func formatIn(p localesPrinter, d time.Duration) string {
	switch {
	case d >= 24*time.Hour && d%(24*time.Hour) == 0:
		return p.N("in_days", int(d/(24*time.Hour)))
	case d >= time.Hour && d%time.Hour == 0:
		return p.N("in_hours", int(d/time.Hour))
	default:
		return p.N("in_minutes", max(1, int(d/time.Minute)))
	}
}
