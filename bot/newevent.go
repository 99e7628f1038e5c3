package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"vmeste/locales"
	"vmeste/storage"
)

// /newevent: a step-by-step wizard with buttons where a choice is closed
// and free text where it is open, then a preview with Publish, Save as
// draft and Edit a field. Editing an event (the card's Edit) is the same
// wizard starting at the preview. Its state is in bbolt.
const (
	flowEvent = "event"

	stepTitle       = "title"
	stepKind        = "kind"
	stepOrganisers  = "orgs"
	stepStart       = "start"
	stepEnd         = "end"
	stepPlace       = "place"
	stepAudience    = "audience"
	stepUnit        = "unit"
	stepMaxTeam     = "maxteam"
	stepCapacity    = "capacity"
	stepDeadline    = "deadline"
	stepReminders   = "reminders"
	stepDescription = "description"
	stepRegulations = "regulations"
	stepPreview     = "preview"

	// The fields' limits are storage's (event_fields.go), shared with
	// the Mini App's editor.
	maxTitleLen       = storage.MaxTitleLen
	maxPlaceLen       = storage.MaxPlaceLen
	maxAudienceLen    = storage.MaxAudienceLen
	maxDescriptionLen = storage.MaxDescriptionLen
	maxTeamSize       = storage.MaxTeamSize
	maxCapacity       = storage.MaxCapacity
)

// eventSteps is the wizard's order. Each field's step is also how the
// preview's "Edit a field" names it.
var eventSteps = []string{stepTitle, stepKind, stepOrganisers, stepStart, stepEnd, stepPlace, stepAudience,
	stepUnit, stepMaxTeam, stepCapacity, stepDeadline, stepReminders, stepDescription, stepRegulations, stepForm}

// optionalSteps can be skipped with a button.
var optionalSteps = []string{stepEnd, stepAudience, stepCapacity, stepDeadline, stepReminders, stepDescription, stepRegulations}

// eventDraft is the wizard's state.
type eventDraft struct {
	Event storage.Event `json:"event"`
	// EditingID is the stored event being edited (0 for a new one).
	EditingID int64 `json:"editing_id,omitempty"`
	// Review: the first pass is done, so each answer returns to the preview.
	Review bool `json:"review,omitempty"`
	// OrgFilter narrows the organisers list (what the user typed).
	OrgFilter string `json:"org_filter,omitempty"`
	// Note is the read-back shown above the current step's question
	// ("✓ Начало: …"), kept when that question is answered by a button.
	Note string `json:"note,omitempty"`
	// FormSet: the coordinator has set the application form (or pressed
	// «Готово» on it); until then a new event's form follows its kind's
	// and unit's defaults (settleForm).
	FormSet bool `json:"form_set,omitempty"`
	// Question is the form's question being written (its text, kind and
	// options as far as typed), until it is added.
	Question *storage.Question `json:"question,omitempty"`
}

func eventConv(step string, d eventDraft) storage.Conversation {
	data, _ := json.Marshal(d)
	return storage.Conversation{Flow: flowEvent, Step: step, Data: data}
}

// currentEventDraft returns the user's draft if the wizard is at one of
// steps (any step when none are given).
func (b *Bot) currentEventDraft(ctx context.Context, r *Request, steps ...string) (eventDraft, string, bool) {
	c, err := b.store.Conversation(ctx, r.User.ID)
	if err != nil || c.Flow != flowEvent || (len(steps) > 0 && !slices.Contains(steps, c.Step)) {
		return eventDraft{}, "", false
	}
	var d eventDraft
	if json.Unmarshal(c.Data, &d) != nil {
		return eventDraft{}, "", false
	}
	return d, c.Step, true
}

func (b *Bot) cmdNewEvent(ctx context.Context, r *Request, _ string) error {
	if d, step, ok := b.currentEventDraft(ctx, r); ok {
		// A draft in progress is not thrown away: continue it (/cancel
		// parks it in /drafts).
		if _, err := b.send(ctx, r.ChatID, r.P.T("ne_continue", "Title", d.Event.Title), nil); err != nil {
			return err
		}
		return b.goToStep(ctx, r, d, step, true)
	}
	d := eventDraft{Event: storage.Event{Unit: storage.UnitIndividual, CreatedBy: r.User.ID, OwnerOrg: r.User.OrgID}}
	if r.User.OrgID != 0 {
		d.Event.Organisers = []int64{r.User.OrgID}
	}
	return b.goToStep(ctx, r, d, stepTitle, true)
}

// goToStep stores the draft at step and asks its question (fresh: as a
// new message; otherwise in place of the pressed one).
func (b *Bot) goToStep(ctx context.Context, r *Request, d eventDraft, step string, fresh bool) error {
	return b.goToStepNoting(ctx, r, d, step, fresh, "")
}

