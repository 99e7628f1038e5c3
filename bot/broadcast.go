package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"vmeste/storage"
)

// /broadcast: the coordinator chooses the audience and is told how many it
// reaches (nobody: why, and another choice), sends any message, sees a
// preview exactly as recipients will (signed with the author's name and
// organisation, with an event's «Записаться» if one is attached), and
// sends. Delivery is the outbox's (scheduler): a text is sent anew with its
// formatting and the signature, anything else is copied with the signature
// added to its caption. The wizard lives in bbolt.
const (
	flowBroadcast = "broadcast"

	stepBroadcastAudience = "audience"
	stepBroadcastKinds    = "kinds"
	stepBroadcastOrgs     = "orgs"
	stepBroadcastMessage  = "message"
	stepBroadcastConfirm  = "confirm"
	// stepBroadcastEvent: choosing the event whose «Записаться» button goes
	// under the announcement.
	stepBroadcastEvent = "event"

	broadcastOrgsPerPage = 8
	recentBroadcasts     = 10
)

// broadcastDraft is the /broadcast wizard's state.
type broadcastDraft struct {
	Audience      storage.Audience `json:"audience"`
	SourceChat    int64            `json:"source_chat,omitempty"`
	SourceMessage int              `json:"source_message,omitempty"`
	Preview       string           `json:"preview,omitempty"`
	// OrgFilter narrows the organisations list (what the user typed).
	OrgFilter string `json:"org_filter,omitempty"`
	// Text is a text message's HTML (its formatting kept): it is sent anew,
	// signed, rather than copied. Caption is a copied message's caption as
	// HTML, which the copy replaces to add the signature.
	Text    string `json:"text,omitempty"`
	IsText  bool   `json:"is_text,omitempty"`
	Caption string `json:"caption,omitempty"`
	// EventID is the event whose «Записаться» goes under each copy (0:
	// none). With Announce, the message is the bot's announcement of that
	// event rather than one the coordinator wrote.
	EventID  int64 `json:"event_id,omitempty"`
	Announce bool  `json:"announce,omitempty"`
	// Token is the preview's own message id: Send carries it, so that an
	// older preview's button cannot send a draft changed since.
	Token int `json:"token,omitempty"`
}

func broadcastConv(step string, d broadcastDraft) storage.Conversation {
	data, _ := json.Marshal(d)
	return storage.Conversation{Flow: flowBroadcast, Step: step, Data: data}
}

// currentBroadcast returns the user's /broadcast draft if the wizard is at
// one of steps.
func (b *Bot) currentBroadcast(ctx context.Context, r *Request, steps ...string) (broadcastDraft, string, bool) {
	c, err := b.store.Conversation(ctx, r.User.ID)
	if err != nil || c.Flow != flowBroadcast || !slices.Contains(steps, c.Step) {
		return broadcastDraft{}, "", false
	}
	var d broadcastDraft
	if json.Unmarshal(c.Data, &d) != nil {
		return broadcastDraft{}, "", false
	}
	return d, c.Step, true
}

func (b *Bot) cmdBroadcast(ctx context.Context, r *Request, _ string) error {
	if err := b.store.PutConversation(ctx, r.User.ID, broadcastConv(stepBroadcastAudience, broadcastDraft{})); err != nil {
		return err
	}
	_, err := b.send(ctx, r.ChatID, r.P.T("broadcast_ask_audience"), broadcastAudienceKeyboard(r))
	return err
}

func broadcastAudienceKeyboard(r *Request) keyboard {
	return append(audienceRows(r, func(kind string) string { return cb(cbBroadcastAudience, kind) }),
		[]modelsButton{button(r.P.T("btn_cancel"), cbBroadcastDrop)})
}

// audienceRows are the audiences to choose from, one a row; data is each
// one's callback data.
func audienceRows(r *Request, data func(kind string) string) keyboard {
	return keyboard{
		{button(r.P.T("btn_audience_all"), data(storage.AudienceAllTeachers))},
		{button(r.P.T("btn_audience_kinds"), data(storage.AudienceKinds))},
		{button(r.P.T("btn_audience_orgs"), data(storage.AudienceOrgs))},
		{button(r.P.T("btn_audience_groups"), data(storage.AudienceGroups))},
	}
}

