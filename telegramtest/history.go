package telegramtest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
)

// User is a simulated Telegram user. A user's private chat with the bot has
// the same id as the user.
type User struct {
	ID                                          int64
	FirstName, LastName, Username, LanguageCode string
}

// Chat types.
const (
	ChatPrivate    = "private"
	ChatGroup      = "group"
	ChatSupergroup = "supergroup"
)

// Chat is a simulated chat. Group ids are negative by Telegram convention
// (the emulator does not enforce it).
type Chat struct {
	ID    int64
	Type  string // ChatPrivate, ChatGroup or ChatSupergroup
	Title string
}

// Button is an inline keyboard button as the user sees it.
type Button struct {
	Text, CallbackData, URL string
	// WebApp is the URL of a web_app button (a Mini App), "" otherwise.
	WebApp string
}

// File is a stored document, photo or video. Content must not be modified.
type File struct {
	ID, Name, MimeType string
	Size               int
	Content            []byte
	Path               string // file_path returned by getFile

	uniqueID      string
	width, height int
}

// Contact is a phone number a user shares (the request_contact button).
type Contact struct {
	PhoneNumber, FirstName, LastName string
	UserID                           int64
}

// MessageRef names a message.
type MessageRef struct {
	ChatID    int64
	MessageID int
}

// Message is a message in a chat's history, as stored by the emulator.
// Slices and *File are shared between copies and must not be modified.
type Message struct {
	ID        int
	ChatID    int64
	FromBot   bool
	From      User   // the bot (BotUser) when FromBot
	Text      string // as sent: raw HTML when ParseMode is "HTML"
	ParseMode string // "", "HTML", "MarkdownV2" or "Markdown"
	Caption   string // as sent, for documents, photos and videos
	// Buttons is the inline keyboard, rows of buttons.
	Buttons [][]Button
	// ReplyKeyboard is the custom reply keyboard (button texts) sent with the
	// message; RemoveKeyboard is set when the message removed it.
	ReplyKeyboard  [][]string
	RemoveKeyboard bool
	Document       *File
	Photo          *File
	Video          *File
	// MediaGroupID is set on each message of an album, the bot's
	// (sendMediaGroup) or a user's (SendAlbum); the album's messages share
	// it.
	MediaGroupID string
	Edited       int // number of successful edits
	Date         time.Time
	CopiedFrom   *MessageRef
	// Version is the server Version right after this message was sent or
	// last edited (see Server.Version).
	Version uint64

	// Contact is set on a user's message that shares a phone
	// (SendContact).
	Contact *Contact

	// PaidBroadcast is set on a bot's message whose request set
	// allow_paid_broadcast (Telegram's paid broadcasts).
	PaidBroadcast bool

	plain string
}

// PlainText is the text (or caption) as a user sees it: HTML tags stripped
// and entities decoded.
func (m Message) PlainText() string {
	if m.plain != "" {
		return m.plain
	}
	raw := m.Text
	if raw == "" {
		raw = m.Caption
	}
	if m.ParseMode == "HTML" {
		if p, _, err := parseHTML(raw); err == nil {
			return p
		}
	}
	return raw
}

// record is the emulator's view of a message.
type record struct {
	msg        Message
	content    content // parsed text or caption
	inline     []byte  // canonical inline keyboard JSON, nil if none
	deleted    bool
	editDate   int64
	newMembers []User // service message: members added
}

// change is an entry of a chat's change log: a bot message sent or edited.
type change struct {
	version uint64
	msgID   int
}

type chatState struct {
	chat    Chat
	user    User // private chats: the peer, when known
	nextID  int
	msgs    []*record
	byID    map[int]*record
	changes []change
	blocked bool // private: the user blocked the bot
	botLeft bool // groups: the bot was removed
	rate    *window
}

func (s *Server) newChatLocked(c Chat) *chatState {
	cs := &chatState{chat: c, nextID: 1, byID: make(map[int]*record)}
	s.chats[c.ID] = cs
	return cs
}

// privateLocked returns u's private chat, registering it (and refreshing the
// user's profile) as needed.
func (s *Server) privateLocked(u User) *chatState {
	cs := s.chats[u.ID]
	if cs == nil {
		cs = s.newChatLocked(Chat{ID: u.ID, Type: ChatPrivate})
	}
	cs.user = u
	return cs
}

