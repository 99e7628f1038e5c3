package telegramtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// WebhookDelivery is one POST of an update to the webhook, as the emulator
// made it.
type WebhookDelivery struct {
	UpdateID int64
	// Status is the HTTP status the bot answered; 0 when the request
	// failed (Err says why: the bot was not listening, it timed out).
	Status int
	Err    string
	Body   []byte // the update's JSON, as posted
}

// webhookTimeout is how long the emulator waits for the bot's answer
// (Telegram waits about a minute).
const webhookTimeout = 60 * time.Second

// webhookRetry spaces deliveries after a failed one: Telegram retries a
// non-2xx answer too, more slowly.
var webhookRetry = struct{ first, max time.Duration }{10 * time.Millisecond, 500 * time.Millisecond}

// secretOK is a secret_token Telegram accepts: 1 to 256 of A-Z a-z 0-9 _ -.
func secretOK(s string) bool {
	if len(s) > 256 {
		return false
	}
	for _, r := range s {
		if !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

// mSetWebhook stores the webhook and starts delivering to it: from then
// on getUpdates answers 409, and every pending update (and every later
// one) is POSTed to url, one at a time and in order, with secret_token in
// X-Telegram-Bot-Api-Secret-Token; a 2xx confirms it, anything else is
// retried. An empty url deletes the webhook, as on Telegram.
// max_connections (1–100, default 40) and allowed_updates are validated
// and kept; the emulator delivers over one connection whatever the limit.
func (s *Server) mSetWebhook(_ context.Context, p *params) reply {
	url, secret := p.str("url"), p.str("secret_token")
	if !secretOK(secret) {
		return badRequest("secret token contains unallowed characters")
	}
	maxConn := int64(40)
	if p.has("max_connections") {
		var ok bool
		if maxConn, ok = p.int("max_connections"); !ok || maxConn < 1 || maxConn > 100 {
			return badRequest("bad max_connections")
		}
	}
	allowed, setAllowed, r := allowedUpdates(p)
	if r.failed() {
		return r
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if setAllowed {
		s.allowed = allowed
	}
	if p.boolean("drop_pending_updates") {
		s.confirmLocked(s.nextUpdateID)
	}
	s.webhook, s.webhookSecret, s.webhookMaxConn = url, secret, int(maxConn)
	if url != "" {
		s.webhookSets++
	}
	s.updSignal.fire() // a running delivery loop sees the new setting
	s.changed.fire()   // WaitWebhookSet
	if url != "" && !s.webhookRunning {
		s.webhookRunning = true
		go s.deliverWebhook()
	}
	return ok(true)
}

func (s *Server) mDeleteWebhook(_ context.Context, p *params) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.webhook, s.webhookSecret = "", ""
	if p.boolean("drop_pending_updates") {
		s.confirmLocked(s.nextUpdateID)
	}
	s.updSignal.fire() // the delivery loop stops
	return ok(true)
}

// webhookFake is what FakeWebhookError makes getWebhookInfo report.
type webhookFake struct {
	message string
	at      time.Time
	pending int
}

// FakeWebhookError makes getWebhookInfo report, while a webhook is set,
// last_error_message message, last_error_date at and
// pending_update_count pending instead of what the emulator's own
// deliveries give: Telegram failing to reach the bot (a certificate
// expired, the proxy down) without the test having to break its
// listener. An empty message ends it.
func (s *Server) FakeWebhookError(message string, at time.Time, pending int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.webhookFake = nil
	if message != "" {
		s.webhookFake = &webhookFake{message: message, at: at, pending: pending}
	}
}

func (s *Server) mGetWebhookInfo(context.Context, *params) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	info := struct {
		URL                  string `json:"url"`
		HasCustomCertificate bool   `json:"has_custom_certificate"`
		PendingUpdateCount   int    `json:"pending_update_count"`
		MaxConnections       int    `json:"max_connections,omitempty"`
		LastErrorDate        int64  `json:"last_error_date,omitempty"`
		LastErrorMessage     string `json:"last_error_message,omitempty"`
	}{URL: s.webhook, PendingUpdateCount: len(s.pending)}
	if s.webhook != "" {
		info.MaxConnections = s.webhookMaxConn
		if n := len(s.deliveries); n > 0 && s.deliveries[n-1].Status/100 != 2 {
			info.LastErrorMessage = s.deliveries[n-1].Err
			if info.LastErrorMessage == "" {
				info.LastErrorMessage = fmt.Sprintf("Wrong response from the webhook: %d", s.deliveries[n-1].Status)
			}
			info.LastErrorDate = s.webhookErrAt.Unix()
		}
		if f := s.webhookFake; f != nil {
			info.LastErrorMessage, info.LastErrorDate, info.PendingUpdateCount = f.message, f.at.Unix(), f.pending
		}
	}
	return ok(info)
}

// deliverWebhook POSTs pending updates to the webhook until it is deleted
// or the server closes.
func (s *Server) deliverWebhook() {
	client := &http.Client{Timeout: webhookTimeout}
	var wait time.Duration // after a failed delivery
	for {
		s.mu.Lock()
		if s.webhook == "" {
			s.webhookRunning = false
			s.mu.Unlock()
			return
		}
		idle := len(s.pending) == 0
		var wake <-chan struct{}
		if idle {
			wake = s.updSignal.wait()
		}
		s.mu.Unlock()
		if idle {
			select {
			case <-wake:
			case <-s.closing:
				return
			}
			continue
		}
		if wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-t.C:
			case <-s.closing:
				t.Stop()
				return
			}
		}
		if s.deliverNext(client) {
			wait = 0
		} else {
			wait = min(max(2*wait, webhookRetry.first), webhookRetry.max)
		}
	}
}