// goToStepNoting is goToStep with a note (what the last answer was read
// as) above the question.
func (b *Bot) goToStepNoting(ctx context.Context, r *Request, d eventDraft, step string, fresh bool, note string) error {
	d.Note = note
	d.settleForm()
	if err := b.store.PutConversation(ctx, r.User.ID, eventConv(step, d)); err != nil {
		return err
	}
	text, kb := b.stepPrompt(ctx, r, d, step)
	if note != "" {
		text = note + "\n\n" + text
	}
	if fresh || r.Update.CallbackQuery == nil {
		_, err := b.send(ctx, r.ChatID, text, kb)
		return err
	}
	return b.reply(ctx, r, text, kb)
}

// nextStep is the step after step in the first pass, or the preview.
func nextStep(d eventDraft, step string) string {
	if d.Review {
		return stepPreview
	}
	i := slices.Index(eventSteps, step)
	for _, s := range eventSteps[i+1:] {
		if s == stepMaxTeam && d.Event.Unit != storage.UnitTeam {
			continue
		}
		return s
	}
	return stepPreview
}

// prevStep is the step before step in the first pass ("" for the first).
func prevStep(d eventDraft, step string) string {
	for i := slices.Index(eventSteps, step) - 1; i >= 0; i-- {
		if s := eventSteps[i]; s != stepMaxTeam || d.Event.Unit == storage.UnitTeam {
			return s
		}
	}
	return ""
}

// backEvent goes back from the wizard's step, keeping every answer: in
// the first pass to the step before it, while a field is being changed to
// the preview. The pressed question becomes the one gone back to.
func (b *Bot) backEvent(ctx context.Context, r *Request, c storage.Conversation) error {
	var d eventDraft
	if err := json.Unmarshal(c.Data, &d); err != nil {
		return fmt.Errorf("bot: back in event draft: %w", err)
	}
	if parent := formParent(d, c.Step); parent != "" {
		return b.goToStep(ctx, r, d, parent, false)
	}
	prev := stepPreview
	if !d.Review {
		if prev = prevStep(d, c.Step); prev == "" {
			prev = stepTitle
		}
	}
	return b.goToStep(ctx, r, d, prev, false)
}

// stepPrompt is a step's question with its buttons and the way out
// (wizard_nav.go): «« Назад» to the step before, or to the preview while a
// field is being changed, and «Отмена», which parks the draft.
func (b *Bot) stepPrompt(ctx context.Context, r *Request, d eventDraft, step string) (string, keyboard) {
	text, kb := b.stepQuestion(ctx, r, d, step)
	if formParent(d, step) != "" { // a screen of the form's: back to the screen it came from
		return text, withNav(kb, r.P, flowEvent, step, true)
	}
	if !slices.Contains(eventSteps, step) || step == stepOrganisers { // the preview; the picker has its own
		return text, kb
	}
	return text, withNav(kb, r.P, flowEvent, step, d.Review || step != stepTitle)
}

// stepQuestion is a step's question and its own buttons (the preview for
// a step that is not a field's).
func (b *Bot) stepQuestion(ctx context.Context, r *Request, d eventDraft, step string) (string, keyboard) {
	p := r.P
	// Skip buttons carry their step: a double tap or an old button cannot
	// skip a later one.
	skip := keyboard{{button(p.T("btn_skip"), cb(cbEventSkip, step))}}
	if isFormStep(step) {
		return b.formQuestion(ctx, r, d, step)
	}
	switch step {
	case stepTitle:
		if d.EditingID != 0 {
			return p.T("ne_ask_title_edit", "Title", d.Event.Title), nil
		}
		return p.T("ne_ask_title"), nil
	case stepKind:
		var kb keyboard
		var row []modelsButton
		for i, k := range storage.EventKinds {
			row = append(row, button(p.T("ekind_"+string(k)), cb(cbEventKindPick, i)))
			if len(row) == 2 {
				kb, row = append(kb, row), nil
			}
		}
		if row != nil {
			kb = append(kb, row)
		}
		return p.T("ne_ask_kind"), kb
	case stepOrganisers:
		return b.organiserPicker(ctx, r, d, 0)
	case stepStart:
		return p.T("ne_ask_start", "Example", localesHTML(b.dateExample(p))), nil
	case stepEnd:
		return p.T("ne_ask_end"), skip
	case stepPlace:
		return p.T("ne_ask_place"), nil
	case stepAudience:
		return p.T("ne_ask_audience"), skip
	case stepUnit:
		return p.T("ne_ask_unit"), keyboard{
			{button(p.T("btn_unit_individual"), cb(cbEventUnit, "i"))},
			{button(p.T("btn_unit_team"), cb(cbEventUnit, "t"))},
		}
	case stepMaxTeam:
		return p.T("ne_ask_maxteam", "Max", maxTeamSize), nil
	case stepCapacity:
		return p.T("ne_ask_capacity"), keyboard{{button(p.T("btn_no_limit"), cb(cbEventSkip, step))}}
	case stepDeadline:
		return p.T("ne_ask_deadline"), skip
	case stepReminders:
		offsets := draftReminders(d.Event)
		return p.T("ne_ask_reminders", "Now", localesHTML(formatOffsets(p, offsets))), keyboard{{button(p.T("btn_keep"), cb(cbEventSkip, step)),
			button(p.T("btn_no_reminders"), cbEventNoReminders)}}
	case stepDescription:
		return p.T("ne_ask_description", "Max", maxDescriptionLen), skip
	case stepRegulations:
		return p.T("ne_ask_regulations"), skip
	}
	return b.previewText(ctx, r, d), b.previewKeyboard(r, d)
}