// AddChat registers a chat as known to the bot, so that sends to it succeed
// without any user activity. An empty Type means private for positive ids,
// group for negative ones. Registering an existing chat updates its type
// and title. For private chats without a known user, Title is used as the
// user's first name.
func (s *Server) AddChat(c Chat) {
	if c.Type == "" {
		c.Type = ChatPrivate
		if c.ID < 0 {
			c.Type = ChatGroup
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cs := s.chats[c.ID]
	if cs == nil {
		cs = s.newChatLocked(c)
	}
	cs.chat = c
	cs.botLeft = false
	if c.Type == ChatPrivate && cs.user.ID == 0 {
		cs.user = User{ID: c.ID, FirstName: c.Title}
	}
}

// addLocked appends rec to cs with the next message id and bumps the version.
func (s *Server) addLocked(cs *chatState, rec *record) {
	rec.msg.ID = cs.nextID
	cs.nextID++
	rec.msg.ChatID = cs.chat.ID
	rec.msg.plain = rec.content.plain
	cs.msgs = append(cs.msgs, rec)
	cs.byID[rec.msg.ID] = rec
	s.touchLocked(cs, rec)
}

// touchLocked records a change to rec (new or edited).
func (s *Server) touchLocked(cs *chatState, rec *record) {
	s.version++
	rec.msg.Version = s.version
	if rec.msg.FromBot {
		cs.changes = append(cs.changes, change{version: s.version, msgID: rec.msg.ID})
	}
	s.changed.fire()
}

// visible returns message id of cs unless it is unknown or deleted.
func (cs *chatState) visible(id int) *record {
	r := cs.byID[id]
	if r == nil || r.deleted {
		return nil
	}
	return r
}

// Version is a counter bumped on every change to any chat history: a message
// sent by a user or the bot, an edit, a deletion. Snapshot it before acting
// and pass it to WaitBotMessageAfter to wait for the bot's reaction.
func (s *Server) Version() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.version
}

// Chats lists the ids of all known chats, ascending.
func (s *Server) Chats() []int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := make([]int64, 0, len(s.chats))
	for id := range s.chats {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// Messages is the visible history of a chat (deleted messages excluded),
// oldest first, including the users' own messages.
func (s *Server) Messages(chatID int64) []Message { return s.collect(chatID, false) }

// BotMessages is like Messages but only the bot's messages.
func (s *Server) BotMessages(chatID int64) []Message { return s.collect(chatID, true) }

func (s *Server) collect(chatID int64, botOnly bool) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs := s.chats[chatID]
	if cs == nil {
		return nil
	}
	out := make([]Message, 0, len(cs.msgs))
	for _, r := range cs.msgs {
		if !r.deleted && (!botOnly || r.msg.FromBot) {
			out = append(out, r.msg)
		}
	}
	return out
}

// LastBotMessage is the newest visible bot message in the chat.
func (s *Server) LastBotMessage(chatID int64) (Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r := s.lastBotLocked(chatID, nil); r != nil {
		return r.msg, true
	}
	return Message{}, false
}

// MessageByID returns a visible message of the chat.
func (s *Server) MessageByID(chatID int64, messageID int) (Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if cs := s.chats[chatID]; cs != nil {
		if r := cs.visible(messageID); r != nil {
			return r.msg, true
		}
	}
	return Message{}, false
}

// lastBotLocked is the newest visible bot message satisfying ok (nil: any).
func (s *Server) lastBotLocked(chatID int64, ok func(*record) bool) *record {
	cs := s.chats[chatID]
	if cs == nil {
		return nil
	}
	for i := len(cs.msgs) - 1; i >= 0; i-- {
		r := cs.msgs[i]
		if !r.deleted && r.msg.FromBot && (ok == nil || ok(r)) {
			return r
		}
	}
	return nil
}

// snapshot is an atomic view used by waiters: the bot messages of one chat
// changed after some version, in change order, plus the wake channel.
type snapshot struct {
	msgs      []Message
	version   uint64
	delivered int64
	wake      <-chan struct{}
}

func (s *Server) botChangesAfter(chatID int64, after uint64) snapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	snap := snapshot{version: s.version, delivered: s.deliveredUpTo, wake: s.changed.wait()}
	cs := s.chats[chatID]
	if cs == nil {
		return snap
	}
	i := sort.Search(len(cs.changes), func(i int) bool { return cs.changes[i].version > after })
	for _, ch := range cs.changes[i:] {
		r := cs.byID[ch.msgID]
		if r != nil && !r.deleted && r.msg.Version == ch.version {
			snap.msgs = append(snap.msgs, r.msg)
		}
	}
	return snap
}

