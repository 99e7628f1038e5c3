package webapp

import (
	"cmp"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"vmeste/storage"
)

// Participants: every application of an event (confirmed, waitlisted,
// cancelled) with its teacher, organisation, team and pupils, as the
// chat's export reads them (storage.ExportEvent, one transaction);
// filtered by organisation and status, sorted by a column; attendance and
// results marked in place through the chat's storage calls
// (SetAttendance, SetResult with the bot's notice), for those who may
// mark them (storage.ActMark).

// participantRow is one application.
type participantRow struct {
	storage.ExportRow
	N       int
	Org     string
	Name    string
	Pupils  []storage.Pupil
	Came    string // "", "yes", "no"
	CanMark bool
}

// participantsData is the Participants page.
type participantsData struct {
	E       storage.Event
	When    string
	Rows    []participantRow
	Orgs    []storage.Organisation
	Org     int64
	State   string
	Sort    string
	Total   int
	Shown   int
	Graded  bool
	CanMark bool
	CanEdit bool
	Exports bool
	Saved   template.HTML
	Results []string
	Counts  map[string]int
	// L holds the words each row repeats, rendered once for the page
	// (a table of 500 rows would otherwise render them 5,000 times).
	L map[string]template.HTML
}

// resultCodes are the results a participant may get, none first.
var resultCodes = []string{"", storage.ResultFirst, storage.ResultSecond, storage.ResultThird, storage.ResultLaureate}

// participantSorts are the columns the table sorts by.
var participantSorts = []string{"time", "name", "org", "state"}

func (a *App) participantsPage(w http.ResponseWriter, r *http.Request, s *session) {
	a.showParticipants(w, r, s, "")
}

func (a *App) showParticipants(w http.ResponseWriter, r *http.Request, s *session, saved template.HTML) {
	e, ok := a.eventFor(w, r, s, storage.ActParticipants)
	if !ok {
		return
	}
	ex, err := a.store.ExportEvent(r.Context(), e.ID)
	if err != nil {
		a.serverError(w, r, s.P, err)
		return
	}
	q := r.URL.Query()
	d := participantsData{E: ex.Event, When: s.P.DateYear(ex.Event.Start.In(a.cfg.Location)), State: q.Get("state"), Sort: q.Get("sort"),
		Graded: ex.Event.Kind.Graded(), CanMark: s.may(storage.ActMark, ex.Event), CanEdit: s.may(storage.ActEdit, ex.Event) && ex.Event.Status != storage.EventCancelled,
		Exports: a.cfg.Exports != nil, Saved: saved, Total: len(ex.Rows), Counts: map[string]int{},
		Results: resultCodes[1:]}
	d.Org, _ = strconv.ParseInt(q.Get("org"), 10, 64)
	d.L = map[string]template.HTML{}
	for _, key := range []string{"app_state_confirmed", "app_state_waitlist", "app_state_cancelled", "app_came_yes", "app_came_no",
		"app_col_came", "app_col_result", "app_col_teacher", "app_col_org", "app_col_state", "app_col_team", "result_none", "result_1", "result_2", "result_3", "result_laureate"} {
		d.L[key] = template.HTML(s.P.T(key))
	}
	switch storage.RegistrationState(d.State) {
	case storage.RegConfirmed, storage.RegWaitlist, storage.RegCancelled:
	default:
		d.State = ""
	}
	if !slices.Contains(participantSorts, d.Sort) {
		d.Sort = "time"
	}
	seenOrg := map[int64]bool{}
	for i, row := range ex.Rows {
		d.Counts[string(row.State)]++
		org := row.OrgID
		if org == 0 {
			org = row.User.OrgID
		}
		if org != 0 && !seenOrg[org] {
			seenOrg[org] = true
			if o, ok := ex.Orgs[org]; ok {
				d.Orgs = append(d.Orgs, o)
			}
		}
		if (d.Org != 0 && org != d.Org) || (d.State != "" && string(row.State) != d.State) {
			continue
		}
		pr := participantRow{ExportRow: row, N: i + 1, Name: row.User.FullName, CanMark: d.CanMark && row.State == storage.RegConfirmed}
		if pr.Name == "" {
			pr.Name = s.P.T("app_forgotten_user")
		}
		if o, ok := ex.Orgs[org]; ok {
			pr.Org = o.Name
		}
		if row.Application != nil && ex.Event.Form.Pupils {
			pr.Pupils = row.Application.Pupils
		}
		if row.Attended != nil {
			pr.Came = map[bool]string{true: "yes", false: "no"}[*row.Attended]
		}
		d.Rows = append(d.Rows, pr)
	}
	slices.SortFunc(d.Orgs, func(x, y storage.Organisation) int { return strings.Compare(x.Name, y.Name) })
	slices.SortStableFunc(d.Rows, func(x, y participantRow) int {
		switch d.Sort {
		case "name":
			return strings.Compare(strings.ToLower(x.Name), strings.ToLower(y.Name))
		case "org":
			return strings.Compare(x.Org, y.Org)
		case "state":
			return cmp.Compare(stateOrder(x.State), stateOrder(y.State))
		}
		return cmp.Compare(x.N, y.N)
	})
	d.Shown = len(d.Rows)
	a.render(w, http.StatusOK, "participants", s.P, s, d, s.P.T("app_participants_of", "Title", ex.Event.Title))
}

