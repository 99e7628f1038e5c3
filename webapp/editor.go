package webapp

import (
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"vmeste/locales"
	"vmeste/storage"
)

// The event editor: every field of the chat's wizard on one form, checked
// by the same rules (storage.CheckEventText, CheckEventNumber,
// CheckEventTimes, Form.Validate, and UpdateEvent's own against what is
// signed up) with the same words, saved by the same storage calls:
// CreateEvent for a new event (a draft, or published), UpdateEvent for an
// edit (the change notices and the waitlist's promotions in its
// transaction, rendered by the bot), PublishEvent for a draft published.
// The regulations (a file kept by Telegram) are attached in the chat.

// localInput is the value format of <input type="datetime-local">.
const localInput = "2006-01-02T15:04"

// reminderChoices are the reminder offsets the editor offers (a stored
// event's own others are offered too).
var reminderChoices = []time.Duration{14 * 24 * time.Hour, 7 * 24 * time.Hour, 3 * 24 * time.Hour,
	24 * time.Hour, 2 * time.Hour, time.Hour}

// maxReminders is the chat's limit on reminder offsets.
const maxReminders = 5

// editorData is the editor page.
type editorData struct {
	E        storage.Event
	New      bool
	Problems map[string]template.HTML // by field name
	Problem  template.HTML            // the summary at the top
	Saved    template.HTML
	Kinds    []storage.EventKind
	Orgs     []storage.Organisation
	// Values as the inputs show them.
	Start, End, Deadline, Capacity, MaxTeam, Quota, WorksMax string
	Zone                                                     string // the district's time zone, as the dates are read
	Reminders                                                []reminderChoice
	Questions                                                []questionRow
	CanPublish                                               bool
	// The works' kinds and until when they are taken (editor_works.go);
	// RemindersDefault marks a new event's reminders as its kind's
	// untouched defaults.
	WorkKinds        []workKindChoice
	WorksUntil       string
	RemindersDefault string
}

type reminderChoice struct {
	Minutes int
	Label   string
	Checked bool
}

type questionRow struct {
	N        int // 1-based, for labels
	ID       int
	Text     string
	Kind     storage.QuestionKind
	Options  string
	Required bool
}

// Has reports whether field has a problem.
func (d editorData) Has(field string) bool { return d.Problems[field] != "" }

// OrgChosen reports whether org is among the organisers.
func (d editorData) OrgChosen(id int64) bool { return slices.Contains(d.E.Organisers, id) }

func (a *App) newEventPage(w http.ResponseWriter, r *http.Request, s *session) {
	e := storage.Event{Unit: storage.UnitIndividual, CreatedBy: s.User.ID, OwnerOrg: s.User.OrgID}
	if s.User.OrgID != 0 {
		e.Organisers = []int64{s.User.OrgID}
	}
	e.Reminders = storage.DefaultReminders(storage.EventContest)
	a.showEditor(w, r, s, http.StatusOK, e, true, nil, "", "")
}

// editableEvent loads the path's event for the editor page: as eventFor
// with ActEdit, and a cancelled event is not offered for an edit (409, the
// chat's words) before anything is typed; UpdateEvent decides it again
// when the edit is saved.
func (a *App) editableEvent(w http.ResponseWriter, r *http.Request, s *session) (storage.Event, bool) {
	e, ok := a.eventFor(w, r, s, storage.ActEdit)
	if ok && e.Status == storage.EventCancelled {
		a.fail(w, http.StatusConflict, s.P, "event_cancelled_no_edit")
		return storage.Event{}, false
	}
	return e, ok
}

func (a *App) editEventPage(w http.ResponseWriter, r *http.Request, s *session) {
	e, ok := a.editableEvent(w, r, s)
	if !ok {
		return
	}
	a.showEditor(w, r, s, http.StatusOK, e, false, nil, "", "")
}