// cbBroadcastBack goes back to choosing the audience (after one that
// reaches nobody, or from the step that waits for the message): bb.
func (b *Bot) cbBroadcastBack(ctx context.Context, r *Request, _ []string) error {
	d, _, ok := b.currentBroadcast(ctx, r, stepBroadcastAudience, stepBroadcastKinds, stepBroadcastOrgs, stepBroadcastMessage)
	if !ok {
		return b.stale(ctx, r)
	}
	d.Audience, d.OrgFilter = storage.Audience{}, ""
	if err := b.store.PutConversation(ctx, r.User.ID, broadcastConv(stepBroadcastAudience, d)); err != nil {
		return err
	}
	return b.reply(ctx, r, r.P.T("broadcast_ask_audience"), broadcastAudienceKeyboard(r))
}

func (b *Bot) cbBroadcastAudience(ctx context.Context, r *Request, args []string) error {
	d, _, ok := b.currentBroadcast(ctx, r, stepBroadcastAudience)
	if !ok || len(args) != 1 {
		return b.stale(ctx, r)
	}
	d.Audience = storage.Audience{Kind: args[0]}
	switch args[0] {
	case storage.AudienceAllTeachers, storage.AudienceGroups:
		return b.askBroadcastMessage(ctx, r, d, false)
	case storage.AudienceKinds:
		if err := b.store.PutConversation(ctx, r.User.ID, broadcastConv(stepBroadcastKinds, d)); err != nil {
			return err
		}
		return b.showKindPicker(ctx, r, d)
	case storage.AudienceOrgs:
		if err := b.store.PutConversation(ctx, r.User.ID, broadcastConv(stepBroadcastOrgs, d)); err != nil {
			return err
		}
		return b.showBroadcastOrgPicker(ctx, r, d, 0)
	}
	return b.stale(ctx, r)
}

func (b *Bot) showKindPicker(ctx context.Context, r *Request, d broadcastDraft) error {
	var kb keyboard
	for i, k := range storage.OrgKinds {
		label := upperFirst(r.P.T("audience_kind_" + string(k)))
		if slices.Contains(d.Audience.Kinds, k) {
			label = "✓ " + label
		}
		kb = append(kb, []modelsButton{button(label, cb(cbBroadcastKind, i))})
	}
	kb = append(kb, []modelsButton{button(r.P.N("btn_audience_done", len(d.Audience.Kinds)), cbBroadcastDone)},
		[]modelsButton{button(r.P.T("btn_back"), cbBroadcastBack), button(r.P.T("btn_cancel"), cbBroadcastDrop)})
	return b.reply(ctx, r, r.P.T("broadcast_ask_kinds"), kb)
}

func (b *Bot) cbBroadcastKind(ctx context.Context, r *Request, args []string) error {
	d, _, ok := b.currentBroadcast(ctx, r, stepBroadcastKinds)
	i, valid := argIndex(args, 0, len(storage.OrgKinds))
	if !ok || !valid {
		return b.stale(ctx, r)
	}
	d.Audience.Kinds = toggle(d.Audience.Kinds, storage.OrgKinds[i])
	if err := b.store.PutConversation(ctx, r.User.ID, broadcastConv(stepBroadcastKinds, d)); err != nil {
		return err
	}
	return b.showKindPicker(ctx, r, d)
}

func toggle[T comparable](list []T, v T) []T {
	if i := slices.Index(list, v); i >= 0 {
		return slices.Delete(list, i, i+1)
	}
	return append(list, v)
}

// broadcastOrgChoice is the organisations multi-select of /broadcast.
func broadcastOrgChoice(r *Request, d broadcastDraft, page int) orgChoice {
	return orgChoice{
		chosen: d.Audience.OrgIDs, filter: d.OrgFilter, page: page,
		toggle: cbBroadcastOrg, pageTo: cbBroadcastOrgPage, title: "broadcast_ask_orgs",
		last: []modelsButton{button(r.P.N("btn_audience_done", len(d.Audience.OrgIDs)), cbBroadcastDone), button(r.P.T("btn_back"), cbBroadcastBack), button(r.P.T("btn_cancel"), cbBroadcastDrop)},
	}
}

func (b *Bot) showBroadcastOrgPicker(ctx context.Context, r *Request, d broadcastDraft, page int) error {
	text, kb, err := b.renderOrgChoice(ctx, r, broadcastOrgChoice(r, d, page))
	if err != nil {
		return err
	}
	return b.reply(ctx, r, text, kb)
}

