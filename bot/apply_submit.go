package bot

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"vmeste/storage"
)

// Sending the application (storage.Register) or saving a section changed
// (storage.UpdateApplication). Storage decides, in one transaction, that
// the application fits the form as it is at that moment, the quota and
// the team's size; the bot says what it decided only after the commit. A
// part that no longer fits (the coordinator changed the form meanwhile)
// is asked again with what is wrong; a refusal that nothing typed can
// mend ends the wizard with a clear answer.

// cbApplySend sends the application as read back, or saves the section
// changed: apf:<event id>.
func (b *Bot) cbApplySend(ctx context.Context, r *Request, args []string) error {
	s, ok, err := b.applyButton(ctx, r, args, stepApplyConfirm)
	if !ok {
		return err
	}
	if err := b.answer(ctx, r, "", false); err != nil {
		return err
	}
	// The read-back stays, without its buttons: what was sent.
	if err := b.reply(ctx, r, b.applicationReadback(r, s), keyboard{}); err != nil {
		return err
	}
	if s.d.Section != "" {
		return b.saveApplicationEdit(ctx, r, s)
	}
	return b.submitApplication(ctx, r, s)
}

// submitApplication signs the teacher up with the application.
func (b *Bot) submitApplication(ctx context.Context, r *Request, s applyState) error {
	app := s.d.App
	app.ChangedAt = time.Time{}
	app.Answers = formAnswers(s.e, app.Answers)
	su := storage.SignUp{EventID: s.e.ID, UserID: r.User.ID, TeamSize: s.d.TeamSize, TeamName: s.d.TeamName, Application: &app}
	if s.e.Unit == storage.UnitTeam && s.e.Form.Pupils {
		su.TeamSize = len(app.Pupils)
	}
	reg, err := b.store.Register(ctx, su, b.cfg.Now())
	if step, note, ok := applicationFix(r, s.e, err); ok {
		return b.reaskApply(ctx, r, s, step, note)
	}
	switch spec := s.e.Form.Works; {
	case errors.Is(err, storage.ErrWorksClosed): // closed while the teacher was reading it back
		s.d.App.Works = nil
		note := r.P.T("apply_works_closed_now", "Date", localesHTML(r.P.DateYear(worksUntil(s.e).In(b.cfg.Location))))
		return b.reaskApply(ctx, r, s, stepApplyConfirm, note)
	case errors.Is(err, storage.ErrWorksFull) && spec != nil: // the coordinator lowered the limit
		s.d.App.Works = s.d.App.Works[:min(len(s.d.App.Works), spec.MaxFiles)]
		return b.reaskApply(ctx, r, s, stepApplyConfirm, r.P.T("apply_works_trimmed", "Max", spec.MaxFiles))
	}
	return b.signedUp(ctx, r, su, reg, err, false, s.d.Card)
}

// saveApplicationEdit stores the application changed and shows it as it
// is now.
func (b *Bot) saveApplicationEdit(ctx context.Context, r *Request, s applyState) error {
	// The draft holds the whole application as it was stored when the
	// change began, with the section changed (and any other a refusal sent
	// the teacher to); only this wizard changes it meanwhile (one at a
	// time), and the works are kept as stored.
	app := s.d.App
	app.Works = nil
	app.Answers = formAnswers(s.e, app.Answers)
	reg, err := b.store.UpdateApplication(ctx, s.e.ID, r.User.ID, app, b.cfg.Now())
	if step, note, ok := applicationFix(r, s.e, err); ok {
		return b.reaskApply(ctx, r, s, step, note)
	}
	switch {
	case errors.Is(err, storage.ErrSignUpClosed):
		return b.endApply(ctx, r, b.editClosedText(r, s.e))
	case errors.Is(err, storage.ErrNotRegistered):
		return b.endApply(ctx, r, r.P.T("signup_not_registered"))
	case storage.IsNotFound(err):
		return b.endApply(ctx, r, r.P.T("event_gone"))
	case err != nil:
		return err
	}
	if err := b.store.ClearConversation(ctx, r.User.ID); err != nil {
		return err
	}
	text, kb := b.applicationView(r, s.e, reg, r.P.T("apply_saved", "Title", s.e.Title))
	_, err = b.send(ctx, r.ChatID, text, kb)
	return err
}

// endApply ends the wizard and says why.
func (b *Bot) endApply(ctx context.Context, r *Request, text string) error {
	if err := b.store.ClearConversation(ctx, r.User.ID); err != nil {
		return err
	}
	_, err := b.send(ctx, r.ChatID, text, nil)
	return err
}

// editClosedText says until when the application could be changed.
func (b *Bot) editClosedText(r *Request, e storage.Event) string {
	return r.P.T("apply_edit_closed", "Date", localesHTML(r.P.DateYear(e.SignUpClosesAt().In(b.cfg.Location))))
}

// applicationFix reads a refusal that the teacher can mend: a part of
// the application that does not fit the form as stored now, or more
// pupils than the team takes. It returns the step to ask again and what
// to say; ok is false for any other error (or none).
func applicationFix(r *Request, e storage.Event, err error) (step, note string, ok bool) {
	p := r.P
	var bad *storage.ApplicationError
	switch {
	case errors.As(err, &bad):
		switch bad.Field {
		case "pupil":
			return stepApplyPupils, p.T("apply_fix_pupil", "N", bad.Index+1), true
		case "parents_consent":
			return stepApplyConsent, p.T("apply_fix_consent"), true
		case "phone":
			return stepApplyPhone, p.T("apply_fix_phone"), true
		case "answer":
			text := ""
			if q, found := e.Form.Question(bad.Index); found {
				text = q.Text
			}
			return questionStep(bad.Index), p.T("apply_fix_answer", "Question", truncateRunes(text, 60)), true
		}
		return stepApplyPupils, p.T("apply_fix_pupils", "Max", e.TeamLimit()), true
	case errors.Is(err, storage.ErrTeamTooLarge) && e.Unit == storage.UnitTeam && e.Form.Pupils:
		return stepApplyPupils, p.T("apply_fix_pupils", "Max", e.TeamLimit()), true
	}
	return "", "", false
}

// reaskApply asks step again (the first step, if the form has it no
// more), note above it. A change of a submitted application moves to the
// section the step is in.
func (b *Bot) reaskApply(ctx context.Context, r *Request, s applyState, step, note string) error {
	if s.d.Section != "" {
		s.d.Section = stepSection(step)
	}
	if steps := applySteps(s.e, s.d, b.cfg.Now()); !slices.Contains(steps, step) {
		step = steps[0]
	}
	if err := b.saveApply(ctx, r, &s, step); err != nil {
		return err
	}
	return b.askApply(ctx, r, s, note, false)
}

// formAnswers are the answers to questions e's form still asks (an
// answer to a question the coordinator took away since is dropped).
func formAnswers(e storage.Event, answers []storage.Answer) []storage.Answer {
	var out []storage.Answer
	for _, a := range answers {
		if _, ok := e.Form.Question(a.QuestionID); ok {
			out = append(out, a)
		}
	}
	return out
}

// stepSection is the section of a submitted application a step changes.
func stepSection(step string) string {
	switch {
	case step == stepApplyPhone:
		return sectionPhone
	case strings.HasPrefix(step, stepApplyQuestion):
		return sectionAnswers
	}
	return sectionPupils
}
