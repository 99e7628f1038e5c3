package bot

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"vmeste/storage"
)

// The event wizard's «Заявка» step: what a teacher fills in when signing
// up (storage.Form). It comes last, before the preview, and shows the form
// as it stands — the defaults of the event's kind and unit until the
// coordinator changes it — with buttons to change each part and «Готово»
// to go on. Questions, works and the quota have screens of their own; each
// is a step of the wizard (its state, the question being written
// included, is in bbolt with the rest of the draft), with «« Назад» to the
// screen it came from and «Отмена».
const (
	stepForm          = "form"   // the form as it stands
	stepFormQuestions = "formq"  // the coordinator's own questions
	stepFormQText     = "formqt" // a new question's text (typed)
	stepFormQKind     = "formqk" // its kind
	stepFormQOptions  = "formqo" // a choice's options (typed)
	stepFormQRequired = "formqr" // whether it must be answered
	stepFormWorks     = "formw"  // works: on or off, kinds, files (typed or pressed)
	stepFormUntil     = "formwu" // until when works are taken (typed)
	stepFormQuota     = "formo"  // applications per organisation (typed or pressed)

	// defaultWorksFiles is the limit of files a form starts with when
	// works are turned on.
	defaultWorksFiles = 3
	// maxOrgQuota bounds a typed quota.
	maxOrgQuota = 100
	// maxQuestionButton bounds a question's text on its delete button.
	maxQuestionButton = 30
)

// formParent is the screen a form's sub-step goes back to ("" for a step
// that is not one).
func formParent(d eventDraft, step string) string {
	switch step {
	case stepFormQuestions, stepFormWorks, stepFormQuota:
		return stepForm
	case stepFormQText:
		return stepFormQuestions
	case stepFormQKind:
		return stepFormQText
	case stepFormQOptions:
		return stepFormQKind
	case stepFormQRequired:
		if d.Question != nil && d.Question.Kind == storage.QuestionChoice {
			return stepFormQOptions
		}
		return stepFormQKind
	case stepFormUntil:
		return stepFormWorks
	}
	return ""
}

// isFormStep reports whether step is the form's step or one of its
// screens.
func isFormStep(step string) bool {
	return step == stepForm || formParent(eventDraft{}, step) != ""
}

// settleForm keeps a new event's form at its kind's and unit's defaults
// until the coordinator sets it (FormSet), and an individual event's form
// without a pupils' list. A stored event's form (an edit) is never
// replaced by defaults.
func (d *eventDraft) settleForm() {
	f := &d.Event.Form
	if !d.FormSet && d.EditingID == 0 {
		*f = storage.DefaultForm(d.Event.Kind, d.Event.Unit)
	}
	if d.Event.Unit != storage.UnitTeam {
		f.Pupils, f.PupilBirth = false, false
	}
}

