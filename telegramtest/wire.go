package telegramtest

import "encoding/json"

// JSON shapes of the Bot API objects the emulator produces.

type wireUser struct {
	ID                      int64  `json:"id"`
	IsBot                   bool   `json:"is_bot"`
	FirstName               string `json:"first_name"`
	LastName                string `json:"last_name,omitempty"`
	Username                string `json:"username,omitempty"`
	LanguageCode            string `json:"language_code,omitempty"`
	CanJoinGroups           bool   `json:"can_join_groups,omitempty"`
	CanReadAllGroupMessages *bool  `json:"can_read_all_group_messages,omitempty"`
	SupportsInlineQueries   *bool  `json:"supports_inline_queries,omitempty"`
}

type wireChat struct {
	ID        int64  `json:"id"`
	Type      string `json:"type"`
	Title     string `json:"title,omitempty"`
	Username  string `json:"username,omitempty"`
	FirstName string `json:"first_name,omitempty"`
	LastName  string `json:"last_name,omitempty"`
}

type wireDocument struct {
	FileID       string `json:"file_id"`
	FileUniqueID string `json:"file_unique_id"`
	FileName     string `json:"file_name,omitempty"`
	MimeType     string `json:"mime_type,omitempty"`
	FileSize     int    `json:"file_size,omitempty"`
}

type wirePhotoSize struct {
	FileID       string `json:"file_id"`
	FileUniqueID string `json:"file_unique_id"`
	Width        int    `json:"width"`
	Height       int    `json:"height"`
	FileSize     int    `json:"file_size"`
}

type wireContact struct {
	PhoneNumber string `json:"phone_number"`
	FirstName   string `json:"first_name"`
	LastName    string `json:"last_name,omitempty"`
	UserID      int64  `json:"user_id,omitempty"`
}

type wireMessage struct {
	MessageID       int             `json:"message_id"`
	From            *wireUser       `json:"from,omitempty"`
	Chat            wireChat        `json:"chat"`
	Date            int64           `json:"date"`
	EditDate        int64           `json:"edit_date,omitempty"`
	Text            string          `json:"text,omitempty"`
	Entities        []entity        `json:"entities,omitempty"`
	Caption         string          `json:"caption,omitempty"`
	CaptionEntities []entity        `json:"caption_entities,omitempty"`
	Document        *wireDocument   `json:"document,omitempty"`
	Photo           []wirePhotoSize `json:"photo,omitempty"`
	Video           *wireVideo      `json:"video,omitempty"`
	Contact         *wireContact    `json:"contact,omitempty"`
	MediaGroupID    string          `json:"media_group_id,omitempty"`
	NewChatMembers  []wireUser      `json:"new_chat_members,omitempty"`
	ReplyMarkup     json.RawMessage `json:"reply_markup,omitempty"`
}

type wireMember struct {
	Status string   `json:"status"`
	User   wireUser `json:"user"`
}

type wireChatMemberUpdated struct {
	Chat          wireChat   `json:"chat"`
	From          wireUser   `json:"from"`
	Date          int64      `json:"date"`
	OldChatMember wireMember `json:"old_chat_member"`
	NewChatMember wireMember `json:"new_chat_member"`
}

type wireCallbackQuery struct {
	ID           string          `json:"id"`
	From         wireUser        `json:"from"`
	Message      json.RawMessage `json:"message,omitempty"`
	ChatInstance string          `json:"chat_instance"`
	Data         string          `json:"data,omitempty"`
}

type wireUpdate struct {
	UpdateID      int64                  `json:"update_id"`
	Message       *wireMessage           `json:"message,omitempty"`
	CallbackQuery *wireCallbackQuery     `json:"callback_query,omitempty"`
	MyChatMember  *wireChatMemberUpdated `json:"my_chat_member,omitempty"`
}

func userWire(u User, isBot bool) wireUser {
	first := u.FirstName
	if first == "" {
		first = "User"
	}
	return wireUser{ID: u.ID, IsBot: isBot, FirstName: first, LastName: u.LastName, Username: u.Username, LanguageCode: u.LanguageCode}
}

func (s *Server) botWire() wireUser { return userWire(s.bot, true) }

func chatWire(cs *chatState) wireChat {
	c := wireChat{ID: cs.chat.ID, Type: cs.chat.Type}
	if cs.chat.Type == ChatPrivate {
		u := userWire(cs.user, false)
		c.FirstName, c.LastName, c.Username = u.FirstName, u.LastName, u.Username
	} else {
		c.Title = cs.chat.Title
	}
	return c
}

func fileDocWire(f *File) *wireDocument {
	return &wireDocument{FileID: f.ID, FileUniqueID: f.uniqueID, FileName: f.Name, MimeType: f.MimeType, FileSize: f.Size}
}

func (s *Server) messageWire(cs *chatState, r *record) *wireMessage {
	m := &r.msg
	w := &wireMessage{
		MessageID: m.ID,
		Chat:      chatWire(cs),
		Date:      m.Date.Unix(),
		EditDate:  r.editDate,
	}
	from := userWire(m.From, m.FromBot)
	w.From = &from
	if m.Document != nil || m.Photo != nil || m.Video != nil {
		w.Caption, w.CaptionEntities = r.content.plain, r.content.ents
	} else {
		w.Text, w.Entities = r.content.plain, r.content.ents
	}
	if f := m.Document; f != nil {
		w.Document = fileDocWire(f)
	}
	if f := m.Photo; f != nil {
		w.Photo = []wirePhotoSize{{FileID: f.ID, FileUniqueID: f.uniqueID, Width: f.width, Height: f.height, FileSize: f.Size}}
	}
	if f := m.Video; f != nil {
		w.Video = fileVideoWire(f)
	}
	if c := m.Contact; c != nil {
		w.Contact = &wireContact{PhoneNumber: c.PhoneNumber, FirstName: c.FirstName, LastName: c.LastName, UserID: c.UserID}
	}
	w.MediaGroupID = m.MediaGroupID
	for _, u := range r.newMembers {
		w.NewChatMembers = append(w.NewChatMembers, userWire(u, u.ID == s.bot.ID))
	}
	if r.inline != nil {
		w.ReplyMarkup = json.RawMessage(`{"inline_keyboard":` + string(r.inline) + `}`)
	}
	return w
}