func (b *Bot) cbBroadcastOrg(ctx context.Context, r *Request, args []string) error {
	d, _, ok := b.currentBroadcast(ctx, r, stepBroadcastOrgs)
	id, validID := argID(args, 0)
	page, validPage := argIndex(args, 1, 10000)
	if !ok || !validID || !validPage {
		return b.stale(ctx, r)
	}
	if _, err := b.store.Organisation(ctx, id); storage.IsNotFound(err) {
		return b.answer(ctx, r, r.P.T("org_gone"), true)
	} else if err != nil {
		return err
	}
	d.Audience.OrgIDs = toggle(d.Audience.OrgIDs, id)
	if err := b.store.PutConversation(ctx, r.User.ID, broadcastConv(stepBroadcastOrgs, d)); err != nil {
		return err
	}
	return b.showBroadcastOrgPicker(ctx, r, d, page)
}

func (b *Bot) cbBroadcastOrgPage(ctx context.Context, r *Request, args []string) error {
	d, _, ok := b.currentBroadcast(ctx, r, stepBroadcastOrgs)
	page, valid := argIndex(args, 0, 10000)
	if !ok || !valid {
		return b.stale(ctx, r)
	}
	if len(args) > 1 && args[1] == "x" { // show all
		d.OrgFilter = ""
		if err := b.store.PutConversation(ctx, r.User.ID, broadcastConv(stepBroadcastOrgs, d)); err != nil {
			return err
		}
	}
	return b.showBroadcastOrgPicker(ctx, r, d, page)
}

func (b *Bot) cbBroadcastDone(ctx context.Context, r *Request, _ []string) error {
	d, step, ok := b.currentBroadcast(ctx, r, stepBroadcastKinds, stepBroadcastOrgs)
	if !ok {
		return b.stale(ctx, r)
	}
	if (step == stepBroadcastKinds && len(d.Audience.Kinds) == 0) || (step == stepBroadcastOrgs && len(d.Audience.OrgIDs) == 0) {
		return b.answer(ctx, r, r.P.T("broadcast_choose_something"), true)
	}
	return b.askBroadcastMessage(ctx, r, d, false)
}

// askBroadcastMessage says who the audience is and how many it reaches,
// before anything is written: an audience that reaches nobody says why and
// offers another; otherwise it moves to the step that waits for the
// message (or, for an event's announcement, straight to its preview). The
// answer replaces the pressed message, or is a new one when fresh.
func (b *Bot) askBroadcastMessage(ctx context.Context, r *Request, d broadcastDraft, fresh bool) error {
	recipients, err := b.store.AudienceRecipients(ctx, d.Audience, r.User.ID)
	if err != nil {
		return err
	}
	text := r.P.T("broadcast_audience_chosen", "Audience", localesHTML(b.audienceLabel(ctx, r, d.Audience)))
	step, kb := stepBroadcastMessage, keyboard{{button(r.P.T("btn_back"), cbBroadcastBack), button(r.P.T("btn_cancel"), cbBroadcastDrop)}}
	switch {
	case len(recipients) == 0:
		text += "\n\n" + r.P.T("broadcast_nobody_"+d.Audience.Kind)
		step = stepBroadcastAudience
		kb = keyboard{{button(r.P.T("btn_audience_other"), cbBroadcastBack), button(r.P.T("btn_cancel"), cbBroadcastDrop)}}
	case d.Announce:
		text += " " + r.P.N("broadcast_recipients", len(recipients))
		kb = nil
	default:
		text += " " + r.P.N("broadcast_recipients", len(recipients)) + "\n\n" + r.P.T("broadcast_ask_message")
	}
	if err := b.store.PutConversation(ctx, r.User.ID, broadcastConv(step, d)); err != nil {
		return err
	}
	if fresh {
		_, err = b.send(ctx, r.ChatID, text, kb)
	} else {
		err = b.reply(ctx, r, text, kb)
	}
	if err != nil || step != stepBroadcastMessage || !d.Announce {
		return err
	}
	return b.showBroadcastPreview(ctx, r, d)
}

// audienceLabel describes an audience in words (HTML).
func (b *Bot) audienceLabel(ctx context.Context, r *Request, a storage.Audience) string {
	switch a.Kind {
	case storage.AudienceAllTeachers:
		return r.P.T("audience_all")
	case storage.AudienceGroups:
		return r.P.T("audience_groups")
	case storage.AudienceKinds:
		var names []string
		for _, k := range a.Kinds {
			names = append(names, r.P.T("audience_kind_"+string(k)))
		}
		return r.P.T("audience_kinds", "Kinds", strings.Join(names, ", "))
	case storage.AudienceEvent:
		e, err := b.store.Event(ctx, a.EventID)
		if err != nil {
			return r.P.T("audience_event", "Title", "—")
		}
		return r.P.T("audience_event", "Title", e.Title)
	case storage.AudienceOrgs:
		var names []string
		for _, id := range a.OrgIDs {
			names = append(names, b.orgShortLabel(ctx, id))
		}
		return r.P.T("audience_orgs", "Orgs", truncateRunes(strings.Join(names, ", "), 300))
	}
	return ""
}