// formQuestion is a form screen's text and its own buttons (the way out
// is added by stepPrompt).
func (b *Bot) formQuestion(ctx context.Context, r *Request, d eventDraft, step string) (string, keyboard) {
	p := r.P
	f := d.Event.Form
	switch step {
	case stepFormQuestions:
		lines := []string{p.T("evform_q_title", "Max", storage.MaxQuestions)}
		if len(f.Questions) == 0 {
			lines = append(lines, p.T("evform_q_none"))
		} else {
			lines = append(lines, questionLines(p, f.Questions)...)
		}
		var kb keyboard
		if len(f.Questions) < storage.MaxQuestions {
			kb = append(kb, []modelsButton{button(p.T("btn_evform_q_add"), cb(cbEventForm, "qa"))})
		} else {
			lines = append(lines, "", p.N("evform_q_full", storage.MaxQuestions))
		}
		for i, q := range f.Questions {
			// A button's label is plain text: the question goes in as typed.
			label := p.T("btn_evform_q_delete", "N", i+1, "Text", localesHTML(truncateRunes(q.Text, maxQuestionButton)))
			kb = append(kb, []modelsButton{button(label, cb(cbEventForm, "qd", q.ID))})
		}
		return strings.Join(lines, "\n"), kb
	case stepFormQText:
		return p.T("evform_ask_qtext", "Max", storage.MaxQuestionLen), nil
	case stepFormQKind:
		return p.T("evform_ask_qkind", "Text", d.questionText()), keyboard{
			{button(p.T("btn_evform_qkind_text"), cb(cbEventForm, "qk", "t"))},
			{button(p.T("btn_evform_qkind_choice"), cb(cbEventForm, "qk", "c"))},
			{button(p.T("btn_evform_qkind_yesno"), cb(cbEventForm, "qk", "y"))},
		}
	case stepFormQOptions:
		return p.T("evform_ask_qopts", "Text", d.questionText(), "Max", storage.MaxOptions, "MaxLen", storage.MaxOptionLen), nil
	case stepFormQRequired:
		return p.T("evform_ask_qreq", "Text", d.questionText()), keyboard{{
			button(p.T("btn_evform_qreq_yes"), cb(cbEventForm, "qr", "y")),
			button(p.T("btn_evform_qreq_no"), cb(cbEventForm, "qr", "n")),
		}}
	case stepFormWorks:
		return b.worksScreen(r, d)
	case stepFormUntil:
		ex := b.cfg.Now().In(b.cfg.Location).AddDate(0, 0, 14).Format("02.01")
		return p.T("evform_ask_until", "Example", ex), keyboard{{button(p.T("btn_evform_until_closes"), cb(cbEventForm, "wuc"))}}
	case stepFormQuota:
		row := []modelsButton{button(mark(f.OrgQuota == 0)+p.T("btn_evform_quota_none"), cb(cbEventForm, "on", 0))}
		for n := 1; n <= 3; n++ {
			row = append(row, button(mark(f.OrgQuota == n)+strconv.Itoa(n), cb(cbEventForm, "on", n)))
		}
		return p.T("evform_ask_quota", "Max", maxOrgQuota), keyboard{row}
	}
	return b.formScreen(r, d)
}

// formScreen is the «Заявка» step: the form as it stands, what
// participants will read on the card, and a button per part.
func (b *Bot) formScreen(r *Request, d eventDraft) (string, keyboard) {
	p := r.P
	f := d.Event.Form
	lines := append([]string{p.T("evform_title"), ""}, b.formLines(p, d.Event)...)
	if pub := b.formSummary(p, d.Event); pub != "" {
		lines = append(lines, "", p.T("evform_public", "Line", localesHTML(pub)))
	} else {
		lines = append(lines, "", p.T("evform_public_none"))
	}
	lines = append(lines, p.T("evform_hint"))
	var kb keyboard
	if d.Event.Unit == storage.UnitTeam {
		row := []modelsButton{button(p.T("btn_evform_pupils", "Value", yesNo(p, f.Pupils)), cb(cbEventForm, "p"))}
		if f.Pupils {
			row = append(row, button(p.T("btn_evform_birth", "Value", yesNo(p, f.PupilBirth)), cb(cbEventForm, "b")))
		}
		kb = append(kb, row)
	}
	works := p.T("btn_evform_works_off")
	if f.Works != nil {
		works = p.T("btn_evform_works_on")
	}
	quota := p.T("btn_evform_quota_none")
	if f.OrgQuota > 0 {
		quota = strconv.Itoa(f.OrgQuota)
	}
	kb = append(kb,
		[]modelsButton{button(p.T("btn_evform_phone", "Need", needText(p, f.Phone)), cb(cbEventForm, "ph"))},
		[]modelsButton{
			button(p.T("btn_evform_questions", "N", len(f.Questions), "Max", storage.MaxQuestions), cb(cbEventForm, "q")),
			button(works, cb(cbEventForm, "w")),
		},
		[]modelsButton{button(p.T("btn_evform_quota", "Value", quota), cb(cbEventForm, "o"))},
		[]modelsButton{button(p.T("btn_evform_done"), cb(cbEventForm, "ok"))},
	)
	return strings.Join(lines, "\n"), kb
}

