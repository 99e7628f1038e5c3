package bot

import (
	"context"
	"fmt"
	"strings"

	"vmeste/locales"
	"vmeste/storage"
	"vmeste/telegram"
)

// Publishing tells people: after an event is published the coordinator is
// asked «Сообщить педагогам?», and an audience chosen there runs the
// /broadcast wizard with the bot's announcement of the event as its message
// (under it, «Записаться»). Any broadcast can carry an event's «Записаться»
// button too, and every one is signed with its author's name and
// organisation.

// eventsToAttachPerPage is how many events the attach picker shows at once.
const eventsToAttachPerPage = 5

// askAnnounce asks whether to tell teachers about the published event e,
// in a new message.
func (b *Bot) askAnnounce(ctx context.Context, r *Request, e storage.Event) error {
	text, kb := announceAsk(r, e)
	_, err := b.send(ctx, r.ChatID, text, kb)
	return err
}

// announceAsk is the «Сообщить педагогам?» prompt for the published event
// e: its text and the audience buttons, in r's language.
func announceAsk(r *Request, e storage.Event) (string, keyboard) {
	kb := audienceRows(r, func(kind string) string { return cb(cbAnnounceAudience, e.ID, kind) })
	kb = append(kb, []modelsButton{button(r.P.T("btn_announce_later"), cb(cbAnnounceLater, e.ID))})
	return r.P.T("announce_ask", "Title", e.Title), kb
}

// cbEventTell is «📢 Сообщить педагогам» on a published event's card:
// etl:<event id>.
func (b *Bot) cbEventTell(ctx context.Context, r *Request, args []string) error {
	e, ok, err := b.buttonEventFor(ctx, r, args, actAnnounce)
	if !ok {
		return err
	}
	if !b.signupOpen(e) {
		return b.answer(ctx, r, r.P.T("signup_closed"), true)
	}
	if err := b.answer(ctx, r, "", false); err != nil {
		return err
	}
	return b.askAnnounce(ctx, r, e)
}

// cbAnnounceLater: «Не сейчас»: bnl:<event id>.
func (b *Bot) cbAnnounceLater(ctx context.Context, r *Request, _ []string) error {
	return b.reply(ctx, r, r.P.T("announce_later"), keyboard{})
}

// cbAnnounceAudience begins the announcement of an event to the audience
// chosen: bn:<event id>:<all|kinds|orgs|groups>.
func (b *Bot) cbAnnounceAudience(ctx context.Context, r *Request, args []string) error {
	e, ok, err := b.buttonEventFor(ctx, r, args, actAnnounce)
	if !ok {
		return err
	}
	if len(args) != 2 {
		return b.stale(ctx, r)
	}
	if !b.signupOpen(e) {
		return b.answer(ctx, r, r.P.T("signup_closed"), true)
	}
	d := broadcastDraft{EventID: e.ID, Announce: true, Preview: truncateRunes(e.Title, 60)}
	// The audience buttons of /broadcast take it from here.
	if err := b.store.PutConversation(ctx, r.User.ID, broadcastConv(stepBroadcastAudience, d)); err != nil {
		return err
	}
	return b.cbBroadcastAudience(ctx, r, args[1:])
}

// signupOpen reports whether teachers may still sign up for e.
func (b *Bot) signupOpen(e storage.Event) bool {
	return e.Status == storage.EventPublished && b.cfg.Now().Before(e.SignUpClosesAt())
}

// announcementText is the bot's announcement of e, in p's language.
func (b *Bot) announcementText(p locales.Printer, e storage.Event) string {
	lines := []string{
		p.T("announce_title", "Title", e.Title, "Kind", localesHTML(p.T("ekind_"+string(e.Kind)))),
		p.T("card_when", "When", localesHTML(b.eventWhen(p, e))),
		p.T("card_place", "Place", e.Place),
	}
	if e.Audience != "" {
		lines = append(lines, p.T("card_audience", "Audience", e.Audience))
	}
	if !e.Deadline.IsZero() {
		lines = append(lines, p.T("card_deadline", "Date", localesHTML(p.DateYear(e.Deadline.In(b.cfg.Location)))))
	}
	if e.Description != "" {
		lines = append(lines, "", truncateRunes(e.Description, 600))
	}
	return strings.Join(lines, "\n")
}

