package bot

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"time"

	"github.com/go-telegram/bot/models"

	"vmeste/locales"
	"vmeste/storage"
)

// handlerFunc answers one update.
type handlerFunc func(ctx context.Context, r *Request) error

// middleware wraps a handlerFunc with cross-cutting work.
type middleware func(next handlerFunc) handlerFunc

// errPanic is what a recovered panic becomes.
var errPanic = errors.New("bot: handler panicked")

// handle is the dispatcher's entry point for one update. The printer is
// set first, from Telegram's language_code (Russian when there is no
// sender), so that every path, an apology included, has words; withUser
// replaces it with the stored user's language.
func (b *Bot) handle(ctx context.Context, u *models.Update) {
	r := newRequest(u)
	r.P = b.catalog.For(locales.Russian)
	if r.From != nil {
		r.P = b.catalog.For(locales.Normalize(r.From.LanguageCode))
		// Whoever sent the update is who every change it makes is
		// recorded as (storage's audit trail).
		ctx = storage.WithActor(ctx, r.From.ID)
	}
	h := b.route
	for _, m := range []middleware{b.withUser, b.withErrorReply, b.withRecover, b.withCallbackAnswer, b.withLogging, b.withMetrics} {
		h = m(h)
	}
	_ = h(ctx, r)
}

func newRequest(u *models.Update) *Request {
	r := &Request{Update: u}
	switch {
	case u.Message != nil:
		r.From, r.ChatID, r.ChatType = u.Message.From, u.Message.Chat.ID, u.Message.Chat.Type
	case u.CallbackQuery != nil:
		r.From = &u.CallbackQuery.From
		r.ChatID, r.ChatType = u.CallbackQuery.From.ID, models.ChatTypePrivate
		if m := u.CallbackQuery.Message.Message; m != nil {
			r.ChatID, r.ChatType = m.Chat.ID, m.Chat.Type
		}
	case u.EditedMessage != nil:
		r.From, r.ChatID, r.ChatType = u.EditedMessage.From, u.EditedMessage.Chat.ID, u.EditedMessage.Chat.Type
	case u.MyChatMember != nil:
		r.From = &u.MyChatMember.From
		r.ChatID, r.ChatType = u.MyChatMember.Chat.ID, u.MyChatMember.Chat.Type
	}
	return r
}

// withLogging writes one line per update: id, user, kind, handler,
// duration and error.
func (b *Bot) withLogging(next handlerFunc) handlerFunc {
	return func(ctx context.Context, r *Request) error {
		start := time.Now()
		err := next(ctx, r)
		var userID int64
		if r.From != nil {
			userID = r.From.ID
		}
		attrs := []any{"update_id", r.Update.ID, "user_id", userID, "kind", r.kind(),
			"handler", r.Handler, "duration", time.Since(start)}
		if err != nil {
			b.log.Error("update", append(attrs, "error", err)...)
		} else {
			b.log.Info("update", attrs...)
		}
		return err
	}
}

// withCallbackAnswer answers the callback query if the handler did not, so
// that no button spins for ever.
func (b *Bot) withCallbackAnswer(next handlerFunc) handlerFunc {
	return func(ctx context.Context, r *Request) error {
		err := next(ctx, r)
		if r.Update.CallbackQuery != nil && !r.answered {
			if aerr := b.answer(ctx, r, "", false); aerr != nil && err == nil {
				err = aerr
			}
		}
		return err
	}
}

// withErrorReply tells the user, briefly, when their action failed, so
// that an error never leaves them with silence. It does not repeat what a
// failed send could not say.
func (b *Bot) withErrorReply(next handlerFunc) handlerFunc {
	return func(ctx context.Context, r *Request) error {
		err := next(ctx, r)
		if err == nil || errors.Is(err, errPanic) || errors.Is(err, errSend) || ctx.Err() != nil {
			return err
		}
		b.apologise(ctx, r, true)
		return err
	}
}

// apologise tells the user that their action failed, at most once per
// update: as the answer to a pressed button when it has not been answered
// yet (an alert when alert is set), else as a message.
func (b *Bot) apologise(ctx context.Context, r *Request, alert bool) {
	if r.apologised || r.ChatID == 0 {
		return
	}
	r.apologised = true
	if r.Update.CallbackQuery != nil && !r.answered {
		key := "error_internal_short"
		if alert {
			key = "error_internal"
		}
		_ = b.answer(ctx, r, r.P.T(key), alert)
		if alert {
			return
		}
	}
	_, _ = b.send(ctx, r.ChatID, r.P.T("error_internal"), nil)
}

// withRecover turns a handler's panic into a logged error and a short
// apology to the user; the process lives on.
func (b *Bot) withRecover(next handlerFunc) handlerFunc {
	return func(ctx context.Context, r *Request) (err error) {
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			b.log.Error("handler panic", "update_id", r.Update.ID, "handler", r.Handler,
				"panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			err = fmt.Errorf("%w: %v", errPanic, v)
			if r.P == (locales.Printer{}) { // a handler cleared it
				r.P = b.catalog.For(locales.Russian)
			}
			b.apologise(ctx, r, false)
		}()
		return next(ctx, r)
	}
}

// withUser loads the sender, creating them on their first private message,
// marks them active again if Telegram had said they blocked the bot, and
// picks the language. A storage error is returned as it is (wrapped, with
// where): withErrorReply apologises, once, in the printer handle set from
// Telegram's language_code.
func (b *Bot) withUser(next handlerFunc) handlerFunc {
	return func(ctx context.Context, r *Request) error {
		if r.From == nil {
			return next(ctx, r)
		}
		r.Admin = b.admins[r.From.ID]
		u, err := b.store.User(ctx, r.From.ID)
		switch {
		case err == nil:
			if !u.Active && r.Private() {
				u.Active = true
				if err := b.store.PutUser(ctx, u); err != nil {
					return fmt.Errorf("bot: mark user active: %w", err)
				}
			}
		case storage.IsNotFound(err):
			u = storage.User{ID: r.From.ID, Role: storage.RoleTeacher, Lang: locales.Normalize(r.From.LanguageCode), Active: true}
			// A stranger verifying a document's QR code is answered and
			// not stored (certificates_verify.go).
			if r.Private() && !isVerifyStart(r.Update, b.username) {
				u.ChatID = r.ChatID
				if err := b.store.PutUser(ctx, u); err != nil {
					return fmt.Errorf("bot: create user: %w", err)
				}
			}
		default:
			return fmt.Errorf("bot: load user: %w", err)
		}
		r.User = u
		r.P = b.catalog.For(u.Lang)
		return next(ctx, r)
	}
}
