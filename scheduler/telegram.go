package scheduler

import (
	"context"

	"github.com/go-telegram/bot/models"

	"vmeste/storage"
	"vmeste/telegram"
)

// Telegram is what the scheduler needs of the Bot API: only the methods it
// calls, so that it can be tested without HTTP. Errors are the gateway's
// (*telegram.Error, classified; an error that is not one counts as an
// error of the server); the caller has waited for the limits.
type Telegram interface {
	// Send makes one attempt to deliver content to chat and returns the
	// new message's id.
	Send(ctx context.Context, chatID int64, c storage.Content) (int, error)
	// Edit makes one attempt to replace the text of one of the bot's
	// messages (HTML). "Not modified" is not an error.
	Edit(ctx context.Context, chatID int64, messageID int, text string) error
}

// Gateway adapts the telegram gateway to Telegram.
type Gateway struct{ G *telegram.Gateway }

// Send implements Telegram with one telegram.Gateway.Post: an album of
// Media is one sendMediaGroup.
func (g Gateway) Send(ctx context.Context, chatID int64, c storage.Content) (int, error) {
	m := telegram.Message{Text: c.Text, Markup: inlineKeyboard(c.Buttons), CopyFromChat: c.CopyFromChat, CopyMessageID: c.CopyMessageID}
	for _, x := range c.Media {
		m.Media = append(m.Media, telegram.Media{Kind: telegram.MediaKind(x.Kind), FileID: x.FileID, Caption: x.Caption})
	}
	if len(m.Media) > 1 {
		m.Markup = nil // an album takes no keyboard
	}
	sent, err := g.G.Post(ctx, chatID, m)
	if err != nil {
		return 0, err
	}
	return sent.ID, nil
}

// Edit implements Telegram with one telegram.Gateway.Revise.
func (g Gateway) Edit(ctx context.Context, chatID int64, messageID int, text string) error {
	return g.G.Revise(ctx, chatID, messageID, telegram.Message{Text: text})
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
