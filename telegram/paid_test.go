package telegram_test

import (
	"context"
	"testing"
	"time"

	"vmeste/telegram"
	"vmeste/telegramtest"
)

// TestPaidBroadcastLane: with PaidBroadcast on, a bulk Post carries
// allow_paid_broadcast and a reply does not; the bulk limiter is a limiter
// of its own, and a 429 on a bulk send pauses it, not the replies'.
// Without it a bulk Post carries nothing and the bulk limiter is the
// shared one.
func TestPaidBroadcastLane(t *testing.T) {
	ctx := context.Background()
	emu := telegramtest.New()
	defer emu.Close()
	emu.SendText(teacher, "/start")

	off := newGateway(t, emu, telegram.Config{})
	if off.BulkLimiter() != off.Limiter() {
		t.Error("without paid broadcasts the bulk limiter is not the shared one")
	}
	m, err := off.Post(ctx, teacher.ID, telegram.Message{Text: "дайджест", Bulk: true})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := emu.MessageByID(teacher.ID, m.ID); got.PaidBroadcast {
		t.Error("a bulk send carries allow_paid_broadcast with paid broadcasts off")
	}

	on := newGateway(t, emu, telegram.Config{PaidBroadcast: 500})
	if on.BulkLimiter() == on.Limiter() {
		t.Fatal("with paid broadcasts the bulk limiter is the shared one")
	}
	bulk, err := on.Post(ctx, teacher.ID, telegram.Message{Text: "объявление", Bulk: true})
	if err != nil {
		t.Fatal(err)
	}
	reply, err := on.Post(ctx, teacher.ID, telegram.Message{Text: "ответ"})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := emu.MessageByID(teacher.ID, bulk.ID); !got.PaidBroadcast {
		t.Error("a bulk send lacks allow_paid_broadcast with paid broadcasts on")
	}
	if got, _ := emu.MessageByID(teacher.ID, reply.ID); got.PaidBroadcast {
		t.Error("a reply carries allow_paid_broadcast")
	}

	emu.FailNext("sendMessage", teacher.ID, telegramtest.TooManyRequests(3), 1)
	start := time.Now()
	if _, err := on.Post(ctx, teacher.ID, telegram.Message{Text: "объявление", Bulk: true}); err == nil {
		t.Fatal("the failed bulk send succeeded")
	}
	if until := on.BulkLimiter().PausedUntil(); until.Before(start.Add(2 * time.Second)) {
		t.Errorf("the paid limiter was paused until %v, want 3 s after the 429", until)
	}
	if until := on.Limiter().PausedUntil(); until.After(start) {
		t.Errorf("a 429 on a paid broadcast paused the replies until %v", until)
	}
}
