package bot

import (
	"context"
	"strconv"

	"vmeste/storage"
)

// The Mini App (package webapp) is the bot's second face for coordinators
// and admins: served on the HTTP port under /app/ when Config.AppURL is
// set. The chat opens it from a «🖥 Открыть панель» button in /help and
// on an event's card, and from the menu button that coordinators and
// admins get in their private chat. What the page changes goes through
// the same storage calls as the chat; the notices those calls enqueue are
// rendered here (the Notice* methods below), so that both faces say the
// same words.

// appButton is a web_app button opening the Mini App at url.
func appButton(text, url string) modelsButton {
	return modelsButton{Text: text, WebApp: &modelsWebApp{URL: url}}
}

// appLink is the Mini App's URL for r's user, "" when the app is not
// served or the user is not a coordinator or admin, or the chat is not
// private (Telegram opens web_app buttons in private chats only). event,
// if not 0, opens that event's page.
func (b *Bot) appLink(r *Request, event int64) string {
	if b.cfg.AppURL == "" || r.Role() < roleCoordinator || !r.Private() {
		return ""
	}
	if event != 0 {
		return b.cfg.AppURL + "?event=" + strconv.FormatInt(event, 10)
	}
	return b.cfg.AppURL
}

// syncMenuButton sets a user's menu button: the Mini App for a
// coordinator or admin (when it is served), the default otherwise (set
// only when teacher is true: a revoked coordinator's button goes back).
// A failure is logged: the commands work without it.
func (b *Bot) syncMenuButton(ctx context.Context, userID int64, rl role, lang string, teacher bool) {
	if b.cfg.AppURL == "" || (rl < roleCoordinator && !teacher) {
		return
	}
	url := ""
	if rl >= roleCoordinator {
		url = b.cfg.AppURL
	}
	if err := b.tg.SetMenuButton(ctx, userID, b.catalog.For(lang).T("app_menu_button"), url); err != nil {
		b.log.Warn("setChatMenuButton failed", "user_id", userID, "error", err)
	}
}

// NoticeChanged renders the notice of a change of an event's time or
// place to a participant, as the chat's edit sends it: a
// storage.ChangeNotify for the Mini App's edits.
func (b *Bot) NoticeChanged(u storage.User, before, after storage.Event) storage.Content {
	return b.notifyChanged(u, before, after)
}

// NoticePromoted renders the notice to a participant moved from the
// waitlist to a seat: a storage.Notify.
func (b *Bot) NoticePromoted(u storage.User, e storage.Event) storage.Content {
	return b.notifyPromoted(u, e)
}

// NoticeResult renders the notice of a participant's result: a
// storage.ResultNotify.
func (b *Bot) NoticeResult(u storage.User, e storage.Event, result, told string) storage.Content {
	return b.notifyResult(u, e, result, told)
}

// NoticeToAuthor is the notice to before's author when user (admin: named
// in the configuration) edits or publishes (published) someone else's
// event, as the chat sends it; none when the rules send none. The caller
// hands it to the storage call that makes the change.
func (b *Bot) NoticeToAuthor(ctx context.Context, user storage.User, admin bool, before, after storage.Event, published bool) ([]storage.OutboxEntry, error) {
	r := &Request{User: user, Admin: admin, From: &modelsUser{ID: user.ID, FirstName: user.FullName}}
	what := changeEdited
	if published {
		what = changePublished
	}
	return b.authorNotice(ctx, r, before, after, what)
}

// NoticeAskAnnounce is the «Сообщить педагогам?» prompt the chat shows
// after a publish, as an outbox entry to user's chat (origin notice
// "announce-ask:<event>"), for an event published in the Mini App: its
// buttons work as the chat's do.
func (b *Bot) NoticeAskAnnounce(user storage.User, e storage.Event) storage.OutboxEntry {
	text, kb := announceAsk(&Request{User: user, P: b.catalog.For(user.Lang)}, e)
	return storage.OutboxEntry{ChatID: user.ChatID, UserID: user.ID, Content: storage.Content{Text: text, Buttons: storageButtons(kb)},
		Origin: storage.Origin{Kind: storage.OriginNotice, Key: "announce-ask:" + strconv.FormatInt(e.ID, 10)}}
}

// ParticipantsFile makes an event's participants' file as «📥 Выгрузить»
// does (format "xlsx" or "csv"), in lang, for the Mini App's download
// links; the caller has checked that its user may see the participants.
func (b *Bot) ParticipantsFile(ctx context.Context, lang string, eventID int64, format string) (string, []byte, error) {
	p := b.catalog.For(lang)
	ex, err := b.store.ExportEvent(ctx, eventID)
	if err != nil {
		return "", nil, err
	}
	var data []byte
	ext := ".xlsx"
	if format == "csv" {
		data, err = participantsCSV(p, b.cfg.Location, ex)
		ext = ".csv"
	} else {
		data, err = participantsXLSX(p, b.cfg.Location, ex)
	}
	if err != nil {
		return "", nil, err
	}
	return zipName(p.T("export_file_participants")+" — "+truncateRunes(ex.Event.Title, 60)) + ext, data, nil
}
