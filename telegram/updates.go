package telegram

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// Updates calls getUpdates and returns the updates as Telegram sent them,
// undecoded, so that the caller can save each one before it decodes it.
// retryAfter is Telegram's wait after a 429 (0 otherwise). timeout is the
// long poll's, limit the most updates to take, allowed the kinds of
// update wanted (nil: Telegram's default, or the last list given). A failure that may be an
// outage (the network, a 5xx, a refused token) is checked with a probe, so
// that Health and every sender know at once, even while the bot is idle.
func (g *Gateway) Updates(ctx context.Context, offset int64, timeout time.Duration, limit int, allowed []string) (raw []json.RawMessage, retryAfter time.Duration, err error) {
	params := map[string]any{"offset": offset, "timeout": int(timeout / time.Second), "limit": limit}
	if allowed != nil {
		params["allowed_updates"] = allowed
	}
	body, _ := json.Marshal(params)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, g.cfg.APIURL+"/bot"+g.cfg.Token+"/getUpdates", bytes.NewReader(body))
	if err != nil {
		return nil, 0, fmt.Errorf("telegram: getUpdates: %w", g.redact(err))
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := g.cfg.HTTPClient.Do(req)
	if err != nil {
		if ctx.Err() == nil {
			g.unreachable()
		}
		return nil, 0, fmt.Errorf("telegram: getUpdates: %w", g.redact(err))
	}
	defer resp.Body.Close()
	var r struct {
		OK          bool              `json:"ok"`
		Result      []json.RawMessage `json:"result"`
		ErrorCode   int               `json:"error_code"`
		Description string            `json:"description"`
		Parameters  struct {
			RetryAfter int `json:"retry_after"`
		} `json:"parameters"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		g.unreachable() // a proxy's error page: Telegram is not answering
		return nil, 0, fmt.Errorf("telegram: getUpdates: decode (HTTP %d): %w", resp.StatusCode, err)
	}
	if !r.OK {
		if r.ErrorCode == http.StatusTooManyRequests {
			g.metrics.floodWait("getUpdates")
		}
		// A 5xx or a refused token (401, 404) may be an outage: the probe
		// says. A 409 (another instance polls, a webhook is set) and a 429
		// are not.
		if r.ErrorCode >= 500 || r.ErrorCode == http.StatusUnauthorized || r.ErrorCode == http.StatusNotFound {
			g.unreachable()
		}
		return nil, time.Duration(r.Parameters.RetryAfter) * time.Second,
			fmt.Errorf("telegram: getUpdates: %d %s", r.ErrorCode, r.Description)
	}
	return r.Result, 0, nil
}
