package bot

import (
	"context"

	"github.com/go-telegram/bot/models"

	"vmeste/locales"
	"vmeste/storage"
)

// botCommands is a role's menu in one language.
func (b *Bot) botCommands(rl role, lang string) []models.BotCommand {
	p := b.catalog.For(lang)
	var list []models.BotCommand
	for _, name := range menuFor(rl) {
		list = append(list, models.BotCommand{Command: name, Description: p.T("cmd_" + name)})
	}
	return list
}

// syncAllCommands sets the menus at start: the teachers' for every private
// chat, and each coordinator's and admin's in their own chat. Failures are
// logged, not fatal: the commands work without a menu.
func (b *Bot) syncAllCommands(ctx context.Context) {
	for _, lang := range append([]string{""}, locales.Languages...) {
		menuLang := lang
		if menuLang == "" {
			menuLang = locales.Russian
		}
		b.setCommands(ctx, &models.BotCommandScopeAllPrivateChats{}, lang, b.botCommands(roleTeacher, menuLang))
	}
	coordinators, err := b.store.Coordinators(ctx)
	if err != nil {
		b.log.Warn("setMyCommands: list coordinators", "error", err)
	}
	for _, u := range coordinators {
		if !b.admins[u.ID] {
			b.syncUserCommands(ctx, u.ID, roleCoordinator, u.Lang)
		}
	}
	for id := range b.admins {
		lang := locales.Russian
		if u, err := b.store.User(ctx, id); err == nil {
			lang = u.Lang
		}
		b.syncUserCommands(ctx, id, roleAdmin, lang)
	}
}

// syncUserCommands sets one user's private-chat menu: their role's
// commands in their chosen language, whatever their Telegram client's.
func (b *Bot) syncUserCommands(ctx context.Context, userID int64, rl role, lang string) {
	b.setCommands(ctx, &models.BotCommandScopeChat{ChatID: userID}, "", b.botCommands(max(rl, roleTeacher), lang))
	b.syncMenuButton(ctx, userID, rl, lang, false)
}

func (b *Bot) setCommands(ctx context.Context, scope models.BotCommandScope, lang string, list []models.BotCommand) {
	if err := b.tg.SetCommands(ctx, scope, lang, list); err != nil {
		b.log.Warn("setMyCommands failed", "language", lang, "error", err)
	}
}

// roleOf is the effective role of a stored user.
func (b *Bot) roleOf(u storage.User) role {
	r := Request{User: u, Admin: b.admins[u.ID]}
	return r.Role()
}
