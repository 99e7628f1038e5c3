package webapp

import (
	"context"
	"math"
	"net/http"
	"slices"
	"strconv"
	"time"

	"vmeste/storage"
)

// My events: the events whose participants the user may see (the chat's
// /myevents), and their own drafts (/drafts; an admin sees every draft),
// in three lists: upcoming (soonest first), drafts, past and cancelled
// (latest first), filtered by kind and by organiser.

// eventRow is one event in the lists.
type eventRow struct {
	storage.Event
	When      string
	Orgs      string
	Apps      int // active applications: confirmed and waitlisted
	DaysLeft  int // whole days until sign-up closes; -1 when closed
	CanEdit   bool
	CanPeople bool
}

// eventsData is the My events page.
type eventsData struct {
	Upcoming, Drafts, Past []eventRow
	Kinds                  []storage.EventKind
	Orgs                   []storage.Organisation
	Kind                   string
	Org                    int64
}

func (a *App) eventsPage(w http.ResponseWriter, r *http.Request, s *session) {
	if id, err := strconv.ParseInt(r.URL.Query().Get("event"), 10, 64); err == nil && id > 0 {
		// The card's button: that event's page.
		r.SetPathValue("id", strconv.FormatInt(id, 10))
		a.participantsPage(w, r, s)
		return
	}
	ctx := r.Context()
	d := eventsData{Kinds: storage.EventKinds, Kind: r.URL.Query().Get("kind")}
	d.Org, _ = strconv.ParseInt(r.URL.Query().Get("org"), 10, 64)
	if !storage.EventKind(d.Kind).Valid() {
		d.Kind = ""
	}
	list, err := a.visibleEvents(ctx, s)
	if err != nil {
		a.serverError(w, r, s.P, err)
		return
	}
	orgs, err := a.store.Organisations(ctx)
	if err != nil {
		a.serverError(w, r, s.P, err)
		return
	}
	byID := map[int64]storage.Organisation{}
	used := map[int64]bool{}
	for _, o := range orgs {
		byID[o.ID] = o
	}
	now := a.cfg.Now()
	for _, e := range list {
		for _, id := range e.Organisers {
			used[id] = true
		}
		if (d.Kind != "" && string(e.Kind) != d.Kind) || (d.Org != 0 && !slices.Contains(e.Organisers, d.Org)) {
			continue
		}
		row := eventRow{Event: e, When: s.P.DateYear(e.Start.In(a.cfg.Location)), Apps: e.Taken + e.Waiting,
			Orgs: orgNames(byID, e.Organisers), CanEdit: s.may(storage.ActEdit, e) && e.Status != storage.EventCancelled,
			CanPeople: s.may(storage.ActParticipants, e), DaysLeft: -1}
		if closes := e.SignUpClosesAt(); now.Before(closes) {
			row.DaysLeft = int(math.Ceil(closes.Sub(now).Hours() / 24))
		}
		switch {
		case e.Status == storage.EventDraft:
			d.Drafts = append(d.Drafts, row)
		case e.Status == storage.EventCancelled || e.Over(now):
			d.Past = append(d.Past, row)
		default:
			d.Upcoming = append(d.Upcoming, row)
		}
	}
	slices.Reverse(d.Past)
	for _, o := range orgs {
		if used[o.ID] {
			d.Orgs = append(d.Orgs, o)
		}
	}
	a.render(w, http.StatusOK, "events", s.P, s, d)
}

// visibleEvents is every event the page lists for s, in start order:
// those whose participants s may see, and the drafts s may edit.
func (a *App) visibleEvents(ctx context.Context, s *session) ([]storage.Event, error) {
	list, err := a.store.OrganisedEvents(ctx, s.User.ID, s.User.OrgID)
	if err != nil {
		return nil, err
	}
	if s.Admin {
		// An admin runs the district: every event published (finished
		// ones included) and every draft; a cancelled one only when it is
		// theirs or their organisation's, as for anyone.
		upcoming, _, err := a.store.UpcomingEvents(ctx, time.Time{}, "", 0, 0)
		if err != nil {
			return nil, err
		}
		past, _, err := a.store.PastEvents(ctx, a.cfg.Now(), "", 0, 0)
		if err != nil {
			return nil, err
		}
		drafts, err := a.store.Drafts(ctx)
		if err != nil {
			return nil, err
		}
		list = append(append(append(list, upcoming...), past...), drafts...)
	}
	seen := map[int64]bool{}
	var out []storage.Event
	for _, e := range list {
		if seen[e.ID] || !s.may(storage.ActParticipants, e) {
			continue
		}
		seen[e.ID] = true
		out = append(out, e)
	}
	slices.SortStableFunc(out, func(x, y storage.Event) int {
		if c := x.Start.Compare(y.Start); c != 0 {
			return c
		}
		return int(x.ID - y.ID)
	})
	return out, nil
}

// orgNames is the short names of ids, comma-separated.
func orgNames(byID map[int64]storage.Organisation, ids []int64) string {
	out := ""
	for i, id := range ids {
		if i > 0 {
			out += ", "
		}
		o, ok := byID[id]
		switch {
		case !ok:
			out += "—"
		case o.ShortName != "":
			out += o.ShortName
		default:
			out += o.Name
		}
	}
	return out
}