// signature is the line that ends a broadcast: who sent it and from
// where (orgLabel, "" when the author has no organisation).
func signature(p locales.Printer, author storage.User, orgLabel string) string {
	name := author.FullName
	if name == "" {
		name = p.T("unnamed_user", "ID", author.ID)
	}
	if orgLabel == "" {
		return p.T("broadcast_signature_no_org", "Name", name)
	}
	return p.T("broadcast_signature", "Name", name, "Org", orgLabel)
}

// authorOrg is the label of u's organisation for the signature ("" for
// none).
func (b *Bot) authorOrg(ctx context.Context, u storage.User) string {
	if u.OrgID == 0 {
		return ""
	}
	return b.orgShortLabel(ctx, u.OrgID)
}

// broadcastContent renders each recipient's copy of the draft: the
// message (sent anew when it is a text, copied otherwise) or the event's
// announcement, signed, with the buttons that go under it.
func (b *Bot) broadcastContent(ctx context.Context, r *Request, d broadcastDraft) (storage.ContentFor, error) {
	var event storage.Event
	if d.Announce {
		e, err := b.store.Event(ctx, d.EventID)
		if err != nil {
			return nil, fmt.Errorf("bot: announced event: %w", err)
		}
		event = e
	}
	author := r.User
	// The organisation's name is read once, here: the function below runs
	// inside the storage transaction.
	orgLabel := b.authorOrg(ctx, author)
	return func(u storage.User) storage.Content {
		p := b.catalog.For(u.Lang)
		sig := signature(p, author, orgLabel)
		var c storage.Content
		switch {
		case d.Announce:
			c.Text = b.announcementText(p, event) + "\n\n" + sig
		case d.IsText:
			c.Text = d.Text + "\n\n" + sig
		default:
			c.CopyFromChat, c.CopyMessageID = d.SourceChat, d.SourceMessage
			c.Text = sig
			if d.Caption != "" {
				c.Text = d.Caption + "\n\n" + sig
			}
		}
		c.Buttons = b.broadcastButtons(p, d, u)
		return c
	}, nil
}

// broadcastButtons are the buttons under one copy: «Записаться» and
// «Подробнее» when an event is attached (for a group chat, a link that
// opens the bot at the event: a button there would be pressed by people
// the bot may not know); «Открыть мероприятие» under a message to an
// event's participants; none otherwise.
func (b *Bot) broadcastButtons(p locales.Printer, d broadcastDraft, u storage.User) [][]storage.Button {
	switch {
	case d.EventID != 0 && u.ID == 0:
		return [][]storage.Button{{{Text: p.T("btn_signup"), URL: b.startLink(fmt.Sprintf("e%d", d.EventID))}}}
	case d.EventID != 0:
		return [][]storage.Button{{
			{Text: p.T("btn_signup"), Data: cb(cbSignup, d.EventID)},
			{Text: p.T("btn_details"), Data: cb(cbEventOpen, d.EventID)},
		}}
	case d.Audience.Kind == storage.AudienceEvent:
		return [][]storage.Button{{{Text: p.T("btn_open_event"), Data: cb(cbEventOpen, d.Audience.EventID)}}}
	}
	return nil
}

// showBroadcastPreview sends the message exactly as the author's own copy
// would be, then what it goes to, how many, and Send / attach «Записаться»
// / Cancel, as new messages.
func (b *Bot) showBroadcastPreview(ctx context.Context, r *Request, d broadcastDraft) error {
	recipients, err := b.store.AudienceRecipients(ctx, d.Audience, r.User.ID)
	if err != nil {
		return err
	}
	content, err := b.broadcastContent(ctx, r, d)
	if err != nil {
		return err
	}
	c := content(r.User)
	var rows keyboard
	for _, row := range c.Buttons {
		var kr []modelsButton
		for _, bt := range row {
			kr = append(kr, modelsButton{Text: bt.Text, CallbackData: bt.Data, URL: bt.URL})
		}
		rows = append(rows, kr)
	}
	sent, err := b.sendMessage(ctx, r.ChatID, telegram.Message{Text: c.Text, Markup: rows.markup(), CopyFromChat: c.CopyFromChat, CopyMessageID: c.CopyMessageID})
	if err != nil {
		return fmt.Errorf("bot: preview: %w", err)
	}
	d.Token = sent.ID
	if err := b.store.PutConversation(ctx, r.User.ID, broadcastConv(stepBroadcastConfirm, d)); err != nil {
		return err
	}
	text := r.P.T("broadcast_preview", "Audience", localesHTML(b.audienceLabel(ctx, r, d.Audience))) + "\n" + r.P.N("broadcast_recipients", len(recipients))
	if len(recipients) == 0 { // gone since the audience was chosen
		text += "\n\n" + r.P.T("broadcast_nobody_"+d.Audience.Kind)
		_, err = b.send(ctx, r.ChatID, text, keyboard{{button(r.P.T("btn_cancel"), cbBroadcastDrop)}})
		return err
	}
	kb := keyboard{{button(r.P.T("btn_broadcast_send"), cb(cbBroadcastSend, d.Token))}}
	switch {
	case d.Announce:
	case d.EventID != 0:
		kb = append(kb, []modelsButton{button(r.P.T("btn_detach_signup"), cbBroadcastDetach)})
	default:
		kb = append(kb, []modelsButton{button(r.P.T("btn_attach_signup"), cb(cbBroadcastEvents, 0))})
	}
	kb = append(kb, []modelsButton{button(r.P.T("btn_cancel"), cbBroadcastDrop)})
	_, err = b.send(ctx, r.ChatID, text, kb)
	return err
}