// worksScreen is the works' screen: off, with the button to take them; or
// on, with their kinds, the limit of files and until when.
func (b *Bot) worksScreen(r *Request, d eventDraft) (string, keyboard) {
	p := r.P
	w := d.Event.Form.Works
	if w == nil {
		return p.T("evform_w_title") + "\n\n" + p.T("evform_w_off"),
			keyboard{{button(p.T("btn_evform_w_on"), cb(cbEventForm, "wt"))}}
	}
	text := p.T("evform_w_title") + "\n\n" + p.N("evform_w_on", w.MaxFiles,
		"Kinds", workKindsText(p, w.Kinds), "Until", localesHTML(b.worksUntilText(p, *w)), "Max", storage.MaxWorksLimit)
	var kinds, files []modelsButton
	for _, k := range workKinds {
		kinds = append(kinds, button(mark(w.Takes(k.kind))+upperFirst(p.T("evform_work_"+string(k.kind))), cb(cbEventForm, "wk", k.letter)))
	}
	for _, n := range []int{1, 2, 3, 5, 10} {
		files = append(files, button(mark(w.MaxFiles == n)+strconv.Itoa(n), cb(cbEventForm, "wn", n)))
	}
	return text, keyboard{
		kinds,
		files,
		{button(p.T("btn_evform_w_until", "Until", localesHTML(b.worksUntilText(p, *w))), cb(cbEventForm, "wu"))},
		{button(p.T("btn_evform_w_off"), cb(cbEventForm, "wt"))},
	}
}

// mark is the tick before a chosen button's label.
func mark(chosen bool) string {
	if chosen {
		return "✓ "
	}
	return ""
}

// yesNo is «да» or «нет».
func yesNo(p localesPrinter, v bool) string {
	if v {
		return p.T("evform_yes")
	}
	return p.T("evform_no")
}

// questionText is the text of the question being written.
func (d eventDraft) questionText() string {
	if d.Question == nil {
		return ""
	}
	return d.Question.Text
}

// formActions are the form's buttons (naf:<action>[:<arg>]) and the step
// each belongs to: a button of another step is out of date.
var formActions = map[string]string{
	"p": stepForm, "b": stepForm, "ph": stepForm, "q": stepForm, "w": stepForm, "o": stepForm, "ok": stepForm,
	"qa": stepFormQuestions, "qd": stepFormQuestions,
	"qk": stepFormQKind,
	"qr": stepFormQRequired,
	"wt": stepFormWorks, "wk": stepFormWorks, "wn": stepFormWorks, "wu": stepFormWorks,
	"wuc": stepFormUntil,
	"on":  stepFormQuota,
}

// cbEventForm is every button of the form's screens: naf:<action>[:<arg>].
func (b *Bot) cbEventForm(ctx context.Context, r *Request, args []string) error {
	if len(args) == 0 {
		return b.stale(ctx, r)
	}
	at, known := formActions[args[0]]
	d, _, ok := b.currentEventDraft(ctx, r, at)
	if !known || !ok {
		return b.stale(ctx, r)
	}
	f := &d.Event.Form
	switch args[0] {
	case "p":
		if d.Event.Unit != storage.UnitTeam {
			return b.stale(ctx, r)
		}
		f.Pupils = !f.Pupils
		f.PupilBirth = f.PupilBirth && f.Pupils
	case "b":
		if !f.Pupils {
			return b.stale(ctx, r)
		}
		f.PupilBirth = !f.PupilBirth
	case "ph":
		f.Phone = map[storage.Need]storage.Need{
			storage.NeedNone: storage.NeedOptional, storage.NeedOptional: storage.NeedRequired, storage.NeedRequired: storage.NeedNone,
		}[f.Phone]
	case "q":
		return b.goToStep(ctx, r, d, stepFormQuestions, false)
	case "w":
		return b.goToStep(ctx, r, d, stepFormWorks, false)
	case "o":
		return b.goToStep(ctx, r, d, stepFormQuota, false)
	case "ok":
		d.FormSet = true
		ack := r.P.T("evform_done_empty")
		if what := b.formWhat(r.P, d.Event); what != "" {
			ack = r.P.T("evform_done", "What", localesHTML(what))
		}
		if err := b.closeStep(ctx, r, d, ack); err != nil {
			return err
		}
		return b.goToStep(ctx, r, d, nextStep(d, stepForm), true)
	case "qa":
		if len(f.Questions) >= storage.MaxQuestions {
			return b.answer(ctx, r, r.P.N("evform_q_full", storage.MaxQuestions), true)
		}
		d.Question = &storage.Question{}
		return b.goToStep(ctx, r, d, stepFormQText, false)
	case "qd":
		return b.deleteQuestion(ctx, r, d, args)
	case "qk":
		return b.pickQuestionKind(ctx, r, d, args)
	case "qr":
		return b.addQuestion(ctx, r, d, args)
	case "wt":
		if f.Works == nil {
			f.Works = &storage.WorksSpec{MaxFiles: defaultWorksFiles}
		} else {
			f.Works = nil
		}
	case "wk":
		if complaint := toggleWorkKind(f.Works, args); complaint != "" {
			return b.answer(ctx, r, r.P.T(complaint), true)
		}
	case "wn":
		n, valid := argIndex(args, 1, storage.MaxWorksLimit+1)
		if !valid || n < 1 || f.Works == nil {
			return b.stale(ctx, r)
		}
		f.Works.MaxFiles = n
	case "wu":
		return b.goToStep(ctx, r, d, stepFormUntil, false)
	case "wuc":
		if f.Works == nil {
			return b.stale(ctx, r)
		}
		f.Works.Until = time.Time{}
		d.FormSet = true
		return b.goToStepNoting(ctx, r, d, stepFormWorks, false, r.P.T("evform_read_until_closes"))
	case "on":
		n, valid := argIndex(args, 1, 4)
		if !valid {
			return b.stale(ctx, r)
		}
		return b.setQuota(ctx, r, d, n)
	}
	d.FormSet = true
	return b.goToStep(ctx, r, d, at, false)
}

