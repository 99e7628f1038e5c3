package telegramtest

import (
	"errors"
	"testing"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

// TestWebAppButtonsAndMenu: a web_app button is kept with its URL and
// must be https, as Telegram wants; setChatMenuButton keeps each chat's
// button and getChatMenuButton reads it back.
func TestWebAppButtonsAndMenu(t *testing.T) {
	s := newServer(t)
	ctx := testCtx(t)
	b := newClient(t, s)
	s.AddChat(Chat{ID: alice.ID, Type: ChatPrivate})
	send := func(url string) error {
		_, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: alice.ID, Text: "panel",
			ReplyMarkup: &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{
				{{Text: "🖥 Open", WebApp: &models.WebAppInfo{URL: url}}}}}})
		return err
	}
	if err := send("https://vmeste.example.ru/app/?event=7"); err != nil {
		t.Fatal(err)
	}
	m, ok := s.LastBotMessage(alice.ID)
	if !ok || len(m.Buttons) != 1 || m.Buttons[0][0].WebApp != "https://vmeste.example.ru/app/?event=7" {
		t.Fatalf("the button: %+v", m.Buttons)
	}
	if err := send("http://vmeste.example.ru/app/"); !errors.Is(err, bot.ErrorBadRequest) {
		t.Errorf("an http web_app button: %v, want 400", err)
	}

	if _, ok := s.MenuButton(alice.ID); ok {
		t.Fatal("a menu button before any was set")
	}
	web := models.MenuButtonWebApp{Type: models.MenuButtonTypeWebApp, Text: "Панель", WebApp: models.WebAppInfo{URL: "https://vmeste.example.ru/app/"}}
	if _, err := b.SetChatMenuButton(ctx, &bot.SetChatMenuButtonParams{ChatID: alice.ID, MenuButton: web}); err != nil {
		t.Fatal(err)
	}
	if mb, ok := s.MenuButton(alice.ID); !ok || mb.Type != "web_app" || mb.Text != "Панель" || mb.URL != "https://vmeste.example.ru/app/" {
		t.Fatalf("kept: %+v %v", mb, ok)
	}
	got, err := b.GetChatMenuButton(ctx, &bot.GetChatMenuButtonParams{ChatID: alice.ID})
	if err != nil || got.Type != models.MenuButtonTypeWebApp || got.WebApp == nil || got.WebApp.WebApp.URL != "https://vmeste.example.ru/app/" {
		t.Fatalf("getChatMenuButton: %+v %v", got, err)
	}
	if _, err := b.SetChatMenuButton(ctx, &bot.SetChatMenuButtonParams{ChatID: alice.ID, MenuButton: models.MenuButtonDefault{Type: models.MenuButtonTypeDefault}}); err != nil {
		t.Fatal(err)
	}
	if mb, _ := s.MenuButton(alice.ID); mb.Type != "default" {
		t.Fatalf("after default: %+v", mb)
	}
	web.WebApp.URL = "http://vmeste.example.ru/app/"
	if _, err := b.SetChatMenuButton(ctx, &bot.SetChatMenuButtonParams{ChatID: alice.ID, MenuButton: web}); !errors.Is(err, bot.ErrorBadRequest) {
		t.Errorf("an http menu button: %v, want 400", err)
	}
	if _, err := b.SetChatMenuButton(ctx, &bot.SetChatMenuButtonParams{ChatID: 999, MenuButton: models.MenuButtonDefault{Type: models.MenuButtonTypeDefault}}); !errors.Is(err, bot.ErrorBadRequest) {
		t.Errorf("an unknown chat: %v, want 400", err)
	}
}