// dateExample is tomorrow at 10:00 written the way the bot reads it.
func (b *Bot) dateExample(p locales.Printer) string {
	t := b.cfg.Now().In(b.cfg.Location).AddDate(0, 0, 7)
	return t.Format("02.01.2006") + " 10:00"
}

func (b *Bot) organiserPicker(ctx context.Context, r *Request, d eventDraft, page int) (string, keyboard) {
	text, kb, err := b.renderOrgChoice(ctx, r, orgChoice{
		chosen: d.Event.Organisers, filter: d.OrgFilter, page: page,
		toggle: cbEventOrgToggle, pageTo: cbEventOrgPage, title: "ne_ask_orgs",
		last: []modelsButton{button(r.P.N("btn_audience_done", len(d.Event.Organisers)), cbEventOrgsDone)},
	})
	if err != nil {
		return r.P.T("error_internal"), nil
	}
	return text, withNav(kb, r.P, flowEvent, stepOrganisers, true)
}

// eventMessage takes any message while the wizard runs: a typed answer,
// or the regulations file.
func (b *Bot) eventMessage(ctx context.Context, r *Request, c storage.Conversation) error {
	var d eventDraft
	if err := json.Unmarshal(c.Data, &d); err != nil {
		return err
	}
	m := r.Update.Message
	if c.Step == stepRegulations {
		if m.Document == nil {
			_, err := b.send(ctx, r.ChatID, r.P.T("ne_regulations_need_file"), keyboard{{button(r.P.T("btn_skip"), cb(cbEventSkip, stepRegulations))}})
			return err
		}
		d.Event.Regulations = &storage.Document{FileID: m.Document.FileID, FileName: m.Document.FileName}
		return b.goToStep(ctx, r, d, nextStep(d, c.Step), true)
	}
	text := strings.TrimSpace(m.Text)
	if text == "" {
		_, err := b.send(ctx, r.ChatID, r.P.T("flow_expects_text"), nil)
		return err
	}
	if c.Step == stepOrganisers { // typing narrows the list
		d.OrgFilter = truncateRunes(text, 50)
		return b.goToStep(ctx, r, d, stepOrganisers, true)
	}
	if isFormStep(c.Step) {
		return b.formText(ctx, r, d, c.Step, text)
	}
	note, complaint := b.applyEventText(ctx, r, &d, c.Step, text)
	if complaint != "" {
		// The complaint keeps the way out: «Назад» and «Отмена».
		_, err := b.send(ctx, r.ChatID, complaint, withNav(nil, r.P, flowEvent, c.Step, d.Review || c.Step != stepTitle))
		return err
	}
	return b.goToStepNoting(ctx, r, d, nextStep(d, c.Step), true, note)
}

