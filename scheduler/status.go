package scheduler

import (
	"context"
	"errors"
	"html"
	"log/slog"
	"strings"
	"time"

	tg "github.com/go-telegram/bot"

	"vmeste/flood"
	"vmeste/locales"
	"vmeste/storage"
)

// Reporter keeps each broadcast's status message up to date — edited at
// most once per Every — and sends the final report when a broadcast ends.
type Reporter struct {
	store   *storage.Store
	tg      Telegram
	catalog *locales.Catalog
	every   time.Duration
	log     *slog.Logger
	pacer   *flood.Pacer
}

// NewReporter returns a reporter that looks every `every` (3 s if zero)
// and sends new messages through pacer (shared with the other senders;
// nil means one of its own).
func NewReporter(store *storage.Store, tg Telegram, catalog *locales.Catalog, every time.Duration, log *slog.Logger, pacer *flood.Pacer) *Reporter {
	if every <= 0 {
		every = 3 * time.Second
	}
	if log == nil {
		log = slog.Default()
	}
	if pacer == nil {
		pacer = flood.New(3, 20)
	}
	return &Reporter{store: store, tg: tg, catalog: catalog, every: every, log: log, pacer: pacer}
}

// Run reports until ctx ends.
func (r *Reporter) Run(ctx context.Context) error {
	t := time.NewTicker(r.every)
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
		case errors.Is(err, tg.ErrorForbidden):
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
	p := r.catalog.For(b.Lang)
	finished := b.State != storage.BroadcastRunning
	if b.Version == b.Shown && !finished {
		return nil
	}
	if err := r.showStatus(ctx, b, StatusText(p, b)); err != nil {
		return err
	}
	if !finished {
		return r.store.MarkBroadcastShown(ctx, b.ID, b.Version, false)
	}
	report, err := r.finalReport(ctx, p, b)
	if err != nil {
		return err
	}
	if _, err := r.send(ctx, b.AuthorChat, report); err != nil {
		return err
	}
	return r.store.MarkBroadcastShown(ctx, b.ID, b.Version, true)
}

// showStatus edits the status message, or sends one if there is none (the
// bot went down before it could).
func (r *Reporter) showStatus(ctx context.Context, b storage.Broadcast, text string) error {
	if b.StatusMessage != 0 {
		err := r.tg.Edit(ctx, b.AuthorChat, b.StatusMessage, text)
		if err == nil || strings.Contains(err.Error(), "message is not modified") {
			return nil
		}
		if !errors.Is(err, tg.ErrorBadRequest) {
			return err
		}
	}
	id, err := r.send(ctx, b.AuthorChat, text)
	if err != nil {
		return err
	}
	return r.store.SetBroadcastStatusMessage(ctx, b.ID, id)
}

// send sends a new message within the chat's flood limits.
func (r *Reporter) send(ctx context.Context, chatID int64, text string) (int, error) {
	if err := r.pacer.Wait(ctx, chatID, chatID < 0, r.every); err != nil {
		return 0, err // busy: the next tick tries again
	}
	return r.tg.Send(ctx, chatID, storage.Content{Text: text})
}

// StatusText is the status message of a broadcast: delivered, failed,
// left; it is shared with the bot, which sends the first one.
func StatusText(p locales.Printer, b storage.Broadcast) string {
	key := "broadcast_status_running"
	switch b.State {
	case storage.BroadcastDone:
		key = "broadcast_status_done"
	case storage.BroadcastStopped:
		key = "broadcast_status_stopped"
	}
	return p.T(key, "ID", b.ID, "Total", b.Total, "Sent", b.Sent, "Failed", b.Failed+b.Skipped, "Left", b.Left())
}

// finalReport names the recipients the broadcast did not reach, and why.
func (r *Reporter) finalReport(ctx context.Context, p locales.Printer, b storage.Broadcast) (string, error) {
	lines := []string{p.T("broadcast_report_title", "ID", b.ID, "Total", b.Total, "Sent", b.Sent)}
	failed, err := r.store.BroadcastEntries(ctx, b.ID, storage.OutboxFailed, storage.OutboxSkipped)
	if err != nil {
		return "", err
	}
	if len(failed) == 0 {
		lines = append(lines, p.T("broadcast_report_all"))
		return p.FitLines(lines, 0), nil
	}
	lines = append(lines, p.N("broadcast_report_failed", len(failed)))
	for _, e := range failed {
		lines = append(lines, p.T("broadcast_report_line", "Name", r.recipientName(ctx, p, e), "Reason", locales.HTML(p.T("reason_"+reasonKey(e.Reason)))))
	}
	return p.FitLines(lines, 0), nil
}

func reasonKey(reason string) string {
	switch reason {
	case ReasonBlocked, ReasonChatNotFound, ReasonServer, ReasonBadRequest, ReasonInactive, ReasonStopped:
		return reason
	}
	return ReasonServer
}

// recipientName is the recipient as the author knows them, as HTML.
func (r *Reporter) recipientName(ctx context.Context, p locales.Printer, e storage.OutboxEntry) locales.HTML {
	if e.UserID != 0 {
		if u, err := r.store.User(ctx, e.UserID); err == nil && u.FullName != "" {
			return locales.HTML(html.EscapeString(u.FullName))
		}
		return locales.HTML(p.T("unnamed_user", "ID", e.UserID))
	}
	if g, err := r.store.Group(ctx, e.ChatID); err == nil {
		return locales.HTML(p.T("group_name", "Title", g.Title))
	}
	return locales.HTML(p.T("unnamed_user", "ID", e.ChatID))
}
