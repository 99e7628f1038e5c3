package scheduler

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"

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
	// new message's id. paid marks a mass send (Paid), which goes as a
	// paid broadcast when the gateway's are on; the caller has waited for
	// the matching limiter (SenderConfig).
	Send(ctx context.Context, chatID int64, c storage.Content, paid bool) (int, error)
	// Edit makes one attempt to replace the text of one of the bot's
	// messages (HTML). "Not modified" is not an error.
	Edit(ctx context.Context, chatID int64, messageID int, text string) error
}

// Gateway adapts the telegram gateway to Telegram.
type Gateway struct {
	G *telegram.Gateway
	// Render prints a certificate (storage.Content.Certificate) at send
	// time: its file name and PDF. It returns an error wrapping
	// storage.ErrCertificateRevoked for a certificate revoked since it was
	// enqueued. main wires it to the bot, which knows the layout (the
	// scheduler imports neither bot nor documents). nil: such entries fail.
	Render func(ctx context.Context, certificateID int64) (filename string, pdf []byte, err error)
}

// errNoRenderer: an entry holds a certificate and no Render is set.
var errNoRenderer = errors.New("no certificate renderer")

// Send implements Telegram with one telegram.Gateway.Post; paid sets
// telegram.Message.Bulk (a paid broadcast when the gateway's are on). An
// album of
// Media is one sendMediaGroup; a certificate is printed by Render and
// uploaded as a document with Text as its caption. A certificate revoked
// since is returned as an error wrapping storage.ErrCertificateRevoked,
// and one that cannot be printed as a *telegram.Error of ClassBadRequest
// (printing it again would fail again): classify skips or fails the entry
// without retrying.
func (g Gateway) Send(ctx context.Context, chatID int64, c storage.Content, paid bool) (int, error) {
	m := telegram.Message{Text: c.Text, Markup: inlineKeyboard(c.Buttons), CopyFromChat: c.CopyFromChat, CopyMessageID: c.CopyMessageID,
		Bulk: paid}
	if c.Certificate != 0 {
		render := g.Render
		if render == nil {
			render = func(context.Context, int64) (string, []byte, error) { return "", nil, errNoRenderer }
		}
		name, pdf, err := render(ctx, c.Certificate)
		switch {
		case err == nil:
			m.Document = &models.InputFileUpload{Filename: name, Data: bytes.NewReader(pdf)}
		case errors.Is(err, storage.ErrCertificateRevoked), ctx.Err() != nil:
			return 0, err
		default:
			return 0, telegram.NewError("render", telegram.ClassBadRequest, fmt.Errorf("certificate %d: %w", c.Certificate, err))
		}
	}
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

// Paid reports whether an outbox entry of origin is a mass send, worth a
// paid broadcast: a broadcast's copies, reminders and digests, each of
// which goes to many chats at once. Every other notice (a deadline, a
// promotion, a result, a weekly summary to an event's authors) goes to
// one chat or a few, gains nothing from the higher rate and would cost
// Stars: it takes the shared limiter's bulk lane.
func Paid(o storage.Origin) bool {
	switch o.Kind {
	case storage.OriginBroadcast, storage.OriginReminder:
		return true
	case storage.OriginNotice:
		return strings.HasPrefix(o.Key, storage.DigestKeyPrefix)
	}
	return false
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
