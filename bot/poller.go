package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/go-telegram/bot/models"
)

// poller is our own getUpdates loop. go-telegram/bot's advances the offset
// when an update is queued, so a crash loses what was queued but not
// handled; ours asks Telegram only from the dispatcher's watermark (the
// oldest update still being handled), so an update is confirmed only after
// its handler returned, and a crash re-delivers what was in flight.
type poller struct {
	client  *http.Client
	url     string
	token   string
	timeout time.Duration
	d       *dispatcher
	log     *slog.Logger
	healthy *atomic.Bool
}

type updatesResponse struct {
	OK          bool             `json:"ok"`
	Result      []*models.Update `json:"result"`
	ErrorCode   int              `json:"error_code"`
	Description string           `json:"description"`
	Parameters  struct {
		RetryAfter int `json:"retry_after"`
	} `json:"parameters"`
}

// run polls until ctx ends.
func (p *poller) run(ctx context.Context) {
	var backoff time.Duration
	// The first call does not wait, so that health is known at once.
	timeout := 0
	for ctx.Err() == nil {
		if backoff > 0 {
			select {
			case <-ctx.Done():
				return
			case <-time.After(backoff):
			}
		}
		offset := p.d.watermark()
		updates, retryAfter, err := p.get(ctx, offset, timeout, 100)
		timeout = int(p.timeout / time.Second)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			p.healthy.Store(false)
			backoff = nextBackoff(backoff)
			if retryAfter > 0 {
				backoff = time.Duration(retryAfter) * time.Second
			}
			p.log.Warn("getUpdates failed", "error", err, "retry_in", backoff)
			continue
		}
		backoff = 0
		p.healthy.Store(true)
		fresh := 0
		for _, u := range updates {
			if p.d.enqueue(u) {
				fresh++
			}
		}
		if fresh == 0 && len(updates) > 0 {
			// Everything Telegram gave us is still being handled: wait
			// for a handler to finish instead of asking again at once.
			select {
			case <-ctx.Done():
				return
			case <-p.d.progressed():
			case <-time.After(time.Second):
			}
		}
	}
}

// confirm tells Telegram that every handled update is done, so that the
// next start does not see them again.
func (p *poller) confirm(ctx context.Context) error {
	_, _, err := p.get(ctx, p.d.watermark(), 0, 1)
	return err
}

// get calls getUpdates. retryAfter is set on a 429.
func (p *poller) get(ctx context.Context, offset int64, timeout, limit int) ([]*models.Update, int, error) {
	body, _ := json.Marshal(map[string]any{"offset": offset, "timeout": timeout, "limit": limit})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.url, bytes.NewReader(body))
	if err != nil {
		return nil, 0, fmt.Errorf("bot: getUpdates: %w", redact(err, p.token))
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := p.client.Do(req)
	if err != nil {
		return nil, 0, fmt.Errorf("bot: getUpdates: %w", redact(err, p.token))
	}
	defer resp.Body.Close()
	var r updatesResponse
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		return nil, 0, fmt.Errorf("bot: getUpdates: decode (HTTP %d): %w", resp.StatusCode, err)
	}
	if !r.OK {
		return nil, r.Parameters.RetryAfter, fmt.Errorf("bot: getUpdates: %w", apiError{code: r.ErrorCode, desc: r.Description})
	}
	return r.Result, 0, nil
}

type apiError struct {
	code int
	desc string
}

func (e apiError) Error() string { return fmt.Sprintf("%d %s", e.code, e.desc) }

func nextBackoff(d time.Duration) time.Duration {
	if d == 0 {
		return 100 * time.Millisecond
	}
	if d *= 2; d > 5*time.Second {
		d = 5 * time.Second
	}
	return d
}
