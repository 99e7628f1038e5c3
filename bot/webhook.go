package bot

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"sync"

	"github.com/go-telegram/bot/models"

	"vmeste/storage"
	"vmeste/telegram"
)

// allowedUpdates are the kinds of update the bot handles (router.go,
// middleware.go), asked for by polling and by the webhook alike; Telegram
// does not even create the others.
var allowedUpdates = []string{"message", "edited_message", "callback_query", "my_chat_member"}

// DefaultWebhookConnections is Config.WebhookMaxConnections when none is
// set. Telegram's default is 40; a district's bot on a small VPS needs
// far fewer: a delivery takes a bbolt commit of a few milliseconds (and
// concurrent ones share it), so 10 connections carry hundreds of updates a
// second, more than a district's users make, while keeping nginx's and the
// bot's connections and memory small.
const DefaultWebhookConnections = 10

// MaxWebhookBody is the largest request the webhook reads. An update is a
// few kilobytes (a message of 4,096 characters with entities stays far
// under); a larger body is not Telegram's and is refused with 413.
const MaxWebhookBody = 1 << 20

// SecretHeader is the header in which Telegram sends the webhook's secret.
const SecretHeader = "X-Telegram-Bot-Api-Secret-Token"

// webhookIntake hands what the webhook receives to the dispatcher of the
// running Run. d is nil before Run has replayed the inbox and after it
// stopped taking updates: the handler answers 503 then, and Telegram
// delivers again later. The lock lets Run wait for the requests in flight
// before it stops the dispatcher.
type webhookIntake struct {
	mu sync.RWMutex
	d  *dispatcher
	// save stores an update durably and reports whether it is new:
	// storage's SaveWebhookUpdate; a benchmark replaces it.
	save func(ctx context.Context, u storage.InboxUpdate) (fresh bool, err error)
}

// open makes the intake hand updates to d; close stops it, after the
// requests in flight have handed theirs.
func (in *webhookIntake) open(d *dispatcher) { in.mu.Lock(); in.d = d; in.mu.Unlock() }
func (in *webhookIntake) close()             { in.mu.Lock(); in.d = nil; in.mu.Unlock() }

// WebhookHandler is the HTTP handler of the webhook's path (mount it at
// the path of Config.WebhookURL). It answers:
//   - 405 to anything but POST;
//   - 401 when the X-Telegram-Bot-Api-Secret-Token header is not the
//     secret (compared in constant time), storing nothing;
//   - 413 to a body over MaxWebhookBody, 400 to one that is not an update;
//   - 503 while the bot is not running (Telegram delivers again);
//   - 500 when the update could not be stored (Telegram delivers again);
//   - 200 once the update is committed to the inbox, or when its id was
//     received before (it is not handled again). It is then handled
//     through the same dispatcher as polled updates.
//
// An update that is JSON with an update_id but that this build cannot
// decode is logged (id and kind) and answered 200, as polling skips it, so
// that Telegram does not retry it for a day.
func (b *Bot) WebhookHandler() http.Handler { return http.HandlerFunc(b.serveWebhook) }

func (b *Bot) serveWebhook(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if subtle.ConstantTimeCompare([]byte(r.Header.Get(SecretHeader)), []byte(b.webhookSecret)) != 1 {
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxWebhookBody))
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		http.Error(w, "request entity too large", http.StatusRequestEntityTooLarge)
		return
	case err != nil:
		http.Error(w, "cannot read the body", http.StatusBadRequest)
		return
	}
	var u models.Update
	if err := json.Unmarshal(data, &u); err != nil {
		id, kind := peekUpdate(data)
		if id <= 0 {
			http.Error(w, "not an update", http.StatusBadRequest)
			return
		}
		b.log.Error("update skipped: cannot decode", "update_id", id, "kind", kind, "error", err)
		b.metrics.skipped()
		return
	}
	if u.ID <= 0 {
		http.Error(w, "not an update", http.StatusBadRequest)
		return
	}
	in := &b.intake
	in.mu.RLock()
	defer in.mu.RUnlock()
	if in.d == nil {
		http.Error(w, "not ready", http.StatusServiceUnavailable)
		return
	}
	fresh, err := in.save(r.Context(), storage.InboxUpdate{ID: u.ID, Data: data})
	if err != nil {
		b.log.Error("webhook: cannot store an update; Telegram will deliver it again", "update_id", u.ID, "error", err)
		http.Error(w, "cannot store the update", http.StatusInternalServerError)
		return
	}
	if fresh {
		in.d.enqueue(&u)
	}
	w.WriteHeader(http.StatusOK)
}

// receiveWebhook sets the webhook (retrying until Telegram accepts it or
// ctx ends; a 400 is returned at once as ErrWebhookRefused), reports the
// bot receiving, and watches the webhook's health (watchWebhook) until ctx
// ends. The updates arrive through WebhookHandler meanwhile.
func (b *Bot) receiveWebhook(ctx context.Context) error {
	var refused error
	if !b.retry(ctx, "setWebhook", func() error {
		err := b.tg.SetWebhook(ctx, b.cfg.WebhookURL, b.webhookSecret, allowedUpdates, b.cfg.WebhookMaxConnections)
		if refused = webhookRefused(err); refused != nil {
			return nil // no use trying again
		}
		return err
	}) {
		return nil
	}
	if refused != nil {
		b.log.Error("webhook refused by Telegram", "url", b.cfg.WebhookURL, "error", refused)
		return refused
	}
	b.log.Info("webhook set", "url", b.cfg.WebhookURL, "max_connections", b.cfg.WebhookMaxConnections)
	b.receiving.Store(true)
	b.watchWebhook(ctx)
	return nil
}

// deleteWebhook removes a webhook left from a run in webhook mode, so
// that getUpdates works (Telegram answers it 409 while a webhook is set).
// It retries until Telegram answers or ctx ends; the updates Telegram
// holds are kept for polling.
func (b *Bot) deleteWebhook(ctx context.Context) {
	b.retry(ctx, "deleteWebhook", func() error { return b.tg.DeleteWebhook(ctx, false) })
}

// retry calls call until it succeeds (true) or ctx ends (false), spaced
// by pollBackoff, logging each failure.
func (b *Bot) retry(ctx context.Context, what string, call func() error) bool {
	for failures := 0; ; failures++ {
		err := call()
		if err == nil {
			return true
		}
		if ctx.Err() != nil {
			return false
		}
		wait := pollBackoff.Delay(failures)
		b.log.Warn(what+" failed", "error", err, "retry_in", wait)
		if telegram.Sleep(ctx, wait) != nil {
			return false
		}
	}
}
