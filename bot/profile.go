package bot

import (
	"context"
	"errors"
)

// cmdProfile shows the user's profile with buttons to change it.
func (b *Bot) cmdProfile(ctx context.Context, r *Request, _ string) error {
	_, err := b.send(ctx, r.ChatID, b.profileText(ctx, r), b.profileKeyboard(r.P))
	return err
}

func (b *Bot) profileText(ctx context.Context, r *Request) string {
	roleKey := map[role]string{roleTeacher: "role_teacher", roleCoordinator: "role_coordinator", roleAdmin: "role_admin"}[r.Role()]
	return r.P.T("profile_card",
		"Name", r.User.FullName,
		"Org", b.orgLabel(ctx, r.User.OrgID),
		"Position", r.User.Position,
		"Role", r.P.T(roleKey),
		"Lang", r.P.T("lang_name"))
}

func (b *Bot) profileKeyboard(p localesPrinter) keyboard {
	return keyboard{
		{button(p.T("btn_change_name"), cb(cbProfileEdit, "n"))},
		{button(p.T("btn_change_org"), cb(cbProfileEdit, "o"))},
		{button(p.T("btn_change_position"), cb(cbProfileEdit, "p"))},
	}
}

// cbProfileEdit starts the one-step wizard that changes one field.
func (b *Bot) cbProfileEdit(ctx context.Context, r *Request, args []string) error {
	steps := map[string]string{"n": stepName, "o": stepOrg, "p": stepPosition}
	if len(args) != 1 || steps[args[0]] == "" {
		return b.stale(ctx, r)
	}
	c := personConv(steps[args[0]], personData{}, flowProfile)
	if err := b.store.PutConversation(ctx, r.User.ID, c); err != nil {
		return errors.Join(err, b.answer(ctx, r, r.P.T("error_internal_short"), false))
	}
	if err := b.answer(ctx, r, "", false); err != nil {
		return err
	}
	return b.promptPersonStep(ctx, r, c)
}