// applyEventText puts a typed answer into the draft and returns a note of
// how it was read (dates, and what a new start changed), or a short
// localized complaint with an example of what works.
func (b *Bot) applyEventText(ctx context.Context, r *Request, d *eventDraft, step, text string) (note, complaint string) {
	p := r.P
	e := &d.Event
	now := b.cfg.Now()
	switch step {
	case stepTitle:
		if bad := storage.CheckEventText(storage.FieldTitle, text); bad != nil {
			return "", p.T(bad.Key, bad.Args...)
		}
		e.Title = text
	case stepStart, stepEnd, stepDeadline:
		t, err := b.parseStepDate(step, text, e.Start, now)
		if err != nil {
			return "", b.badDate(p, step, text, err, now)
		}
		when := localesHTML(p.DateYear(t.In(b.cfg.Location)))
		switch step {
		case stepStart:
			if !t.After(now) {
				return "", p.T("ne_date_past", "When", when, "Example", localesHTML(b.dateExample(p)))
			}
			note = p.T("ne_read_start", "When", when)
			if !e.End.IsZero() && !e.Start.IsZero() {
				// The event keeps its length: the end moves with the start.
				e.End = e.End.Add(t.Sub(e.Start))
				note += "\n" + p.T("ne_end_moved", "When", localesHTML(p.DateYear(e.End.In(b.cfg.Location))))
			}
			if !e.Deadline.IsZero() && !e.Deadline.Before(t) {
				e.Deadline = time.Time{}
				note += "\n" + p.T("ne_deadline_dropped")
			}
			e.Start = t
		case stepEnd:
			if !t.After(e.Start) {
				return "", p.T("ne_end_before_start", "Start", localesHTML(p.DateYear(e.Start.In(b.cfg.Location))))
			}
			e.End = t
			note = p.T("ne_read_end", "When", when)
		case stepDeadline:
			if !t.After(now) {
				return "", p.T("ne_date_past", "When", when, "Example", localesHTML(b.dateExample(p)))
			}
			if !t.Before(e.Start) {
				return "", p.T("ne_deadline_after_start", "Start", localesHTML(p.DateYear(e.Start.In(b.cfg.Location))))
			}
			e.Deadline = t
			note = p.T("ne_read_deadline", "When", when)
		}
	case stepPlace:
		if bad := storage.CheckEventText(storage.FieldPlace, text); bad != nil {
			return "", p.T(bad.Key, bad.Args...)
		}
		e.Place = text
	case stepAudience:
		if bad := storage.CheckEventText(storage.FieldAudience, text); bad != nil {
			return "", p.T(bad.Key, bad.Args...)
		}
		e.Audience = text
	case stepMaxTeam:
		v, err := strconv.Atoi(text)
		if bad := storage.CheckEventNumber(storage.FieldMaxTeam, v); err != nil || bad != nil {
			return "", p.T("ne_bad_number", "Min", 1, "Max", maxTeamSize)
		}
		if d.EditingID != 0 {
			// Early word; the save decides again, in its transaction.
			if largest := b.largestTeam(ctx, d.EditingID); v < largest {
				return "", p.N("ne_team_below_signed", largest)
			}
		}
		e.MaxTeam = v
	case stepCapacity:
		v, err := strconv.Atoi(text)
		if bad := storage.CheckEventNumber(storage.FieldCapacity, v); err != nil || bad != nil {
			return "", p.T("ne_bad_number", "Min", 1, "Max", maxCapacity)
		}
		if d.EditingID != 0 {
			// Nobody signed up is put out by an edit. An early word from
			// what is signed up now (not when the edit was opened); the
			// save decides again, in its transaction.
			if cur, err := b.store.Event(ctx, d.EditingID); err == nil && v < cur.Taken {
				return "", p.N("ne_capacity_below_taken", cur.Taken)
			}
		}
		e.Capacity = v
	case stepReminders:
		if noReminders(text) {
			e.Reminders = nil
			note = p.T("ne_preview_reminders", "Offsets", localesHTML(formatOffsets(p, nil)))
			break
		}
		offsets, err := parseOffsets(text)
		if err != nil {
			return "", p.T("ne_bad_reminders")
		}
		e.Reminders = offsets
		note = p.T("ne_preview_reminders", "Offsets", localesHTML(formatOffsets(p, offsets)))
	case stepDescription:
		if bad := storage.CheckEventText(storage.FieldDescription, text); bad != nil {
			return "", p.T(bad.Key, bad.Args...)
		}
		e.Description = text
	default:
		return "", p.T("ne_use_buttons")
	}
	return note, ""
}

// largestTeam is the largest team signed up for an event (0 if none).
func (b *Bot) largestTeam(ctx context.Context, eventID int64) int {
	list, err := b.store.Participants(ctx, eventID)
	if err != nil {
		return 0
	}
	largest := 0
	for _, pt := range list {
		largest = max(largest, pt.TeamSize)
	}
	return largest
}

// closeStep turns the pressed question into what its answer was read as
// (ack), under the read-back the question carried (d.Note: "✓ Начало: …"),
// and takes its buttons away.
func (b *Bot) closeStep(ctx context.Context, r *Request, d eventDraft, ack string) error {
	if d.Note != "" {
		ack = d.Note + "\n\n" + ack
	}
	return b.reply(ctx, r, ack, keyboard{})
}

// cbEventSkip skips an optional step (or keeps the default reminders):
// nsk:<step>.
func (b *Bot) cbEventSkip(ctx context.Context, r *Request, args []string) error {
	d, step, ok := b.currentEventDraft(ctx, r, optionalSteps...)
	if !ok || len(args) != 1 || args[0] != step {
		return b.stale(ctx, r)
	}
	switch step {
	case stepEnd:
		d.Event.End = time.Time{}
	case stepAudience:
		d.Event.Audience = ""
	case stepCapacity:
		d.Event.Capacity = 0
	case stepDeadline:
		d.Event.Deadline = time.Time{}
	case stepReminders:
		d.Event.Reminders = draftReminders(d.Event)
	case stepDescription:
		d.Event.Description = ""
	case stepRegulations:
		d.Event.Regulations = nil
	}
	// Say what the button meant, not just "skipped".
	ack := r.P.T("ne_skipped", "Field", localesHTML(r.P.T("field_"+step)))
	switch step {
	case stepCapacity:
		ack = r.P.T("ne_no_limit_chosen")
	case stepReminders:
		ack = r.P.T("ne_preview_reminders", "Offsets", localesHTML(formatOffsets(r.P, d.Event.Reminders)))
	case stepDeadline:
		ack = r.P.T("ne_no_deadline_chosen")
	}
	if err := b.closeStep(ctx, r, d, ack); err != nil {
		return err
	}
	return b.goToStep(ctx, r, d, nextStep(d, step), true)
}