// showEditor renders the editor for e with problems (field → message).
func (a *App) showEditor(w http.ResponseWriter, r *http.Request, s *session, status int, e storage.Event, isNew bool, problems map[string]template.HTML, summary, saved template.HTML) {
	orgs, err := a.store.Organisations(r.Context())
	if err != nil {
		a.serverError(w, r, s.P, err)
		return
	}
	d := editorData{E: e, New: isNew, Problems: problems, Problem: summary, Saved: saved, Kinds: storage.EventKinds, Orgs: orgs,
		Start: a.inputTime(e.Start), End: a.inputTime(e.End), Deadline: a.inputTime(e.Deadline),
		CanPublish: isNew || (e.Status == storage.EventDraft && s.may(storage.ActPublish, e)), Zone: zoneText(s.P, a.cfg.Location, a.cfg.Now())}
	if e.Capacity > 0 {
		d.Capacity = strconv.Itoa(e.Capacity)
	}
	if e.MaxTeam > 0 {
		d.MaxTeam = strconv.Itoa(e.MaxTeam)
	}
	if e.Form.OrgQuota > 0 {
		d.Quota = strconv.Itoa(e.Form.OrgQuota)
	}
	if e.Form.Works != nil {
		d.WorksMax = strconv.Itoa(e.Form.Works.MaxFiles)
	}
	d.WorkKinds, d.WorksUntil = a.worksView(s.P, e)
	if isNew {
		d.RemindersDefault = shownDefaults(e)
	}
	offsets := slices.Clone(reminderChoices)
	for _, o := range e.Reminders {
		if !slices.Contains(offsets, o) {
			offsets = append(offsets, o)
		}
	}
	slices.SortFunc(offsets, func(x, y time.Duration) int { return int((y - x) / time.Minute) })
	for _, o := range offsets {
		d.Reminders = append(d.Reminders, reminderChoice{Minutes: int(o / time.Minute), Label: offsetLabel(s.P, o),
			Checked: slices.Contains(e.Reminders, o)})
	}
	for i := range storage.MaxQuestions {
		q := questionRow{N: i + 1, Kind: storage.QuestionText}
		if i < len(e.Form.Questions) {
			fq := e.Form.Questions[i]
			q.ID, q.Text, q.Kind, q.Options, q.Required = fq.ID, fq.Text, fq.Kind, strings.Join(fq.Options, "; "), fq.Required
		}
		d.Questions = append(d.Questions, q)
	}
	title := s.P.T("app_new_event")
	if !isNew {
		title = s.P.T("app_edit_event", "Title", e.Title)
	}
	a.render(w, status, "editor", s.P, s, d, title)
}

// inputTime is t in the district's zone as a datetime-local value.
func (a *App) inputTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(a.cfg.Location).Format(localInput)
}

// offsetLabel is a reminder offset as the chat writes it ("за 7 дней").
func offsetLabel(p locales.Printer, d time.Duration) string {
	switch {
	case d%(24*time.Hour) == 0:
		return p.N("offset_days", int(d/(24*time.Hour)))
	case d%time.Hour == 0:
		return p.N("offset_hours", int(d/time.Hour))
	}
	return p.N("offset_minutes", int(d/time.Minute))
}

