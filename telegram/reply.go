package telegram

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/go-telegram/bot/models"
)

// maxTransient is how many times a reply is tried after errors of the
// server that a probe shows are the message's own (Telegram answers
// otherwise).
const maxTransient = 5

// transientBackoff spaces those tries.
var transientBackoff = Backoff{First: 500 * time.Millisecond, Max: 5 * time.Second}

// ErrReplyExpired is returned by Reply and EditReply when the reply could
// not go within Config.ReplyMaxWait (a long outage or flood wait).
var ErrReplyExpired = errors.New("telegram: reply not delivered in time")

// Reply delivers m to chat as the answer to a user's own action: it waits
// for the chat's limits and the reply lane of the overall limiter (ahead
// of every bulk send), and tries again after a 429 (when Telegram says),
// an outage (when a probe succeeds) or an error of the server, in order:
// the caller's next reply to the chat waits for this one. It gives up on
// an error about the message or the recipient (returned as an *Error), on
// ctx's end, or after Config.ReplyMaxWait (ErrReplyExpired).
func (g *Gateway) Reply(ctx context.Context, chat int64, m Message) (*models.Message, error) {
	var sent *models.Message
	err := g.retry(ctx, func(ctx context.Context) error {
		if err := g.admitReply(ctx, chat); err != nil {
			return err
		}
		var err error
		sent, err = g.post(ctx, chat, m, LaneReply)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("telegram: reply to %d: %w", chat, err)
	}
	return sent, nil
}

// EditReply replaces the text and keyboard of the bot's message msgID in
// chat as the answer to a user's action, with Reply's waits (the chat's
// limits, then the reply lane) and retries.
// "Message is not modified" is not an error; an edit of a message that is
// gone or too old is an *Error of ClassEditGone.
func (g *Gateway) EditReply(ctx context.Context, chat int64, msgID int, m Message) error {
	err := g.retry(ctx, func(ctx context.Context) error {
		if err := g.admitReply(ctx, chat); err != nil {
			return err
		}
		return g.revise(ctx, chat, msgID, m, LaneReply)
	})
	if err != nil {
		return fmt.Errorf("telegram: edit %d/%d: %w", chat, msgID, err)
	}
	return nil
}

// retry runs try until it succeeds, fails for a reason that retrying
// cannot mend, or Config.ReplyMaxWait passes.
func (g *Gateway) retry(ctx context.Context, try func(ctx context.Context) error) error {
	limitCtx, cancel := context.WithTimeout(ctx, g.cfg.ReplyMaxWait)
	defer cancel()
	transient := 0
	for {
		err := try(limitCtx)
		if err == nil {
			return nil
		}
		if limitCtx.Err() != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("%w after %s: %w", ErrReplyExpired, g.cfg.ReplyMaxWait, err)
		}
		switch ClassOf(err) {
		case ClassRetryAfter, ClassOutage:
			// The pause or the hold is in the limits: the next admission
			// waits for it.
		case ClassTransient:
			if transient++; transient >= maxTransient {
				return err
			}
			if Sleep(limitCtx, transientBackoff.Delay(transient-1)) != nil {
				continue // reported above on the next round
			}
		default:
			return err
		}
	}
}

// admitReply waits until a reply may go to chat: the chat's own limits,
// then the reply lane. A bulk send that reached the chat meanwhile costs
// the grant, and the wait starts over.
func (g *Gateway) admitReply(ctx context.Context, chat int64) error {
	for {
		if err := Sleep(ctx, time.Until(g.pacer.ReadyAt(chat))); err != nil {
			return err
		}
		if err := g.limiter.Wait(ctx, LaneReply); err != nil {
			return err
		}
		if _, ok := g.pacer.TakeIfReady(chat, time.Now()); ok {
			return nil
		}
	}
}

// AdmitBulk waits until a bulk message may go to chat: the chat's bulk
// limits (at most maxChatWait, else ErrBusy), then the bulk lane.
func (g *Gateway) AdmitBulk(ctx context.Context, chat int64, maxChatWait time.Duration) error {
	return AdmitBulk(ctx, g.limiter, g.pacer, chat, maxChatWait)
}

// AdmitBulk is Gateway.AdmitBulk for a limiter and a pacer.
func AdmitBulk(ctx context.Context, l *Limiter, p *Pacer, chat int64, maxChatWait time.Duration) error {
	wait := time.Until(p.ReadyAtBulk(chat))
	if wait > maxChatWait {
		return ErrBusy
	}
	if err := Sleep(ctx, wait); err != nil {
		return err
	}
	if err := l.Wait(ctx, LaneBulk); err != nil {
		return err
	}
	p.Take(chat, time.Now())
	return nil
}

// ErrBusy is returned by AdmitBulk when the chat may not get a message
// within the wait the caller accepts.
var ErrBusy = errors.New("telegram: chat is busy")