// cbEventKindPick: nk:<kind index>.
func (b *Bot) cbEventKindPick(ctx context.Context, r *Request, args []string) error {
	d, step, ok := b.currentEventDraft(ctx, r, stepKind)
	i, valid := argIndex(args, 0, len(storage.EventKinds))
	if !ok || !valid {
		return b.stale(ctx, r)
	}
	kind := storage.EventKinds[i]
	// The first choice brings the kind's defaults, and so does a new kind
	// to defaults nobody changed; reminders typed or turned off stay.
	if d.Event.Kind == "" || (d.Event.Reminders != nil && slices.Equal(d.Event.Reminders, storage.DefaultReminders(d.Event.Kind))) {
		d.Event.Reminders = storage.DefaultReminders(kind)
	}
	d.Event.Kind = kind
	if err := b.closeStep(ctx, r, d, r.P.T("ne_kind_chosen", "Kind", localesHTML(r.P.T("ekind_"+string(kind))))); err != nil {
		return err
	}
	return b.goToStep(ctx, r, d, nextStep(d, step), true)
}

// cbEventOrgToggle: no:<org id>:<page>.
func (b *Bot) cbEventOrgToggle(ctx context.Context, r *Request, args []string) error {
	d, _, ok := b.currentEventDraft(ctx, r, stepOrganisers)
	id, validID := argID(args, 0)
	page, validPage := argIndex(args, 1, 10000)
	if !ok || !validID || !validPage {
		return b.stale(ctx, r)
	}
	if _, err := b.store.Organisation(ctx, id); err != nil {
		return b.answer(ctx, r, r.P.T("org_gone"), true)
	}
	d.Event.Organisers = toggle(d.Event.Organisers, id)
	if err := b.store.PutConversation(ctx, r.User.ID, eventConv(stepOrganisers, d)); err != nil {
		return err
	}
	text, kb := b.organiserPicker(ctx, r, d, page)
	return b.reply(ctx, r, text, kb)
}

// cbEventOrgPage: np:<page>[:x] (x: show all).
func (b *Bot) cbEventOrgPage(ctx context.Context, r *Request, args []string) error {
	d, _, ok := b.currentEventDraft(ctx, r, stepOrganisers)
	page, valid := argIndex(args, 0, 10000)
	if !ok || !valid {
		return b.stale(ctx, r)
	}
	if len(args) > 1 && args[1] == "x" {
		d.OrgFilter = ""
		if err := b.store.PutConversation(ctx, r.User.ID, eventConv(stepOrganisers, d)); err != nil {
			return err
		}
	}
	text, kb := b.organiserPicker(ctx, r, d, page)
	return b.reply(ctx, r, text, kb)
}

// cbEventOrgsDone needs at least one organiser.
func (b *Bot) cbEventOrgsDone(ctx context.Context, r *Request, _ []string) error {
	d, step, ok := b.currentEventDraft(ctx, r, stepOrganisers)
	if !ok {
		return b.stale(ctx, r)
	}
	if len(d.Event.Organisers) == 0 {
		return b.answer(ctx, r, r.P.T("ne_need_organiser"), true)
	}
	if err := b.closeStep(ctx, r, d, r.P.T("ne_orgs_chosen", "Orgs", b.organiserNames(ctx, d.Event.Organisers))); err != nil {
		return err
	}
	return b.goToStep(ctx, r, d, nextStep(d, step), true)
}

// cbEventUnit: nu:<i|t>.
func (b *Bot) cbEventUnit(ctx context.Context, r *Request, args []string) error {
	d, step, ok := b.currentEventDraft(ctx, r, stepUnit)
	if !ok || len(args) != 1 || (args[0] != "i" && args[0] != "t") {
		return b.stale(ctx, r)
	}
	label := "btn_unit_individual"
	if args[0] == "t" {
		if d.Event.Unit != storage.UnitTeam && d.FormSet {
			d.Event.Form.Pupils = true // a team event lists its pupils unless told otherwise
		}
		d.Event.Unit, label = storage.UnitTeam, "btn_unit_team"
		if d.Review && d.Event.MaxTeam == 0 {
			if err := b.closeStep(ctx, r, d, r.P.T(label)); err != nil {
				return err
			}
			return b.goToStep(ctx, r, d, stepMaxTeam, true)
		}
	} else {
		d.Event.Unit, d.Event.MaxTeam = storage.UnitIndividual, 0
	}
	if err := b.closeStep(ctx, r, d, r.P.T(label)); err != nil {
		return err
	}
	next := nextStep(d, step)
	if d.Review && d.Event.Unit == storage.UnitTeam {
		next = stepMaxTeam
	}
	return b.goToStep(ctx, r, d, next, true)
}

