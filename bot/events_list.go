package bot

import (
	"context"
	"fmt"
	"strconv"

	"vmeste/storage"
)

// /events: upcoming published events, five a page, with a kind filter;
// «Прошедшие» turns the same list to the events that have taken place,
// latest first. Paging, filtering, switching and opening a card all edit
// the same message.

const eventsPerPage = 5

// kindArg encodes a kind filter in callback data: its index, or "x" for all.
func kindArg(kind storage.EventKind) string {
	for i, k := range storage.EventKinds {
		if k == kind {
			return strconv.Itoa(i)
		}
	}
	return "x"
}

// parseKindArg decodes kindArg; ok is false for anything else.
func parseKindArg(s string) (storage.EventKind, bool) {
	if s == "x" {
		return "", true
	}
	i, err := strconv.Atoi(s)
	if err != nil || i < 0 || i >= len(storage.EventKinds) {
		return "", false
	}
	return storage.EventKinds[i], true
}

func (b *Bot) cmdEvents(ctx context.Context, r *Request, _ string) error {
	return b.showEvents(ctx, r, 0, "", false)
}

// pastArg is the optional last arg of the list's buttons: "p" for the
// past events, none for the upcoming ones.
func pastArg(past bool) []any {
	if past {
		return []any{listPast}
	}
	return nil
}

// The lists a card opened from one goes back to (the last arg of
// ec:<id>:<page>:<kind>:<list>): absent for /events' upcoming events.
const (
	listPast = "p" // /events «Прошедшие»
	listMine = "m" // /myevents
)

// showEvents renders a page of upcoming events, or (past) of those that
// have taken place, latest first.
func (b *Bot) showEvents(ctx context.Context, r *Request, page int, kind storage.EventKind, past bool) error {
	list := b.store.UpcomingEvents
	if past {
		list = b.store.PastEvents
	}
	events, total, err := list(ctx, b.cfg.Now(), kind, page*eventsPerPage, eventsPerPage)
	if err != nil {
		return err
	}
	pages := max(1, (total+eventsPerPage-1)/eventsPerPage)
	if page >= pages && page > 0 {
		return b.showEvents(ctx, r, pages-1, kind, past)
	}
	filter := r.P.T("events_filter_all")
	if kind != "" {
		filter = r.P.T("ekind_" + string(kind))
	}
	title, empty := "events_title", "events_empty"
	if past {
		title, empty = "events_past_title", "events_past_empty"
	}
	lines := []string{r.P.T(title, "Filter", localesHTML(filter), "Page", page+1, "Pages", pages)}
	kb := keyboard{}
	if total == 0 {
		lines = append(lines, "", r.P.T(empty))
	}
	ka := kindArg(kind)
	for i, e := range events {
		n := page*eventsPerPage + i + 1
		when := r.P.Date(e.Start.In(b.cfg.Location))
		if past { // the past may be last year
			when = r.P.DateYear(e.Start.In(b.cfg.Location))
		}
		lines = append(lines, "", r.P.T("events_line", "N", n, "Title", e.Title,
			"When", localesHTML(when),
			"Kind", localesHTML(r.P.T("ekind_"+string(e.Kind))),
			"Place", truncateRunes(e.Place, 60)))
		kb = append(kb, []modelsButton{button(fmt.Sprintf("%d. %s", n, truncateRunes(e.Title, 50)), cb(cbEventCard, append([]any{e.ID, page, ka}, pastArg(past)...)...))})
	}
	if pages > 1 {
		at := func(p int) string { return cb(cbEventList, append([]any{p, ka}, pastArg(past)...)...) }
		var row []modelsButton
		if page > 0 {
			row = append(row, button(r.P.T("btn_prev"), at(page-1)))
		}
		row = append(row, button(r.P.T("page_of", "Page", page+1, "Pages", pages), at(page)))
		if page < pages-1 {
			row = append(row, button(r.P.T("btn_next"), at(page+1)))
		}
		kb = append(kb, row)
	}
	other := button(r.P.T("btn_events_past"), cb(cbEventList, 0, ka, listPast))
	if past {
		other = button(r.P.T("btn_events_upcoming"), cb(cbEventList, 0, ka))
	}
	kb = append(kb, []modelsButton{button(r.P.T("btn_events_filter"), cb(cbEventFilter, append([]any{ka}, pastArg(past)...)...)), other})
	return b.reply(ctx, r, r.P.FitLines(lines, 0), kb)
}

// parsePastArg decodes the optional last arg after n fixed ones: past is
// true for "p"; ok is false for anything else, or more args.
func parsePastArg(args []string, n int) (past, ok bool) {
	switch {
	case len(args) == n:
		return false, true
	case len(args) == n+1 && args[n] == listPast:
		return true, true
	}
	return false, false
}

