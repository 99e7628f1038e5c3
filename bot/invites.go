package bot

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"strings"
	"time"

	"vmeste/storage"
)

// inviteTTL is how long a coordinator invitation stays valid.
const inviteTTL = 7 * 24 * time.Hour

// cmdInvite creates a one-time link that makes whoever opens it a
// coordinator.
func (b *Bot) cmdInvite(ctx context.Context, r *Request, _ string) error {
	buf := make([]byte, 12)
	if _, err := rand.Read(buf); err != nil {
		return err
	}
	now := b.cfg.Now()
	inv := storage.Invite{
		Code:      base64.RawURLEncoding.EncodeToString(buf),
		CreatedBy: r.User.ID,
		CreatedAt: now,
		ExpiresAt: now.Add(inviteTTL),
	}
	if err := b.store.CreateInvite(ctx, inv); err != nil {
		return err
	}
	_, err := b.send(ctx, r.ChatID, r.P.T("invite_created",
		"Link", b.startLink("c"+inv.Code),
		"Until", localesHTML(r.P.DateYear(inv.ExpiresAt.In(b.cfg.Location)))), nil)
	return err
}

// startLink is the deep link t.me/<bot>?start=<payload>.
func (b *Bot) startLink(payload string) string {
	return "https://t.me/" + b.username + "?start=" + payload
}

// redeemInvite makes the user a coordinator if code is a valid invitation,
// and tells them either way.
func (b *Bot) redeemInvite(ctx context.Context, r *Request, code string) error {
	if r.Role() >= roleCoordinator {
		_, err := b.send(ctx, r.ChatID, r.P.T("invite_already_coordinator"), nil)
		return err
	}
	err := b.store.RedeemInvite(ctx, code, r.User.ID)
	var key string
	switch {
	case err == nil:
		key = "invite_redeemed"
		r.User.Role = storage.RoleCoordinator
		if r.User.Registered {
			b.syncUserCommands(ctx, r.User.ID, roleCoordinator, r.User.Lang)
		}
		b.tellInviter(ctx, r, code)
	case errors.Is(err, storage.ErrInviteUsed):
		key = "invite_used"
	case errors.Is(err, storage.ErrInviteExpired):
		key = "invite_expired"
	case storage.IsNotFound(err):
		key = "invite_unknown"
	default:
		return err
	}
	b.log.Info("invite", "user_id", r.User.ID, "result", key)
	_, err = b.send(ctx, r.ChatID, r.P.T(key), nil)
	return err
}

// cmdCoordinators lists coordinators and pending invitations, each with a
// revoke button.
func (b *Bot) cmdCoordinators(ctx context.Context, r *Request, _ string) error {
	text, kb, err := b.coordinatorsView(ctx, r)
	if err != nil {
		return err
	}
	return b.reply(ctx, r, text, kb)
}

func (b *Bot) coordinatorsView(ctx context.Context, r *Request) (string, keyboard, error) {
	list, err := b.store.Coordinators(ctx)
	if err != nil {
		return "", nil, err
	}
	invites, err := b.store.PendingInvites(ctx)
	if err != nil {
		return "", nil, err
	}
	lines := []string{r.P.N("coordinators_title", len(list))}
	kb := keyboard{}
	for i, u := range list {
		name := u.FullName
		if name == "" {
			name = r.P.T("unnamed_user", "ID", u.ID)
		}
		lines = append(lines, r.P.T("coordinators_line", "N", i+1, "Name", name, "Org", b.orgLabel(ctx, u.OrgID)))
		kb = append(kb, []modelsButton{button(r.P.T("btn_revoke_coordinator", "Name", truncateRunes(name, 40)), cb(cbCoordRevoke, u.ID))})
	}
	if len(list) == 0 {
		lines = append(lines, r.P.T("coordinators_empty"))
	}
	if len(invites) > 0 {
		lines = append(lines, "", r.P.N("invites_pending", len(invites)))
		for _, inv := range invites {
			until := r.P.Date(inv.ExpiresAt.In(b.cfg.Location))
			kb = append(kb, []modelsButton{button(r.P.T("btn_revoke_invite", "Until", until), cb(cbInviteRevoke, inv.Code))})
		}
	}
	lines = append(lines, "", r.P.T("coordinators_hint"))
	return r.P.FitLines(lines, 2), kb, nil
}

