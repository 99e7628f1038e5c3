package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"vmeste/storage"
)

// One wizard at a time, explicitly. A user has at most one wizard in
// progress (storage.Conversation). A command or button that begins a
// wizard (listed in wizardStarts, routes.go) while another one is in
// progress does not run: the router holds it in the conversation and asks
// whether to continue the old wizard (shown again at its step) or to leave
// it and go on with the new request. Leaving a new event's draft parks it
// (offered again in /drafts); every other wizard is discarded. This is the
// only place that decides it: no flow checks for another one itself.

// startsWizard reports whether a button begins a wizard with these args
// (nil in wizardStarts: it always does).
type startsWizard func(ctx context.Context, r *Request, args []string) bool

// wizardKey is a command's key in wizardStarts ("/newevent"); buttons are
// keyed by their prefix.
func wizardKey(command string) string { return "/" + command }

// offerWizardBack runs before a command or button that may begin a wizard.
// When another wizard is in progress it holds the request (the command
// line, or the callback data) and asks what to do; asked is true then, and
// the request must not run now. A wizard the user may no longer run, or one
// left untouched past its time, counts as none.
func (b *Bot) offerWizardBack(ctx context.Context, r *Request, key, request string, args []string) (asked bool, err error) {
	starts, ok := b.wizardStarts[key]
	if !ok || !r.Private() || (starts != nil && !starts(ctx, r, args)) {
		return false, nil
	}
	c, f, ok, err := b.wizardInProgress(ctx, r)
	if err != nil || !ok || f.replaceable {
		return false, err
	}
	c.Interrupted, c.InterruptedBy = request, r.Update.ID
	if err := b.store.PutConversation(ctx, r.User.ID, c); err != nil {
		return true, err
	}
	leave := "btn_wizard_leave"
	if f.leave != nil {
		leave = "btn_wizard_leave_keep"
	}
	_, err = b.send(ctx, r.ChatID, r.P.T("wizard_busy", "What", localesHTML(b.wizardWhat(r, c))), keyboard{
		{button(r.P.T("btn_wizard_continue"), cb(cbWizardContinue, r.Update.ID))},
		{button(r.P.T(leave), cb(cbWizardLeave, r.Update.ID))},
	})
	return true, err
}

// wizardInProgress returns the user's wizard and its flow; ok is false
// when there is none that still counts.
func (b *Bot) wizardInProgress(ctx context.Context, r *Request) (storage.Conversation, flow, bool, error) {
	c, err := b.store.Conversation(ctx, r.User.ID)
	if storage.IsNotFound(err) {
		return c, flow{}, false, nil
	}
	if err != nil {
		return c, flow{}, false, fmt.Errorf("bot: wizard in progress: %w", err)
	}
	f, ok := b.flows[c.Flow]
	if !ok || b.flowLapsed(r, c, f) {
		return c, f, false, nil
	}
	return c, f, true, nil
}

// flowLapsed reports whether a wizard has ended by itself: the user lost
// the role it needs, or left it untouched longer than its time.
func (b *Bot) flowLapsed(r *Request, c storage.Conversation, f flow) bool {
	return r.Role() < f.role || (f.ttl > 0 && b.cfg.Now().Sub(c.UpdatedAt) > f.ttl)
}

// wizardWhat names a wizard in progress for the question (HTML).
func (b *Bot) wizardWhat(r *Request, c storage.Conversation) string {
	if f, ok := b.flows[c.Flow]; ok && f.describe != nil {
		if what := f.describe(r, c); what != "" {
			return what
		}
	}
	return r.P.T("wizard_flow_" + c.Flow)
}

// heldWizard returns the wizard whose question a button belongs to
// (wc:<update id>, wl:<update id>); ok is false for an old question.
func (b *Bot) heldWizard(ctx context.Context, r *Request, args []string) (storage.Conversation, flow, bool, error) {
	id, valid := argID(args, 0)
	if !valid || len(args) != 1 {
		return storage.Conversation{}, flow{}, false, nil
	}
	c, f, ok, err := b.wizardInProgress(ctx, r)
	if err != nil || !ok || c.Interrupted == "" || c.InterruptedBy != id {
		return c, f, false, err
	}
	return c, f, true, nil
}