// toggleWorkKind turns a kind of works on or off (wk:<letter>); the last
// kind is not turned off. It returns a complaint's key, or "".
func toggleWorkKind(w *storage.WorksSpec, args []string) string {
	if w == nil || len(args) != 2 {
		return "callback_stale"
	}
	i := slices.IndexFunc(workKinds, func(k workKindButton) bool { return k.letter == args[1] })
	if i < 0 {
		return "callback_stale"
	}
	var kinds []storage.WorkKind
	for _, k := range workKinds {
		if on := w.Takes(k.kind); on != (k.kind == workKinds[i].kind) {
			kinds = append(kinds, k.kind)
		}
	}
	switch len(kinds) {
	case 0:
		return "evform_w_need_kind"
	case len(workKinds):
		kinds = nil // all three
	}
	w.Kinds = kinds
	return ""
}

// deleteQuestion removes a question from the form (qd:<question id>);
// answers already given to it stay with their applications, unseen.
func (b *Bot) deleteQuestion(ctx context.Context, r *Request, d eventDraft, args []string) error {
	id, valid := argID(args, 1)
	f := &d.Event.Form
	q, found := f.Question(int(id))
	if !valid || !found {
		return b.stale(ctx, r)
	}
	f.LastQuestionID = f.NextQuestionID() - 1 // its id is never given again
	f.Questions = slices.DeleteFunc(slices.Clone(f.Questions), func(x storage.Question) bool { return x.ID == q.ID })
	d.FormSet = true
	key := "evform_q_deleted"
	if d.EditingID != 0 {
		key = "evform_q_deleted_answers_kept"
	}
	return b.goToStepNoting(ctx, r, d, stepFormQuestions, false, r.P.T(key, "Text", truncateRunes(q.Text, maxDiffValue)))
}

// pickQuestionKind: qk:<t|c|y>; a choice asks for its options next.
func (b *Bot) pickQuestionKind(ctx context.Context, r *Request, d eventDraft, args []string) error {
	kinds := map[string]storage.QuestionKind{"t": storage.QuestionText, "c": storage.QuestionChoice, "y": storage.QuestionYesNo}
	k, valid := kinds[argAt(args, 1)]
	if !valid || d.Question == nil {
		return b.stale(ctx, r)
	}
	d.Question.Kind = k
	if k != storage.QuestionChoice {
		d.Question.Options = nil
		return b.goToStep(ctx, r, d, stepFormQRequired, false)
	}
	return b.goToStep(ctx, r, d, stepFormQOptions, false)
}

