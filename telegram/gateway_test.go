package telegram_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"vmeste/telegram"
	"vmeste/telegramtest"
)

func newGateway(t *testing.T, emu *telegramtest.Server, cfg telegram.Config) *telegram.Gateway {
	t.Helper()
	cfg.Token, cfg.APIURL = telegramtest.Token, emu.URL()
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Probe == (telegram.Backoff{}) {
		cfg.Probe = telegram.Backoff{First: 50 * time.Millisecond, Max: 200 * time.Millisecond}
	}
	g, err := telegram.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(g.Close)
	return g
}

var teacher = telegramtest.User{ID: 501, FirstName: "Мария"}

func TestReplyWaitsOutA429(t *testing.T) {
	emu := telegramtest.New()
	defer emu.Close()
	emu.SendText(teacher, "/start")
	g := newGateway(t, emu, telegram.Config{})
	emu.FailNext("sendMessage", teacher.ID, telegramtest.TooManyRequests(1), 1)

	start := time.Now()
	m, err := g.Reply(context.Background(), teacher.ID, telegram.Message{Text: "Здравствуйте!"})
	if err != nil {
		t.Fatalf("Reply after a 429: %v", err)
	}
	if waited := time.Since(start); waited < time.Second {
		t.Errorf("the reply went %v after a 429 with retry_after 1", waited)
	}
	if got, ok := emu.MessageByID(teacher.ID, m.ID); !ok || got.Text != "Здравствуйте!" {
		t.Errorf("the chat shows %+v, want the reply", got)
	}
	// The 429 was the overall limit's: every send waited, so did a bulk one.
	if until := g.Limiter().PausedUntil(); until.Before(start.Add(time.Second)) {
		t.Errorf("the limiter was paused until %v, want a second after the 429", until)
	}
}

func TestErrorClasses(t *testing.T) {
	emu := telegramtest.New()
	defer emu.Close()
	blocked := telegramtest.User{ID: 502, FirstName: "Ахмат"}
	emu.SendText(blocked, "/start")
	emu.BlockBot(blocked)
	emu.SendText(teacher, "/start")
	g := newGateway(t, emu, telegram.Config{})
	ctx := context.Background()

	_, err := g.Post(ctx, blocked.ID, telegram.Message{Text: "x"})
	if c := telegram.ClassOf(err); c != telegram.ClassForbidden {
		t.Errorf("a send to a user who blocked the bot: %v (%v), want forbidden", c, err)
	}
	_, err = g.Post(ctx, 999_999, telegram.Message{Text: "x"})
	if c := telegram.ClassOf(err); c != telegram.ClassChatNotFound {
		t.Errorf("a send to an unknown chat: %v (%v), want chat_not_found", c, err)
	}
	m, err := g.Post(ctx, teacher.ID, telegram.Message{Text: "один"})
	if err != nil {
		t.Fatal(err)
	}
	if err := g.Revise(ctx, teacher.ID, m.ID, telegram.Message{Text: "один"}); err != nil {
		t.Errorf("an edit to the same text: %v, want no error (not modified)", err)
	}
	err = g.EditReply(ctx, teacher.ID, 424242, telegram.Message{Text: "два"})
	if c := telegram.ClassOf(err); c != telegram.ClassEditGone {
		t.Errorf("an edit of a missing message: %v (%v), want edit_gone", c, err)
	}
	if strings.Contains(err.Error(), telegramtest.Token) {
		t.Errorf("an error shows the token: %v", err)
	}
	// A code the library does not map: 4xx is the request's, 5xx the server's.
	emu.FailNext("sendMessage", teacher.ID, telegramtest.Fault{Code: 413, Description: "Request Entity Too Large"}, 1)
	_, err = g.Post(ctx, teacher.ID, telegram.Message{Text: "x"})
	if c := telegram.ClassOf(err); c != telegram.ClassBadRequest {
		t.Errorf("a 413: %v (%v), want bad_request", c, err)
	}
	emu.FailNext("sendMessage", teacher.ID, telegramtest.ServerError(), 1)
	_, err = g.Post(ctx, teacher.ID, telegram.Message{Text: "x"})
	if c := telegram.ClassOf(err); c != telegram.ClassTransient {
		t.Errorf("a 500 while getMe answers: %v (%v), want transient", c, err)
	}
}

// TestTimeoutIsCheckedByAProbe: a send cut short by its caller's deadline
// is a timeout, Telegram's or the network's: the gateway probes (on a
// context of its own) and classifies it, instead of returning it raw.
func TestTimeoutIsCheckedByAProbe(t *testing.T) {
	emu := telegramtest.New()
	defer emu.Close()
	emu.SendText(teacher, "/start")
	g := newGateway(t, emu, telegram.Config{})
	emu.FailNext("sendMessage", teacher.ID, telegramtest.Slow(2*time.Second), 1)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := g.Post(ctx, teacher.ID, telegram.Message{Text: "x"})
	if c := telegram.ClassOf(err); c != telegram.ClassTransient {
		t.Errorf("a send past its deadline while getMe answers: %v (%v), want transient", c, err)
	}
	emu.SetOutage(telegramtest.Unreachable)
	emu.FailNext("sendMessage", teacher.ID, telegramtest.Slow(2*time.Second), 1)
	ctx2, cancel2 := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel2()
	_, err = g.Post(ctx2, teacher.ID, telegram.Message{Text: "x"})
	if c := telegram.ClassOf(err); c != telegram.ClassOutage {
		t.Errorf("a send that fails while getMe fails too: %v (%v), want outage", c, err)
	}
	if g.Health() == "" {
		t.Error("Health is empty during the outage")
	}
}

// TestOutageHoldsRepliesUntilTelegramAnswers: while Telegram is
// unreachable a reply waits (it is not dropped), Health says why, and the
// reply goes once Telegram answers again.
func TestOutageHoldsRepliesUntilTelegramAnswers(t *testing.T) {
	for _, kind := range []telegramtest.Outage{telegramtest.Unreachable, telegramtest.BadGateway} {
		t.Run(map[telegramtest.Outage]string{telegramtest.Unreachable: "unreachable", telegramtest.BadGateway: "502"}[kind], func(t *testing.T) {
			emu := telegramtest.New()
			defer emu.Close()
			emu.SendText(teacher, "/start")
			g := newGateway(t, emu, telegram.Config{})
			if h := g.Health(); h != "" {
				t.Fatalf("Health before the outage = %q", h)
			}
			emu.SetOutage(kind)
			done := make(chan error, 1)
			go func() {
				_, err := g.Reply(context.Background(), teacher.ID, telegram.Message{Text: "Вы записаны"})
				done <- err
			}()
			// The reply's failure and the probe's make an outage.
			for g.Health() == "" {
				select {
				case err := <-done:
					t.Fatalf("the reply returned during the outage: %v", err)
				case <-time.After(5 * time.Millisecond):
				}
			}
			if h := g.Health(); !strings.Contains(h, "unreachable") || strings.Contains(h, telegramtest.Token) {
				t.Errorf("Health during the outage = %q", h)
			}
			refused := emu.OutageRefused()
			emu.SetOutage(telegramtest.NoOutage)
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("the reply after the outage: %v", err)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("the reply did not go within 10 s of the outage's end")
			}
			if n := len(emu.BotMessages(teacher.ID)); n != 1 {
				t.Errorf("%d messages in the chat, want the one reply", n)
			}
			if h := g.Health(); h != "" {
				t.Errorf("Health after the outage = %q", h)
			}
			if refused < 2 {
				t.Errorf("only %d requests during the outage: the reply and a probe, at least", refused)
			}
		})
	}
}
