package bot

import (
	"context"
	"fmt"
	"slices"

	"vmeste/storage"
)

// /myevents: the events a coordinator runs, past included, so that
// attendance and results are one command away at any time, not only from
// the notice sent when an event ends. The list holds the events the user
// created and those their organisation owns or co-organises, each only if
// access.go lets them see its participants; the ones still ahead come
// first, soonest first, then those over or cancelled, latest first.

const myEventsPerPage = 8

func (b *Bot) cmdMyEvents(ctx context.Context, r *Request, _ string) error {
	return b.showMyEvents(ctx, r, 0)
}

// cbMyEvents: mye:<page>.
func (b *Bot) cbMyEvents(ctx context.Context, r *Request, args []string) error {
	page, ok := argIndex(args, 0, 100000)
	if !ok || len(args) != 1 {
		return b.stale(ctx, r)
	}
	return b.showMyEvents(ctx, r, page)
}

// myEvents is the list /myevents shows, in its order, and how many of
// them are still ahead.
func (b *Bot) myEvents(ctx context.Context, r *Request) ([]storage.Event, int, error) {
	all, err := b.store.OrganisedEvents(ctx, r.User.ID, r.User.OrgID)
	if err != nil {
		return nil, 0, err
	}
	now := b.cfg.Now()
	var ahead, behind []storage.Event
	for _, e := range all {
		switch {
		case !b.may(r, actParticipants, e):
		case e.Status == storage.EventCancelled || e.Over(now):
			behind = append(behind, e)
		default:
			ahead = append(ahead, e)
		}
	}
	slices.Reverse(behind) // latest first
	return append(ahead, behind...), len(ahead), nil
}

// showMyEvents renders a page of /myevents, in place of a pressed button's
// message or as a new one.
func (b *Bot) showMyEvents(ctx context.Context, r *Request, page int) error {
	list, ahead, err := b.myEvents(ctx, r)
	if err != nil {
		return err
	}
	if len(list) == 0 {
		return b.reply(ctx, r, r.P.T("myevents_empty"), keyboard{})
	}
	pages := (len(list) + myEventsPerPage - 1) / myEventsPerPage
	page = min(page, pages-1)
	lines := []string{r.P.T("myevents_title", "Page", page+1, "Pages", pages)}
	var kb keyboard
	first := page * myEventsPerPage
	for i, e := range list[first:min(len(list), first+myEventsPerPage)] {
		n := first + i + 1
		switch {
		case n == 1 && ahead > 0:
			lines = append(lines, "", r.P.T("myevents_ahead"))
		case n == ahead+1 || (i == 0 && n > ahead):
			lines = append(lines, "", r.P.T("myevents_behind"))
		}
		state, err := b.myEventState(ctx, r, e)
		if err != nil {
			return err
		}
		lines = append(lines, r.P.T("myevents_line", "N", n, "Title", e.Title,
			"When", localesHTML(r.P.DateYear(e.Start.In(b.cfg.Location))), "State", localesHTML(state)))
		kb = append(kb, []modelsButton{button(fmt.Sprintf("%d. %s", n, truncateRunes(e.Title, 50)), cb(cbEventCard, e.ID, page, "x", listMine))})
	}
	kb = append(kb, pager(r.P, cbMyEvents, page, pages)...)
	return b.reply(ctx, r, r.P.FitLines(lines, 0), kb)
}

// myEventState is one event's state in /myevents: a draft, open with so
// many signed up, cancelled, or over with what is left to mark.
func (b *Bot) myEventState(ctx context.Context, r *Request, e storage.Event) (string, error) {
	p := r.P
	switch {
	case e.Status == storage.EventDraft:
		return p.T("myevents_state_draft"), nil
	case e.Status == storage.EventCancelled:
		return p.T("myevents_state_cancelled"), nil
	case !e.Over(b.cfg.Now()) && e.Taken == 0:
		return p.T("myevents_state_open_nobody"), nil
	case !e.Over(b.cfg.Now()):
		return p.N("myevents_state_open", e.Taken), nil
	}
	list, err := b.store.Participants(ctx, e.ID)
	if err != nil {
		return "", err
	}
	came, confirmed, results := 0, 0, 0
	for _, pt := range list {
		if pt.State != storage.RegConfirmed {
			continue
		}
		confirmed++
		if pt.Attended != nil && *pt.Attended {
			came++
		}
		if pt.Result != "" {
			results++
		}
	}
	state := p.T("myevents_state_over")
	switch {
	case confirmed == 0:
		return state + " · " + p.T("myevents_nobody"), nil
	case came == 0:
		state += " · " + p.T("myevents_attendance_unmarked")
	default:
		state += " · " + p.T("myevents_came", "Came", came, "Of", confirmed)
	}
	if e.Kind.Graded() && b.may(r, actMark, e) {
		if results == 0 {
			state += " · " + p.T("myevents_results_none")
		} else {
			state += " · " + p.T("myevents_results_done")
		}
	}
	return state, nil
}
