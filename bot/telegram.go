package bot

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"vmeste/flood"
	"vmeste/locales"
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

// maxReplyRetryAfter bounds how long a reply waits for Telegram's flood
// control before giving up: a user is waiting for it.
const maxReplyRetryAfter = 5 * time.Second

// send sends an HTML message to chat. A 429 with a short retry_after is
// waited out once.
func (b *Bot) send(ctx context.Context, chatID int64, text string, kb keyboard) (*models.Message, error) {
	params := &tg.SendMessageParams{
		ChatID:             chatID,
		Text:               text,
		ParseMode:          models.ParseModeHTML,
		ReplyMarkup:        kb.markup(),
		LinkPreviewOptions: &models.LinkPreviewOptions{IsDisabled: tg.True()},
	}
	var m *models.Message
	if err := b.pace(ctx, chatID); err != nil {
		return nil, err
	}
	err := b.retry429(ctx, func() error {
		var err error
		m, err = b.api.SendMessage(ctx, params)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("%w to %d: %w", errSend, chatID, redact(err, b.cfg.Token))
	}
	return m, nil
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

// edit replaces a message's text and keyboard. "Message is not modified"
// (a double tap) is not an error.
func (b *Bot) edit(ctx context.Context, chatID int64, messageID int, text string, kb keyboard) error {
	params := &tg.EditMessageTextParams{
		ChatID:             chatID,
		MessageID:          messageID,
		Text:               text,
		ParseMode:          models.ParseModeHTML,
		LinkPreviewOptions: &models.LinkPreviewOptions{IsDisabled: tg.True()},
	}
	if kb != nil {
		params.ReplyMarkup = kb.markup()
	}
	err := b.retry429(ctx, func() error {
		_, err := b.api.EditMessageText(ctx, params)
		return err
	})
	switch {
	case err == nil:
		return nil
	case strings.Contains(err.Error(), "message is not modified"):
		return nil
	case strings.Contains(err.Error(), "message to edit not found"), strings.Contains(err.Error(), "can't be edited"):
		_, err = b.send(ctx, chatID, text, kb)
		return err
	}
	return fmt.Errorf("%w: edit %d/%d: %w", errSend, chatID, messageID, redact(err, b.cfg.Token))
}

// maxReplyPace bounds how long a reply waits for its chat's flood limit;
// past that it goes anyway (a 429 is then waited out by retry429).
const maxReplyPace = 5 * time.Second

// pace waits until a new message may go to chat without breaking
// Telegram's per-chat limits, which the scheduler shares.
func (b *Bot) pace(ctx context.Context, chatID int64) error {
	err := b.cfg.Pacer.Wait(ctx, chatID, chatID < 0, maxReplyPace)
	if errors.Is(err, flood.ErrBusy) {
		b.cfg.Pacer.Take(chatID, chatID < 0, time.Now())
		return nil
	}
	return err
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
	_, err := b.api.AnswerCallbackQuery(ctx, &tg.AnswerCallbackQueryParams{
		CallbackQueryID: r.Update.CallbackQuery.ID,
		Text:            truncateRunes(text, maxAnswer),
		ShowAlert:       alert,
	})
	if err != nil {
		b.log.Warn("answerCallbackQuery failed", "update_id", r.Update.ID, "error", redact(err, b.cfg.Token))
	}
	return nil
}

// retry429 runs call, and once more after retry_after if Telegram answers
// 429 with a wait short enough for a user to bear.
func (b *Bot) retry429(ctx context.Context, call func() error) error {
	err := call()
	var tooMany *tg.TooManyRequestsError
	if !errors.As(err, &tooMany) {
		return err
	}
	wait := time.Duration(tooMany.RetryAfter) * time.Second
	if wait > maxReplyRetryAfter {
		return err
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
	}
	return call()
}

// maxUpload bounds the files the bot downloads from users.
const maxUpload = 1 << 20

// errFileTooBig is returned by download for a file over maxUpload.
var errFileTooBig = errors.New("bot: file too big")

// download fetches a file a user sent, refusing one over maxUpload.
func (b *Bot) download(ctx context.Context, fileID string, size int64) ([]byte, error) {
	if size > maxUpload {
		return nil, errFileTooBig
	}
	f, err := b.api.GetFile(ctx, &tg.GetFileParams{FileID: fileID})
	if err != nil {
		return nil, fmt.Errorf("bot: getFile: %w", redact(err, b.cfg.Token))
	}
	url := b.cfg.APIURL + "/file/bot" + b.cfg.Token + "/" + f.FilePath
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("bot: download: %w", redact(err, b.cfg.Token))
	}
	resp, err := b.cfg.HTTPClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("bot: download: %w", redact(err, b.cfg.Token))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("bot: download: HTTP %d", resp.StatusCode)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxUpload+1))
	if err != nil {
		return nil, fmt.Errorf("bot: download: %w", redact(err, b.cfg.Token))
	}
	if len(data) > maxUpload {
		return nil, errFileTooBig
	}
	return data, nil
}

// modelsButton is an inline keyboard button.
type modelsButton = models.InlineKeyboardButton

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