// previewText is the card as participants will see it, with what only the
// coordinator sees: reminders and the regulations file.
func (b *Bot) previewText(ctx context.Context, r *Request, d eventDraft) string {
	p := r.P
	e := d.Event
	if e.Status == "" {
		e.Status = storage.EventPublished
	}
	head := p.T("ne_preview_title")
	if d.EditingID != 0 {
		head = p.T("ne_edit_title")
		// Seats as they are now, not when the edit was opened.
		if cur, err := b.store.Event(ctx, d.EditingID); err == nil {
			e.Taken, e.Waiting = cur.Taken, cur.Waiting
		}
	}
	lines := []string{p.T("ne_preview_reminders", "Offsets", localesHTML(formatOffsets(p, e.Reminders)))}
	if e.Regulations != nil {
		lines = append(lines, p.T("ne_preview_regulations", "Name", e.Regulations.FileName))
	}
	return b.cardText(ctx, r, e, nil, []string{head, ""}, append([]string{""}, lines...))
}

func (b *Bot) previewKeyboard(r *Request, d eventDraft) keyboard {
	p := r.P
	if d.EditingID != 0 {
		return keyboard{
			{button(p.T("btn_save_changes"), cbEventSave)},
			{button(p.T("btn_edit_field"), cbEventFields)},
			{button(p.T("btn_cancel"), cbEventDrop)},
		}
	}
	return keyboard{
		{button(p.T("btn_event_publish"), cbEventPublishNew), button(p.T("btn_save_draft"), cbEventSaveDraft)},
		{button(p.T("btn_edit_field"), cbEventFields)},
		{button(p.T("btn_draft_discard"), cbEventDrop)},
	}
}

// cbEventFields lists the fields to change.
func (b *Bot) cbEventFields(ctx context.Context, r *Request, _ []string) error {
	d, _, ok := b.currentEventDraft(ctx, r, stepPreview)
	if !ok {
		return b.stale(ctx, r)
	}
	text, kb := b.fieldsMenu(r, d)
	return b.reply(ctx, r, text, kb)
}

// fieldsMenu is "what to change?" with a button per field, Back (to the
// preview) and, when editing a stored event, Save.
func (b *Bot) fieldsMenu(r *Request, d eventDraft) (string, keyboard) {
	var kb keyboard
	var row []modelsButton
	for i, s := range eventSteps {
		if s == stepMaxTeam && d.Event.Unit != storage.UnitTeam {
			continue
		}
		row = append(row, button(r.P.T("field_"+s), cb(cbEventField, i)))
		if len(row) == 2 {
			kb, row = append(kb, row), nil
		}
	}
	if row != nil {
		kb = append(kb, row)
	}
	kb = append(kb, []modelsButton{button(r.P.T("btn_back"), cbEventBackToPreview)})
	return r.P.T("ne_which_field"), kb
}

// cbEventField: nf:<step index>: answer that step again, then back to the
// preview.
func (b *Bot) cbEventField(ctx context.Context, r *Request, args []string) error {
	d, _, ok := b.currentEventDraft(ctx, r, stepPreview)
	i, valid := argIndex(args, 0, len(eventSteps))
	if !ok || !valid {
		return b.stale(ctx, r)
	}
	d.Review = true
	return b.goToStep(ctx, r, d, eventSteps[i], false)
}

func (b *Bot) cbEventBackToPreview(ctx context.Context, r *Request, _ []string) error {
	d, _, ok := b.currentEventDraft(ctx, r, stepPreview)
	if !ok {
		return b.stale(ctx, r)
	}
	return b.goToStep(ctx, r, d, stepPreview, false)
}

// missingField names the first required field a draft lacks ("" if none).
func missingField(e storage.Event) string {
	switch {
	case e.Title == "":
		return stepTitle
	case e.Kind == "":
		return stepKind
	case len(e.Organisers) == 0:
		return stepOrganisers
	case e.Start.IsZero():
		return stepStart
	case e.Place == "":
		return stepPlace
	case e.Unit == storage.UnitTeam && e.MaxTeam == 0:
		return stepMaxTeam
	}
	return ""
}

// cbEventPublishNew and cbEventSaveDraft store the new event.
func (b *Bot) cbEventPublishNew(ctx context.Context, r *Request, _ []string) error {
	return b.storeNewEvent(ctx, r, storage.EventPublished)
}

func (b *Bot) cbEventSaveDraft(ctx context.Context, r *Request, _ []string) error {
	return b.storeNewEvent(ctx, r, storage.EventDraft)
}