// addQuestion adds the question being written to the form, required or
// not (qr:<y|n>), with the next id the form has never used.
func (b *Bot) addQuestion(ctx context.Context, r *Request, d eventDraft, args []string) error {
	req := argAt(args, 1)
	if d.Question == nil || d.Question.Kind == "" || (req != "y" && req != "n") {
		return b.stale(ctx, r)
	}
	f := &d.Event.Form
	if len(f.Questions) >= storage.MaxQuestions {
		return b.answer(ctx, r, r.P.N("evform_q_full", storage.MaxQuestions), true)
	}
	q := *d.Question
	q.Required = req == "y"
	q.ID = f.NextQuestionID()
	next := *f
	next.Questions = append(slices.Clone(f.Questions), q)
	next.LastQuestionID = q.ID
	if err := next.Validate(); err != nil { // what was typed was checked: an old draft, say
		b.log.Warn("event form: question refused", "user_id", r.User.ID, "error", err)
		return b.answer(ctx, r, r.P.T("evform_q_invalid"), true)
	}
	d.Event.Form, d.Question, d.FormSet = next, nil, true
	if err := b.closeStep(ctx, r, d, r.P.T("evform_q_added", "Text", truncateRunes(q.Text, maxDiffValue))); err != nil {
		return err
	}
	return b.goToStep(ctx, r, d, stepFormQuestions, true)
}

// setQuota sets the most applications from one organisation (0: no
// limit). In an edit a quota below what one organisation has already is
// refused at once with the figure (the save decides again, in its
// transaction).
func (b *Bot) setQuota(ctx context.Context, r *Request, d eventDraft, n int) error {
	if d.EditingID != 0 && n > 0 {
		if most := b.mostFromOneOrg(ctx, d.EditingID); n < most {
			if r.Update.CallbackQuery != nil {
				return b.answer(ctx, r, r.P.N("evform_quota_below", most), true)
			}
			_, err := b.send(ctx, r.ChatID, r.P.N("evform_quota_below", most), nil)
			return err
		}
	}
	d.Event.Form.OrgQuota, d.FormSet = n, true
	note := r.P.T("evform_read_quota_none")
	if n > 0 {
		note = r.P.N("evform_read_quota", n)
	}
	return b.goToStepNoting(ctx, r, d, stepForm, r.Update.CallbackQuery == nil, note)
}

// mostFromOneOrg is the most active applications one organisation has
// for the event (as storage counts them for the quota: by the
// registration's organisation, else its user's).
func (b *Bot) mostFromOneOrg(ctx context.Context, eventID int64) int {
	list, err := b.store.Participants(ctx, eventID)
	if err != nil {
		return 0
	}
	byOrg := map[int64]int{}
	most := 0
	for _, pt := range list {
		org := pt.OrgID
		if org == 0 {
			org = pt.User.OrgID
		}
		if org == 0 || (pt.State != storage.RegConfirmed && pt.State != storage.RegWaitlist) {
			continue
		}
		byOrg[org]++
		most = max(most, byOrg[org])
	}
	return most
}

// formText takes a typed answer on a form's screen: a question's text or
// options, the works' date or number of files, a quota. A screen that
// takes buttons only says so.
func (b *Bot) formText(ctx context.Context, r *Request, d eventDraft, step, text string) error {
	p := r.P
	complain := func(s string) error {
		_, err := b.send(ctx, r.ChatID, s, nil)
		return err
	}
	f := &d.Event.Form
	switch step {
	case stepFormQText:
		if d.Question == nil {
			d.Question = &storage.Question{}
		}
		if n := utf8.RuneCountInString(text); n > storage.MaxQuestionLen {
			return complain(p.N("evform_bad_qtext_long", n, "Max", storage.MaxQuestionLen))
		}
		if len(f.Questions) >= storage.MaxQuestions {
			return complain(p.N("evform_q_full", storage.MaxQuestions))
		}
		d.Question.Text = text
		return b.goToStep(ctx, r, d, stepFormQKind, true)
	case stepFormQOptions:
		if d.Question == nil {
			return complain(p.T("ne_use_buttons"))
		}
		opts, complaint := parseOptions(p, text)
		if complaint != "" {
			return complain(complaint)
		}
		d.Question.Options = opts
		return b.goToStepNoting(ctx, r, d, stepFormQRequired, true, p.T("evform_read_opts", "Options", strings.Join(opts, "; ")))
	case stepFormUntil:
		if f.Works == nil {
			return complain(p.T("ne_use_buttons"))
		}
		t, complaint := b.parseWorksUntil(p, d.Event, text)
		if complaint != "" {
			return complain(complaint)
		}
		f.Works.Until, d.FormSet = t, true
		return b.goToStepNoting(ctx, r, d, stepFormWorks, true, p.T("evform_read_until", "When", localesHTML(b.untilText(p, t))))
	case stepFormWorks:
		if f.Works == nil {
			return complain(p.T("ne_use_buttons"))
		}
		n, err := strconv.Atoi(text)
		if err != nil || n < 1 || n > storage.MaxWorksLimit {
			return complain(p.T("evform_bad_files", "Min", 1, "Max", storage.MaxWorksLimit))
		}
		f.Works.MaxFiles, d.FormSet = n, true
		return b.goToStepNoting(ctx, r, d, stepFormWorks, true, p.N("evform_read_files", n))
	case stepFormQuota:
		n, err := strconv.Atoi(text)
		if err != nil || n < 0 || n > maxOrgQuota { // 0, as typed, is no limit
			return complain(p.T("ne_bad_number", "Min", 1, "Max", maxOrgQuota))
		}
		return b.setQuota(ctx, r, d, n)
	}
	return complain(p.T("ne_use_buttons"))
}

