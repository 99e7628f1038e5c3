package bot

import (
	"context"
	"strings"

	"vmeste/storage"
)

// A submitted application as its teacher sees it (in /my, on the card's
// «✏️ Изменить заявку», after a change) and the way to change it, one
// section at a time, until sign-up closes. Only the teacher who sent it
// sees it here; the coordinators see applications in their own lists.

// signedUpNow reports whether reg holds a seat or a place in line.
func signedUpNow(reg storage.Registration) bool {
	return reg.State == storage.RegConfirmed || reg.State == storage.RegWaitlist
}

// teacherApplicationLines render an application (HTML): the team's name (and
// size, when the form lists no pupils), the pupils, the phone, the answers and the number of works, as the event's
// form asks them. full: every pupil and every question, one a line;
// otherwise the pupils' names in one line and only the questions
// answered.
func (b *Bot) teacherApplicationLines(p localesPrinter, e storage.Event, teamName string, teamSize int, app storage.Application, full bool) []string {
	var lines []string
	f := e.Form
	team := e.Unit == storage.UnitTeam
	if team && full {
		var name any = localesHTML(p.T("signup_team_name_none"))
		if teamName != "" {
			name = teamName // typed: escaped by T
		}
		lines = append(lines, p.T("apply_line_team", "Name", name))
		if !f.Pupils {
			lines = append(lines, p.T("signup_team_size_chosen", "N", teamSize))
		}
	}
	if team && f.Pupils {
		switch {
		case len(app.Pupils) == 0:
			lines = append(lines, p.T("apply_line_no_pupils"))
		case full:
			lines = append(lines, pupilsReadback(p, app.Pupils))
		default:
			names := make([]string, len(app.Pupils))
			for i, x := range app.Pupils {
				names[i] = x.Name + " (" + x.Class + ")"
			}
			lines = append(lines, p.N("apply_line_pupils", len(app.Pupils), "Names", truncateRunes(strings.Join(names, ", "), 300)))
		}
	}
	if f.Phone != storage.NeedNone {
		var phone any = localesHTML(p.T("apply_phone_none"))
		if app.Phone != "" {
			phone = app.Phone
		}
		lines = append(lines, p.T("apply_line_phone", "Phone", phone))
	}
	for _, q := range f.Questions {
		a, ok := app.Answer(q.ID)
		switch {
		case ok:
			lines = append(lines, answerLine(p, "apply_line_answer", q, 80, answerText(p, q, truncateRunes(a, 300))))
		case full:
			lines = append(lines, answerLine(p, "apply_line_answer", q, 80, p.T("apply_no_answer")))
		}
	}
	if f.Works != nil {
		lines = append(lines, p.N("apply_line_works", len(app.Works), "Max", f.Works.MaxFiles))
	}
	return lines
}

// applicationReadback is the wizard's application read back whole, under
// the event's title.
func (b *Bot) applicationReadback(r *Request, s applyState) string {
	lines := append([]string{r.P.T("apply_readback_title", "Title", s.e.Title)}, b.teacherApplicationLines(r.P, s.e, s.d.TeamName, s.d.TeamSize, s.d.App, true)...)
	return r.P.FitLines(lines, 0)
}

// editableApplication reports whether the teacher may still change the
// application of reg: an active sign-up of a published event before
// sign-up closes.
func (b *Bot) editableApplication(e storage.Event, reg storage.Registration) bool {
	return reg.Application != nil && signedUpNow(reg) && e.Status == storage.EventPublished && b.cfg.Now().Before(e.SignUpClosesAt())
}

// applicationView is a submitted application, whole, note above it, with
// a button per section the teacher may change and the works' button,
// while sign-up is open (the date it closes is said either way).
func (b *Bot) applicationView(r *Request, e storage.Event, reg storage.Registration, note string) (string, keyboard) {
	p := r.P
	var app storage.Application
	if reg.Application != nil {
		app = *reg.Application
	}
	var lines []string
	if note != "" {
		lines = append(lines, note, "")
	}
	lines = append(lines, p.T("apply_view_title", "Title", e.Title))
	lines = append(lines, b.teacherApplicationLines(p, e, reg.TeamName, reg.TeamSize, app, true)...)
	kb := keyboard{}
	closes := localesHTML(p.DateYear(e.SignUpClosesAt().In(b.cfg.Location)))
	if !b.editableApplication(e, reg) {
		lines = append(lines, "", p.T("apply_view_closed", "Date", closes))
		return p.FitLines(lines, 2), kb
	}
	lines = append(lines, "", p.T("apply_view_until", "Date", closes))
	if e.Unit == storage.UnitTeam && e.Form.Pupils {
		kb = append(kb, []modelsButton{button(p.T("btn_apply_edit_pupils"), cb(cbApplySection, e.ID, sectionPupils))})
	}
	if e.Form.Phone != storage.NeedNone {
		kb = append(kb, []modelsButton{button(p.T("btn_apply_edit_phone"), cb(cbApplySection, e.ID, sectionPhone))})
	}
	if len(e.Form.Questions) > 0 {
		kb = append(kb, []modelsButton{button(p.T("btn_apply_edit_answers"), cb(cbApplySection, e.ID, sectionAnswers))})
	}
	if worksOpen(e, b.cfg.Now()) {
		kb = append(kb, []modelsButton{button(p.T("btn_apply_works"), cb(cbWorks, e.ID))})
	}
	return p.FitLines(lines, 2), kb
}