// deliverNext POSTs the first pending update to the webhook and reports
// whether it was confirmed (a 2xx answer); true when there was nothing to
// deliver.
func (s *Server) deliverNext(client *http.Client) bool {
	s.mu.Lock()
	if s.webhook == "" || len(s.pending) == 0 {
		s.mu.Unlock()
		return true
	}
	u, url, secret := s.pending[0], s.webhook, s.webhookSecret
	s.mu.Unlock()

	d := s.post(client, url, secret, u.id, u.data)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.deliveries = append(s.deliveries, d)
	if d.Status/100 != 2 {
		s.webhookErrAt = time.Now()
	}
	if d.Status/100 == 2 {
		s.confirmLocked(u.id + 1)
		if u.id > s.deliveredUpTo {
			s.deliveredUpTo = u.id
		}
	}
	s.changed.fire()
	return d.Status/100 == 2
}

// post makes one delivery, ending when the server closes.
func (s *Server) post(client *http.Client, url, secret string, id int64, data []byte) WebhookDelivery {
	d := WebhookDelivery{UpdateID: id, Body: data}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-s.closing:
			cancel()
		case <-ctx.Done():
		}
	}()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(data))
	if err != nil {
		d.Err = err.Error()
		return d
	}
	req.Header.Set("Content-Type", "application/json")
	if secret != "" {
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
	}
	resp, err := client.Do(req)
	if err != nil {
		d.Err = err.Error()
		return d
	}
	resp.Body.Close()
	d.Status = resp.StatusCode
	if d.Status/100 != 2 {
		d.Err = "Wrong response from the webhook: " + resp.Status
	}
	return d
}

// RedeliverWebhook POSTs the update updateID to the webhook once more, as
// it was delivered before, as Telegram does when it missed the answer.
// It returns the recorded delivery (Status 0 and Err when there was no
// earlier delivery or no webhook).
func (s *Server) RedeliverWebhook(updateID int64) WebhookDelivery {
	s.mu.Lock()
	url, secret := s.webhook, s.webhookSecret
	var data []byte
	for _, d := range s.deliveries {
		if d.UpdateID == updateID {
			data = d.Body
		}
	}
	s.mu.Unlock()
	if url == "" || data == nil {
		return WebhookDelivery{UpdateID: updateID, Err: "no webhook, or the update was never delivered"}
	}
	d := s.post(&http.Client{Timeout: webhookTimeout}, url, secret, updateID, data)
	s.mu.Lock()
	s.deliveries = append(s.deliveries, d)
	s.changed.fire()
	s.mu.Unlock()
	return d
}

// WaitWebhookSet waits until setWebhook has set a webhook n times in all
// (n = 1: the first start in webhook mode; n = 2: the restart after it),
// and returns its URL.
func (s *Server) WaitWebhookSet(ctx context.Context, n int) (string, error) {
	var url string
	err := s.waitUntil(ctx, func() bool {
		url = s.webhook
		return s.webhookSets >= n
	})
	if err != nil {
		return "", fmt.Errorf("telegramtest: webhook set %d times: %w", n, err)
	}
	return url, nil
}

// WaitWebhookDelivery waits until a delivery recorded so far satisfies
// match (nil: any) and returns the first that does.
func (s *Server) WaitWebhookDelivery(ctx context.Context, match func(WebhookDelivery) bool) (WebhookDelivery, error) {
	var found WebhookDelivery
	err := s.waitUntil(ctx, func() bool {
		for _, d := range s.deliveries {
			if match == nil || match(d) {
				found = d
				return true
			}
		}
		return false
	})
	if err != nil {
		return found, fmt.Errorf("telegramtest: webhook delivery: %w", err)
	}
	return found, nil
}

// waitUntil waits until cond, called under s.mu, holds; the history's
// change signal wakes it.
func (s *Server) waitUntil(ctx context.Context, cond func() bool) error {
	for {
		s.mu.Lock()
		ok, wake := cond(), s.changed.wait()
		s.mu.Unlock()
		if ok {
			return nil
		}
		select {
		case <-wake:
		case <-ctx.Done():
			return ctx.Err()
		case <-s.closing:
			return errors.New("server closed")
		}
	}
}

// WebhookURL is the URL stored by the last setWebhook ("" after deleteWebhook).
func (s *Server) WebhookURL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.webhook
}

// WebhookSecret is the secret_token of the last setWebhook.
func (s *Server) WebhookSecret() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.webhookSecret
}

// WebhookMaxConnections is the max_connections of the last setWebhook.
func (s *Server) WebhookMaxConnections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.webhookMaxConn
}

// WebhookDeliveries is every POST made to a webhook so far, in order.
func (s *Server) WebhookDeliveries() []WebhookDelivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]WebhookDelivery(nil), s.deliveries...)
}
