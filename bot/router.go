package bot

import (
	"context"
	"strings"
	"time"

	"vmeste/storage"
)

// command is a slash command, the role it needs and where it works.
type command struct {
	role role
	fn   func(ctx context.Context, r *Request, args string) error
	// inGroup: the command works in group chats (and only there).
	inGroup bool
}

// callback is a button's handler and the role it needs; args are the
// colon-separated fields after the prefix, not yet validated.
type callback struct {
	role role
	fn   func(ctx context.Context, r *Request, args []string) error
}

// flow is a wizard: what to do with a text or a file while the user is in
// it, the role it needs (checked at every step: a role revoked mid-wizard
// ends it) and how long an untouched wizard lasts (0: for ever). Its step
// is in storage.Conversation.
type flow struct {
	role       role
	ttl        time.Duration
	onText     func(ctx context.Context, r *Request, c storage.Conversation, text string) error
	onDocument func(ctx context.Context, r *Request, c storage.Conversation) error
	// onMessage, if set, takes any message (text, photo, document…).
	onMessage func(ctx context.Context, r *Request, c storage.Conversation) error
	// resume shows the wizard again at its step (the user chose to
	// continue it rather than start another: wizard.go).
	resume func(ctx context.Context, r *Request, c storage.Conversation) error
	// back, if set, asks the step before c.Step again, keeping the
	// answers given (the «« Назад» of a prompt: wizard_nav.go).
	back func(ctx context.Context, r *Request, c storage.Conversation) error
	// describe, if set, names the wizard in progress (HTML) when the locale
	// key wizard_flow_<flow> is not enough; "" falls back to the key.
	describe func(r *Request, c storage.Conversation) string
	// leave, if set, keeps what leaving the wizard for another would lose
	// and ends it, returning what it says to the user; "" means it kept
	// nothing and the wizard is simply discarded.
	leave func(ctx context.Context, r *Request, c storage.Conversation) (string, error)
	// replaceable: the flow holds nothing unsaved (the works flow stores
	// each file as it comes), so a wizard begun while it is in progress
	// takes its place without asking.
	replaceable bool
}

// route sends the update to its command, button or wizard.
func (b *Bot) route(ctx context.Context, r *Request) error {
	switch {
	case r.Update.CallbackQuery != nil:
		return b.routeCallback(ctx, r)
	case r.Update.Message != nil:
		return b.routeMessage(ctx, r)
	case r.Update.MyChatMember != nil:
		r.Handler = "my_chat_member"
		return b.onMembership(ctx, r)
	}
	r.Handler = "ignored"
	return nil
}

func (b *Bot) routeMessage(ctx context.Context, r *Request) error {
	m := r.Update.Message
	if m.MigrateToChatID != 0 {
		r.Handler = "migrate"
		return b.store.MigrateGroup(ctx, m.Chat.ID, m.MigrateToChatID)
	}
	if name, args, ok := parseCommand(m.Text, b.username); ok {
		return b.routeCommand(ctx, r, name, args)
	}
	if !r.Private() {
		r.Handler = "group_message"
		return nil // the bot does not talk over people in groups
	}
	c, err := b.store.Conversation(ctx, r.User.ID)
	if err != nil && !storage.IsNotFound(err) {
		return err
	}
	if err == nil {
		f, ok := b.flows[c.Flow]
		if ok && b.flowLapsed(r, c, f) {
			// A wizard the user may no longer run, or one left long ago:
			// end it, and treat the message as if there were none.
			if err := b.store.ClearConversation(ctx, r.User.ID); err != nil {
				return err
			}
			ok = false
		}
		if ok {
			r.Handler = "flow:" + c.Flow + ":" + c.Step
			if held, err := b.consentGate(ctx, r, c.Flow == flowOnboarding, ""); held || err != nil {
				return err
			}
			switch {
			case f.onMessage != nil:
				return f.onMessage(ctx, r, c)
			case m.Document != nil && f.onDocument != nil:
				return f.onDocument(ctx, r, c)
			case m.Text != "" && f.onText != nil:
				return f.onText(ctx, r, c, m.Text)
			}
			_, err := b.send(ctx, r.ChatID, r.P.T("flow_expects_text"), nil)
			return err
		}
	}
	if m.Document != nil && r.Role() >= roleCoordinator && isPlanFile(r, m.Document.FileName) {
		// The plan filled in days after /plan: read it all the same.
		r.Handler = "plan_direct"
		if held, err := b.consentGate(ctx, r, false, ""); held || err != nil {
			return err
		}
		return b.planDocument(ctx, r)
	}
	if m.Document != nil && r.Role() >= roleAdmin && isCSVName(m.Document.FileName) {
		r.Handler = "orgs_import_direct"
		return b.orgImportDocument(ctx, r, storage.Conversation{Flow: flowOrgImport, Step: stepImportFile})
	}
	switch {
	case m.Contact != nil:
		// The phone's reply keyboard left behind by an application
		// cancelled or gone back from: take it away.
		r.Handler = "contact_unexpected"
		return b.sendRemovingKeyboard(ctx, r.ChatID, r.P.T("apply_contact_not_expected"))
	case isWorkMessage(m) && r.Role() >= roleTeacher:
		r.Handler = "file_hint"
		_, err := b.send(ctx, r.ChatID, r.P.T("apply_works_how_to_send"), nil)
		return err
	}
	r.Handler = "hint"
	return b.sendHint(ctx, r, "hint_unknown")
}

