package scheduler_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"vmeste/scheduler"
	"vmeste/storage"
	"vmeste/telegram"
	"vmeste/telegramtest"
)

// A certificate in the outbox is printed when it is sent and uploaded as a
// document with the entry's text as its caption; one revoked since is
// skipped, and one that cannot be printed fails at once, without a retry.
func TestSenderPrintsCertificatesAtSendTime(t *testing.T) {
	s := newStore(t)
	emu := telegramtest.New()
	defer emu.Close()
	const good, revoked, broken = 100, 101, 102
	addUsers(t, s, good, revoked, broken)
	for _, c := range []int64{good, revoked, broken} {
		emu.AddChat(telegramtest.Chat{ID: c, Type: telegramtest.ChatPrivate})
	}
	var entries []storage.OutboxEntry
	for i, chat := range []int64{good, revoked, broken} {
		entries = append(entries, storage.OutboxEntry{ChatID: chat, UserID: chat,
			Content: storage.Content{Text: "🏅 Ваш диплом за <b>I</b> место", Certificate: int64(i + 1)},
			Origin:  storage.Origin{Kind: storage.OriginNotice, Key: fmt.Sprintf("cert:%d", i+1)}})
	}
	if err := s.Enqueue(context.Background(), entries); err != nil {
		t.Fatal(err)
	}
	rendered := make(chan int64, 10)
	render := func(_ context.Context, id int64) (string, []byte, error) {
		defer func() { rendered <- id }()
		switch id {
		case 1:
			return "2027-0001 Иванова М. П. — диплом I степени.pdf", []byte("%PDF-1.4 диплом"), nil
		case 2:
			return "", nil, fmt.Errorf("certificate 2: %w", storage.ErrCertificateRevoked)
		}
		return "", nil, errors.New("the font is gone")
	}
	gw, err := telegram.New(telegram.Config{Token: telegramtest.Token, APIURL: emu.URL(), Rate: 100, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer gw.Close()
	stop := startSender(t, s, scheduler.Gateway{G: gw, Render: render}, scheduler.SenderConfig{Rate: 100,
		Backoff: telegram.Backoff{First: time.Millisecond}})
	seen := map[int64]bool{}
	for len(seen) < 3 {
		select {
		case id := <-rendered:
			seen[id] = true
		case <-time.After(10 * time.Second):
			t.Fatalf("rendered only %v", seen)
		}
	}
	stop() // the sends in flight are recorded
	msgs := emu.BotMessages(good)
	if len(msgs) != 1 || msgs[0].Document == nil || msgs[0].Document.Name != "2027-0001 Иванова М. П. — диплом I степени.pdf" ||
		string(msgs[0].Document.Content) != "%PDF-1.4 диплом" || msgs[0].PlainText() != "🏅 Ваш диплом за I место" {
		t.Fatalf("the teacher got %+v", msgs)
	}
	for _, chat := range []int64{revoked, broken} {
		if n := len(emu.BotMessages(chat)); n != 0 {
			t.Errorf("chat %d got %d messages", chat, n)
		}
	}
	want := map[int64]struct {
		state  storage.OutboxState
		reason storage.Reason
	}{good: {storage.OutboxSent, ""}, revoked: {storage.OutboxSkipped, storage.ReasonReplaced}, broken: {storage.OutboxFailed, storage.ReasonBadRequest}}
	for i := range entries {
		e, err := s.OutboxEntry(context.Background(), int64(i+1))
		if err != nil {
			t.Fatal(err)
		}
		if w := want[e.ChatID]; e.State != w.state || e.Reason != w.reason || e.Attempts > 1 {
			t.Errorf("entry to %d: %s (%s), %d attempts; want %s (%s), tried once", e.ChatID, e.State, e.Reason, e.Attempts, w.state, w.reason)
		}
	}
	select {
	case id := <-rendered:
		t.Errorf("certificate %d printed again", id)
	default:
	}
}
