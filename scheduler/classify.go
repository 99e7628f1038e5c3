package scheduler

import (
	"errors"
	"time"

	"vmeste/storage"
	"vmeste/telegram"
)

// classify turns a send's result into what to record. Only reasons about
// the message or the recipient fail an entry for good; flood control and
// outages keep it pending without counting the try, and errors of the
// server that a probe showed were this message's count towards
// MaxAttempts. The gateway has already paused what a 429 covers and holds
// every send during an outage.
func (s *Sender) classify(e storage.OutboxEntry, msgID int, err error, now time.Time) storage.Outcome {
	if err == nil {
		return storage.Outcome{State: storage.OutboxSent, MessageID: msgID}
	}
	if errors.Is(err, storage.ErrCertificateRevoked) {
		// Revoked after it was enqueued: the one that replaced it has
		// its own delivery.
		return storage.Outcome{State: storage.OutboxSkipped, Reason: storage.ReasonReplaced}
	}
	var te *telegram.Error
	if !errors.As(err, &te) {
		// Not the gateway's (a fake's, or a context's): retry it as an
		// error of the server.
		te = telegram.NewError("send", telegram.ClassTransient, err)
	}
	switch te.Class {
	case telegram.ClassRetryAfter:
		return storage.Outcome{State: storage.OutboxPending, RetryAt: now.Add(te.RetryAfter), Reason: storage.ReasonRetryAfter, Uncounted: true}
	case telegram.ClassOutage:
		return storage.Outcome{State: storage.OutboxPending, Reason: storage.ReasonOutage, Uncounted: true}
	case telegram.ClassMigrated:
		return storage.Outcome{State: storage.OutboxPending, MigrateTo: te.MigrateTo, Uncounted: true}
	case telegram.ClassForbidden:
		return storage.Outcome{State: storage.OutboxFailed, Reason: storage.ReasonBlocked, Deactivate: true}
	case telegram.ClassChatNotFound:
		return storage.Outcome{State: storage.OutboxFailed, Reason: storage.ReasonChatNotFound, Deactivate: true}
	case telegram.ClassTransient:
		if e.Attempts+1 >= s.cfg.MaxAttempts {
			return storage.Outcome{State: storage.OutboxFailed, Reason: storage.ReasonServer}
		}
		return storage.Outcome{State: storage.OutboxPending, RetryAt: now.Add(s.cfg.Backoff.Delay(e.Attempts)), Reason: storage.ReasonServer}
	}
	// A bad request, or an error the gateway could not place.
	return storage.Outcome{State: storage.OutboxFailed, Reason: storage.ReasonBadRequest}
}