// readEditor puts the submitted form into e (the stored event, or a new
// one) and returns the problems found, by field, in the chat's words.
func (a *App) readEditor(f url.Values, s *session, e *storage.Event, old *storage.Event) map[string]template.HTML {
	p := s.P
	problems := map[string]template.HTML{}
	bad := func(pr *storage.FieldProblem) {
		if pr != nil && problems[pr.Field] == "" {
			problems[pr.Field] = template.HTML(p.T(pr.Key, pr.Args...))
		}
	}
	say := func(field, key string, kv ...any) {
		if problems[field] == "" {
			problems[field] = template.HTML(p.T(key, kv...))
		}
	}
	text := func(name string) string { return strings.TrimSpace(f.Get(name)) }

	e.Title = text("title")
	bad(storage.CheckEventText(storage.FieldTitle, e.Title))
	e.Kind = storage.EventKind(f.Get("kind"))
	if !e.Kind.Valid() {
		say("kind", "app_err_kind")
	}
	e.Organisers = nil
	for _, v := range f["org"] {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil && id > 0 && !slices.Contains(e.Organisers, id) {
			e.Organisers = append(e.Organisers, id)
		}
	}
	if len(e.Organisers) == 0 {
		say("orgs", "ne_need_organiser")
	}
	e.Place = text("place")
	bad(storage.CheckEventText(storage.FieldPlace, e.Place))
	e.Audience = text("audience")
	bad(storage.CheckEventText(storage.FieldAudience, e.Audience))
	e.Description = strings.TrimSpace(strings.ReplaceAll(f.Get("description"), "\r\n", "\n"))
	bad(storage.CheckEventText(storage.FieldDescription, e.Description))

	for _, field := range []string{storage.FieldStart, storage.FieldEnd, storage.FieldDeadline} {
		var t time.Time
		if v := text(field); v != "" {
			var err error
			if t, err = time.ParseInLocation(localInput, v, a.cfg.Location); err != nil {
				say(field, "app_err_date")
			}
		} else if field == storage.FieldStart {
			say(field, "app_err_date")
		}
		switch field {
		case storage.FieldStart:
			e.Start = t
		case storage.FieldEnd:
			e.End = t
		default:
			e.Deadline = t
		}
	}

	switch f.Get("unit") {
	case storage.UnitTeam:
		e.Unit = storage.UnitTeam
		v, err := strconv.Atoi(text("maxteam"))
		if pr := storage.CheckEventNumber(storage.FieldMaxTeam, v); err != nil || pr != nil {
			say(storage.FieldMaxTeam, "ne_bad_number", "Min", 1, "Max", storage.MaxTeamSize)
		}
		e.MaxTeam = v
	default:
		e.Unit, e.MaxTeam = storage.UnitIndividual, 0
	}
	e.Capacity = 0
	if v := text("capacity"); v != "" {
		n, err := strconv.Atoi(v)
		if pr := storage.CheckEventNumber(storage.FieldCapacity, n); err != nil || pr != nil {
			say(storage.FieldCapacity, "ne_bad_number", "Min", 1, "Max", storage.MaxCapacity)
		}
		e.Capacity = n
	}
	e.Reminders = nil
	for _, v := range f["reminder"] {
		if m, err := strconv.Atoi(v); err == nil && m > 0 && m <= 60*24*60 && !slices.Contains(e.Reminders, time.Duration(m)*time.Minute) {
			e.Reminders = append(e.Reminders, time.Duration(m)*time.Minute)
		}
	}
	slices.SortFunc(e.Reminders, func(x, y time.Duration) int { return int((y - x) / time.Minute) })
	if len(e.Reminders) > maxReminders {
		say("reminders", "ne_bad_reminders")
	}
	if old == nil {
		kindDefaults(f, e)
	}

	a.readForm(f, p, e, say)

	now := a.cfg.Now()
	if problems[storage.FieldStart] == "" && problems[storage.FieldEnd] == "" && problems[storage.FieldDeadline] == "" {
		when := func(t time.Time) string { return p.DateYear(t.In(a.cfg.Location)) }
		bad(storage.CheckEventTimes(*e, old, now, when, p.DateYear(now.Add(7*24*time.Hour).In(a.cfg.Location))))
	}
	return problems
}

// readForm reads the application form's fields into e.Form: the pupils'
// list, the phone, the organisation's quota, the works and up to
// MaxQuestions questions (a question keeps its id, so its answers stay
// its own; a new one takes the next id).
func (a *App) readForm(f url.Values, p locales.Printer, e *storage.Event, say func(field, key string, kv ...any)) {
	old := e.Form
	form := storage.Form{LastQuestionID: old.LastQuestionID}
	form.Pupils = f.Get("pupils") == "on" && e.Unit == storage.UnitTeam
	form.PupilBirth = form.Pupils && f.Get("pupil_birth") == "on"
	switch need := storage.Need(f.Get("phone")); need {
	case storage.NeedNone, storage.NeedOptional, storage.NeedRequired:
		form.Phone = need
	default:
		say("phone", "ne_use_buttons")
	}
	if v := strings.TrimSpace(f.Get("quota")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > storage.MaxCapacity {
			say("quota", "ne_bad_number", "Min", 1, "Max", storage.MaxCapacity)
		}
		form.OrgQuota = n
	}
	if f.Get("works") == "on" {
		n, err := strconv.Atoi(strings.TrimSpace(f.Get("works_max")))
		if err != nil || n < 1 || n > storage.MaxWorksLimit {
			say("works_max", "evform_bad_files", "Min", 1, "Max", storage.MaxWorksLimit)
		}
		w := &storage.WorksSpec{MaxFiles: n}
		a.readWorks(f, p, e, old.Works, w, say)
		form.Works = w
	}
	next := old.NextQuestionID()
	for i := range storage.MaxQuestions {
		n := strconv.Itoa(i + 1)
		text := strings.TrimSpace(f.Get("q" + n + "_text"))
		if text == "" {
			continue
		}
		field := "q" + n
		q := storage.Question{Text: text, Kind: storage.QuestionKind(f.Get("q" + n + "_kind")), Required: f.Get("q"+n+"_required") == "on"}
		if id, err := strconv.Atoi(f.Get("q" + n + "_id")); err == nil {
			if _, kept := old.Question(id); kept {
				q.ID = id
			}
		}
		if q.ID == 0 {
			q.ID, next = next, next+1
		}
		if l := len([]rune(text)); l > storage.MaxQuestionLen {
			say(field, "evform_bad_qtext_long", "Count", l, "Max", storage.MaxQuestionLen)
		}
		switch q.Kind {
		case storage.QuestionText, storage.QuestionYesNo:
		case storage.QuestionChoice:
			for _, o := range strings.FieldsFunc(f.Get("q"+n+"_options"), func(r rune) bool { return r == ';' || r == '\n' }) {
				if o = strings.TrimSpace(o); o != "" {
					q.Options = append(q.Options, o)
				}
			}
			if len(q.Options) < 2 {
				say(field, "evform_bad_opts_few")
			} else if len(q.Options) > storage.MaxOptions {
				say(field, "app_err_options", "Max", storage.MaxOptions)
			}
		default:
			say(field, "ne_use_buttons")
		}
		form.Questions = append(form.Questions, q)
	}
	if err := form.Validate(); err != nil {
		say("form", "app_err_form")
	}
	e.Form = form
}

