package telegram

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

// Message is what one send delivers: an HTML text, a copy of an existing
// message (CopyFromChat, CopyMessageID; a Text replaces its caption), a
// document (Document, with Text as its caption), a picture to upload as a
// photo (Photo, with Text as its caption), or files Telegram holds
// (Media: one is sent as a photo, a video or a document, two to ten as an
// album); each but an album with an optional keyboard.
type Message struct {
	Text          string
	Markup        models.ReplyMarkup
	CopyFromChat  int64
	CopyMessageID int
	Document      models.InputFile
	Photo         models.InputFile
	Media         []Media
	// Bulk marks a message the bot sends on its own (the outbox): with
	// the gateway's paid broadcasts on, it carries allow_paid_broadcast
	// and a 429 on it pauses the paid limiter. Ignored when they are off.
	Bulk bool
}

// MediaKind is the kind of a file sent by its file_id.
type MediaKind string

// Media kinds.
const (
	MediaPhoto    MediaKind = "photo"
	MediaVideo    MediaKind = "video"
	MediaDocument MediaKind = "document"
)

// Media is one file Telegram holds, sent again by its file_id, with its
// caption (HTML; "" for none). In an album photos and videos may be
// mixed; documents go only with documents (Telegram refuses the mix).
type Media struct {
	Kind    MediaKind
	FileID  string
	Caption string
}

// MaxAlbum is the most items of one album (sendMediaGroup).
const MaxAlbum = 10

// method is the Bot API method that delivers m.
func (m Message) method() string {
	switch {
	case m.CopyMessageID != 0:
		return "copyMessage"
	case m.Document != nil:
		return "sendDocument"
	case m.Photo != nil:
		return "sendPhoto"
	case len(m.Media) > 1:
		return "sendMediaGroup"
	case len(m.Media) == 1 && m.Media[0].Kind == MediaPhoto:
		return "sendPhoto"
	case len(m.Media) == 1 && m.Media[0].Kind == MediaVideo:
		return "sendVideo"
	case len(m.Media) == 1:
		return "sendDocument"
	}
	return "sendMessage"
}

// Post makes one attempt to deliver m to chat, now: the caller has
// already waited for the limits (the outbox sender does, entry by entry).
// A failure is an *Error; a 429 has paused what it covers, and an outage
// holds every send until Telegram answers again. An upload whose Data can
// seek (a *bytes.Reader) is read from its start on every attempt, and
// gets longer than SendTimeout by its size.
func (g *Gateway) Post(ctx context.Context, chat int64, m Message) (*models.Message, error) {
	return g.post(ctx, chat, m, LaneBulk)
}

// post is Post, counted in lane's metrics (Reply posts in LaneReply).
func (g *Gateway) post(ctx context.Context, chat int64, m Message, lane Lane) (*models.Message, error) {
	sent, err := g.postOnce(ctx, chat, m)
	g.metrics.sent(lane, m.method(), err)
	return sent, err
}

