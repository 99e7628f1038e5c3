package scheduler

import (
	"context"
	"fmt"
	"net/http"
	"time"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"vmeste/storage"
)

// Telegram is what the scheduler needs of the Bot API: only the methods it
// calls, so that it can be tested without HTTP.
type Telegram interface {
	// Send delivers content to chat and returns the new message's id.
	Send(ctx context.Context, chatID int64, c storage.Content) (int, error)
	// Edit replaces the text of one of the bot's messages (HTML).
	Edit(ctx context.Context, chatID int64, messageID int, text string) error
}

// NewAPI returns a Bot API client for the scheduler. It makes no call.
func NewAPI(token, apiURL string, timeout time.Duration) (API, error) {
	b, err := tg.New(token, tg.WithServerURL(apiURL), tg.WithSkipGetMe(),
		tg.WithHTTPClient(timeout, &http.Client{Timeout: timeout}))
	if err != nil {
		return API{}, fmt.Errorf("scheduler: %w", err)
	}
	return API{Bot: b}, nil
}

// API adapts go-telegram/bot to Telegram. Errors are the library's:
// *tg.TooManyRequestsError, tg.ErrorForbidden, *tg.MigrateError, …
type API struct{ Bot *tg.Bot }

// Send implements Telegram: copyMessage for a copy, sendMessage otherwise.
func (a API) Send(ctx context.Context, chatID int64, c storage.Content) (int, error) {
	markup := inlineKeyboard(c.Buttons)
	if c.IsCopy() {
		id, err := a.Bot.CopyMessage(ctx, &tg.CopyMessageParams{
			ChatID: chatID, FromChatID: c.CopyFromChat, MessageID: c.CopyMessageID, ReplyMarkup: markup,
		})
		if err != nil {
			return 0, fmt.Errorf("scheduler: copyMessage to %d: %w", chatID, err)
		}
		return id.ID, nil
	}
	m, err := a.Bot.SendMessage(ctx, &tg.SendMessageParams{
		ChatID: chatID, Text: c.Text, ParseMode: models.ParseModeHTML, ReplyMarkup: markup,
		LinkPreviewOptions: &models.LinkPreviewOptions{IsDisabled: tg.True()},
	})
	if err != nil {
		return 0, fmt.Errorf("scheduler: sendMessage to %d: %w", chatID, err)
	}
	return m.ID, nil
}

// Edit implements Telegram.
func (a API) Edit(ctx context.Context, chatID int64, messageID int, text string) error {
	_, err := a.Bot.EditMessageText(ctx, &tg.EditMessageTextParams{
		ChatID: chatID, MessageID: messageID, Text: text, ParseMode: models.ParseModeHTML,
		LinkPreviewOptions: &models.LinkPreviewOptions{IsDisabled: tg.True()},
	})
	if err != nil {
		return fmt.Errorf("scheduler: editMessageText %d/%d: %w", chatID, messageID, err)
	}
	return nil
}

func inlineKeyboard(rows [][]storage.Button) models.ReplyMarkup {
	if len(rows) == 0 {
		return nil
	}
	kb := make([][]models.InlineKeyboardButton, len(rows))
	for i, row := range rows {
		for _, b := range row {
			kb[i] = append(kb[i], models.InlineKeyboardButton{Text: b.Text, CallbackData: b.Data, URL: b.URL})
		}
	}
	return &models.InlineKeyboardMarkup{InlineKeyboard: kb}
}
