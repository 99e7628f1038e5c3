package bot

import (
	"context"

	"github.com/go-telegram/bot/models"

	"vmeste/storage"
)

// Group chats: when the bot is added to a group it greets and asks an admin
// or coordinator to /link the chat to an organisation; announcements for
// that organisation then go there too. A group that removes the bot, or a
// user who blocks it, is marked inactive and left out of audiences.

// onMembership follows the bot's own membership: added to or removed from a
// group, blocked or unblocked by a user.
func (b *Bot) onMembership(ctx context.Context, r *Request) error {
	m := r.Update.MyChatMember
	in := isMember(m.NewChatMember.Type)
	wasIn := isMember(m.OldChatMember.Type)
	if m.Chat.Type == models.ChatTypePrivate {
		return b.store.SetUserActive(ctx, m.Chat.ID, in)
	}
	g, err := b.store.Group(ctx, m.Chat.ID)
	if err != nil && !storage.IsNotFound(err) {
		return err
	}
	g.ChatID, g.Title, g.Active = m.Chat.ID, m.Chat.Title, in
	if err := b.store.PutGroup(ctx, g); err != nil {
		return err
	}
	b.log.Info("group membership", "chat_id", m.Chat.ID, "member", in)
	if in && !wasIn {
		_, err := b.send(ctx, m.Chat.ID, r.P.T("group_welcome", "Bot", b.username), nil)
		return err
	}
	return nil
}

func isMember(t models.ChatMemberType) bool {
	switch t {
	case models.ChatMemberTypeMember, models.ChatMemberTypeAdministrator, models.ChatMemberTypeOwner, models.ChatMemberTypeRestricted:
		return true
	}
	return false
}

// cmdLink (in a group) offers the organisations to link the group to.
func (b *Bot) cmdLink(ctx context.Context, r *Request, _ string) error {
	return b.showLinkPicker(ctx, r, 0)
}

func (b *Bot) showLinkPicker(ctx context.Context, r *Request, page int) error {
	all, err := b.store.Organisations(ctx)
	if err != nil {
		return err
	}
	if len(all) == 0 {
		return b.reply(ctx, r, r.P.T("link_no_orgs"), nil)
	}
	pages := (len(all) + orgsPerPage - 1) / orgsPerPage
	page = min(page, pages-1)
	var kb keyboard
	for _, o := range all[page*orgsPerPage : min(len(all), (page+1)*orgsPerPage)] {
		kb = append(kb, []modelsButton{button(truncateRunes(o.Name, 60), cb(cbLinkOrg, o.ID))})
	}
	kb = append(kb, pager(r.P, cbLinkOrgPage, page, pages)...)
	return b.reply(ctx, r, r.P.T("link_ask_org", "Page", page+1, "Pages", pages), kb)
}

func (b *Bot) cbLinkOrgPage(ctx context.Context, r *Request, args []string) error {
	page, ok := argIndex(args, 0, 10000)
	if !ok || r.Private() {
		return b.stale(ctx, r)
	}
	return b.showLinkPicker(ctx, r, page)
}

func (b *Bot) cbLinkOrg(ctx context.Context, r *Request, args []string) error {
	if r.Private() {
		return b.stale(ctx, r)
	}
	o, ok, err := b.buttonOrg(ctx, r, args)
	if !ok {
		return err
	}
	g, err := b.store.Group(ctx, r.ChatID)
	if err != nil && !storage.IsNotFound(err) {
		return err
	}
	g.ChatID, g.OrgID, g.Active = r.ChatID, o.ID, true
	if m := r.Update.CallbackQuery.Message.Message; m != nil && m.Chat.Title != "" {
		g.Title = m.Chat.Title
	}
	if err := b.store.PutGroup(ctx, g); err != nil {
		return err
	}
	b.log.Info("group linked", "chat_id", r.ChatID, "org", o.ID, "by", r.User.ID)
	if err := b.answer(ctx, r, r.P.T("saved"), false); err != nil {
		return err
	}
	return b.reply(ctx, r, r.P.T("link_done", "Org", o.Name), keyboard{})
}