// cbEventList: el:<page>:<kind>[:p].
func (b *Bot) cbEventList(ctx context.Context, r *Request, args []string) error {
	page, ok := argIndex(args, 0, 100000)
	if !ok || len(args) < 2 {
		return b.stale(ctx, r)
	}
	kind, ok := parseKindArg(args[1])
	if !ok {
		return b.stale(ctx, r)
	}
	past, ok := parsePastArg(args, 2)
	if !ok {
		return b.stale(ctx, r)
	}
	return b.showEvents(ctx, r, page, kind, past)
}

// cbEventFilter shows the kinds to filter by: ef:<current kind>[:p].
func (b *Bot) cbEventFilter(ctx context.Context, r *Request, args []string) error {
	if len(args) < 1 {
		return b.stale(ctx, r)
	}
	if _, ok := parseKindArg(args[0]); !ok {
		return b.stale(ctx, r)
	}
	past, ok := parsePastArg(args, 1)
	if !ok {
		return b.stale(ctx, r)
	}
	at := func(kind string) string { return cb(cbEventList, append([]any{0, kind}, pastArg(past)...)...) }
	kb := keyboard{{button(r.P.T("events_filter_all"), at("x"))}}
	var row []modelsButton
	for i, k := range storage.EventKinds {
		row = append(row, button(r.P.T("ekind_"+string(k)), at(strconv.Itoa(i))))
		if len(row) == 2 {
			kb, row = append(kb, row), nil
		}
	}
	if row != nil {
		kb = append(kb, row)
	}
	return b.reply(ctx, r, r.P.T("events_choose_kind"), kb)
}

// cbEventCard opens a card from a list: ec:<id>:<page>:<kind>[:<p|m>]
// (the list to go back to: /events' upcoming or past ones, or /myevents);
// from elsewhere (a reminder, /my): ec:<id>.
func (b *Bot) cbEventCard(ctx context.Context, r *Request, args []string) error {
	id, ok := argID(args, 0)
	if !ok {
		return b.stale(ctx, r)
	}
	back := ""
	if len(args) > 1 {
		if len(args) < 3 || len(args) > 4 {
			return b.stale(ctx, r)
		}
		page, ok1 := argIndex(args, 1, 100000)
		_, ok2 := parseKindArg(args[2])
		if !ok1 || !ok2 {
			return b.stale(ctx, r)
		}
		switch {
		case len(args) == 3:
			back = cb(cbEventList, page, args[2])
		case args[3] == listPast:
			back = cb(cbEventList, page, args[2], listPast)
		case args[3] == listMine:
			back = cb(cbMyEvents, page)
		default:
			return b.stale(ctx, r)
		}
	}
	return b.showCard(ctx, r, id, back, false)
}

// cbEventOpen opens the card as a new message, leaving the notice whose
// button it is as it was: eo:<id>.
func (b *Bot) cbEventOpen(ctx context.Context, r *Request, args []string) error {
	id, ok := argID(args, 0)
	if !ok || len(args) != 1 {
		return b.stale(ctx, r)
	}
	return b.showCard(ctx, r, id, "", true)
}

// cmdDrafts lists the drafts the user may see: first the user's own event
// drafts left unfinished for another wizard (wizard.go), then the stored
// drafts that are theirs (all, for an admin).
func (b *Bot) cmdDrafts(ctx context.Context, r *Request, _ string) error {
	parked, err := b.sendParkedDrafts(ctx, r)
	if err != nil {
		return err
	}
	all, err := b.store.Drafts(ctx)
	if err != nil {
		return err
	}
	var drafts []storage.Event // a draft is seen by its author and admins only
	for _, e := range all {
		if b.may(r, actSee, e) {
			drafts = append(drafts, e)
		}
	}
	if len(drafts) == 0 {
		if parked {
			return nil
		}
		_, err := b.send(ctx, r.ChatID, r.P.T("drafts_empty"), nil)
		return err
	}
	lines := []string{r.P.N("drafts_title", len(drafts))}
	var kb keyboard
	for i, e := range drafts {
		if i == 30 {
			lines = append(lines, r.P.N("lines_more", len(drafts)-i))
			break
		}
		lines = append(lines, r.P.T("events_line", "N", i+1, "Title", e.Title,
			"When", localesHTML(r.P.Date(e.Start.In(b.cfg.Location))),
			"Kind", localesHTML(r.P.T("ekind_"+string(e.Kind))), "Place", truncateRunes(e.Place, 60)))
		kb = append(kb, []modelsButton{button(fmt.Sprintf("%d. %s", i+1, truncateRunes(e.Title, 50)), cb(cbEventCard, e.ID))})
	}
	_, err = b.send(ctx, r.ChatID, r.P.FitLines(lines, 0), kb)
	return err
}

// openEventLink opens the card of a deep link's event (payload e<id>).
func (b *Bot) openEventLink(ctx context.Context, r *Request, payload string) error {
	id, err := strconv.ParseInt(payload[1:], 10, 64)
	if err != nil || id <= 0 {
		_, err := b.send(ctx, r.ChatID, r.P.T("start_unknown_link"), nil)
		return err
	}
	return b.showCard(ctx, r, id, "", true)
}
