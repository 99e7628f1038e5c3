package bot

import (
	"context"

	"vmeste/locales"
	"vmeste/storage"
)

// localesPrinter is the printer type, named for signatures in this package.
type localesPrinter = locales.Printer

// localesHTML marks bot-built markup for locales.Printer.T.
type localesHTML = locales.HTML

// cmdSettings shows the user's settings: the language, for now.
func (b *Bot) cmdSettings(ctx context.Context, r *Request, _ string) error {
	_, err := b.send(ctx, r.ChatID, r.P.T("settings_card", "Lang", r.P.T("lang_name")), b.langKeyboard(cbSettingsLang, r.User.Lang))
	return err
}

// cbSettingsLang changes the user's language and redraws the settings in it.
func (b *Bot) cbSettingsLang(ctx context.Context, r *Request, args []string) error {
	if len(args) != 1 || (args[0] != locales.Russian && args[0] != locales.English) {
		return b.stale(ctx, r)
	}
	if r.User.Lang != args[0] {
		r.User.Lang = args[0]
		if err := b.store.PutUser(ctx, r.User); err != nil {
			return err
		}
		r.P = b.catalog.For(r.User.Lang)
		b.syncUserCommands(ctx, r.User.ID, r.Role(), r.User.Lang)
	}
	if err := b.answer(ctx, r, r.P.T("settings_saved"), false); err != nil {
		return err
	}
	return b.reply(ctx, r, r.P.T("settings_card", "Lang", r.P.T("lang_name")), b.langKeyboard(cbSettingsLang, r.User.Lang))
}

// cmdCancel leaves whatever wizard the user is in.
func (b *Bot) cmdCancel(ctx context.Context, r *Request, _ string) error {
	_, err := b.store.Conversation(ctx, r.User.ID)
	switch {
	case storage.IsNotFound(err):
		_, err = b.send(ctx, r.ChatID, r.P.T("cancel_nothing"), nil)
		return err
	case err != nil:
		return err
	}
	if err := b.store.ClearConversation(ctx, r.User.ID); err != nil {
		return err
	}
	key := "cancel_done"
	if !r.User.Registered {
		key = "cancel_done_unregistered"
	}
	_, err = b.send(ctx, r.ChatID, r.P.T(key), nil)
	return err
}
