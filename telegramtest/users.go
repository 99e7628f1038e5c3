package telegramtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	_ "image/gif" // photo dimensions
	_ "image/jpeg"
	_ "image/png"
	"mime"
	"path"
	"strconv"
	"strings"
	"time"
)

// Simulated user activity. Every action that produces an update assigns the
// next update_id; messages take the next message_id of their chat (one
// counter per chat, shared by users and the bot). Dates are time.Now().

// SendText delivers a private message from u (registering u's chat). A text
// starting with "/" gets a bot_command entity up to the first space, as
// Telegram adds. If u had blocked the bot, this unblocks it first (with the
// my_chat_member update Telegram sends).
func (s *Server) SendText(u User, text string) Message {
	m, _ := s.sendText(u, text)
	return m
}

func (s *Server) sendText(u User, text string) (Message, int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs := s.privateLocked(u)
	s.unblockLocked(cs, u)
	r := &record{content: content{raw: text, plain: text, ents: commandEntities(text)}}
	r.msg.Text = text
	id := s.postLocked(cs, u, r)
	return r.msg, id
}

// SendGroupText delivers a message from u in group c. An unknown group is
// registered as one the bot is a member of. While the bot is out of the
// group (RemoveBotFromGroup) the message is recorded but no update is sent.
func (s *Server) SendGroupText(c Chat, u User, text string) Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs := s.groupLocked(c)
	r := &record{content: content{raw: text, plain: text, ents: commandEntities(text)}}
	r.msg.Text = text
	s.postLocked(cs, u, r)
	return r.msg
}

// SendDocument delivers a document from u in u's private chat. The file is
// stored: getFile returns its file_path and GET {URL}/file/bot{token}/{path}
// serves content.
func (s *Server) SendDocument(u User, fileName, mimeType string, content []byte, caption string) Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs := s.privateLocked(u)
	s.unblockLocked(cs, u)
	r := &record{content: s.userCaption(caption)}
	r.msg.Document = s.storeFileLocked(fileName, mimeType, content, false)
	r.msg.Caption = caption
	s.postLocked(cs, u, r)
	return r.msg
}

// SendPhoto delivers a photo from u in u's private chat (stored like SendDocument).
func (s *Server) SendPhoto(u User, content []byte, caption string) Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs := s.privateLocked(u)
	s.unblockLocked(cs, u)
	r := &record{content: s.userCaption(caption)}
	r.msg.Photo = s.storeFileLocked("photo.jpg", "image/jpeg", content, true)
	r.msg.Caption = caption
	s.postLocked(cs, u, r)
	return r.msg
}

// SendVideo delivers a video from u in u's private chat (stored like
// SendDocument; getFile serves it).
func (s *Server) SendVideo(u User, fileName, mimeType string, content []byte, caption string) Message {
	m, _ := s.sendUserFile(u, fileVideo, fileName, mimeType, content, caption)
	return m
}

// Kinds of file a user sends (sendUserFile).
const (
	fileDocument = iota
	filePhoto
	fileVideo
)

// sendUserFile delivers a file of kind from u in u's private chat and
// returns the message and its update's id.
func (s *Server) sendUserFile(u User, kind int, fileName, mimeType string, content []byte, caption string) (Message, int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs := s.privateLocked(u)
	s.unblockLocked(cs, u)
	r := &record{content: s.userCaption(caption)}
	switch kind {
	case filePhoto:
		r.msg.Photo = s.storeFileLocked(fileName, "image/jpeg", content, true)
	case fileVideo:
		r.msg.Video = s.storeVideoLocked(fileName, mimeType, content)
	default:
		r.msg.Document = s.storeFileLocked(fileName, mimeType, content, false)
	}
	r.msg.Caption = caption
	id := s.postLocked(cs, u, r)
	return r.msg, id
}

// SendAlbum delivers photos from u as one album, as Telegram does: a
// message and an update per photo, all with the same media_group_id, the
// caption on the first. It returns the messages in order.
func (s *Server) SendAlbum(u User, photos [][]byte, caption string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs := s.privateLocked(u)
	s.unblockLocked(cs, u)
	s.nextAlbum++
	group := strconv.FormatInt(13_000_000_000_000_000+s.nextAlbum, 10)
	var out []Message
	for i, data := range photos {
		text := ""
		if i == 0 {
			text = caption
		}
		r := &record{content: s.userCaption(text)}
		r.msg.Photo = s.storeFileLocked("photo.jpg", "image/jpeg", data, true)
		r.msg.Caption = text
		r.msg.MediaGroupID = group
		s.postLocked(cs, u, r)
		out = append(out, r.msg)
	}
	return out
}

// SendContact delivers u's own phone number, as pressing a reply keyboard
// button with request_contact does (phone as Telegram sends it: digits,
// often without the "+").
func (s *Server) SendContact(u User, phone string) Message {
	m, _ := s.sendContact(u, phone)
	return m
}

