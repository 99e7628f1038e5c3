package telegram

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	tg "github.com/go-telegram/bot"
)

// Class is what an error of the Bot API means for the message and for the
// bot: whose fault it is and whether to try again.
type Class int

// Classes of errors. Callers switch on them; only the gateway maps
// Telegram's codes and descriptions to them.
const (
	// ClassOther is an error the gateway cannot place (a request it could
	// not even build); not worth retrying.
	ClassOther Class = iota
	// ClassRetryAfter is a 429: wait RetryAfter, then try again. The
	// gateway has already paused what it covers (one chat or every send).
	ClassRetryAfter
	// ClassForbidden is a 403: the user blocked the bot, is deactivated,
	// or the bot was removed from the group. About the recipient.
	ClassForbidden
	// ClassChatNotFound is a 400 "chat not found". About the recipient.
	ClassChatNotFound
	// ClassMigrated is a 400 with migrate_to_chat_id: the group became a
	// supergroup, MigrateTo is its new id.
	ClassMigrated
	// ClassNotModified is "message is not modified": an edit to the same
	// text and keyboard (a double tap). Not a failure.
	ClassNotModified
	// ClassEditGone is an edit of a message that is gone or too old to
	// edit: send a new message instead.
	ClassEditGone
	// ClassBadRequest is any other 400: about this message.
	ClassBadRequest
	// ClassTransient is a 5xx, a timeout or a network error while Telegram
	// answers other calls: about this message, worth a few more tries.
	ClassTransient
	// ClassOutage is a 5xx, a timeout or a network error while Telegram
	// is unreachable (a probe failed too), or a refused token: about the
	// bot, not the message. The gateway holds every send until a probe
	// succeeds; the message has lost nothing.
	ClassOutage
)

var classNames = [...]string{"other", "retry_after", "forbidden", "chat_not_found", "migrated",
	"not_modified", "edit_gone", "bad_request", "transient", "outage"}

func (c Class) String() string {
	if int(c) < len(classNames) {
		return classNames[c]
	}
	return fmt.Sprintf("class(%d)", int(c))
}

// Error is a failed Bot API call, classified. Every error the gateway's
// sends, edits and answers return is one, except for a call its caller
// cancelled; get it with errors.As or ClassOf.
type Error struct {
	Method string
	Class  Class
	// RetryAfter is Telegram's wait for a 429.
	RetryAfter time.Duration
	// MigrateTo is the supergroup's new chat id for ClassMigrated.
	MigrateTo int64
	err       error
}

func (e *Error) Error() string {
	return fmt.Sprintf("telegram: %s: %s: %v", e.Method, e.Class, e.err)
}

func (e *Error) Unwrap() error { return e.err }

// NewError builds an Error of class c: for fakes in tests of the callers,
// and for a send that failed before it reached Telegram (a certificate the
// scheduler could not print).
func NewError(method string, c Class, cause error) *Error {
	if cause == nil {
		cause = errors.New(c.String())
	}
	return &Error{Method: method, Class: c, err: cause}
}

// ClassOf is err's class: ClassOther for nil or an error that is not a
// classified Error.
func ClassOf(err error) Class {
	var e *Error
	if errors.As(err, &e) {
		return e.Class
	}
	return ClassOther
}

// classify maps go-telegram/bot's error for method to an Error. Codes are
// matched first and descriptions second: Telegram does not specify its
// descriptions. A refused token (401) or a missing method (404: the API
// URL points elsewhere) is an outage of the bot, not of the message.
func classify(method string, err error) *Error {
	e := &Error{Method: method, Class: ClassOther, err: err}
	var tooMany *tg.TooManyRequestsError
	var migrate *tg.MigrateError
	desc := strings.ToLower(err.Error())
	switch {
	case errors.As(err, &tooMany):
		e.Class, e.RetryAfter = ClassRetryAfter, time.Duration(max(tooMany.RetryAfter, 1))*time.Second
	case errors.As(err, &migrate):
		e.Class, e.MigrateTo = ClassMigrated, int64(migrate.MigrateToChatID)
	case errors.Is(err, tg.ErrorForbidden):
		e.Class = ClassForbidden
	case errors.Is(err, tg.ErrorBadRequest):
		switch {
		case strings.Contains(desc, "message is not modified"):
			e.Class = ClassNotModified
		case strings.Contains(desc, "chat not found"):
			e.Class = ClassChatNotFound
		case strings.Contains(desc, "message to edit not found"), strings.Contains(desc, "can't be edited"):
			e.Class = ClassEditGone
		default:
			e.Class = ClassBadRequest
		}
	case errors.Is(err, tg.ErrorUnauthorized), errors.Is(err, tg.ErrorNotFound):
		e.Class = ClassOutage
	case errors.Is(err, context.Canceled):
		e.Class = ClassOther
	default:
		// Another code the library does not map, a timeout, a refused
		// connection, a body that is not JSON (a proxy's error page).
		e.Class = ClassTransient
		if code := responseCode(err); code >= 400 && code < 500 {
			e.Class = ClassBadRequest // 413 and the like: this request's
		}
	}
	return e
}

// responseCode reads the code of the library's "error response from
// telegram for method M, CODE DESCRIPTION" (0 if err is not one).
func responseCode(err error) int {
	const prefix = "error response from telegram for method "
	msg := err.Error()
	i := strings.Index(msg, prefix)
	if i < 0 {
		return 0
	}
	rest := msg[i+len(prefix):]
	j := strings.Index(rest, ", ")
	if j < 0 {
		return 0
	}
	code, _ := strconv.Atoi(strings.SplitN(rest[j+2:], " ", 2)[0])
	return code
}

// unreadableAnswer reports whether err is the library's failure to decode
// the result of a call that Telegram answered "ok": the call was done.
func unreadableAnswer(err error) bool {
	return strings.Contains(err.Error(), "error decode response result")
}