// createEvent stores a new event from the editor: a draft, or published
// (action=publish), through storage.CreateEvent as the wizard does.
func (a *App) createEvent(w http.ResponseWriter, r *http.Request, s *session) {
	if err := r.ParseForm(); err != nil {
		a.fail(w, http.StatusBadRequest, s.P, "app_err_bad_request")
		return
	}
	e := storage.Event{CreatedBy: s.User.ID, OwnerOrg: s.User.OrgID, Status: storage.EventDraft}
	problems := a.readEditor(r.PostForm, s, &e, nil)
	if r.PostForm.Get("action") == "publish" {
		e.Status = storage.EventPublished
	}
	if len(problems) > 0 {
		e.Status = ""
		a.showEditor(w, r, s, http.StatusUnprocessableEntity, e, true, problems, template.HTML(s.P.T("app_fix_fields")), "")
		return
	}
	created, err := a.store.CreateEvent(a.actor(r.Context(), s), e)
	if errors.Is(err, storage.ErrOrgGone) {
		e.Status = ""
		a.showEditor(w, r, s, http.StatusConflict, e, true, map[string]template.HTML{"orgs": template.HTML(s.P.T("org_gone"))}, template.HTML(s.P.T("app_fix_fields")), "")
		return
	}
	if err != nil {
		a.serverError(w, r, s.P, err)
		return
	}
	if created.Status == storage.EventPublished {
		// As the chat asks after its publish; the event is stored either way.
		if err := a.store.Enqueue(r.Context(), []storage.OutboxEntry{a.cfg.Notices.NoticeAskAnnounce(s.User, created)}); err != nil {
			a.serverError(w, r, s.P, err)
			return
		}
	}
	a.log.Info("event created in the mini app", "event", created.ID, "status", created.Status, "by", s.User.ID)
	key := "app_saved_draft"
	if created.Status == storage.EventPublished {
		key = "app_published"
	}
	w.Header().Set("X-App-URL", "/app/events/"+strconv.FormatInt(created.ID, 10)+"/edit")
	a.showEditor(w, r, s, http.StatusOK, created, false, nil, "", template.HTML(s.P.T(key, "Title", created.Title)))
}

