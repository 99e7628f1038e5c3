package bot

import (
	"context"
	"errors"

	"vmeste/storage"
)

// The way out of every wizard's prompt. Each question a wizard asks
// carries «Отмена» and, where there is a step before it, «« Назад» as
// buttons (navRow). Отмена ends the wizard the way /cancel does: what the
// flow keeps on leaving is kept (a new event's draft is parked in
// /drafts), the rest is discarded. Назад asks the step before again
// (flow.back). Both buttons name the flow and step they were drawn for, so
// a button under an old question does nothing but say it is out of date.

// navRow is the row of a prompt's way out: «« Назад» (when back) and
// «Отмена» for the wizard flowName at step.
func navRow(p localesPrinter, flowName, step string, back bool) []modelsButton {
	var row []modelsButton
	if back {
		row = append(row, button(p.T("btn_back"), cb(cbWizardBack, flowName, step)))
	}
	return append(row, button(p.T("btn_cancel"), cb(cbWizardCancel, flowName)))
}

// withNav is kb with the navigation row below it.
func withNav(kb keyboard, p localesPrinter, flowName, step string, back bool) keyboard {
	return append(kb, navRow(p, flowName, step, back))
}

// endWizard ends the wizard in progress as /cancel does and returns what
// to tell the user: a flow that keeps something on leaving (leave) keeps
// it and says so; anything else is cleared.
func (b *Bot) endWizard(ctx context.Context, r *Request, c storage.Conversation) (string, error) {
	if f, ok := b.flows[c.Flow]; ok && f.leave != nil {
		note, err := f.leave(ctx, r, c)
		if err != nil || note != "" {
			return note, err
		}
	}
	if err := b.store.ClearConversation(ctx, r.User.ID); err != nil {
		return "", err
	}
	if !r.User.Registered {
		return r.P.T("cancel_done_unregistered"), nil
	}
	return r.P.T("cancel_done"), nil
}

// navWizard returns the wizard in progress if it is flowName (and, when
// step is not "", at step); ok is false for a button of an old question.
func (b *Bot) navWizard(ctx context.Context, r *Request, flowName, step string) (storage.Conversation, flow, bool, error) {
	c, f, ok, err := b.wizardInProgress(ctx, r)
	if err != nil || !ok || c.Flow != flowName || (step != "" && c.Step != step) {
		return c, f, false, err
	}
	return c, f, true, nil
}

// cbWizardCancel leaves the wizard in progress: wx:<flow>. The question
// becomes what was kept ("Отменено", or where the draft went).
func (b *Bot) cbWizardCancel(ctx context.Context, r *Request, args []string) error {
	if len(args) != 1 {
		return b.stale(ctx, r)
	}
	c, _, ok, err := b.navWizard(ctx, r, args[0], "")
	if err != nil || !ok {
		return errors.Join(err, b.staleQuestion(ctx, r))
	}
	note, err := b.endWizard(ctx, r, c)
	if err != nil {
		return err
	}
	if err := b.answer(ctx, r, "", false); err != nil {
		return err
	}
	return b.reply(ctx, r, note, keyboard{})
}

// cbWizardBack asks the step before again: wb:<flow>:<step>, the step the
// pressed question belongs to.
func (b *Bot) cbWizardBack(ctx context.Context, r *Request, args []string) error {
	if len(args) != 2 {
		return b.stale(ctx, r)
	}
	c, f, ok, err := b.navWizard(ctx, r, args[0], args[1])
	if err != nil || !ok || f.back == nil {
		return errors.Join(err, b.staleQuestion(ctx, r))
	}
	if err := b.answer(ctx, r, "", false); err != nil {
		return err
	}
	return f.back(ctx, r, c)
}

// cbWizardResume shows the wizard in progress at its step (a button in
// /my for a sign-up left half-way): wr:<flow>.
func (b *Bot) cbWizardResume(ctx context.Context, r *Request, args []string) error {
	if len(args) != 1 {
		return b.stale(ctx, r)
	}
	c, f, ok, err := b.navWizard(ctx, r, args[0], "")
	if err != nil || !ok || f.resume == nil {
		return errors.Join(err, b.staleQuestion(ctx, r))
	}
	if err := b.answer(ctx, r, "", false); err != nil {
		return err
	}
	return f.resume(ctx, r, c)
}
