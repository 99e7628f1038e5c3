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

// participantRow is one application as the table shows it: flat, its
// words and its selects' options made once per page, so that 500 rows
// render in a few milliseconds (html/template reaches every field by
// reflection).
type participantRow struct {
	ID         int64
	N          int // the order of sign-up, from 1
	Name       string
	Sub        string // position and phone
	Org        string
	State      storage.RegistrationState
	StateLabel template.HTML
	Team       string
	Pupils     []string
	CanMark    bool
	// CameOptions and ResultOptions are the selects' options with this
	// row's value selected.
	CameOptions, ResultOptions template.HTML
	sortName, sortOrg          string
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
	// MarkURL is where a row's marks are posted: the page's own filters
	// and sort in its query, so that the page comes back as it was.
	MarkURL string
	// Marked is the participant just marked: their row's select takes
	// the focus, so that a long list keeps its place.
	Marked int64
	// XLSXURL and CSVURL are the signed links to the participants' files.
	XLSXURL, CSVURL string
	CameLabel       template.HTML
	ResultLabel     template.HTML
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
	d.MarkURL = "/app/events/" + strconv.FormatInt(ex.Event.ID, 10) + "/mark"
	if view := viewQuery(q); view != "" {
		d.MarkURL += "?" + view
	}
	if d.Exports {
		d.XLSXURL, d.CSVURL = a.downloadURL(s, ex.Event.ID, "xlsx"), a.downloadURL(s, ex.Event.ID, "csv")
	}
	d.CameLabel, d.ResultLabel = template.HTML(s.P.T("app_col_came")), template.HTML(s.P.T("app_col_result"))
	stateLabels := map[storage.RegistrationState]template.HTML{}
	for _, st := range []storage.RegistrationState{storage.RegConfirmed, storage.RegWaitlist, storage.RegCancelled} {
		stateLabels[st] = template.HTML(s.P.T("appfix15_row_" + string(st))) // one person's status

	}
	came := selectOptions([]string{"", "yes", "no"}, []template.HTML{"—", template.HTML(s.P.T("app_came_yes")), template.HTML(s.P.T("app_came_no"))})
	resultLabels := []template.HTML{template.HTML(s.P.T("result_none"))}
	for _, r := range resultCodes[1:] {
		resultLabels = append(resultLabels, template.HTML(s.P.T("result_"+r)))
	}
	results := selectOptions(resultCodes, resultLabels)
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
		pr := participantRow{ID: row.UserID, N: i + 1, Name: row.User.FullName, State: row.State, StateLabel: stateLabels[row.State],
			CanMark: d.CanMark && row.State == storage.RegConfirmed}
		if pr.Name == "" {
			pr.Name = s.P.T("app_forgotten_user")
		}
		pr.Sub = row.User.Position
		if row.Application != nil && row.Application.Phone != "" {
			pr.Sub = strings.TrimPrefix(pr.Sub+" · "+row.Application.Phone, " · ")
		}
		if row.Place > 0 {
			pr.StateLabel += template.HTML(" (" + strconv.Itoa(row.Place) + ")")
		}
		if o, ok := ex.Orgs[org]; ok {
			pr.Org = o.Name
		}
		if row.TeamSize > 0 {
			pr.Team = strconv.Itoa(row.TeamSize)
			if row.TeamName != "" {
				pr.Team += " · " + row.TeamName
			}
		}
		if row.Application != nil && ex.Event.Form.Pupils {
			for _, p := range row.Application.Pupils {
				pr.Pupils = append(pr.Pupils, p.Name+", "+p.Class)
			}
		}
		if pr.CanMark {
			attended := ""
			if row.Attended != nil {
				attended = map[bool]string{true: "yes", false: "no"}[*row.Attended]
			}
			pr.CameOptions, pr.ResultOptions = came[attended], results[row.Result]
		}
		pr.sortName, pr.sortOrg = strings.ToLower(pr.Name), pr.Org
		d.Rows = append(d.Rows, pr)
	}
	slices.SortFunc(d.Orgs, func(x, y storage.Organisation) int { return strings.Compare(x.Name, y.Name) })
	slices.SortStableFunc(d.Rows, func(x, y participantRow) int {
		switch d.Sort {
		case "name":
			return strings.Compare(x.sortName, y.sortName)
		case "org":
			return strings.Compare(x.sortOrg, y.sortOrg)
		case "state":
			return cmp.Compare(stateOrder(x.State), stateOrder(y.State))
		}
		return cmp.Compare(x.N, y.N)
	})
	d.Shown = len(d.Rows)
	d.Marked, _ = strconv.ParseInt(r.PostForm.Get("user"), 10, 64) // none on a GET
	a.render(w, http.StatusOK, "participants", s.P, s, d, s.P.T("app_participants_of", "Title", ex.Event.Title))
}

// viewQuery is the participants page's view (org, state, sort) from q,
// encoded for a URL; "" when q sets none.
func viewQuery(q url.Values) string {
	view := url.Values{}
	for _, k := range []string{"org", "state", "sort"} {
		if v := q.Get(k); v != "" {
			view.Set(k, v)
		}
	}
	return view.Encode()
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
	case storage.IsNotFound(err):
		a.fail(w, http.StatusNotFound, s.P, "app_err_not_found")
		return
	case errors.Is(err, storage.ErrNotConfirmed), errors.Is(err, storage.ErrNotRegistered):
		a.fail(w, http.StatusConflict, s.P, "rules_mark_not_confirmed")
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
	e, format, ok := a.exportOf(w, r, s)
	if !ok {
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

// selectOptions renders a select's options once for each value selected:
// options[v] is the list with v selected. The values are the app's own
// codes and the labels come escaped from the catalog, so the markup is
// safe as it is.
func selectOptions(values []string, labels []template.HTML) map[string]template.HTML {
	out := make(map[string]template.HTML, len(values))
	for _, sel := range values {
		var sb strings.Builder
		for i, v := range values {
			sb.WriteString(`<option value="` + v + `"`)
			if v == sel {
				sb.WriteString(" selected")
			}
			sb.WriteString(">" + string(labels[i]) + "</option>")
		}
		out[sel] = template.HTML(sb.String())
	}
	return out
}