func (s *Server) sendContact(u User, phone string) (Message, int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs := s.privateLocked(u)
	s.unblockLocked(cs, u)
	r := &record{}
	r.msg.Contact = &Contact{PhoneNumber: phone, FirstName: u.FirstName, LastName: u.LastName, UserID: u.ID}
	id := s.postLocked(cs, u, r)
	return r.msg, id
}

func (s *Server) userCaption(caption string) content {
	return content{raw: caption, plain: caption}
}

// postLocked adds a user's message to the chat and queues its update
// (unless the bot is not in the chat). It returns the update id (0: none).
func (s *Server) postLocked(cs *chatState, from User, r *record) int64 {
	r.msg.From = from
	r.msg.Date = time.Now()
	s.addLocked(cs, r)
	if cs.botLeft {
		return 0
	}
	return s.emitLocked(kindMessage, &wireUpdate{Message: s.messageWire(cs, r)})
}

func (s *Server) groupLocked(c Chat) *chatState {
	if c.Type == "" || c.Type == ChatPrivate {
		c.Type = ChatGroup
	}
	cs := s.chats[c.ID]
	if cs == nil {
		return s.newChatLocked(c)
	}
	if c.Title != "" {
		cs.chat.Title = c.Title
	}
	return cs
}

// storeFileLocked registers an uploaded file.
func (s *Server) storeFileLocked(name, mimeType string, data []byte, photo bool) *File {
	s.nextFile++
	n := s.nextFile
	if mimeType == "" || mimeType == "application/octet-stream" {
		if t := mime.TypeByExtension(strings.ToLower(path.Ext(name))); t != "" {
			mimeType, _, _ = strings.Cut(t, ";")
		} else if mimeType == "" {
			mimeType = "application/octet-stream"
		}
	}
	f := &File{Name: name, MimeType: mimeType, Size: len(data), Content: data, uniqueID: "AgADu" + strconv.Itoa(n)}
	if photo {
		f.ID = "AgACAgIAAxkBAAIP" + strconv.Itoa(n)
		f.Path = fmt.Sprintf("photos/file_%d.jpg", n)
		f.width, f.height = 800, 600
		if cfg, _, err := image.DecodeConfig(bytes.NewReader(data)); err == nil {
			f.width, f.height = cfg.Width, cfg.Height
		}
	} else {
		f.ID = "BQACAgIAAxkBAAIP" + strconv.Itoa(n)
		f.Path = fmt.Sprintf("documents/file_%d%s", n, path.Ext(name))
	}
	s.files[f.ID] = f
	s.filePaths[f.Path] = f
	return f
}

// CallbackAnswer is the bot's answerCallbackQuery for a query.
type CallbackAnswer struct {
	QueryID   string
	Text      string
	ShowAlert bool
	URL       string
	CacheTime int
}

type queryState struct {
	from     User
	chatID   int64
	msgID    int
	data     string
	answered bool
	answer   CallbackAnswer
}

// PressButton simulates u pressing the inline button labelled exactly
// buttonText on the newest visible bot message in chatID that has such a
// button. It queues a callback_query update (message = that message in its
// current state, data = the button's callback_data) and returns the query id
// for WaitCallbackAnswered. Errors if no message has the button or the
// button has no callback_data (e.g. a URL button).
func (s *Server) PressButton(u User, chatID int64, buttonText string) (string, error) {
	q, _, err := s.press(u, chatID, 0, buttonText, -1)
	return q, err
}

// PressButtonOn is PressButton on a given message.
func (s *Server) PressButtonOn(u User, chatID int64, messageID int, buttonText string) (string, error) {
	q, _, err := s.press(u, chatID, messageID, buttonText, -1)
	return q, err
}

// press finds a button by text, or by index (0-based across rows) when
// index >= 0, on message messageID or (0) the newest bot message having it.
func (s *Server) press(u User, chatID int64, messageID int, text string, index int) (string, int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	find := func(r *record) (Button, bool) {
		i := 0
		for _, row := range r.msg.Buttons {
			for _, b := range row {
				if (index < 0 && b.Text == text) || i == index {
					return b, true
				}
				i++
			}
		}
		return Button{}, false
	}
	var rec *record
	var btn Button
	if messageID != 0 {
		if cs := s.chats[chatID]; cs != nil {
			rec = cs.visible(messageID)
		}
		if rec == nil {
			return "", 0, fmt.Errorf("telegramtest: no message %d in chat %d", messageID, chatID)
		}
		b, ok := find(rec)
		if !ok {
			return "", 0, fmt.Errorf("telegramtest: message %s has no button %q", describe(rec.msg), text)
		}
		btn = b
	} else {
		rec = s.lastBotLocked(chatID, func(r *record) bool { b, ok := find(r); btn = b; return ok })
		if rec == nil {
			return "", 0, fmt.Errorf("telegramtest: no bot message in chat %d has a button %q%s", chatID, text, s.lastBotsLocked(chatID))
		}
	}
	if btn.CallbackData == "" {
		return "", 0, fmt.Errorf("telegramtest: button %q has no callback_data (url %q)", btn.Text, btn.URL)
	}
	q, id := s.callbackLocked(u, chatID, rec.msg.ID, btn.CallbackData)
	return q, id, nil
}

