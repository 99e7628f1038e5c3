package telegramtest

import (
	"bytes"
	"context"
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Bot API method handlers. Errors use Telegram's descriptions.

var errNotModified = badRequest("message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message")

func (s *Server) mGetMe(context.Context, *params) reply {
	u := s.botWire()
	no := false
	u.CanJoinGroups, u.CanReadAllGroupMessages, u.SupportsInlineQueries = true, &no, &no
	return ok(u)
}

// prepareSendLocked checks, in Telegram's order, that the bot may create a
// message in chatID: the chat is known, the request is valid (errs), the
// user has not blocked the bot / the bot is still in the group, and flood
// control allows it (paid: the request set allow_paid_broadcast).
func (s *Server) prepareSendLocked(chatID int64, paid bool, errs ...reply) (*chatState, reply) {
	cs := s.chats[chatID]
	if cs == nil {
		return nil, errChatNotFound
	}
	for _, e := range errs {
		if e.failed() {
			return nil, e
		}
	}
	if cs.blocked {
		return nil, errBlocked
	}
	if cs.botLeft {
		return nil, errKicked
	}
	if r := s.rateLocked(cs, paid); r.failed() {
		return nil, r
	}
	return cs, reply{}
}

// botRecord is a new message of the bot; paid records that its request
// set allow_paid_broadcast.
func (s *Server) botRecord(c content, mk markup, paid bool) *record {
	r := &record{content: c, inline: mk.inlineJSON}
	r.msg.PaidBroadcast = paid
	r.msg.FromBot = true
	r.msg.From = s.bot
	r.msg.Date = time.Now()
	r.msg.ParseMode = c.mode
	r.msg.Buttons = mk.inline
	r.msg.ReplyKeyboard = mk.reply
	r.msg.RemoveKeyboard = mk.remove
	return r
}

func (s *Server) mSendMessage(_ context.Context, p *params) reply {
	chatID, r := p.chatID("chat_id")
	if r.failed() {
		return r
	}
	c, cerr := parseContent(p.str("text"), p.str("parse_mode"), false)
	mk, merr := parseMarkup(p.str("reply_markup"))
	s.mu.Lock()
	defer s.mu.Unlock()
	paid := p.boolean("allow_paid_broadcast")
	cs, r := s.prepareSendLocked(chatID, paid, cerr, merr)
	if r.failed() {
		return r
	}
	rec := s.botRecord(c, mk, paid)
	rec.msg.Text = c.raw
	s.addLocked(cs, rec)
	return ok(s.messageWire(cs, rec))
}

// editTargetLocked finds the bot message an edit method addresses.
func (s *Server) editTargetLocked(p *params) (*chatState, *record, reply) {
	if p.str("inline_message_id") != "" {
		return nil, nil, badRequest("inline messages are not supported by the emulator")
	}
	chatID, r := p.chatID("chat_id")
	if r.failed() {
		return nil, nil, r
	}
	msgID, r := p.messageID("message_id")
	if r.failed() {
		return nil, nil, r
	}
	cs := s.chats[chatID]
	if cs == nil {
		return nil, nil, errChatNotFound
	}
	rec := cs.visible(msgID)
	if rec == nil {
		return nil, nil, badRequest("message to edit not found")
	}
	if !rec.msg.FromBot {
		return nil, nil, badRequest("message can't be edited")
	}
	return cs, rec, reply{}
}

// parseEditMarkup parses reply_markup of an edit: only inline keyboards;
// omitting it removes the message's keyboard, as on Telegram.
func parseEditMarkup(raw string) (markup, reply) {
	mk, r := parseMarkup(raw)
	if !r.failed() && (mk.reply != nil || mk.remove || mk.force) {
		return mk, badRequest("inline keyboard expected")
	}
	return mk, r
}

func (s *Server) applyEditLocked(cs *chatState, rec *record, mk markup) reply {
	rec.inline = mk.inlineJSON
	rec.msg.Buttons = mk.inline
	rec.msg.plain = rec.content.plain
	rec.msg.Edited++
	rec.editDate = time.Now().Unix()
	s.touchLocked(cs, rec)
	return ok(s.messageWire(cs, rec))
}

func (s *Server) mEditMessageText(_ context.Context, p *params) reply {
	return s.editContent(p, false)
}

func (s *Server) mEditMessageCaption(_ context.Context, p *params) reply {
	return s.editContent(p, true)
}

// editContent edits a message's text, or (caption) a media message's
// caption, as editMessageText and editMessageCaption do.
func (s *Server) editContent(p *params, caption bool) reply {
	field := "text"
	if caption {
		field = "caption"
	}
	c, cerr := parseContent(p.str(field), p.str("parse_mode"), caption)
	mk, merr := parseEditMarkup(p.str("reply_markup"))
	s.mu.Lock()
	defer s.mu.Unlock()
	cs, rec, r := s.editTargetLocked(p)
	switch {
	case r.failed():
		return r
	case cerr.failed():
		return cerr
	case merr.failed():
		return merr
	case caption != (rec.msg.Document != nil || rec.msg.Photo != nil || rec.msg.Video != nil):
		return badRequest("there is no " + field + " in the message to edit")
	case sameContent(rec.content, c) && bytes.Equal(rec.inline, mk.inlineJSON):
		return errNotModified
	}
	rec.content = c
	if caption {
		rec.msg.Caption = c.raw
	} else {
		rec.msg.Text = c.raw
	}
	rec.msg.ParseMode = c.mode
	return s.applyEditLocked(cs, rec, mk)
}

func (s *Server) mEditMessageReplyMarkup(_ context.Context, p *params) reply {
	mk, merr := parseEditMarkup(p.str("reply_markup"))
	s.mu.Lock()
	defer s.mu.Unlock()
	cs, rec, r := s.editTargetLocked(p)
	switch {
	case r.failed():
		return r
	case merr.failed():
		return merr
	case bytes.Equal(rec.inline, mk.inlineJSON):
		return errNotModified
	}
	return s.applyEditLocked(cs, rec, mk)
}

func (s *Server) mAnswerCallbackQuery(_ context.Context, p *params) reply {
	id := p.str("callback_query_id")
	cacheTime, _ := p.int("cache_time")
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.queries[id]
	if q == nil || q.answered {
		return badRequest("query is too old and response timeout expired or query ID is invalid")
	}
	q.answered = true
	q.answer = CallbackAnswer{QueryID: id, Text: p.str("text"), ShowAlert: p.boolean("show_alert"), URL: p.str("url"), CacheTime: int(cacheTime)}
	s.changed.fire()
	return ok(true)
}

func (s *Server) mDeleteMessage(_ context.Context, p *params) reply {
	chatID, r := p.chatID("chat_id")
	if r.failed() {
		return r
	}
	msgID, r := p.messageID("message_id")
	if r.failed() {
		return r
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cs := s.chats[chatID]
	if cs == nil {
		return errChatNotFound
	}
	rec := cs.visible(msgID)
	if rec == nil {
		return badRequest("message to delete not found")
	}
	rec.deleted = true
	s.version++
	s.changed.fire()
	return ok(true)
}

// sendFile implements sendDocument, sendPhoto and sendVideo: field is the
// kind of file ("document", "photo" or "video").
func (s *Server) sendFile(p *params, field string) reply {
	chatID, r := p.chatID("chat_id")
	if r.failed() {
		return r
	}
	c, cerr := parseContent(p.str("caption"), p.str("parse_mode"), true)
	mk, merr := parseMarkup(p.str("reply_markup"))
	up := p.files[field]
	ref := p.str(field)
	if up == nil {
		if name, ok := strings.CutPrefix(ref, "attach://"); ok {
			up = p.files[name]
		}
	}
	var ferr reply
	switch {
	case up != nil && len(up.data) == 0:
		ferr = badRequest("file must be non-empty")
	case up == nil && ref == "":
		ferr = badRequest("there is no " + field + " in the request")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var f *File
	if up == nil && ref != "" {
		if f = s.files[ref]; f == nil {
			ferr = badRequest("wrong file identifier/HTTP URL specified")
		}
	}
	paid := p.boolean("allow_paid_broadcast")
	cs, r := s.prepareSendLocked(chatID, paid, ferr, cerr, merr)
	if r.failed() {
		return r
	}
	if f == nil {
		f = s.storeUploadLocked(field, up)
	}
	rec := s.botRecord(c, mk, paid)
	rec.msg.Caption = c.raw
	attachLocked(&rec.msg, field, f)
	s.addLocked(cs, rec)
	return ok(s.messageWire(cs, rec))
}

func (s *Server) mSendDocument(_ context.Context, p *params) reply {
	return s.sendFile(p, "document")
}

func (s *Server) mSendPhoto(_ context.Context, p *params) reply { return s.sendFile(p, "photo") }

func (s *Server) mSendVideo(_ context.Context, p *params) reply { return s.sendFile(p, "video") }

func (s *Server) mCopyMessage(_ context.Context, p *params) reply {
	chatID, r := p.chatID("chat_id")
	if r.failed() {
		return r
	}
	fromID, r := p.chatID("from_chat_id")
	if r.failed() {
		return r
	}
	msgID, r := p.messageID("message_id")
	if r.failed() {
		return r
	}
	newCaption := p.has("caption")
	c, cerr := parseContent(p.str("caption"), p.str("parse_mode"), true)
	mk, merr := parseMarkup(p.str("reply_markup"))
	s.mu.Lock()
	defer s.mu.Unlock()
	var src *record
	if fcs := s.chats[fromID]; fcs != nil {
		src = fcs.visible(msgID)
	}
	var serr reply
	switch {
	case src == nil:
		serr = badRequest("message to copy not found")
	case src.newMembers != nil:
		serr = badRequest("message can't be copied")
	}
	media := src != nil && (src.msg.Document != nil || src.msg.Photo != nil || src.msg.Video != nil)
	if !media || !newCaption {
		cerr = reply{}
	}
	paid := p.boolean("allow_paid_broadcast")
	cs, r := s.prepareSendLocked(chatID, paid, serr, cerr, merr)
	if r.failed() {
		return r
	}
	rec := s.botRecord(src.content, mk, paid)
	m := &rec.msg
	m.Text, m.Caption, m.ParseMode = src.msg.Text, src.msg.Caption, src.msg.ParseMode
	m.Document, m.Photo, m.Video = src.msg.Document, src.msg.Photo, src.msg.Video
	if media && newCaption {
		rec.content = c
		m.Caption, m.ParseMode = c.raw, c.mode
	}
	m.CopiedFrom = &MessageRef{ChatID: fromID, MessageID: msgID}
	s.addLocked(cs, rec)
	return ok(struct {
		MessageID int `json:"message_id"`
	}{m.ID})
}

func (s *Server) mGetFile(_ context.Context, p *params) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.files[p.str("file_id")]
	if f == nil {
		return badRequest("invalid file_id")
	}
	return ok(struct {
		FileID       string `json:"file_id"`
		FileUniqueID string `json:"file_unique_id"`
		FileSize     int    `json:"file_size"`
		FilePath     string `json:"file_path"`
	}{f.ID, f.uniqueID, f.Size, f.Path})
}

func (s *Server) mSendChatAction(_ context.Context, p *params) reply {
	chatID, r := p.chatID("chat_id")
	if r.failed() {
		return r
	}
	var aerr reply
	if p.str("action") == "" {
		aerr = badRequest("wrong parameter action in request")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cs := s.chats[chatID]
	switch {
	case cs == nil:
		return errChatNotFound
	case aerr.failed():
		return aerr
	case cs.blocked:
		return errBlocked
	case cs.botLeft:
		return errKicked
	}
	return ok(true)
}

func (s *Server) mGetChat(_ context.Context, p *params) reply {
	chatID, r := p.chatID("chat_id")
	if r.failed() {
		return r
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cs := s.chats[chatID]
	if cs == nil {
		return errChatNotFound
	}
	return ok(chatWire(cs))
}

// BotCommand is a command set with setMyCommands.
type BotCommand struct {
	Command     string `json:"command"`
	Description string `json:"description"`
}

type commandKey struct {
	scope  string
	chatID int64
	lang   string
}

var commandName = regexp.MustCompile(`^[a-z0-9_]{1,32}$`)

// Commands returns the commands the bot set for a scope type ("default",
// "all_private_chats", "chat", ...), the scope's chat_id (0 for scopes
// without one) and language code ("" for all languages).
func (s *Server) Commands(scopeType string, chatID int64, lang string) []BotCommand {
	if scopeType == "" {
		scopeType = "default"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]BotCommand(nil), s.commands[commandKey{scopeType, chatID, lang}]...)
}

func commandKeyOf(p *params) (commandKey, reply) {
	k := commandKey{scope: "default", lang: p.str("language_code")}
	raw := p.str("scope")
	if raw == "" {
		return k, reply{}
	}
	var sc struct {
		Type   string          `json:"type"`
		ChatID json.RawMessage `json:"chat_id"`
	}
	if err := json.Unmarshal([]byte(raw), &sc); err != nil || sc.Type == "" {
		return k, badRequest("can't parse BotCommandScope JSON object")
	}
	k.scope = sc.Type
	switch sc.Type {
	case "default", "all_private_chats", "all_group_chats", "all_chat_administrators":
	case "chat", "chat_administrators", "chat_member":
		id, err := strconv.ParseInt(strings.Trim(string(sc.ChatID), `"`), 10, 64)
		if err != nil {
			return k, errChatNotFound
		}
		k.chatID = id
	default:
		return k, badRequest("unsupported bot command scope type")
	}
	return k, reply{}
}

func (s *Server) mSetMyCommands(_ context.Context, p *params) reply {
	k, r := commandKeyOf(p)
	if r.failed() {
		return r
	}
	var cmds []BotCommand
	if err := json.Unmarshal([]byte(p.str("commands")), &cmds); err != nil {
		return badRequest("can't parse commands JSON array")
	}
	if len(cmds) > 100 {
		return badRequest("too many commands")
	}
	for _, c := range cmds {
		if !commandName.MatchString(c.Command) {
			return badRequest("BOT_COMMAND_INVALID")
		}
		if n := UTF16Len(strings.TrimSpace(c.Description)); n == 0 || n > 256 {
			return badRequest("BOT_COMMAND_DESCRIPTION_INVALID")
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(cmds) == 0 {
		delete(s.commands, k)
	} else {
		s.commands[k] = cmds
	}
	return ok(true)
}

func (s *Server) mDeleteMyCommands(_ context.Context, p *params) reply {
	k, r := commandKeyOf(p)
	if r.failed() {
		return r
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.commands, k)
	return ok(true)
}

func (s *Server) mGetMyCommands(_ context.Context, p *params) reply {
	k, r := commandKeyOf(p)
	if r.failed() {
		return r
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cmds := s.commands[k]
	if cmds == nil {
		cmds = []BotCommand{}
	}
	return ok(cmds)
}
