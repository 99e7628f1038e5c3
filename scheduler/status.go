package scheduler

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"vmeste/storage"
	"vmeste/telegram"
)

// BroadcastMessages renders what the reporter sends to a broadcast's
// author, in the author's language (Broadcast.Lang). The bot implements
// it: it owns every word.
type BroadcastMessages interface {
	// BroadcastStatus is the status message: delivered, failed, left.
	BroadcastStatus(b storage.Broadcast) string
	// BroadcastReport is the final report: who did not get it, and why.
	BroadcastReport(b storage.Broadcast, undelivered []storage.Undelivered) string
}

// ReporterConfig tunes a Reporter. Zero values take the defaults.
type ReporterConfig struct {
	// Every is how often status messages are looked at (default 3 s);
	// each is edited at most once per Every.
	Every time.Duration
	// Limiter and Pacer are the limits shared with every sender (the
	// gateway's Limiter, not its paid BulkLimiter: the reporter's messages
	// and edits go to one chat each, unpaid, on the bulk lane); nil means
	// limits of the reporter's own.
	Limiter *telegram.Limiter
	Pacer   *telegram.Pacer
	Logger  *slog.Logger
	// Now is the clock that Broadcast.CreatedAt was written with (the
	// store's); nil means time.Now.
	Now func() time.Time
}

// statusGrace is how long the reporter leaves a new broadcast's status
// message to the author's own reply (bot: the preview turned into the
// first status, then Store.MarkBroadcastShown). A reply that lands after
// the reporter's edit would put «идёт: доставлено 0» back over
// «завершена» for good; a reply that never lands (a crash, Telegram
// down) leaves the message to the reporter after this.
const statusGrace = 30 * time.Second

// Reporter keeps each broadcast's status message up to date — edited at
// most once per Every — and sends the final report when a broadcast ends.
type Reporter struct {
	store *storage.Store
	tg    Telegram
	msgs  BroadcastMessages
	cfg   ReporterConfig
	log   *slog.Logger
}

// NewReporter returns a reporter; start it with Run.
func NewReporter(store *storage.Store, tg Telegram, msgs BroadcastMessages, cfg ReporterConfig) *Reporter {
	if cfg.Every <= 0 {
		cfg.Every = 3 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Limiter == nil {
		cfg.Limiter = telegram.NewLimiter(telegram.DefaultRate)
	}
	if cfg.Pacer == nil {
		cfg.Pacer = telegram.NewPacer(telegram.PrivateBurst, telegram.GroupPerMinute)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Reporter{store: store, tg: tg, msgs: msgs, cfg: cfg, log: cfg.Logger}
}

// Run reports until ctx ends.
func (r *Reporter) Run(ctx context.Context) error {
	t := time.NewTicker(r.cfg.Every)
	defer t.Stop()
	for {
		r.Tick(ctx)
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// Tick updates every status message whose figures changed and sends the
// reports of broadcasts that ended.
func (r *Reporter) Tick(ctx context.Context) {
	list, err := r.store.ActiveBroadcasts(ctx)
	if err != nil {
		r.log.Error("broadcast status: list", "error", err)
		return
	}
	for _, b := range list {
		err := r.report(ctx, b)
		switch {
		case err == nil || ctx.Err() != nil:
		case telegram.ClassOf(err) == telegram.ClassForbidden:
			// The author blocked the bot: nobody to report to.
			r.log.Warn("broadcast status: the author blocked the bot; reporting ends", "broadcast", b.ID)
			if err := r.store.MarkBroadcastShown(ctx, b.ID, b.Version, true); err != nil {
				r.log.Error("broadcast status", "broadcast", b.ID, "error", err)
			}
		default:
			r.log.Warn("broadcast status", "broadcast", b.ID, "error", err)
		}
	}
}

func (r *Reporter) report(ctx context.Context, b storage.Broadcast) error {
	finished := b.State != storage.BroadcastRunning
	if b.Version == b.Shown && !finished {
		return nil
	}
	if b.Shown == 0 && b.StatusMessage != 0 && r.cfg.Now().Sub(b.CreatedAt) < statusGrace {
		return nil // the author's reply is still turning the preview into the status
	}
	if err := r.showStatus(ctx, b, r.msgs.BroadcastStatus(b)); err != nil {
		return err
	}
	if !finished {
		return r.store.MarkBroadcastShown(ctx, b.ID, b.Version, false)
	}
	undelivered, err := r.store.BroadcastUndelivered(ctx, b.ID)
	if err != nil {
		return err
	}
	if _, err := r.send(ctx, b.AuthorChat, r.msgs.BroadcastReport(b, undelivered)); err != nil {
		return err
	}
	return r.store.MarkBroadcastShown(ctx, b.ID, b.Version, true)
}

// showStatus edits the status message, or sends one if there is none (the
// bot went down before it could) or it can no longer be edited.
func (r *Reporter) showStatus(ctx context.Context, b storage.Broadcast, text string) error {
	if b.StatusMessage != 0 {
		if err := r.cfg.Limiter.Wait(ctx, telegram.LaneBulk); err != nil {
			return err
		}
		err := r.tg.Edit(ctx, b.AuthorChat, b.StatusMessage, text)
		switch telegram.ClassOf(err) {
		case telegram.ClassEditGone, telegram.ClassBadRequest:
		default:
			return err // nil, or the next tick tries again
		}
	}
	id, err := r.send(ctx, b.AuthorChat, text)
	if err != nil {
		return err
	}
	return r.store.SetBroadcastStatusMessage(ctx, b.ID, id)
}

// send sends a new message within the limits: the chat's, at most one
// period's wait (else the next tick tries again), then the bulk lane.
func (r *Reporter) send(ctx context.Context, chatID int64, text string) (int, error) {
	if err := telegram.AdmitBulk(ctx, r.cfg.Limiter, r.cfg.Pacer, chatID, r.cfg.Every); err != nil {
		if errors.Is(err, telegram.ErrBusy) {
			return 0, errBusy
		}
		return 0, err
	}
	return r.tg.Send(ctx, chatID, storage.Content{Text: text}, false) // one chat's: never paid
}

// errBusy: the author's chat had messages just now; the next tick tries
// again.
var errBusy = errors.New("scheduler: the author's chat is busy")