func (b *Bot) orgShortLabel(ctx context.Context, id int64) string {
	o, err := b.store.Organisation(ctx, id)
	if err != nil {
		return "—"
	}
	return o.Label()
}

// broadcastMessage takes the message to broadcast: any kind of message.
func (b *Bot) broadcastMessage(ctx context.Context, r *Request, c storage.Conversation) error {
	var d broadcastDraft
	if err := json.Unmarshal(c.Data, &d); err != nil {
		return fmt.Errorf("bot: broadcast draft: %w", err)
	}
	switch c.Step {
	case stepBroadcastMessage:
	case stepBroadcastOrgs:
		if text := strings.TrimSpace(r.Update.Message.Text); text != "" { // typing narrows the list
			d.OrgFilter = truncateRunes(text, 50)
			if err := b.store.PutConversation(ctx, r.User.ID, broadcastConv(stepBroadcastOrgs, d)); err != nil {
				return err
			}
			text, kb, err := b.renderOrgChoice(ctx, r, broadcastOrgChoice(r, d, 0))
			if err != nil {
				return err
			}
			_, err = b.send(ctx, r.ChatID, text, kb)
			return err
		}
		_, err := b.send(ctx, r.ChatID, r.P.T("broadcast_choose_audience_first"), nil)
		return err
	case stepBroadcastConfirm, stepBroadcastEvent:
		_, err := b.send(ctx, r.ChatID, r.P.T("broadcast_use_buttons"), nil)
		return err
	default:
		_, err := b.send(ctx, r.ChatID, r.P.T("broadcast_choose_audience_first"), nil)
		return err
	}
	m := r.Update.Message
	if !copyable(m.Text, m.Photo != nil, m.Document != nil, m.Video != nil, m.Audio != nil, m.Voice != nil, m.Animation != nil) {
		_, err := b.send(ctx, r.ChatID, r.P.T("broadcast_unsupported"), nil)
		return err
	}
	// The signature must fit in Telegram's limit with the message.
	limit, length := maxCaption, utf16Len(m.Caption)
	if m.Text != "" {
		limit, length = maxMessageText, utf16Len(m.Text)
	}
	if over := length + utf16Len(plainText(signature(r.P, r.User, b.authorOrg(ctx, r.User)))) - limit; over > 0 {
		_, err := b.send(ctx, r.ChatID, r.P.N("broadcast_too_long", over, "Max", limit), nil)
		return err
	}
	d.SourceChat, d.SourceMessage = r.ChatID, m.ID
	d.IsText = m.Text != ""
	d.Text, d.Caption = "", ""
	if d.IsText {
		d.Text = entitiesHTML(m.Text, m.Entities)
	} else {
		d.Caption = entitiesHTML(m.Caption, m.CaptionEntities)
	}
	d.Preview = truncateRunes(strings.TrimSpace(m.Text+m.Caption), 60)
	if d.Preview == "" && m.Document != nil {
		d.Preview = truncateRunes(m.Document.FileName, 60)
	}
	return b.showBroadcastPreview(ctx, r, d)
}

// copyable reports whether a message is something copyMessage carries
// (not a service message, a poll, a sticker…).
func copyable(text string, kinds ...bool) bool {
	return text != "" || slices.Contains(kinds, true)
}