func (b *Bot) storeNewEvent(ctx context.Context, r *Request, status storage.EventStatus) error {
	d, _, ok := b.currentEventDraft(ctx, r, stepPreview)
	if !ok || d.EditingID != 0 {
		return b.stale(ctx, r)
	}
	if f := missingField(d.Event); f != "" {
		d.Review = true
		if err := b.answer(ctx, r, r.P.T("ne_missing", "Field", localesHTML(r.P.T("field_"+f))), true); err != nil {
			return err
		}
		return b.goToStep(ctx, r, d, f, true)
	}
	if status == storage.EventPublished && !d.Event.Start.After(b.cfg.Now()) {
		d.Review = true
		if err := b.answer(ctx, r, r.P.T("ne_start_passed"), true); err != nil {
			return err
		}
		return b.goToStep(ctx, r, d, stepStart, true)
	}
	d.Event.Status = status
	d.settleForm() // a draft begun before forms existed gets its defaults
	e, err := b.store.CreateEvent(ctx, d.Event)
	if errors.Is(err, storage.ErrOrgGone) { // removed while the wizard was open
		d.Review = true
		return b.goToStepNoting(ctx, r, d, stepOrganisers, true, r.P.T("org_gone"))
	}
	if err != nil {
		return err
	}
	if err := b.store.ClearConversation(ctx, r.User.ID); err != nil {
		return err
	}
	b.log.Info("event created", "event", e.ID, "status", e.Status, "by", r.User.ID)
	key := "ne_published"
	if status == storage.EventDraft {
		key = "ne_saved_draft"
	}
	if err := b.reply(ctx, r, r.P.T(key, "Title", e.Title, "Link", b.startLink("e"+strconv.FormatInt(e.ID, 10))), keyboard{}); err != nil {
		return err
	}
	if err := b.showCard(ctx, r, e.ID, "", true); err != nil || status != storage.EventPublished {
		return err
	}
	return b.askAnnounce(ctx, r, e)
}

// cbEventDrop leaves the wizard without saving: a new event is thrown
// away (the preview's «Не сохранять»), an edit leaves the event as it was.
func (b *Bot) cbEventDrop(ctx context.Context, r *Request, _ []string) error {
	d, _, ok := b.currentEventDraft(ctx, r)
	if !ok {
		return b.stale(ctx, r)
	}
	if err := b.store.ClearConversation(ctx, r.User.ID); err != nil {
		return err
	}
	key := "ne_dropped"
	if d.EditingID != 0 {
		key = "ne_edit_dropped"
	}
	return b.reply(ctx, r, r.P.T(key), keyboard{})
}

// cbEventEdit starts editing a stored event: ee:<id>.
func (b *Bot) cbEventEdit(ctx context.Context, r *Request, args []string) error {
	e, ok, err := b.buttonEventFor(ctx, r, args, actEdit)
	if !ok {
		return err
	}
	id := e.ID
	if e.Status == storage.EventCancelled {
		return b.answer(ctx, r, r.P.T("event_cancelled_no_edit"), true)
	}
	if err := b.answer(ctx, r, "", false); err != nil {
		return err
	}
	// Straight to "what to change?": the card is on the screen already.
	d := eventDraft{Event: e, EditingID: id, Review: true, FormSet: true}
	if err := b.store.PutConversation(ctx, r.User.ID, eventConv(stepPreview, d)); err != nil {
		return err
	}
	text, kb := b.fieldsMenu(r, d)
	_, err = b.send(ctx, r.ChatID, r.P.T("ne_edit_which", "Title", e.Title)+"\n"+text, kb)
	return err
}