func (b *Bot) routeCommand(ctx context.Context, r *Request, name, args string) error {
	cmd, ok := b.commands[name]
	if !ok {
		r.Handler = "unknown_command"
		return b.sendHint(ctx, r, "hint_unknown_command")
	}
	r.Handler = "/" + name
	if !r.Private() && !cmd.inGroup {
		_, err := b.send(ctx, r.ChatID, r.P.T("hint_private_only", "Bot", b.username), nil)
		return err
	}
	if r.Private() && cmd.inGroup {
		_, err := b.send(ctx, r.ChatID, r.P.T("hint_group_only"), nil)
		return err
	}
	if held, err := b.consentGate(ctx, r, b.consentFree[wizardKey(name)], strings.TrimSpace("/"+name+" "+args)); held || err != nil {
		return err
	}
	if r.Role() < cmd.role {
		return b.refuse(ctx, r, "command", name)
	}
	if asked, err := b.offerWizardBack(ctx, r, wizardKey(name), strings.TrimSpace("/"+name+" "+args), nil); asked || err != nil {
		return err
	}
	return cmd.fn(ctx, r, args)
}

func (b *Bot) routeCallback(ctx context.Context, r *Request) error {
	prefix, args := decodeCallback(r.Update.CallbackQuery.Data)
	cb, ok := b.callbacks[prefix]
	if !ok {
		r.Handler = "callback:unknown"
		b.log.Warn("unknown callback data", "user_id", r.From.ID, "data", r.Update.CallbackQuery.Data)
		return b.answer(ctx, r, r.P.T("callback_stale"), false)
	}
	r.Handler = "callback:" + prefix
	if held, err := b.consentGate(ctx, r, b.consentFree[prefix], r.Update.CallbackQuery.Data); held || err != nil {
		return err
	}
	if r.Role() < cb.role {
		return b.refuse(ctx, r, "callback", r.Update.CallbackQuery.Data)
	}
	if asked, err := b.offerWizardBack(ctx, r, prefix, r.Update.CallbackQuery.Data, args); asked || err != nil {
		return err
	}
	return cb.fn(ctx, r, args)
}

// refuse answers politely that the action is not the user's to take, and
// logs it: a teacher holding an admin's button data forged or kept it.
func (b *Bot) refuse(ctx context.Context, r *Request, what, detail string) error {
	b.log.Warn("refused: role too low", "user_id", r.From.ID, "what", what, "detail", detail, "role", int(r.Role()))
	r.refused = true
	if r.Update.CallbackQuery != nil {
		key := "refused"
		if r.Role() == roleNone && r.Private() {
			key = "hint_register" // a newcomer's button on a public card
		}
		return b.answer(ctx, r, r.P.T(key), true)
	}
	if r.Role() == roleNone && r.Private() {
		_, err := b.send(ctx, r.ChatID, r.P.T("hint_register"), nil)
		return err
	}
	_, err := b.send(ctx, r.ChatID, r.P.T("refused"), nil)
	return err
}

// parseCommand splits "/name@bot args" into name and args. A command
// addressed to another bot is not ours.
func parseCommand(text, username string) (name, args string, ok bool) {
	if !strings.HasPrefix(text, "/") || len(text) < 2 {
		return "", "", false
	}
	head, rest, _ := strings.Cut(text[1:], " ")
	name, at, addressed := strings.Cut(head, "@")
	if addressed && !strings.EqualFold(at, username) {
		return "", "", false
	}
	if name == "" {
		return "", "", false
	}
	return strings.ToLower(name), strings.TrimSpace(rest), true
}
