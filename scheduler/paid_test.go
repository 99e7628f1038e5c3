package scheduler_test

import (
	"context"
	"testing"
	"time"

	"vmeste/scheduler"
	"vmeste/storage"
	"vmeste/telegram"
)

// TestPaidOrigins: only mass sends — a broadcast's copies, reminders and
// digests — are worth a paid broadcast; single-chat notices are not.
func TestPaidOrigins(t *testing.T) {
	for _, c := range []struct {
		o    storage.Origin
		want bool
	}{
		{storage.Origin{Kind: storage.OriginBroadcast, ID: 7}, true},
		{storage.Origin{Kind: storage.OriginReminder, Key: "rem:1:3600:1700000000"}, true},
		{storage.Origin{Kind: storage.OriginNotice, Key: storage.DigestKeyPrefix + "2026-12-07"}, true},
		{storage.Origin{Kind: storage.OriginNotice, Key: "deadline:1"}, false},
		{storage.Origin{Kind: storage.OriginNotice, Key: "summary:2026-12-07"}, false},
		{storage.Origin{Kind: storage.OriginNotice, Key: "promote:1:2"}, false},
	} {
		if got := scheduler.Paid(c.o); got != c.want {
			t.Errorf("Paid(%+v) = %v, want %v", c.o, got, c.want)
		}
	}
}

// TestSenderPaidOnlyForMassSends: with paid broadcasts on, a reminder and
// a digest go paid and wait for the paid limiter; a deadline notice goes
// unpaid on the shared limiter, so a 429 pause of the paid limiter does
// not hold it. With them off nothing is paid.
func TestSenderPaidOnlyForMassSends(t *testing.T) {
	const (
		remChat, digestChat, deadlineChat = 101, 102, 103
	)
	enqueue := func(t *testing.T, s *storage.Store) {
		t.Helper()
		addUsers(t, s, remChat, digestChat, deadlineChat)
		err := s.Enqueue(context.Background(), []storage.OutboxEntry{
			{ChatID: remChat, UserID: remChat, Content: storage.Content{Text: "reminder"},
				Origin: storage.Origin{Kind: storage.OriginReminder, Key: "rem:1:3600:1700000000"}},
			{ChatID: digestChat, UserID: digestChat, Content: storage.Content{Text: "digest"},
				Origin: storage.Origin{Kind: storage.OriginNotice, Key: storage.DigestKeyPrefix + "2026-12-07"}},
			{ChatID: deadlineChat, UserID: deadlineChat, Content: storage.Content{Text: "deadline"},
				Origin: storage.Origin{Kind: storage.OriginNotice, Key: "deadline:1"}},
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	paidOf := func(calls []sendCall) map[int64]bool {
		out := map[int64]bool{}
		for _, c := range calls {
			if c.Err == nil {
				out[c.Chat] = c.Paid
			}
		}
		return out
	}

	t.Run("on", func(t *testing.T) {
		s := newStore(t)
		enqueue(t, s)
		fake := newFakeTelegram()
		paid := telegram.NewLimiter(1000)
		startSender(t, s, fake, scheduler.SenderConfig{Rate: 100, Limiter: telegram.NewLimiter(100), PaidLimiter: paid})
		fake.wait(t, "3 sends", func(calls []sendCall, _ int) bool { return len(paidOf(calls)) == 3 })
		got := paidOf(fake.sends())
		if !got[remChat] || !got[digestChat] || got[deadlineChat] {
			t.Errorf("paid by chat %v; want the reminder and the digest paid, the deadline notice not", got)
		}
	})
	t.Run("paid paused", func(t *testing.T) {
		s := newStore(t)
		enqueue(t, s)
		fake := newFakeTelegram()
		paid := telegram.NewLimiter(1000)
		paid.Pause(time.Now().Add(time.Hour)) // a 429 on a paid send
		stop := startSender(t, s, fake, scheduler.SenderConfig{Rate: 100, Limiter: telegram.NewLimiter(100), PaidLimiter: paid})
		fake.wait(t, "the deadline notice", func(calls []sendCall, _ int) bool { return len(paidOf(calls)) >= 1 })
		stop()
		got := paidOf(fake.sends())
		if len(got) != 1 || got[deadlineChat] {
			t.Errorf("sent %v while the paid limiter was paused; want only the deadline notice, unpaid", got)
		}
	})
	t.Run("off", func(t *testing.T) {
		s := newStore(t)
		enqueue(t, s)
		fake := newFakeTelegram()
		startSender(t, s, fake, scheduler.SenderConfig{Rate: 100})
		fake.wait(t, "3 sends", func(calls []sendCall, _ int) bool { return len(paidOf(calls)) == 3 })
		for chat, p := range paidOf(fake.sends()) {
			if p {
				t.Errorf("chat %d's send is paid with paid broadcasts off", chat)
			}
		}
	})
}
