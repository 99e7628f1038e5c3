package bot

import (
	"context"
	"errors"
	"strconv"

	"vmeste/storage"
)

// The application wizard's buttons. Each carries the event and acts only
// at the step it was drawn for: a button of an old question, or of an
// application already sent, is answered as out of date and changes
// nothing.

// applyButton loads the application wizard a button of step belongs to
// (its event id is args[0]). When ok is false the user has been told and
// the caller returns err.
func (b *Bot) applyButton(ctx context.Context, r *Request, args []string, step string) (applyState, bool, error) {
	id, valid := argID(args, 0)
	if !valid || step == "" {
		return applyState{}, false, b.stale(ctx, r)
	}
	c, _, ok, err := b.navWizard(ctx, r, flowApply, step)
	if err != nil || !ok {
		return applyState{}, false, errors.Join(err, b.stale(ctx, r))
	}
	s, ok, err := b.loadApply(ctx, r, c)
	if !ok {
		return s, false, errors.Join(err, b.answer(ctx, r, "", false))
	}
	if s.d.EventID != id {
		return s, false, b.stale(ctx, r)
	}
	return s, true, nil
}

// cbApplyConsent: the school holds the parents' consent: apc:<event id>.
func (b *Bot) cbApplyConsent(ctx context.Context, r *Request, args []string) error {
	s, ok, err := b.applyButton(ctx, r, args, stepApplyConsent)
	if !ok {
		return err
	}
	return b.applyConsent(ctx, r, s)
}

// cbApplyPending takes the pupils read from a list with lines not read:
// apl:<event id>.
func (b *Bot) cbApplyPending(ctx context.Context, r *Request, args []string) error {
	s, ok, err := b.applyButton(ctx, r, args, stepApplyPupils)
	if !ok {
		return err
	}
	if len(s.d.Pending) == 0 {
		return b.stale(ctx, r)
	}
	s.d.App.Pupils = s.d.Pending
	return b.advanceApply(ctx, r, s, pupilsReadback(r.P, s.d.App.Pupils))
}

// cbApplySize: the team's size: apz:<event id>:<n>.
func (b *Bot) cbApplySize(ctx context.Context, r *Request, args []string) error {
	s, ok, err := b.applyButton(ctx, r, args, stepApplySize)
	if !ok {
		return err
	}
	n, valid := argIndex(args, 1, s.e.MaxTeam+1)
	if !valid || n < 1 {
		return b.stale(ctx, r)
	}
	s.d.TeamSize = n
	return b.advanceApply(ctx, r, s, r.P.T("signup_team_size_chosen", "N", n))
}

// cbApplyOption: a choice's option or yes/no: apo:<event id>:<question
// id>:<option index> (yes/no: 0 yes, 1 no).
func (b *Bot) cbApplyOption(ctx context.Context, r *Request, args []string) error {
	if len(args) != 3 {
		return b.stale(ctx, r)
	}
	id, err := strconv.Atoi(args[1])
	if err != nil {
		return b.stale(ctx, r)
	}
	s, ok, err := b.applyButton(ctx, r, args, questionStep(id))
	if !ok {
		return err
	}
	q, found := s.e.Form.Question(id)
	if !found {
		return b.stale(ctx, r)
	}
	return b.applyAnswer(ctx, r, s, q, args[2])
}

// cbApplySkip skips an optional step: apk:<event id>:<step>. The team
// has no name, the phone or a question is not answered (an answer given
// before is taken away), the works will come later.
func (b *Bot) cbApplySkip(ctx context.Context, r *Request, args []string) error {
	if len(args) != 2 {
		return b.stale(ctx, r)
	}
	s, ok, err := b.applyButton(ctx, r, args, args[1])
	if !ok {
		return err
	}
	p := r.P
	switch step := args[1]; step {
	case stepApplyName:
		s.d.TeamName = ""
		return b.advanceApply(ctx, r, s, p.T("signup_team_no_name"))
	case stepApplyPhone:
		if s.e.Form.Phone == storage.NeedRequired {
			return b.stale(ctx, r)
		}
		s.d.App.Phone = ""
		return b.leavePhone(ctx, r, s, p.T("apply_phone_skipped"))
	case stepApplyWorks:
		if !worksOpen(s.e, b.cfg.Now()) { // closed, or taken out of the form, meanwhile
			s.d.App.Works = nil
			if err := b.answer(ctx, r, "", false); err != nil {
				return err
			}
			return b.reaskApply(ctx, r, s, stepApplyConfirm, b.worksClosedText(r, s.e))
		}
		ack := p.T("apply_works_later")
		if n := len(s.d.App.Works); n > 0 {
			ack = p.N("apply_works_held", n, "Max", s.e.Form.Works.MaxFiles)
		}
		return b.advanceApply(ctx, r, s, ack)
	default:
		q, found := stepQuestion(s.e, step)
		if !found || q.Required {
			return b.stale(ctx, r)
		}
		s.d.App.Answers = setAnswer(s.d.App.Answers, q.ID, "")
		return b.advanceApply(ctx, r, s, p.T("apply_question_skipped", "Question", truncateRunes(q.Text, 60)))
	}
}