// WaitBotMessage waits until a visible bot message in the chat satisfies
// match (nil matches any) and returns it. Existing messages are checked
// first. It is WaitBotMessageAfter(ctx, chatID, 0, match).
func (s *Server) WaitBotMessage(ctx context.Context, chatID int64, match func(Message) bool) (Message, error) {
	return s.WaitBotMessageAfter(ctx, chatID, 0, match)
}

// WaitBotMessageAfter waits for a bot message in the chat that was sent or
// last edited after version (a value of Version) and satisfies match (nil
// matches any); match sees the message's current state. Candidates are
// tried in the order of their latest change, so the earliest reaction after
// the snapshot wins. A message changed after the snapshot but deleted since
// does not count. It wakes on every change, without polling. When ctx ends
// the error lists the chat's last bot messages.
func (s *Server) WaitBotMessageAfter(ctx context.Context, chatID int64, version uint64, match func(Message) bool) (Message, error) {
	after := version
	for {
		snap := s.botChangesAfter(chatID, after)
		for _, m := range snap.msgs {
			if match == nil || match(m) {
				return m, nil
			}
		}
		// Messages seen here can only match again after a new change.
		after = snap.version
		select {
		case <-snap.wake:
		case <-ctx.Done():
			return Message{}, s.waitError(chatID, ctx.Err())
		case <-s.closing:
			return Message{}, s.waitError(chatID, errClosed)
		}
	}
}

var errClosed = errors.New("telegramtest: server closed")

func (s *Server) waitError(chatID int64, cause error) error {
	msgs := s.BotMessages(chatID)
	var b strings.Builder
	fmt.Fprintf(&b, "telegramtest: no matching bot message in chat %d: %v", chatID, cause)
	if len(msgs) == 0 {
		b.WriteString("; the bot sent nothing to this chat")
		return errors.New(b.String())
	}
	if len(msgs) > 5 {
		msgs = msgs[len(msgs)-5:]
	}
	b.WriteString("; last bot messages:")
	for _, m := range msgs {
		b.WriteString("\n  ")
		b.WriteString(describe(m))
	}
	return errors.New(b.String())
}

// describe renders a message on one line for error messages.
func describe(m Message) string {
	t := m.PlainText()
	if r := []rune(t); len(r) > 120 {
		t = string(r[:120]) + "…"
	}
	s := fmt.Sprintf("#%d %q", m.ID, t)
	if m.Document != nil {
		s += " 📎 " + m.Document.Name
	}
	if m.Edited > 0 {
		s += fmt.Sprintf(" (edited %d)", m.Edited)
	}
	for _, row := range m.Buttons {
		for _, b := range row {
			if b.CallbackData != "" {
				s += fmt.Sprintf(" [%s|%s]", b.Text, b.CallbackData)
			} else {
				s += fmt.Sprintf(" [%s]", b.Text)
			}
		}
	}
	return s
}

// Ask sends text from u to the bot in u's private chat and waits for the
// bot's first message (sent or edited) in that chat after it.
func (s *Server) Ask(ctx context.Context, u User, text string) (Message, error) {
	v := s.Version()
	s.SendText(u, text)
	return s.WaitBotMessageAfter(ctx, u.ID, v, nil)
}

// CallbackAnswer returns the bot's answer to a callback query, if any yet.
func (s *Server) CallbackAnswer(queryID string) (CallbackAnswer, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if q := s.queries[queryID]; q != nil && q.answered {
		return q.answer, true
	}
	return CallbackAnswer{}, false
}

// WaitCallbackAnswered waits until the bot answers the callback query
// (answerCallbackQuery) and returns the answer. It fails at once for a query
// id the emulator never issued.
func (s *Server) WaitCallbackAnswered(ctx context.Context, queryID string) (CallbackAnswer, error) {
	for {
		s.mu.Lock()
		q := s.queries[queryID]
		if q == nil {
			s.mu.Unlock()
			return CallbackAnswer{}, fmt.Errorf("telegramtest: unknown callback query %q", queryID)
		}
		if q.answered {
			a := q.answer
			s.mu.Unlock()
			return a, nil
		}
		wake := s.changed.wait()
		data := q.data
		s.mu.Unlock()
		select {
		case <-wake:
		case <-ctx.Done():
			return CallbackAnswer{}, fmt.Errorf("telegramtest: callback query %s (data %q) not answered: %w", queryID, data, ctx.Err())
		case <-s.closing:
			return CallbackAnswer{}, errClosed
		}
	}
}
