package telegramtest

import (
	"context"
	"encoding/json"
)

// MenuButton is a chat's menu button as set with setChatMenuButton: Type
// "commands", "web_app" or "default"; Text and URL for "web_app".
type MenuButton struct {
	Type string `json:"type"`
	Text string `json:"text,omitempty"`
	URL  string `json:"-"`
}

// MenuButton returns the menu button the bot set for chatID (0: the
// default for every private chat), and whether it set one.
func (s *Server) MenuButton(chatID int64) (MenuButton, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.menus[chatID]
	return m, ok
}

// mSetChatMenuButton validates menu_button as Telegram does (a web_app
// button needs a text and an https URL) and keeps it per chat.
func (s *Server) mSetChatMenuButton(_ context.Context, p *params) reply {
	var chatID int64
	if p.has("chat_id") {
		id, r := p.chatID("chat_id")
		if r.failed() {
			return r
		}
		chatID = id
	}
	m := MenuButton{Type: "default"}
	if raw := p.str("menu_button"); raw != "" {
		var in struct {
			Type   string `json:"type"`
			Text   string `json:"text"`
			WebApp *struct {
				URL string `json:"url"`
			} `json:"web_app"`
		}
		if json.Unmarshal([]byte(raw), &in) != nil {
			return badRequest("can't parse menu button JSON object")
		}
		switch in.Type {
		case "commands", "default":
			m.Type = in.Type
		case "web_app":
			if in.Text == "" || in.WebApp == nil || !validWebAppURL(in.WebApp.URL) {
				return badRequest("BUTTON_URL_INVALID")
			}
			m = MenuButton{Type: in.Type, Text: in.Text, URL: in.WebApp.URL}
		default:
			return badRequest("unsupported menu button type")
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if chatID != 0 && s.chats[chatID] == nil {
		return errChatNotFound
	}
	s.menus[chatID] = m
	return ok(true)
}

// mGetChatMenuButton answers what mSetChatMenuButton kept ("default" when
// nothing was set).
func (s *Server) mGetChatMenuButton(_ context.Context, p *params) reply {
	chatID, _ := p.int("chat_id")
	s.mu.Lock()
	defer s.mu.Unlock()
	m, found := s.menus[chatID]
	if !found {
		return ok(map[string]string{"type": "default"})
	}
	out := map[string]any{"type": m.Type}
	if m.Type == "web_app" {
		out["text"], out["web_app"] = m.Text, map[string]string{"url": m.URL}
	}
	return ok(out)
}