// saveEvent stores an edit through storage.UpdateEventAt, as the chat's
// «Сохранить» does (its transaction decides the sign-up rules, refuses a
// cancelled event and an edit made from an older revision than the
// stored one — the form's hidden rev — and enqueues the change notices),
// then publishes a draft when asked (action=publish) through
// storage.PublishEvent, which refuses a start that has passed and sends
// the chat's «Сообщить педагогам?» prompt to the user's chat.
func (a *App) saveEvent(w http.ResponseWriter, r *http.Request, s *session) {
	before, ok := a.eventFor(w, r, s, storage.ActEdit)
	if !ok {
		return
	}
	if err := r.ParseForm(); err != nil {
		a.fail(w, http.StatusBadRequest, s.P, "app_err_bad_request")
		return
	}
	rev, err := strconv.Atoi(r.PostForm.Get("rev"))
	if err != nil || rev < 0 {
		a.fail(w, http.StatusBadRequest, s.P, "app_err_bad_request")
		return
	}
	ctx := a.actor(r.Context(), s)
	e := before
	problems := a.readEditor(r.PostForm, s, &e, &before)
	publish := r.PostForm.Get("action") == "publish" && before.Status == storage.EventDraft
	if publish && !s.may(storage.ActPublish, before) {
		a.fail(w, http.StatusForbidden, s.P, "app_err_not_yours")
		return
	}
	if len(problems) > 0 {
		a.showEditor(w, r, s, http.StatusUnprocessableEntity, e, false, problems, template.HTML(s.P.T("app_fix_fields")), "")
		return
	}
	notice, err := a.cfg.Notices.NoticeToAuthor(ctx, s.User, s.Admin, before, e, false)
	if err != nil {
		a.serverError(w, r, s.P, err)
		return
	}
	res, err := a.store.UpdateEventAt(ctx, e, rev, a.cfg.Notices.NoticeChanged, a.cfg.Notices.NoticePromoted, notice...)
	var limit *storage.LimitError
	switch {
	case errors.Is(err, storage.ErrEventCancelled):
		a.fail(w, http.StatusConflict, s.P, "event_cancelled_no_edit")
		return
	case errors.Is(err, storage.ErrEventChanged):
		a.fail(w, http.StatusConflict, s.P, "rules_event_changed")
		return
	case errors.Is(err, storage.ErrOrgGone):
		a.showEditor(w, r, s, http.StatusConflict, e, false, map[string]template.HTML{"orgs": template.HTML(s.P.T("org_gone"))}, template.HTML(s.P.T("app_fix_fields")), "")
		return
	case errors.As(err, &limit):
		field, msg := storage.FieldMaxTeam, s.P.N("ne_team_below_signed", limit.LargestTeam)
		switch {
		case errors.Is(limit, storage.ErrCapacityBelowTaken):
			field, msg = storage.FieldCapacity, s.P.N("ne_capacity_below_taken", limit.Taken)
		case errors.Is(limit, storage.ErrQuotaBelowTaken):
			field, msg = "quota", s.P.N("evform_quota_below", limit.OrgTaken)
		case e.Unit != storage.UnitTeam:
			field, msg = "unit", s.P.N("ne_unit_teams_signed", limit.LargestTeam)
		}
		a.showEditor(w, r, s, http.StatusConflict, e, false, map[string]template.HTML{field: template.HTML(msg)}, template.HTML(s.P.T("app_fix_fields")), "")
		return
	case errors.Is(err, storage.ErrBadForm):
		a.showEditor(w, r, s, http.StatusUnprocessableEntity, e, false, map[string]template.HTML{"form": template.HTML(s.P.T("app_err_form"))}, template.HTML(s.P.T("app_fix_fields")), "")
		return
	case storage.IsNotFound(err):
		a.fail(w, http.StatusNotFound, s.P, "app_err_not_found")
		return
	case err != nil:
		a.serverError(w, r, s.P, err)
		return
	}
	saved := res.Event
	key := "ne_saved_changes"
	if res.Notified == 0 {
		key = "ne_saved_changes_quiet"
	}
	note := s.P.N(key, res.Notified, "Title", saved.Title)
	if n := len(res.Promoted); n > 0 {
		note += " " + s.P.N("ne_promoted_by_edit", n)
	}
	if publish {
		notice, err := a.cfg.Notices.NoticeToAuthor(ctx, s.User, s.Admin, saved, saved, true)
		if err != nil {
			a.serverError(w, r, s.P, err)
			return
		}
		published, err := a.store.PublishEvent(ctx, saved.ID, append(notice, a.cfg.Notices.NoticeAskAnnounce(s.User, saved))...)
		if errors.Is(err, storage.ErrStartPassed) {
			// The edit is saved; the draft stays a draft until its start is moved.
			a.showEditor(w, r, s, http.StatusConflict, saved, false, map[string]template.HTML{storage.FieldStart: template.HTML(s.P.T("ne_start_passed"))},
				template.HTML(s.P.T("app_fix_fields")), template.HTML(note))
			return
		}
		if err != nil {
			a.serverError(w, r, s.P, err)
			return
		}
		saved = published
		note = s.P.T("app_published", "Title", saved.Title)
	}
	a.log.Info("event edited in the mini app", "event", saved.ID, "by", s.User.ID, "notified", res.Notified, "promoted", len(res.Promoted), "published", publish)
	a.showEditor(w, r, s, http.StatusOK, saved, false, nil, "", template.HTML(note))
}
