package bot

import (
	"context"
	"errors"
	"fmt"

	"github.com/go-telegram/bot/models"

	"vmeste/locales"
	"vmeste/telegram"
)

// keyboard is an inline keyboard: rows of buttons.
type keyboard [][]models.InlineKeyboardButton

func (k keyboard) markup() models.ReplyMarkup {
	if k == nil {
		return nil
	}
	return &models.InlineKeyboardMarkup{InlineKeyboard: k}
}

func button(text, data string) models.InlineKeyboardButton {
	return models.InlineKeyboardButton{Text: text, CallbackData: data}
}

// errSend wraps a failure to send or edit a message: telling the user
// about it would most likely fail too.
var errSend = errors.New("bot: send")

// send sends an HTML message to chat as a reply: it waits its turn ahead
// of every bulk send and is tried again through 429s and outages (see
// telegram.Gateway.Reply), so it fails only for a reason about the message
// or the chat, or when it could not go in time.
func (b *Bot) send(ctx context.Context, chatID int64, text string, kb keyboard) (*models.Message, error) {
	return b.sendMessage(ctx, chatID, telegram.Message{Text: text, Markup: kb.markup()})
}

// sendMessage is send for any message: a copy, a document.
func (b *Bot) sendMessage(ctx context.Context, chatID int64, m telegram.Message) (*models.Message, error) {
	sent, err := b.tg.Reply(ctx, chatID, m)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errSend, err)
	}
	return sent, nil
}

// reply answers the request: for a button it edits the message the button
// was on, otherwise it sends a new message.
func (b *Bot) reply(ctx context.Context, r *Request, text string, kb keyboard) error {
	if id := r.callbackMessageID(); id != 0 {
		return b.edit(ctx, r.ChatID, id, text, kb)
	}
	_, err := b.send(ctx, r.ChatID, text, kb)
	return err
}

// edit replaces a message's text and keyboard (a nil kb removes it). A
// double tap ("not modified") is not an error; a message that is gone or
// too old to edit gets a new message instead.
func (b *Bot) edit(ctx context.Context, chatID int64, messageID int, text string, kb keyboard) error {
	err := b.tg.EditReply(ctx, chatID, messageID, telegram.Message{Text: text, Markup: kb.markup()})
	if telegram.ClassOf(err) == telegram.ClassEditGone {
		_, err = b.send(ctx, chatID, text, kb)
		return err
	}
	if err != nil {
		return fmt.Errorf("%w: %w", errSend, err)
	}
	return nil
}

// maxAnswer is Telegram's limit on a callback answer's text.
const maxAnswer = 200

// answer answers the request's callback query, once. A failure is logged,
// not returned: the query may have expired (a button pressed while the bot
// was down), and what the handler did is done all the same.
func (b *Bot) answer(ctx context.Context, r *Request, text string, alert bool) error {
	if r.Update.CallbackQuery == nil || r.answered {
		return nil
	}
	r.answered = true
	if err := b.tg.Answer(ctx, r.Update.CallbackQuery.ID, truncateRunes(text, maxAnswer), alert); err != nil {
		b.log.Warn("answerCallbackQuery failed", "update_id", r.Update.ID, "error", err)
	}
	return nil
}

// maxUpload bounds the files the bot downloads from users.
const maxUpload = 1 << 20

// download fetches a file a user sent, refusing one over maxUpload
// (telegram.ErrFileTooBig).
func (b *Bot) download(ctx context.Context, fileID string, size int64) ([]byte, error) {
	data, err := b.tg.Download(ctx, fileID, size, maxUpload)
	if err != nil {
		return nil, fmt.Errorf("bot: %w", err)
	}
	return data, nil
}

// modelsButton is an inline keyboard button.
type modelsButton = models.InlineKeyboardButton

// modelsWebApp and modelsUser are Telegram's types for web_app buttons and
// users, under the bot's short names.
type (
	modelsWebApp = models.WebAppInfo
	modelsUser   = models.User
)

// pager is the Previous/Next row for page of pages (none for one page).
func pager(p locales.Printer, prefix string, page, pages int) keyboard {
	if pages <= 1 {
		return nil
	}
	var row []modelsButton
	if page > 0 {
		row = append(row, button(p.T("btn_prev"), cb(prefix, page-1)))
	}
	row = append(row, button(p.T("page_of", "Page", page+1, "Pages", pages), cb(prefix, page)))
	if page < pages-1 {
		row = append(row, button(p.T("btn_next"), cb(prefix, page+1)))
	}
	return keyboard{row}
}