// parseOptions reads a choice's options typed one per line or separated
// by «;» (by commas when there is neither): 2…MaxOptions distinct options of at most MaxOptionLen runes.
// It returns them, or a short complaint.
func parseOptions(p localesPrinter, text string) ([]string, string) {
	var opts []string
	seen := map[string]bool{}
	sep := ";"
	if !strings.ContainsAny(text, "\n;") {
		sep = "," // «Рисунок, Плакат, Графика» in one line: commas separate
	}
	for _, line := range strings.Split(text, "\n") {
		for _, o := range strings.Split(line, sep) {
			o = strings.Join(strings.Fields(o), " ")
			if o == "" {
				continue
			}
			if utf8.RuneCountInString(o) > storage.MaxOptionLen {
				return nil, p.T("evform_bad_opt_long", "Text", truncateRunes(o, storage.MaxOptionLen+10), "Max", storage.MaxOptionLen)
			}
			if seen[strings.ToLower(o)] {
				return nil, p.T("evform_bad_opt_repeat", "Text", o)
			}
			seen[strings.ToLower(o)] = true
			opts = append(opts, o)
		}
	}
	switch {
	case len(opts) < 2:
		return nil, p.T("evform_bad_opts_few")
	case len(opts) > storage.MaxOptions:
		return nil, p.N("evform_bad_opts_many", len(opts), "Max", storage.MaxOptions)
	}
	return opts, ""
}

// parseWorksUntil reads until when works are taken: a date and time the
// way the wizard reads dates, or a date alone for the end of that day. It
// must be ahead, and not after the event starts.
func (b *Bot) parseWorksUntil(p localesPrinter, e storage.Event, text string) (time.Time, string) {
	now := b.cfg.Now()
	// A date alone first ("31.04" is read as one, not as a time 31:04),
	// then a date with its time.
	t, errDay := parseWhen(text+" 23:59", now, b.cfg.Location)
	if errDay != nil {
		var err error
		if t, err = parseWhen(text, now, b.cfg.Location); err != nil {
			var de *dateError
			switch {
			case errors.As(errDay, &de) && de.Reason != reasonClock, errors.As(err, &de):
				return time.Time{}, impossibleDate(p, de)
			}
			ex := now.In(b.cfg.Location).AddDate(0, 0, 14).Format("02.01.2006")
			return time.Time{}, p.T("evform_bad_until", "Example", ex)
		}
	}
	if !t.After(now) {
		ex := now.In(b.cfg.Location).AddDate(0, 0, 14).Format("02.01.2006")
		return time.Time{}, p.T("ne_date_past", "When", localesHTML(p.DateYear(t.In(b.cfg.Location))), "Example", ex)
	}
	if !e.Start.IsZero() && t.After(e.Start) {
		return time.Time{}, p.T("evform_until_after_start", "Start", localesHTML(p.DateYear(e.Start.In(b.cfg.Location))))
	}
	return t, ""
}

// argAt is args[i], or "" when there is none.
func argAt(args []string, i int) string {
	if i < len(args) {
		return args[i]
	}
	return ""
}