// cbBroadcastEvents lists the upcoming events whose «Записаться» may go
// under the broadcast: be:<page>.
func (b *Bot) cbBroadcastEvents(ctx context.Context, r *Request, args []string) error {
	d, _, ok := b.currentBroadcast(ctx, r, stepBroadcastConfirm, stepBroadcastEvent)
	page, valid := argIndex(args, 0, 10000)
	if !ok || !valid || d.Announce {
		return b.stale(ctx, r)
	}
	events, total, err := b.store.UpcomingEvents(ctx, b.cfg.Now(), "", page*eventsToAttachPerPage, eventsToAttachPerPage)
	if err != nil {
		return err
	}
	if total == 0 {
		return b.answer(ctx, r, r.P.T("broadcast_no_events"), true)
	}
	if err := b.store.PutConversation(ctx, r.User.ID, broadcastConv(stepBroadcastEvent, d)); err != nil {
		return err
	}
	pages := max(1, (total+eventsToAttachPerPage-1)/eventsToAttachPerPage)
	var kb keyboard
	for _, e := range events {
		label := fmt.Sprintf("%s · %s", truncateRunes(e.Title, 40), r.P.Date(e.Start.In(b.cfg.Location)))
		kb = append(kb, []modelsButton{button(label, cb(cbBroadcastAttach, e.ID))})
	}
	kb = append(kb, pager(r.P, cbBroadcastEvents, page, pages)...)
	kb = append(kb, []modelsButton{button(r.P.T("btn_back"), cbBroadcastDetach)})
	return b.reply(ctx, r, r.P.T("broadcast_pick_event", "Page", page+1, "Pages", pages), kb)
}

// cbBroadcastAttach puts the event's «Записаться» under the broadcast and
// shows the preview again: bea:<event id>.
func (b *Bot) cbBroadcastAttach(ctx context.Context, r *Request, args []string) error {
	d, _, ok := b.currentBroadcast(ctx, r, stepBroadcastEvent)
	if !ok || d.Announce {
		return b.stale(ctx, r)
	}
	e, ok, err := b.buttonEventFor(ctx, r, args, actSee)
	if !ok {
		return err
	}
	if !b.signupOpen(e) {
		return b.answer(ctx, r, r.P.T("signup_closed"), true)
	}
	d.EventID = e.ID
	if err := b.reply(ctx, r, r.P.T("broadcast_event_attached", "Title", e.Title), keyboard{}); err != nil {
		return err
	}
	return b.showBroadcastPreview(ctx, r, d)
}

// cbBroadcastDetach takes the «Записаться» button off (or leaves the
// event picker without one) and shows the preview again: bed.
func (b *Bot) cbBroadcastDetach(ctx context.Context, r *Request, _ []string) error {
	d, _, ok := b.currentBroadcast(ctx, r, stepBroadcastConfirm, stepBroadcastEvent)
	if !ok || d.Announce {
		return b.stale(ctx, r)
	}
	d.EventID = 0
	if err := b.reply(ctx, r, r.P.T("broadcast_event_detached"), keyboard{}); err != nil {
		return err
	}
	return b.showBroadcastPreview(ctx, r, d)
}