func (s *Server) lastBotsLocked(chatID int64) string {
	cs := s.chats[chatID]
	if cs == nil {
		return " (unknown chat)"
	}
	var lines []string
	for i := len(cs.msgs) - 1; i >= 0 && len(lines) < 5; i-- {
		if r := cs.msgs[i]; !r.deleted && r.msg.FromBot {
			lines = append(lines, "\n  "+describe(r.msg))
		}
	}
	if len(lines) == 0 {
		return "; the bot sent nothing to this chat"
	}
	return "; last bot messages:" + strings.Join(lines, "")
}

// Callback queues a raw, possibly forged, callback_query from u with any
// data on message messageID of chatID, and returns its query id. If the
// message does not exist the update carries an inaccessible message (date 0).
func (s *Server) Callback(u User, chatID int64, messageID int, data string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	q, _ := s.callbackLocked(u, chatID, messageID, data)
	return q
}

func (s *Server) callbackLocked(u User, chatID int64, messageID int, data string) (string, int64) {
	s.nextQuery++
	qid := strconv.FormatInt(4_000_000_000_000_000_000+s.nextQuery, 10)
	s.queries[qid] = &queryState{from: u, chatID: chatID, msgID: messageID, data: data}
	cs := s.chats[chatID]
	if cs == nil && chatID == u.ID {
		cs = s.privateLocked(u)
	}
	var msg []byte
	if cs != nil {
		if r := cs.visible(messageID); r != nil {
			msg, _ = json.Marshal(s.messageWire(cs, r))
		}
	}
	if msg == nil {
		chat := wireChat{ID: chatID, Type: ChatGroup}
		if cs != nil {
			chat = chatWire(cs)
		}
		msg, _ = json.Marshal(struct {
			Chat      wireChat `json:"chat"`
			MessageID int      `json:"message_id"`
			Date      int      `json:"date"`
		}{chat, messageID, 0})
	}
	id := s.emitLocked(kindCallbackQuery, &wireUpdate{CallbackQuery: &wireCallbackQuery{
		ID:           qid,
		From:         userWire(u, false),
		Message:      msg,
		ChatInstance: "ci" + strconv.FormatInt(chatID, 10),
		Data:         data,
	}})
	return qid, id
}

// AddBotToGroup simulates user by adding the bot to group c: a my_chat_member
// update (left -> member) and a service message with new_chat_members = [bot].
// The group becomes known, so the bot can send to it.
func (s *Server) AddBotToGroup(c Chat, by User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs := s.groupLocked(c)
	cs.botLeft = false
	s.memberUpdateLocked(cs, by, "left", "member")
	r := &record{newMembers: []User{s.bot}}
	s.postLocked(cs, by, r)
}

// RemoveBotFromGroup simulates user by removing the bot from group c: a
// my_chat_member update (member -> left). Later sends to the group fail with
// 403 "Forbidden: bot was kicked from the group chat".
func (s *Server) RemoveBotFromGroup(c Chat, by User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs := s.groupLocked(c)
	s.memberUpdateLocked(cs, by, "member", "left")
	cs.botLeft = true
	s.version++
	s.changed.fire()
}

// BlockBot simulates u blocking the bot: sends to u's chat fail with 403
// "Forbidden: bot was blocked by the user", and the bot receives the
// my_chat_member update (member -> kicked) Telegram sends.
func (s *Server) BlockBot(u User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs := s.privateLocked(u)
	if !cs.blocked {
		cs.blocked = true
		s.memberUpdateLocked(cs, u, "member", "kicked")
	}
}

// UnblockBot undoes BlockBot (my_chat_member kicked -> member).
func (s *Server) UnblockBot(u User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.unblockLocked(s.privateLocked(u), u)
}

func (s *Server) unblockLocked(cs *chatState, u User) {
	if cs.blocked {
		cs.blocked = false
		s.memberUpdateLocked(cs, u, "kicked", "member")
	}
}

func (s *Server) memberUpdateLocked(cs *chatState, by User, oldStatus, newStatus string) {
	bot := s.botWire()
	s.emitLocked(kindMyChatMember, &wireUpdate{MyChatMember: &wireChatMemberUpdated{
		Chat:          chatWire(cs),
		From:          userWire(by, false),
		Date:          time.Now().Unix(),
		OldChatMember: wireMember{Status: oldStatus, User: bot},
		NewChatMember: wireMember{Status: newStatus, User: bot},
	}})
}
