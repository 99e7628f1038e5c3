package bot

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"vmeste/telegram"
)

// DefaultWebhookCheck is Config.WebhookCheck when none is set: how often,
// in webhook mode, getWebhookInfo is asked whether Telegram can deliver.
const DefaultWebhookCheck = time.Minute

// webhookErrorFresh is how recent Telegram's last failure to deliver must
// be, with updates pending, for /healthz to report it.
const webhookErrorFresh = 5 * time.Minute

// ErrWebhookRefused is returned by Run (wrapping Telegram's answer, a
// *telegram.APIError) when setWebhook is refused with a 400: a bad URL or
// certificate, which trying again would not mend. Any other failure of
// setWebhook is retried.
var ErrWebhookRefused = errors.New("bot: Telegram refused the webhook")

// webhookHealth is what the last getWebhookInfo said (webhook mode).
type webhookHealth struct {
	mu       sync.Mutex
	pending  int
	errorAt  time.Time // Telegram's last_error_date; zero: none
	message  string    // its last_error_message
	loggedAt time.Time // the last error date already logged
}

// webhookGauges are the webhook's Prometheus gauges, registered only in
// webhook mode; a nil *webhookGauges records nothing.
type webhookGauges struct {
	pending   prometheus.Gauge
	lastError prometheus.Gauge
}

// newWebhookGauges registers the webhook's gauges with reg; nil reg: none.
func newWebhookGauges(reg prometheus.Registerer) (*webhookGauges, error) {
	if reg == nil {
		return nil, nil
	}
	g := &webhookGauges{
		pending: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "vmeste_webhook_pending_updates",
			Help: "Updates Telegram holds for the webhook, not yet delivered (getWebhookInfo's pending_update_count).",
		}),
		lastError: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "vmeste_webhook_last_error_timestamp_seconds",
			Help: "Unix time of Telegram's last failure to deliver to the webhook (getWebhookInfo's last_error_date); 0: none.",
		}),
	}
	for _, c := range []prometheus.Collector{g.pending, g.lastError} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return g, nil
}

// WebhookHealth is "" unless, in webhook mode, Telegram's last failure to
// deliver to the webhook is less than 5 minutes old and updates are
// pending: then the reason, for /healthz ("Telegram cannot deliver to the
// webhook: <Telegram's message>").
func (b *Bot) WebhookHealth() string {
	h := &b.webhookHealth
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.pending == 0 || h.errorAt.IsZero() || time.Since(h.errorAt) >= webhookErrorFresh {
		return ""
	}
	return "Telegram cannot deliver to the webhook: " + h.message
}

// watchWebhook asks getWebhookInfo at once and then every
// Config.WebhookCheck until ctx ends: it exports the pending count and the
// last error's time, keeps them for WebhookHealth and logs each new error
// (once per last_error_date). A failed call is logged and changes nothing.
func (b *Bot) watchWebhook(ctx context.Context) {
	t := time.NewTicker(b.cfg.WebhookCheck)
	defer t.Stop()
	for {
		b.checkWebhook(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// checkWebhook is one look of watchWebhook.
func (b *Bot) checkWebhook(ctx context.Context) {
	callCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	info, err := b.tg.WebhookInfo(callCtx)
	if err != nil {
		if ctx.Err() == nil {
			b.log.Warn("webhook: getWebhookInfo failed", "error", err)
		}
		return
	}
	var at time.Time
	if info.LastErrorDate > 0 {
		at = time.Unix(info.LastErrorDate, 0)
	}
	h := &b.webhookHealth
	h.mu.Lock()
	h.pending, h.errorAt, h.message = info.PendingUpdateCount, at, info.LastErrorMessage
	fresh := !at.IsZero() && at.After(h.loggedAt)
	if fresh {
		h.loggedAt = at
	}
	h.mu.Unlock()
	if fresh {
		b.log.Warn("webhook: Telegram cannot deliver", "last_error_message", info.LastErrorMessage,
			"last_error_date", at.UTC(), "pending_updates", info.PendingUpdateCount)
	}
	if g := b.webhookGauges; g != nil {
		g.pending.Set(float64(info.PendingUpdateCount))
		g.lastError.Set(float64(info.LastErrorDate))
	}
}

// webhookRefused reports whether err is setWebhook's permanent refusal (a
// 400), wrapped as ErrWebhookRefused; nil otherwise.
func webhookRefused(err error) error {
	var api *telegram.APIError
	if errors.As(err, &api) && api.Code == 400 {
		return fmt.Errorf("%w: %w", ErrWebhookRefused, err)
	}
	return nil
}
