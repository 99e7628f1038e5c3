package scheduler

import (
	"errors"
	"strings"
	"time"

	tg "github.com/go-telegram/bot"

	"vmeste/storage"
)

// Reasons recorded for entries that were not delivered. The final report
// shows them through locales (reason_<code>).
const (
	ReasonBlocked      = "blocked"
	ReasonChatNotFound = "chat_not_found"
	ReasonServer       = "server_error"
	ReasonBadRequest   = "bad_request"
	ReasonInactive     = "inactive"
	ReasonStopped      = "stopped"
)

// verdict is what the sender makes of one send's error.
type verdict struct {
	outcome storage.Outcome
	// pause is how long to hold sends after a 429; global is whether all
	// sends wait (the bot's overall limit) or only this chat's.
	pause  time.Duration
	global bool
}

// classify turns a send's result into what to record. attempts is how many
// times the entry was tried before this one.
func (s *Sender) classify(e storage.OutboxEntry, msgID int, err error, now time.Time) verdict {
	if err == nil {
		return verdict{outcome: storage.Outcome{State: storage.OutboxSent, MessageID: msgID}}
	}
	var tooMany *tg.TooManyRequestsError
	var migrate *tg.MigrateError
	switch {
	case errors.As(err, &tooMany):
		wait := time.Duration(max(tooMany.RetryAfter, 1)) * time.Second
		// We keep the per-chat limits ourselves, so a 429 for a private
		// chat, or for a group we have written little to lately, means the
		// overall limit (our replies to users count towards it too): all
		// sends wait. A busy group may have hit its own per-minute limit:
		// only it waits.
		return verdict{
			outcome: storage.Outcome{State: storage.OutboxPending, RetryAt: now.Add(wait), Reason: "429"},
			pause:   wait,
			global:  !e.Group() || !s.limits.BusyGroup(e.ChatID, now),
		}
	case errors.As(err, &migrate):
		return verdict{outcome: storage.Outcome{State: storage.OutboxPending, MigrateTo: int64(migrate.MigrateToChatID)}}
	case errors.Is(err, tg.ErrorForbidden):
		return verdict{outcome: storage.Outcome{State: storage.OutboxFailed, Reason: ReasonBlocked, Deactivate: true}}
	case errors.Is(err, tg.ErrorBadRequest) && strings.Contains(strings.ToLower(err.Error()), "chat not found"):
		return verdict{outcome: storage.Outcome{State: storage.OutboxFailed, Reason: ReasonChatNotFound, Deactivate: true}}
	case errors.Is(err, tg.ErrorBadRequest), errors.Is(err, tg.ErrorNotFound), errors.Is(err, tg.ErrorUnauthorized):
		return verdict{outcome: storage.Outcome{State: storage.OutboxFailed, Reason: ReasonBadRequest}}
	}
	// 5xx, timeouts, network errors: try again later, a bounded number of
	// times.
	if e.Attempts+1 >= s.cfg.MaxAttempts {
		return verdict{outcome: storage.Outcome{State: storage.OutboxFailed, Reason: ReasonServer}}
	}
	backoff := s.cfg.Backoff << e.Attempts
	return verdict{outcome: storage.Outcome{State: storage.OutboxPending, RetryAt: now.Add(backoff), Reason: ReasonServer}}
}