// stateOrder sorts confirmed, then waitlisted, then cancelled.
func stateOrder(s storage.RegistrationState) int {
	switch s {
	case storage.RegConfirmed:
		return 0
	case storage.RegWaitlist:
		return 1
	}
	return 2
}

// mark records one participant's attendance (attended: yes, no) and, for
// a graded event, result ("" none, 1, 2, 3, laureate), through the chat's
// storage calls; the participant is told the result through the outbox
// in SetResult's transaction, in the bot's words.
func (a *App) mark(w http.ResponseWriter, r *http.Request, s *session) {
	e, ok := a.eventFor(w, r, s, storage.ActMark)
	if !ok {
		return
	}
	if err := r.ParseForm(); err != nil {
		a.fail(w, http.StatusBadRequest, s.P, "app_err_bad_request")
		return
	}
	user, err := strconv.ParseInt(r.PostForm.Get("user"), 10, 64)
	if err != nil || user <= 0 {
		a.fail(w, http.StatusBadRequest, s.P, "app_err_bad_request")
		return
	}
	ctx := a.actor(r.Context(), s)
	if v := r.PostForm.Get("attended"); v == "yes" || v == "no" {
		err = a.store.SetAttendance(ctx, e.ID, user, v == "yes")
	}
	if result := r.PostForm.Get("result"); err == nil && r.PostForm.Has("result") && e.Kind.Graded() {
		if !slices.Contains(resultCodes, result) {
			a.fail(w, http.StatusBadRequest, s.P, "app_err_bad_request")
			return
		}
		err = a.store.SetResult(ctx, e.ID, user, result, a.cfg.Notices.NoticeResult)
	}
	switch {
	case storage.IsNotFound(err), errors.Is(err, storage.ErrNotRegistered):
		a.fail(w, http.StatusNotFound, s.P, "app_err_not_found")
		return
	case err != nil:
		a.serverError(w, r, s.P, err)
		return
	}
	a.log.Info("marked in the mini app", "event", e.ID, "user_id", user, "by", s.User.ID)
	a.showParticipants(w, r, s, template.HTML(s.P.T("app_marked")))
}

// export sends the participants' file the chat sends, made by the bot.
func (a *App) export(w http.ResponseWriter, r *http.Request, s *session) {
	e, ok := a.eventFor(w, r, s, storage.ActParticipants)
	if !ok {
		return
	}
	format := r.PathValue("format")
	if a.cfg.Exports == nil || (format != "xlsx" && format != "csv") {
		a.fail(w, http.StatusNotFound, s.P, "app_err_not_found")
		return
	}
	name, data, err := a.cfg.Exports.ParticipantsFile(r.Context(), s.User.Lang, e.ID, format)
	if err != nil {
		a.serverError(w, r, s.P, err)
		return
	}
	ctype := "text/csv; charset=utf-8"
	if format == "xlsx" {
		ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(name))
	_, _ = w.Write(data)
}