// cbEventSave stores the edited event with one storage call, whose
// transaction decides the sign-up rules against what is signed up at that
// moment; the bot reports what it decided. A capacity or team size below
// what is signed up is refused, and the edit stays open at that field.
// Seats the edit added go to the waitlist, first in line first, and the
// promoted are told; a change of time or place is sent to every
// participant; both through the outbox, in the same transaction. An
// event cancelled, or changed elsewhere (the Mini App), since the edit
// began is not saved over: the transaction refuses it and the edit closes.
func (b *Bot) cbEventSave(ctx context.Context, r *Request, _ []string) error {
	d, _, ok := b.currentEventDraft(ctx, r, stepPreview)
	if !ok || d.EditingID == 0 {
		return b.stale(ctx, r)
	}
	if f := missingField(d.Event); f != "" {
		return b.goToStep(ctx, r, d, f, true)
	}
	before, ok, err := b.eventFor(ctx, r, d.EditingID, actEdit) // still theirs to edit?
	if !ok {
		return err
	}
	d.Event.ID = d.EditingID
	notice, err := b.authorNotice(ctx, r, before, d.Event, changeEdited)
	if err != nil {
		return err
	}
	// From the revision the edit began at: a change saved meanwhile (in the
	// Mini App, by another coordinator) is not silently undone.
	res, err := b.store.UpdateEventAt(ctx, d.Event, d.Event.Revision, b.notifyChanged, b.notifyPromoted, notice...)
	var limit *storage.LimitError
	switch {
	case storage.IsNotFound(err):
		_ = b.store.ClearConversation(ctx, r.User.ID)
		return b.reply(ctx, r, r.P.T("event_gone"), keyboard{})
	case errors.As(err, &limit):
		return b.editRefused(ctx, r, d, limit)
	case errors.Is(err, storage.ErrEventCancelled): // cancelled while the edit was open
		_ = b.store.ClearConversation(ctx, r.User.ID)
		return b.reply(ctx, r, r.P.T("event_cancelled_no_edit"), keyboard{})
	case errors.Is(err, storage.ErrEventChanged): // changed while the edit was open
		_ = b.store.ClearConversation(ctx, r.User.ID)
		return b.reply(ctx, r, r.P.T("rules_event_changed"), keyboard{{button(r.P.T("btn_back_to_event"), cb(cbEventCard, d.EditingID))}})
	case errors.Is(err, storage.ErrOrgGone):
		return b.goToStepNoting(ctx, r, d, stepOrganisers, false, r.P.T("org_gone"))
	case err != nil:
		return err
	}
	e := res.Event
	if err := b.store.ClearConversation(ctx, r.User.ID); err != nil {
		return err
	}
	b.log.Info("event edited", "event", e.ID, "by", r.User.ID, "notified", res.Notified, "promoted", len(res.Promoted))
	key := "ne_saved_changes"
	if res.Notified == 0 {
		key = "ne_saved_changes_quiet"
	}
	text := r.P.N(key, res.Notified, "Title", e.Title)
	if n := len(res.Promoted); n > 0 {
		text += "\n" + r.P.N("ne_promoted_by_edit", n)
	}
	if err := b.reply(ctx, r, text, keyboard{}); err != nil {
		return err
	}
	return b.showCard(ctx, r, e.ID, "", true)
}

// editRefused puts the edit back at the field storage refused, in place of
// the preview whose Save was pressed, saying how many are signed up (the
// figures the transaction read); the rest of the edit is kept.
func (b *Bot) editRefused(ctx context.Context, r *Request, d eventDraft, limit *storage.LimitError) error {
	d.Event.Taken = limit.Taken
	step, note := stepMaxTeam, r.P.N("ne_team_below_signed", limit.LargestTeam)
	switch {
	case errors.Is(limit, storage.ErrCapacityBelowTaken):
		step, note = stepCapacity, r.P.N("ne_capacity_below_taken", limit.Taken)
	case errors.Is(limit, storage.ErrQuotaBelowTaken):
		step, note = stepFormQuota, r.P.N("evform_quota_below", limit.OrgTaken)
	case d.Event.Unit != storage.UnitTeam:
		step, note = stepUnit, r.P.N("ne_unit_teams_signed", limit.LargestTeam)
	}
	b.log.Info("event edit refused", "event", d.EditingID, "by", r.User.ID, "reason", limit)
	return b.goToStepNoting(ctx, r, d, step, false, note)
}

// notifyChanged renders the notice of a change of time or place, saying
// what was and what is now (both as the storage transaction saw them).
func (b *Bot) notifyChanged(u storage.User, before, e storage.Event) storage.Content {
	p := b.catalog.For(u.Lang)
	lines := []string{p.T("notice_changed_title", "Title", e.Title)}
	if !before.Start.Equal(e.Start) || !before.End.Equal(e.End) {
		lines = append(lines, p.T("notice_changed_when", "Was", localesHTML(b.eventWhen(p, before)), "Now", localesHTML(b.eventWhen(p, e))))
	}
	if before.Place != e.Place {
		lines = append(lines, p.T("notice_changed_place", "Was", before.Place, "Now", e.Place))
	}
	return storage.Content{
		Text:    strings.Join(lines, "\n"),
		Buttons: [][]storage.Button{{{Text: p.T("btn_open_event"), Data: cb(cbEventOpen, e.ID)}}},
	}
}

// formatOffsets renders reminder offsets: "за 7 дней, за 1 день".
func formatOffsets(p locales.Printer, offsets []time.Duration) string {
	if len(offsets) == 0 {
		return p.T("offsets_none")
	}
	var parts []string
	for _, d := range offsets {
		switch {
		case d%(24*time.Hour) == 0:
			parts = append(parts, p.N("offset_days", int(d/(24*time.Hour))))
		case d%time.Hour == 0:
			parts = append(parts, p.N("offset_hours", int(d/time.Hour)))
		default:
			parts = append(parts, p.N("offset_minutes", int(d/time.Minute)))
		}
	}
	return strings.Join(parts, ", ")
}
