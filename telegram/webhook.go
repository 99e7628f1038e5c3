package telegram

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
)

// WebhookInfo is what getWebhookInfo says of the webhook set.
type WebhookInfo struct {
	URL                string `json:"url"`
	PendingUpdateCount int    `json:"pending_update_count"`
	// LastErrorDate (Unix seconds) and LastErrorMessage are the latest
	// failure to deliver an update to the webhook; 0 and "" if none.
	LastErrorDate    int64  `json:"last_error_date"`
	LastErrorMessage string `json:"last_error_message"`
	MaxConnections   int    `json:"max_connections"`
}

// APIError is an answer of the Bot API with ok false to a call that sends
// nothing to a user (setWebhook, getWebhookInfo, …): its error_code and
// description. Such calls return it wrapped.
type APIError struct {
	Code        int
	Description string
}

func (e *APIError) Error() string { return fmt.Sprintf("%d %s", e.Code, e.Description) }

// SetWebhook calls setWebhook: from now on Telegram POSTs every update of
// the kinds in allowedUpdates to url, with secret in the
// X-Telegram-Bot-Api-Secret-Token header, over at most maxConnections
// connections at once, and getUpdates answers 409. Telegram keeps the
// updates it could not deliver (24 hours) and sends them again.
func (g *Gateway) SetWebhook(ctx context.Context, url, secret string, allowedUpdates []string, maxConnections int) error {
	if allowedUpdates == nil {
		allowedUpdates = []string{} // an explicit "Telegram's default", not "keep the last setting"
	}
	_, err := g.callRaw(ctx, "setWebhook", map[string]any{
		"url": url, "secret_token": secret, "allowed_updates": allowedUpdates, "max_connections": maxConnections,
	})
	return err
}

// DeleteWebhook calls deleteWebhook, so that getUpdates works again. The
// updates Telegram holds are kept for getUpdates unless dropPending.
func (g *Gateway) DeleteWebhook(ctx context.Context, dropPending bool) error {
	_, err := g.callRaw(ctx, "deleteWebhook", map[string]any{"drop_pending_updates": dropPending})
	return err
}

// WebhookInfo calls getWebhookInfo; URL is "" when no webhook is set.
func (g *Gateway) WebhookInfo(ctx context.Context) (WebhookInfo, error) {
	var info WebhookInfo
	raw, err := g.callRaw(ctx, "getWebhookInfo", map[string]any{})
	if err != nil {
		return info, err
	}
	if err := json.Unmarshal(raw, &info); err != nil {
		return info, fmt.Errorf("telegram: getWebhookInfo: decode: %w", err)
	}
	return info, nil
}

// callRaw makes one call of a method that sends nothing to a user (no
// limiter, no pacer) and returns its undecoded result. No error it
// returns contains the token; Telegram's refusal is an *APIError.
func (g *Gateway) callRaw(ctx context.Context, method string, params map[string]any) (json.RawMessage, error) {
	body, err := json.Marshal(params)
	if err != nil {
		return nil, fmt.Errorf("telegram: %s: encode: %w", method, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, g.cfg.APIURL+"/bot"+g.cfg.Token+"/"+method, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("telegram: %s: %w", method, g.redact(err))
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := g.cfg.HTTPClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("telegram: %s: %w", method, g.redact(err))
	}
	defer resp.Body.Close()
	var r struct {
		OK          bool            `json:"ok"`
		Result      json.RawMessage `json:"result"`
		ErrorCode   int             `json:"error_code"`
		Description string          `json:"description"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		return nil, fmt.Errorf("telegram: %s: decode (HTTP %d): %w", method, resp.StatusCode, err)
	}
	if !r.OK {
		return nil, fmt.Errorf("telegram: %s: %w", method, &APIError{Code: r.ErrorCode, Description: r.Description})
	}
	return r.Result, nil
}
