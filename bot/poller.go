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

	"vmeste/storage"
)

// poller is our own getUpdates loop. go-telegram/bot's loses the updates it
// has queued but not handled when the process dies; ours first saves each
// batch in bbolt's inbox and only then confirms it to Telegram (with the
// next call's offset), and the dispatcher removes an update from the inbox
// once it is handled. After a crash the inbox is handled again at start,
// so nothing a user sent is lost; an update handled just before a crash
// may be handled twice.
type poller struct {
	client  *http.Client
	url     string
	token   string
	timeout time.Duration
	d       *dispatcher
	store   *storage.Store
	log     *slog.Logger
	healthy *atomic.Bool
	offset  int64
}

type updatesResponse struct {
	OK          bool              `json:"ok"`
	Result      []json.RawMessage `json:"result"`
	ErrorCode   int               `json:"error_code"`
	Description string            `json:"description"`
	Parameters  struct {
		RetryAfter int `json:"retry_after"`
	} `json:"parameters"`
}

// replay hands the inbox (updates saved but not handled before the last
// stop) to the dispatcher. Polling then starts from offset 0: Telegram
// gives what it has not had confirmed, and what the inbox already holds is
// not handled twice.
func (p *poller) replay(ctx context.Context) error {
	saved, err := p.store.Inbox(ctx)
	if err != nil {
		return err
	}
	for _, s := range saved {
		var u models.Update
		if err := json.Unmarshal(s.Data, &u); err != nil {
			p.log.Error("inbox: undecodable update dropped", "update_id", s.ID, "error", err)
			p.d.done(s.ID)
			continue
		}
		p.d.enqueue(&u)
	}
	if len(saved) > 0 {
		p.log.Info("inbox: replaying updates not handled before the last stop", "count", len(saved))
	}
	return nil
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
		raw, retryAfter, err := p.get(ctx, p.offset, timeout, 100)
		if err == nil {
			err = p.accept(ctx, raw)
		}
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
		timeout = int(p.timeout / time.Second)
		backoff = 0
		p.healthy.Store(true)
	}
}

// accept saves a batch in the inbox, moves the offset past it (which
// confirms it to Telegram with the next call) and dispatches it.
func (p *poller) accept(ctx context.Context, raw []json.RawMessage) error {
	if len(raw) == 0 {
		return nil
	}
	updates := make([]*models.Update, 0, len(raw))
	fresh := make([]storage.InboxUpdate, 0, len(raw))
	var last int64
	for _, data := range raw {
		var u models.Update
		if err := json.Unmarshal(data, &u); err != nil {
			return fmt.Errorf("bot: decode update: %w", err)
		}
		last = max(last, u.ID)
		if p.d.isNew(u.ID) {
			updates = append(updates, &u)
			fresh = append(fresh, storage.InboxUpdate{ID: u.ID, Data: data})
		}
	}
	if len(fresh) > 0 {
		if err := p.store.SaveUpdates(ctx, fresh); err != nil {
			return err
		}
	}
	p.offset = last + 1
	for _, u := range updates {
		p.d.enqueue(u)
	}
	return nil
}

// get calls getUpdates. retryAfter is set on a 429.
func (p *poller) get(ctx context.Context, offset int64, timeout, limit int) ([]json.RawMessage, int, error) {
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
