package bot

import (
	"context"
	"encoding/json"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/go-telegram/bot/models"

	"vmeste/storage"
	"vmeste/telegram"
)

// poller is our own getUpdates loop. go-telegram/bot's loses the updates it
// has queued but not handled when the process dies; ours first saves each
// batch in bbolt's inbox and only then confirms it to Telegram (with the
// next call's offset), and the dispatcher removes an update from the inbox
// once it is handled. After a crash the inbox is handled again at start,
// so nothing a user sent is lost; an update handled just before a crash
// may be handled twice.
type poller struct {
	tg      *telegram.Gateway
	timeout time.Duration
	d       *dispatcher
	store   *storage.Store
	log     *slog.Logger
	healthy *atomic.Bool
	offset  int64
	// metrics counts the updates skipped (nil: none).
	metrics *updateMetrics
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
	failures := 0
	// The first call does not wait, so that health is known at once.
	var timeout time.Duration
	for ctx.Err() == nil {
		if telegram.Sleep(ctx, backoff) != nil {
			return
		}
		raw, retryAfter, err := p.tg.Updates(ctx, p.offset, timeout, 100, allowedUpdates)
		if err == nil {
			err = p.accept(ctx, raw)
		}
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			p.healthy.Store(false)
			// The next call does not wait either: health is known as
			// soon as Telegram answers again.
			timeout = 0
			backoff = pollBackoff.Delay(failures)
			failures++
			if retryAfter > 0 {
				backoff = retryAfter
			}
			p.log.Warn("getUpdates failed", "error", err, "retry_in", backoff)
			continue
		}
		timeout = p.timeout
		backoff, failures = 0, 0
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
			// Skipped, so that one update this build cannot read does not
			// stop every later one. Its id and kind only: no personal data.
			id, kind := peekUpdate(data)
			last = max(last, id)
			p.log.Error("update skipped: cannot decode", "update_id", id, "kind", kind, "error", err)
			p.metrics.skipped()
			continue
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
	if last >= p.offset {
		p.offset = last + 1
	}
	for _, u := range updates {
		p.d.enqueue(u)
	}
	return nil
}

// pollBackoff spaces getUpdates calls after failures.
var pollBackoff = telegram.Backoff{First: 100 * time.Millisecond, Max: 5 * time.Second}

// peekUpdate reads what can be read of an update that does not decode:
// its id and the names of its fields (its kind), never their values.
func peekUpdate(data json.RawMessage) (id int64, kind string) {
	var fields map[string]json.RawMessage
	if json.Unmarshal(data, &fields) != nil {
		return 0, "unreadable"
	}
	_ = json.Unmarshal(fields["update_id"], &id)
	for name := range fields {
		if name != "update_id" {
			kind = name
		}
	}
	return id, kind
}