// cbBroadcastSend stores the broadcast and its recipients in one
// transaction and turns the preview into the status message.
func (b *Bot) cbBroadcastSend(ctx context.Context, r *Request, args []string) error {
	d, _, ok := b.currentBroadcast(ctx, r, stepBroadcastConfirm)
	token, valid := argIndex(args, 0, 1<<31-1)
	if !ok || !valid || token != d.Token {
		return b.stale(ctx, r)
	}
	if d.Audience.Kind == storage.AudienceEvent { // still theirs to announce to?
		if _, ok, err := b.eventFor(ctx, r, d.Audience.EventID, actAnnounce); !ok {
			return err
		}
	}
	if d.Announce { // still theirs, and still open for sign-up?
		e, ok, err := b.eventFor(ctx, r, d.EventID, actAnnounce)
		if !ok {
			return err
		}
		if !b.signupOpen(e) {
			return b.answer(ctx, r, r.P.T("signup_closed"), true)
		}
	}
	recipients, err := b.store.AudienceRecipients(ctx, d.Audience, r.User.ID)
	if err != nil {
		return err
	}
	content, err := b.broadcastContent(ctx, r, d)
	if err != nil {
		return err
	}
	// The preview becomes the status message: recorded in the same
	// transaction, so the reporter never sends a second one.
	bc, err := b.store.CreateBroadcastFor(ctx, storage.Broadcast{
		AuthorID: r.User.ID, AuthorChat: r.ChatID, Lang: r.P.Lang(), Audience: d.Audience,
		SourceChat: d.SourceChat, SourceMessage: d.SourceMessage, Preview: d.Preview,
		StatusMessage: r.callbackMessageID(),
	}, recipients, content)
	if err != nil {
		return err
	}
	b.log.Info("broadcast created", "broadcast", bc.ID, "author", r.User.ID, "recipients", bc.Total)
	if err := b.answer(ctx, r, r.P.T("broadcast_started"), false); err != nil {
		return err
	}
	if err := b.reply(ctx, r, b.BroadcastStatus(bc), keyboard{}); err != nil {
		return err
	}
	// From now on the reporter keeps the status up to date (it waits for
	// this, so that its edits are never overwritten by this first one).
	return b.store.MarkBroadcastShown(ctx, bc.ID, bc.Version, false)
}

func (b *Bot) cbBroadcastDrop(ctx context.Context, r *Request, _ []string) error {
	if _, _, ok := b.currentBroadcast(ctx, r, stepBroadcastAudience, stepBroadcastKinds, stepBroadcastOrgs, stepBroadcastMessage, stepBroadcastConfirm, stepBroadcastEvent); !ok {
		return b.stale(ctx, r)
	}
	if err := b.store.ClearConversation(ctx, r.User.ID); err != nil {
		return err
	}
	return b.reply(ctx, r, r.P.T("broadcast_dropped"), keyboard{})
}

// cmdBroadcasts lists recent broadcasts with their figures; a running one
// can be stopped by its author or an admin.
func (b *Bot) cmdBroadcasts(ctx context.Context, r *Request, _ string) error {
	list, err := b.store.RecentBroadcasts(ctx, recentBroadcasts)
	if err != nil {
		return err
	}
	lines := []string{r.P.T("broadcasts_title")}
	if len(list) == 0 {
		lines = append(lines, r.P.T("broadcasts_empty"))
	}
	kb := keyboard{}
	for _, bc := range list {
		lines = append(lines, "", r.P.T("broadcasts_line",
			"ID", bc.ID,
			"Date", localesHTML(r.P.Date(bc.CreatedAt.In(b.cfg.Location))),
			"Author", b.userName(ctx, r, bc.AuthorID),
			"Audience", localesHTML(b.audienceLabel(ctx, r, bc.Audience)),
			"Preview", bc.Preview,
			"State", localesHTML(r.P.T("broadcast_state_"+string(bc.State))),
			"Total", bc.Total, "Sent", bc.Sent, "Failed", bc.Failed+bc.Skipped, "Left", bc.Left()))
		if bc.State == storage.BroadcastRunning && (bc.AuthorID == r.User.ID || r.Admin) {
			kb = append(kb, []modelsButton{button(r.P.T("btn_broadcast_stop", "ID", bc.ID), cb(cbBroadcastStop, bc.ID))})
		}
	}
	return b.reply(ctx, r, r.P.FitLines(lines, 0), kb)
}

func (b *Bot) userName(ctx context.Context, r *Request, id int64) string {
	u, _ := b.store.User(ctx, id)
	return personName(r.P, id, u)
}

func (b *Bot) cbBroadcastStop(ctx context.Context, r *Request, args []string) error {
	id, ok := argID(args, 0)
	if !ok {
		return b.stale(ctx, r)
	}
	bc, err := b.store.Broadcast(ctx, id)
	if storage.IsNotFound(err) {
		return b.stale(ctx, r)
	}
	if err != nil {
		return err
	}
	if bc.AuthorID != r.User.ID && !r.Admin {
		return b.refuse(ctx, r, "callback", "stop broadcast of another author")
	}
	bc, err = b.store.StopBroadcast(ctx, id)
	if err != nil {
		return err
	}
	b.log.Info("broadcast stopped", "broadcast", id, "by", r.User.ID)
	key := "broadcast_stopped_now"
	if bc.State == storage.BroadcastDone {
		key = "broadcast_already_done"
	}
	if err := b.answer(ctx, r, r.P.T(key, "ID", id), false); err != nil {
		return err
	}
	return b.cmdBroadcasts(ctx, r, "")
}