func (g *Gateway) postOnce(ctx context.Context, chat int64, m Message) (*models.Message, error) {
	timeout := g.cfg.SendTimeout
	upload := m.Document
	if upload == nil {
		upload = m.Photo
	}
	if up, ok := upload.(*models.InputFileUpload); ok {
		if r, ok := up.Data.(interface {
			io.Seeker
			Size() int64
		}); ok {
			// A retried send uploads the whole file again, and a big one
			// gets time for it: a second for every 256 KB (2 Mbit/s).
			if _, err := r.Seek(0, io.SeekStart); err != nil {
				return nil, fmt.Errorf("telegram: rewind %s: %w", up.Filename, err)
			}
			timeout += time.Duration(r.Size()/(256<<10)) * time.Second
		}
	}
	callCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var (
		sent *models.Message
		err  error
	)
	paid := m.Bulk && g.paid != nil
	switch m.method() {
	case "copyMessage":
		var id *models.MessageID
		params := &tg.CopyMessageParams{
			ChatID: chat, FromChatID: m.CopyFromChat, MessageID: m.CopyMessageID, ReplyMarkup: m.Markup,
			AllowPaidBroadcast: paid,
		}
		if m.Text != "" { // a new caption
			params.Caption, params.ParseMode = m.Text, models.ParseModeHTML
		}
		id, err = g.api.CopyMessage(callCtx, params)
		if err == nil {
			sent = &models.Message{ID: id.ID, Chat: models.Chat{ID: chat}}
		}
	case "sendDocument":
		doc, caption := m.Document, m.Text
		if doc == nil { // a document Telegram holds
			doc, caption = &models.InputFileString{Data: m.Media[0].FileID}, m.Media[0].Caption
		}
		sent, err = g.api.SendDocument(callCtx, &tg.SendDocumentParams{
			ChatID: chat, Document: doc, Caption: caption, ParseMode: models.ParseModeHTML, ReplyMarkup: m.Markup,
			AllowPaidBroadcast: paid,
		})
	case "sendPhoto":
		photo, caption := m.Photo, m.Text
		if photo == nil { // a photo Telegram holds
			photo, caption = &models.InputFileString{Data: m.Media[0].FileID}, m.Media[0].Caption
		}
		sent, err = g.api.SendPhoto(callCtx, &tg.SendPhotoParams{
			ChatID: chat, Photo: photo, Caption: caption, ParseMode: models.ParseModeHTML, ReplyMarkup: m.Markup,
			AllowPaidBroadcast: paid,
		})
	case "sendVideo":
		sent, err = g.api.SendVideo(callCtx, &tg.SendVideoParams{
			ChatID: chat, Video: &models.InputFileString{Data: m.Media[0].FileID}, Caption: m.Media[0].Caption,
			ParseMode: models.ParseModeHTML, ReplyMarkup: m.Markup, AllowPaidBroadcast: paid,
		})
	case "sendMediaGroup":
		var album []*models.Message
		album, err = g.api.SendMediaGroup(callCtx, &tg.SendMediaGroupParams{ChatID: chat, Media: inputMedia(m.Media), AllowPaidBroadcast: paid})
		if err == nil && len(album) > 0 {
			sent = album[0]
		} else if err == nil {
			sent = &models.Message{Chat: models.Chat{ID: chat}}
		}
	default:
		sent, err = g.api.SendMessage(callCtx, &tg.SendMessageParams{
			ChatID: chat, Text: m.Text, ParseMode: models.ParseModeHTML, ReplyMarkup: m.Markup,
			LinkPreviewOptions: &models.LinkPreviewOptions{IsDisabled: tg.True()}, AllowPaidBroadcast: paid,
		})
	}
	if err != nil {
		if unreadableAnswer(err) {
			// Delivered, but this build cannot read Telegram's answer:
			// sending it again would duplicate it.
			g.log.Warn("telegram: delivered, answer unreadable", "method", m.method(), "chat_id", chat, "error", g.redact(err))
			return &models.Message{Chat: models.Chat{ID: chat}}, nil
		}
		limiter := g.limiter
		if paid {
			limiter = g.paid
		}
		return nil, g.failOn(ctx, limiter, m.method(), chat, err)
	}
	return sent, nil
}

// inputMedia is an album's items as the Bot API takes them, captions in
// HTML.
func inputMedia(list []Media) []models.InputMedia {
	out := make([]models.InputMedia, len(list))
	for i, x := range list {
		var mode models.ParseMode
		if x.Caption != "" {
			mode = models.ParseModeHTML
		}
		switch x.Kind {
		case MediaPhoto:
			out[i] = &models.InputMediaPhoto{Media: x.FileID, Caption: x.Caption, ParseMode: mode}
		case MediaVideo:
			out[i] = &models.InputMediaVideo{Media: x.FileID, Caption: x.Caption, ParseMode: mode}
		default:
			out[i] = &models.InputMediaDocument{Media: x.FileID, Caption: x.Caption, ParseMode: mode}
		}
	}
	return out
}

