package bot

import (
	"context"
	"encoding/json"
	"fmt"

	"vmeste/storage"
)

// What the one-wizard mechanism (wizard.go) needs from each flow: how to
// show it again at its step (resume), how to name it (describe, when the
// flow's locale key wizard_flow_<flow> is not enough) and what leaving it
// keeps (leave; nil: nothing, it is discarded).

// resumeEvent shows the event wizard at its step.
func (b *Bot) resumeEvent(ctx context.Context, r *Request, c storage.Conversation) error {
	var d eventDraft
	if err := json.Unmarshal(c.Data, &d); err != nil {
		return fmt.Errorf("bot: resume event draft: %w", err)
	}
	return b.goToStep(ctx, r, d, c.Step, true)
}

// describeEvent names a new event's draft or an edit by the title.
func (b *Bot) describeEvent(r *Request, c storage.Conversation) string {
	var d eventDraft
	if json.Unmarshal(c.Data, &d) != nil {
		return ""
	}
	switch {
	case d.EditingID != 0:
		return r.P.T("wizard_flow_event_edit", "Title", d.Event.Title)
	case d.Event.Title != "":
		return r.P.T("wizard_flow_event_titled", "Title", d.Event.Title)
	}
	return ""
}

// leaveEvent parks a new event's draft that has a title, for /drafts, and
// says so; an edit of a stored event, or a draft with nothing typed yet,
// is discarded ("" lets the mechanism clear it).
func (b *Bot) leaveEvent(ctx context.Context, r *Request, c storage.Conversation) (string, error) {
	var d eventDraft
	if json.Unmarshal(c.Data, &d) != nil || d.EditingID != 0 || d.Event.Title == "" {
		return "", nil
	}
	if _, err := b.store.ParkConversation(ctx, r.User.ID, c); err != nil {
		return "", err
	}
	return r.P.T("wizard_left_draft", "Title", d.Event.Title), nil
}

// resumeBroadcast asks the /broadcast wizard's question again. A message
// already previewed is asked for again: its Send button was above.
func (b *Bot) resumeBroadcast(ctx context.Context, r *Request, c storage.Conversation) error {
	var d broadcastDraft
	if err := json.Unmarshal(c.Data, &d); err != nil {
		return fmt.Errorf("bot: resume broadcast draft: %w", err)
	}
	switch c.Step {
	case stepBroadcastKinds:
		return b.showKindPicker(ctx, r, d)
	case stepBroadcastOrgs:
		return b.showBroadcastOrgPicker(ctx, r, d, 0)
	case stepBroadcastMessage, stepBroadcastConfirm:
		return b.askBroadcastMessage(ctx, r, d, true)
	}
	return b.cmdBroadcast(ctx, r, "")
}

// resumePerson asks the onboarding or profile question again.
func (b *Bot) resumePerson(ctx context.Context, r *Request, c storage.Conversation) error {
	return b.promptPersonStep(ctx, r, c)
}

// resumeOrgAdd asks the add-organisation question again.
func (b *Bot) resumeOrgAdd(ctx context.Context, r *Request, c storage.Conversation) error {
	text, kb := b.orgAddPrompt(r, c.Step)
	_, err := b.send(ctx, r.ChatID, text, kb)
	return err
}

// resumeOrgEdit asks for the organisation's field again.
func (b *Bot) resumeOrgEdit(ctx context.Context, r *Request, c storage.Conversation) error {
	_, err := b.send(ctx, r.ChatID, r.P.T("org_ask_"+c.Step), keyboard{navRow(r.P, flowOrgEdit, c.Step, false)})
	return err
}

// resumeOrgImport asks for the file again, or points at the buttons under
// what was read.
func (b *Bot) resumeOrgImport(ctx context.Context, r *Request, c storage.Conversation) error {
	return b.orgImportText(ctx, r, c, "")
}

// resumeSignup asks the team sign-up's question again.
func (b *Bot) resumeSignup(ctx context.Context, r *Request, c storage.Conversation) error {
	return b.askSignupStep(ctx, r, c, false)
}

// signupStarts: the sign-up button begins a wizard for a team event or an
// event whose form asks something (apply.go); an individual sign-up is
// one tap.
func (b *Bot) signupStarts(ctx context.Context, _ *Request, args []string) bool {
	id, ok := argID(args, 0)
	if !ok {
		return false
	}
	e, err := b.store.Event(ctx, id)
	return err == nil && (e.Unit == storage.UnitTeam || needsApplication(e, b.cfg.Now()))
}

// orgEditStarts: editing an organisation's kind is one tap; its other
// fields are typed.
func orgEditStarts(_ context.Context, _ *Request, args []string) bool {
	return len(args) == 2 && args[1] != "k"
}