// teacherApplication loads the event and the teacher's active sign-up
// with an application that a button (event id in args[0]) is about.
// When ok is false the user has been told and the caller returns err.
func (b *Bot) teacherApplication(ctx context.Context, r *Request, args []string) (storage.Event, storage.Registration, bool, error) {
	e, ok, err := b.buttonEvent(ctx, r, args)
	if !ok {
		return e, storage.Registration{}, false, err
	}
	reg, err := b.store.Registration(ctx, e.ID, r.User.ID)
	if err != nil && !storage.IsNotFound(err) {
		return e, reg, false, err
	}
	if err != nil || !signedUpNow(reg) || reg.Application == nil {
		return e, reg, false, b.answer(ctx, r, r.P.T("signup_not_registered"), true)
	}
	return e, reg, true, nil
}

// cbApplyEdit shows the teacher's application with a button per section
// to change: ape:<event id>. After sign-up closes it is refused with the
// date it closed.
func (b *Bot) cbApplyEdit(ctx context.Context, r *Request, args []string) error {
	e, reg, ok, err := b.teacherApplication(ctx, r, args)
	if !ok {
		return err
	}
	if !b.editableApplication(e, reg) {
		return b.answer(ctx, r, stripTags(b.editClosedText(r, e)), true)
	}
	if err := b.answer(ctx, r, "", false); err != nil {
		return err
	}
	text, kb := b.applicationView(r, e, reg, "")
	_, err = b.send(ctx, r.ChatID, text, kb)
	return err
}

// cbApplySection begins changing one section of the teacher's
// application, prefilled: aps:<event id>:<p|t|q>.
func (b *Bot) cbApplySection(ctx context.Context, r *Request, args []string) error {
	e, reg, ok, err := b.teacherApplication(ctx, r, args)
	if !ok {
		return err
	}
	if !b.editableApplication(e, reg) {
		return b.answer(ctx, r, stripTags(b.editClosedText(r, e)), true)
	}
	section := ""
	if len(args) == 2 {
		section = args[1]
	}
	switch {
	case section == sectionPupils && e.Unit == storage.UnitTeam && e.Form.Pupils:
	case section == sectionPhone && e.Form.Phone != storage.NeedNone:
	case section == sectionAnswers && len(e.Form.Questions) > 0:
	default:
		return b.stale(ctx, r)
	}
	s := applyState{e: e, d: applyDraft{EventID: e.ID, Title: e.Title, Section: section, App: *reg.Application, TeamName: reg.TeamName}}
	s.d.App.Works = nil // kept as stored: AddWork and RemoveWork change them
	if err := b.saveApply(ctx, r, &s, applySteps(e, s.d, b.cfg.Now())[0]); err != nil {
		return err
	}
	if err := b.answer(ctx, r, "", false); err != nil {
		return err
	}
	return b.askApply(ctx, r, s, r.P.T("apply_edit_begin", "Title", e.Title), false)
}

// myApplicationLines are /my's lines about a sign-up's application (none
// when it has none, or its event is cancelled).
func (b *Bot) myApplicationLines(p localesPrinter, m storage.MyRegistration) []string {
	if m.Application == nil || m.Event.Status == storage.EventCancelled {
		return nil
	}
	return b.teacherApplicationLines(p, m.Event, m.TeamName, m.TeamSize, *m.Application, false)
}

// myApplicationRow is /my's row of buttons for a sign-up's application
// while it may be changed: «✏️ Изменить заявку» and «📎 Мои работы» (numbered
// when /my lists more than one sign-up).
func (b *Bot) myApplicationRow(p localesPrinter, m storage.MyRegistration, n, of int) []modelsButton {
	if !b.editableApplication(m.Event, m.Registration) {
		return nil
	}
	edit, works := p.T("btn_apply_edit"), p.T("btn_apply_works")
	if of > 1 {
		edit, works = p.T("btn_apply_edit_n", "N", n), p.T("btn_apply_works_n", "N", n)
	}
	row := []modelsButton{button(edit, cb(cbApplyEdit, m.EventID))}
	if worksOpen(m.Event, b.cfg.Now()) {
		row = append(row, button(works, cb(cbWorks, m.EventID)))
	}
	return row
}