// Revise makes one attempt to replace the text and keyboard of the bot's
// message msgID in chat (a nil Markup keeps none). "Message is not
// modified" is not an error.
func (g *Gateway) Revise(ctx context.Context, chat int64, msgID int, m Message) error {
	return g.revise(ctx, chat, msgID, m, LaneBulk)
}

// revise is Revise, counted in lane's metrics (EditReply revises in
// LaneReply).
func (g *Gateway) revise(ctx context.Context, chat int64, msgID int, m Message, lane Lane) error {
	err := g.reviseOnce(ctx, chat, msgID, m)
	g.metrics.sent(lane, "editMessageText", err)
	return err
}

func (g *Gateway) reviseOnce(ctx context.Context, chat int64, msgID int, m Message) error {
	callCtx, cancel := context.WithTimeout(ctx, g.cfg.SendTimeout)
	defer cancel()
	_, err := g.api.EditMessageText(callCtx, &tg.EditMessageTextParams{
		ChatID: chat, MessageID: msgID, Text: m.Text, ParseMode: models.ParseModeHTML, ReplyMarkup: m.Markup,
		LinkPreviewOptions: &models.LinkPreviewOptions{IsDisabled: tg.True()},
	})
	if err == nil || unreadableAnswer(err) {
		return nil
	}
	err = g.fail(ctx, "editMessageText", chat, err)
	if ClassOf(err) == ClassNotModified {
		return nil
	}
	return err
}

// Answer answers a callback query once, at once: it is not a message and
// waits for no limit (a 429 on it pauses nothing else). The spinner is the
// user's; a failure (the query expired while the bot was down) is the
// caller's to log.
func (g *Gateway) Answer(ctx context.Context, queryID, text string, alert bool) error {
	callCtx, cancel := context.WithTimeout(ctx, g.cfg.SendTimeout)
	defer cancel()
	_, err := g.api.AnswerCallbackQuery(callCtx, &tg.AnswerCallbackQueryParams{
		CallbackQueryID: queryID, Text: text, ShowAlert: alert,
	})
	if err != nil {
		return g.fail(ctx, "answerCallbackQuery", 0, err)
	}
	return nil
}

// fail classifies a failed call to chat (0: none) and does what its class
// asks of every sender: a 429 pauses the chat or every send, an error of
// the network or the server is checked against a probe. Only a caller
// that cancelled its call gets an unclassified error: a deadline is a
// timeout, Telegram's or the network's.
func (g *Gateway) fail(ctx context.Context, method string, chat int64, err error) error {
	return g.failOn(ctx, g.limiter, method, chat, err)
}

// failOn is fail of a call paced by limiter, which a 429 on the overall
// limit pauses.
func (g *Gateway) failOn(ctx context.Context, limiter *Limiter, method string, chat int64, err error) error {
	err = g.redact(err)
	if errors.Is(ctx.Err(), context.Canceled) {
		return fmt.Errorf("telegram: %s: %w", method, err)
	}
	e := classify(method, err)
	now := time.Now()
	switch e.Class {
	case ClassRetryAfter:
		g.metrics.floodWait(method)
		switch {
		case chat == 0:
			// A call that is not a message (a callback's answer, the
			// menu): its own limit, nothing else waits.
		case IsGroup(chat) && g.pacer.BusyGroup(chat, now):
			// A group we have written to lately may have hit its own
			// per-minute limit: only it waits.
			g.pacer.Pause(chat, now.Add(e.RetryAfter))
		default:
			// We keep the per-chat limits ourselves, so a 429 for a
			// private chat, or for a quiet group, is the overall limit:
			// every send of its limiter waits.
			limiter.Pause(now.Add(e.RetryAfter))
		}
		g.log.Warn("telegram: flood control", "method", method, "chat_id", chat, "retry_after", e.RetryAfter)
	case ClassTransient:
		if g.unreachable() {
			e.Class = ClassOutage
		}
	case ClassOutage:
		// A refused token, or a method the server does not have: the
		// bot's own fault if getMe fails too, else this call's.
		if !g.unreachable() {
			e.Class = ClassBadRequest
		}
	}
	return e
}
