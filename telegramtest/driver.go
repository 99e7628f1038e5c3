package telegramtest

import (
	"context"
	"strings"
	"testing"
	"time"
)

// Driver acts as users in a test, one step at a time: each step sends or
// presses and then waits (without polling) for the bot's answer, failing
// the test with the chat's last messages when it does not come.
type Driver struct {
	TB      testing.TB
	Server  *Server
	Timeout time.Duration // per wait; 0 means 10 s
}

func (d *Driver) ctx() (context.Context, context.CancelFunc) {
	timeout := d.Timeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	return context.WithTimeout(context.Background(), timeout)
}

// Contains matches a bot message whose plain text contains every part.
func Contains(parts ...string) func(Message) bool {
	return func(m Message) bool {
		text := m.PlainText()
		for _, p := range parts {
			if !strings.Contains(text, p) {
				return false
			}
		}
		return true
	}
}

// Say sends text as u in u's private chat and waits for a bot message
// (sent or edited after it) containing every part of want.
func (d *Driver) Say(u User, text string, want ...string) Message {
	d.TB.Helper()
	v := d.Server.Version()
	d.Server.SendText(u, text)
	return d.Expect(u.ID, v, want...)
}

// Expect waits for a bot message in chat, sent or edited after version,
// containing every part of want.
func (d *Driver) Expect(chatID int64, version uint64, want ...string) Message {
	d.TB.Helper()
	ctx, cancel := d.ctx()
	defer cancel()
	m, err := d.Server.WaitBotMessageAfter(ctx, chatID, version, Contains(want...))
	if err != nil {
		d.TB.Fatalf("waiting in chat %d for %q: %v", chatID, want, err)
	}
	return m
}

// Press presses the button labelled label on the newest bot message in u's
// private chat that has it, waits for the callback to be answered and then,
// if want is given, for a bot message containing it.
func (d *Driver) Press(u User, label string, want ...string) (CallbackAnswer, Message) {
	d.TB.Helper()
	return d.PressIn(u, u.ID, label, want...)
}

// PressIn is Press in any chat (a group, say).
func (d *Driver) PressIn(u User, chatID int64, label string, want ...string) (CallbackAnswer, Message) {
	d.TB.Helper()
	v := d.Server.Version()
	q, err := d.Server.PressButton(u, chatID, label)
	if err != nil {
		d.TB.Fatalf("press %q: %v", label, err)
	}
	ctx, cancel := d.ctx()
	defer cancel()
	ans, err := d.Server.WaitCallbackAnswered(ctx, q)
	if err != nil {
		d.TB.Fatalf("press %q: callback not answered: %v", label, err)
	}
	if len(want) == 0 {
		return ans, Message{}
	}
	return ans, d.Expect(chatID, v, want...)
}
