package bot

import (
	"html"

	"vmeste/locales"
	"vmeste/storage"
)

// The texts the scheduler's reporter sends to a broadcast's author, in
// the author's language (part of scheduler.Messages).

// BroadcastStatus is a broadcast's status message: delivered, failed, left.
func (b *Bot) BroadcastStatus(bc storage.Broadcast) string {
	p := b.catalog.For(bc.Lang)
	key := "broadcast_status_running"
	switch bc.State {
	case storage.BroadcastDone:
		key = "broadcast_status_done"
	case storage.BroadcastStopped:
		key = "broadcast_status_stopped"
	}
	return p.T(key, "ID", bc.ID, "Total", bc.Total, "Sent", bc.Sent, "Failed", bc.Failed+bc.Skipped, "Left", bc.Left())
}

// BroadcastReport is a broadcast's final report: the recipients it did not
// reach, and why, cut to fit one message.
func (b *Bot) BroadcastReport(bc storage.Broadcast, undelivered []storage.Undelivered) string {
	p := b.catalog.For(bc.Lang)
	lines := []string{p.T("broadcast_report_title", "ID", bc.ID, "Total", bc.Total, "Sent", bc.Sent)}
	if len(undelivered) == 0 {
		lines = append(lines, p.T("broadcast_report_all"))
		return p.FitLines(lines, 0)
	}
	lines = append(lines, p.N("broadcast_report_failed", len(undelivered)))
	for _, u := range undelivered {
		lines = append(lines, p.T("broadcast_report_line", "Name", recipientName(p, u), "Reason", locales.HTML(p.T(reasonKey(u.Reason)))))
	}
	return p.FitLines(lines, 0)
}

// recipientName is an undelivered recipient as the author knows them.
func recipientName(p locales.Printer, u storage.Undelivered) locales.HTML {
	switch {
	case u.UserID != 0 && u.FullName != "":
		return locales.HTML(html.EscapeString(u.FullName))
	case u.UserID != 0:
		return locales.HTML(p.T("unnamed_user", "ID", u.UserID))
	case u.Title != "":
		return locales.HTML(p.T("group_name", "Title", u.Title))
	}
	return locales.HTML(p.T("unnamed_user", "ID", u.ChatID))
}

// reasonKey is the locale key of a reason; one this build does not know
// reads as an error of the server.
func reasonKey(r storage.Reason) string {
	for _, known := range storage.Reasons {
		if r == known {
			return "reason_" + string(r)
		}
	}
	return "reason_" + string(storage.ReasonServer)
}