func (b *Bot) cbCoordRevoke(ctx context.Context, r *Request, args []string) error {
	id, ok := argID(args, 0)
	if !ok {
		return b.stale(ctx, r)
	}
	u, err := b.store.User(ctx, id)
	if storage.IsNotFound(err) || (err == nil && u.Role != storage.RoleCoordinator) {
		return b.answer(ctx, r, r.P.T("coordinator_gone"), true)
	}
	if err != nil {
		return err
	}
	return b.reply(ctx, r, r.P.T("coordinator_revoke_confirm", "Name", u.FullName), keyboard{
		{button(r.P.T("btn_revoke_yes"), cb(cbCoordRevokeConfirm, id)), button(r.P.T("btn_no"), cb(cbCoordBack))},
	})
}

func (b *Bot) cbCoordRevokeConfirm(ctx context.Context, r *Request, args []string) error {
	id, ok := argID(args, 0)
	if !ok {
		return b.stale(ctx, r)
	}
	u, err := b.store.User(ctx, id)
	if storage.IsNotFound(err) || (err == nil && u.Role != storage.RoleCoordinator) {
		if err := b.answer(ctx, r, r.P.T("coordinator_gone"), false); err != nil {
			return err
		}
		return b.cmdCoordinators(ctx, r, "")
	}
	if err != nil {
		return err
	}
	if err := b.store.SetRole(ctx, id, storage.RoleTeacher); err != nil {
		return err
	}
	b.log.Info("coordinator revoked", "by", r.User.ID, "user_id", id)
	b.syncUserCommands(ctx, id, b.roleOf(storage.User{ID: id, Role: storage.RoleTeacher, Registered: u.Registered}), u.Lang)
	b.syncMenuButton(ctx, id, b.roleOf(storage.User{ID: id, Role: storage.RoleTeacher, Registered: u.Registered}), u.Lang, true)
	if err := b.answer(ctx, r, r.P.T("coordinator_revoked", "Name", u.FullName), false); err != nil {
		return err
	}
	return b.cmdCoordinators(ctx, r, "")
}

// cbCoordBack returns from a revoke confirmation to the list.
func (b *Bot) cbCoordBack(ctx context.Context, r *Request, _ []string) error {
	return b.cmdCoordinators(ctx, r, "")
}

func (b *Bot) cbInviteRevoke(ctx context.Context, r *Request, args []string) error {
	if len(args) != 1 || strings.TrimSpace(args[0]) == "" {
		return b.stale(ctx, r)
	}
	err := b.store.RevokeInvite(ctx, args[0])
	if storage.IsNotFound(err) {
		return b.stale(ctx, r)
	}
	if err != nil {
		return err
	}
	if err := b.answer(ctx, r, r.P.T("invite_revoked"), false); err != nil {
		return err
	}
	return b.cmdCoordinators(ctx, r, "")
}

// tellInviter lets the admin who made the invitation know it was used,
// through the outbox. A failure is logged: the role is granted all the same.
func (b *Bot) tellInviter(ctx context.Context, r *Request, code string) {
	inv, err := b.store.Invite(ctx, code)
	if err != nil {
		b.log.Warn("invite: inviter", "error", err)
		return
	}
	admin, err := b.store.User(ctx, inv.CreatedBy)
	if err != nil || admin.ChatID == 0 {
		return // an admin who never wrote to the bot
	}
	name := r.User.FullName
	if name == "" {
		name = strings.TrimSpace(r.From.FirstName + " " + r.From.LastName)
	}
	p := b.catalog.For(admin.Lang)
	err = b.store.Enqueue(ctx, []storage.OutboxEntry{{
		ChatID: admin.ChatID, UserID: admin.ID,
		Content: storage.Content{Text: p.T("invite_used_notice", "Name", name)},
		Origin:  storage.Origin{Kind: storage.OriginNotice, Key: "invite:" + code},
	}})
	if err != nil {
		b.log.Warn("invite: tell the inviter", "error", err)
	}
}