// cbWizardContinue goes back to the wizard in progress, at its step; the
// held request is dropped: wc:<update id>.
func (b *Bot) cbWizardContinue(ctx context.Context, r *Request, args []string) error {
	c, f, ok, err := b.heldWizard(ctx, r, args)
	if err != nil || !ok {
		return errors.Join(err, b.staleQuestion(ctx, r))
	}
	c.Interrupted, c.InterruptedBy = "", 0
	if err := b.store.PutConversation(ctx, r.User.ID, c); err != nil {
		return err
	}
	if err := b.reply(ctx, r, r.P.T("wizard_continuing", "What", localesHTML(b.wizardWhat(r, c))), keyboard{}); err != nil {
		return err
	}
	return f.resume(ctx, r, c)
}

// cbWizardLeave leaves the wizard in progress (a new event's draft is
// parked, anything else discarded) and runs the held request:
// wl:<update id>.
func (b *Bot) cbWizardLeave(ctx context.Context, r *Request, args []string) error {
	c, f, ok, err := b.heldWizard(ctx, r, args)
	if err != nil || !ok {
		return errors.Join(err, b.staleQuestion(ctx, r))
	}
	note := ""
	if f.leave != nil {
		if note, err = f.leave(ctx, r, c); err != nil {
			return err
		}
	}
	if note == "" {
		if err := b.store.ClearConversation(ctx, r.User.ID); err != nil {
			return err
		}
		note = r.P.T("wizard_left", "What", localesHTML(b.wizardWhat(r, c)))
	}
	if err := b.reply(ctx, r, note, keyboard{}); err != nil {
		return err
	}
	return b.replay(ctx, r, c.Interrupted)
}

// staleQuestion answers a button of a question that no longer applies.
func (b *Bot) staleQuestion(ctx context.Context, r *Request) error {
	if err := b.stale(ctx, r); err != nil {
		return err
	}
	return b.reply(ctx, r, r.P.T("wizard_question_stale"), keyboard{})
}

// replay runs a held request as if it came now, through the router (its
// role is checked again): a command line, or a button's callback data.
func (b *Bot) replay(ctx context.Context, r *Request, request string) error {
	if line, ok := strings.CutPrefix(request, "/"); ok {
		name, args, _ := strings.Cut(line, " ")
		return b.routeCommand(ctx, r, name, strings.TrimSpace(args))
	}
	r.Update.CallbackQuery.Data = request
	return b.routeCallback(ctx, r)
}

// cbParkedResume makes a parked wizard (a new event's draft left for
// another flow) the current one again and shows it at its step:
// dr:<seq>. The router has offered back any wizard in progress first.
func (b *Bot) cbParkedResume(ctx context.Context, r *Request, args []string) error {
	seq, ok := argID(args, 0)
	if !ok {
		return b.stale(ctx, r)
	}
	c, err := b.store.UnparkConversation(ctx, r.User.ID, seq)
	if storage.IsNotFound(err) {
		return b.stale(ctx, r)
	}
	if err != nil {
		return err
	}
	f, ok := b.flows[c.Flow]
	if !ok || f.resume == nil {
		return b.stale(ctx, r)
	}
	if err := b.answer(ctx, r, "", false); err != nil {
		return err
	}
	return f.resume(ctx, r, c)
}

// sendParkedDrafts lists the user's parked event drafts, each with a
// button to continue it; sent is false when there are none.
func (b *Bot) sendParkedDrafts(ctx context.Context, r *Request) (sent bool, err error) {
	list, err := b.store.ParkedConversations(ctx, r.User.ID)
	if err != nil || len(list) == 0 {
		return false, err
	}
	lines := []string{r.P.N("parked_title", len(list))}
	var kb keyboard
	for i, p := range list {
		what := b.wizardWhat(r, p.Conversation)
		lines = append(lines, r.P.T("parked_line", "N", i+1, "What", localesHTML(what)))
		if len(kb) < 30 {
			kb = append(kb, []modelsButton{button(r.P.T("btn_parked_resume", "N", i+1), cb(cbParkedResume, p.Seq))})
		}
	}
	_, err = b.send(ctx, r.ChatID, r.P.FitLines(lines, 0), kb)
	return err == nil, err
}