// cbApplyKeep keeps the answer a step already holds (a section being
// changed, or a step gone back to): apv:<event id>:<step>.
func (b *Bot) cbApplyKeep(ctx context.Context, r *Request, args []string) error {
	if len(args) != 2 {
		return b.stale(ctx, r)
	}
	s, ok, err := b.applyButton(ctx, r, args, args[1])
	if !ok {
		return err
	}
	p := r.P
	switch step := args[1]; step {
	case stepApplyPupils:
		if len(s.d.App.Pupils) == 0 {
			return b.stale(ctx, r)
		}
		return b.advanceApply(ctx, r, s, pupilsReadback(p, s.d.App.Pupils))
	case stepApplyName:
		return b.advanceApply(ctx, r, s, p.T("apply_name_taken", "Name", s.d.TeamName))
	case stepApplyPhone:
		if s.d.App.Phone == "" {
			return b.stale(ctx, r)
		}
		return b.leavePhone(ctx, r, s, p.T("apply_phone_taken", "Phone", s.d.App.Phone))
	}
	q, found := stepQuestion(s.e, args[1])
	if !found {
		return b.stale(ctx, r)
	}
	a, answered := s.d.App.Answer(q.ID)
	if !answered {
		return b.stale(ctx, r)
	}
	return b.advanceApply(ctx, r, s, answerLine(p, "apply_answered", q, 60, answerText(p, q, a)))
}

// leavePhone ends the phone step by a button: the question loses its
// buttons, ack goes in a message that takes the reply keyboard away, and
// the next step is asked.
func (b *Bot) leavePhone(ctx context.Context, r *Request, s applyState, ack string) error {
	if err := b.answer(ctx, r, "", false); err != nil {
		return err
	}
	if err := b.reply(ctx, r, b.phoneQuestion(r, s), keyboard{}); err != nil {
		return err
	}
	if err := b.sendRemovingKeyboard(ctx, r.ChatID, ack); err != nil {
		return err
	}
	return b.advanceApply(ctx, r, s, "")
}

// cbApplyAddPupils adds the pupils typed at the name step to the list and
// asks the name again: apa:<event id>.
func (b *Bot) cbApplyAddPupils(ctx context.Context, r *Request, args []string) error {
	s, ok, err := b.applyButton(ctx, r, args, stepApplyName)
	if !ok {
		return err
	}
	if len(s.d.Pending) <= len(s.d.App.Pupils) {
		return b.stale(ctx, r)
	}
	s.d.App.Pupils, s.d.Pending, s.d.MaybeName = s.d.Pending, nil, ""
	if err := b.saveApply(ctx, r, &s, stepApplyName); err != nil {
		return err
	}
	if err := b.answer(ctx, r, "", false); err != nil {
		return err
	}
	return b.askApply(ctx, r, s, pupilsReadback(r.P, s.d.App.Pupils), true)
}

// cbApplyIsName takes the text typed at the name step, which read as
// pupils too, as the team's name: apn:<event id>.
func (b *Bot) cbApplyIsName(ctx context.Context, r *Request, args []string) error {
	s, ok, err := b.applyButton(ctx, r, args, stepApplyName)
	if !ok {
		return err
	}
	if s.d.MaybeName == "" {
		return b.stale(ctx, r)
	}
	s.d.TeamName = s.d.MaybeName
	return b.advanceApply(ctx, r, s, r.P.T("apply_name_taken", "Name", s.d.TeamName))
}
