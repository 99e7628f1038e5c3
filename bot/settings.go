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

// cmdSettings shows the user's settings: the language and, for registered
// users, whether they get announcements and the digest, and the link of
// their calendar feed (calendar.go).
func (b *Bot) cmdSettings(ctx context.Context, r *Request, _ string) error {
	text, kb, err := b.settingsView(ctx, r)
	if err != nil {
		return err
	}
	_, err = b.send(ctx, r.ChatID, text, kb)
	return err
}

// settingsView is the settings' text and buttons; for a registered user
// it makes their calendar feed's link on the first view (calendar.go).
func (b *Bot) settingsView(ctx context.Context, r *Request) (string, keyboard, error) {
	kb := b.langKeyboard(cbSettingsLang, r.User.Lang)
	if !r.User.Registered {
		return r.P.T("settings_card", "Lang", r.P.T("lang_name")), kb, nil
	}
	state, btn, arg := "settings_announcements_on", "btn_announcements_off", "off"
	if r.User.NoAnnouncements {
		state, btn, arg = "settings_announcements_off", "btn_announcements_on", "on"
	}
	digest, dbtn, darg := "settings_digest_on", "btn_digest_off", "off"
	if r.User.NoDigest {
		digest, dbtn, darg = "settings_digest_off", "btn_digest_on", "on"
	}
	cal, calRow, err := b.calendarSettings(ctx, r)
	if err != nil {
		return "", nil, err
	}
	text := r.P.T("settings_card", "Lang", r.P.T("lang_name")) + "\n" + r.P.T(state) + "\n" + r.P.T(digest) + "\n\n" + cal
	kb = append(kb,
		[]modelsButton{button(r.P.T(btn), cb(cbSettingsAnnouncements, arg))},
		[]modelsButton{button(r.P.T(dbtn), cb(cbSettingsDigest, darg))})
	if calRow != nil {
		kb = append(kb, calRow)
	}
	return text, kb, nil
}

// cbSettingsDigest turns the weekly digest on or off: sd:<on|off>.
func (b *Bot) cbSettingsDigest(ctx context.Context, r *Request, args []string) error {
	return b.toggleSetting(ctx, r, args, &r.User.NoDigest)
}

// cbSettingsAnnouncements turns announcements on or off: sa:<on|off>.
func (b *Bot) cbSettingsAnnouncements(ctx context.Context, r *Request, args []string) error {
	return b.toggleSetting(ctx, r, args, &r.User.NoAnnouncements)
}

// toggleSetting stores an opt-out (off is true for "off") and redraws the
// settings.
func (b *Bot) toggleSetting(ctx context.Context, r *Request, args []string, off *bool) error {
	if len(args) != 1 || (args[0] != "on" && args[0] != "off") {
		return b.stale(ctx, r)
	}
	if want := args[0] == "off"; *off != want {
		*off = want
		if err := b.store.PutUser(ctx, r.User); err != nil {
			return err
		}
	}
	if err := b.answer(ctx, r, r.P.T("settings_saved"), false); err != nil {
		return err
	}
	text, kb, err := b.settingsView(ctx, r)
	if err != nil {
		return err
	}
	return b.reply(ctx, r, text, kb)
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
	text, kb, err := b.settingsView(ctx, r)
	if err != nil {
		return err
	}
	return b.reply(ctx, r, text, kb)
}

// cmdCancel leaves whatever wizard the user is in, keeping what the
// wizard keeps on leaving: a new event's draft is parked in /drafts, not
// thrown away (endWizard).
func (b *Bot) cmdCancel(ctx context.Context, r *Request, _ string) error {
	c, err := b.store.Conversation(ctx, r.User.ID)
	switch {
	case storage.IsNotFound(err):
		_, err = b.send(ctx, r.ChatID, r.P.T("cancel_nothing"), nil)
		return err
	case err != nil:
		return err
	}
	note, err := b.endWizard(ctx, r, c)
	if err != nil {
		return err
	}
	_, err = b.send(ctx, r.ChatID, note, nil)
	return err
}
