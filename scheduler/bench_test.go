package scheduler_test

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"vmeste/scheduler"
	"vmeste/storage"
	"vmeste/telegram"
	"vmeste/telegramtest"
)

const (
	benchRecipients = 10_000
	benchRate       = 1000 // R: the emulator's overall limit and the sender's rate
)

// BenchmarkBroadcast10k delivers one broadcast to 10,000 private chats
// through the emulator, which enforces R messages a second overall and one
// a second per chat, with the sender's rate set to R. It reports the
// achieved rate over R (rate_ratio), the emulator's 429 answers (429s) and
// messages per second; any 429 fails it. Setup (10,000 users in bbolt and
// in the emulator) is outside the timer.
func BenchmarkBroadcast10k(b *testing.B) { benchmarkBroadcast(b, false) }

// BenchmarkBroadcast10kPaid is BenchmarkBroadcast10k with paid broadcasts
// on (telegram.Config.PaidBroadcast = R): the emulator keeps 30 a second
// for ordinary sends and R for those with allow_paid_broadcast, and the
// sender waits for the gateway's bulk limiter; any send without the flag
// would break the 30.
func BenchmarkBroadcast10kPaid(b *testing.B) { benchmarkBroadcast(b, true) }

func benchmarkBroadcast(b *testing.B, paid bool) {
	var elapsed time.Duration
	violations := 0
	for range b.N {
		b.StopTimer()
		d, v := broadcastOnce(b, paid)
		elapsed += d
		violations += v
	}
	achieved := float64(benchRecipients*b.N) / elapsed.Seconds()
	b.ReportMetric(achieved/benchRate, "rate_ratio")
	b.ReportMetric(float64(violations), "429s")
	b.ReportMetric(achieved, "msgs/s")
	if violations > 0 {
		b.Fatalf("the emulator answered %d sends with 429", violations)
	}
}

// broadcastOnce sets up a store and an emulator, then times the sender
// from its start until the last recipient's result is committed; paid
// turns paid broadcasts on. The timer is stopped on entry and on return.
func broadcastOnce(b *testing.B, paid bool) (time.Duration, int) {
	ctx := context.Background()
	limits, gwCfg := telegramtest.Limits{Global: benchRate, PerChat: 1}, telegram.Config{Rate: benchRate}
	if paid {
		limits.Global, limits.PaidGlobal = 30, benchRate
		gwCfg = telegram.Config{Rate: 28, PaidBroadcast: benchRate}
	}
	emu := telegramtest.New(telegramtest.WithRateLimits(limits))
	defer emu.Close()
	path := filepath.Join(b.TempDir(), "bench.db")
	// 10,000 registered teachers. Setup only: without fsync per user; the
	// sender runs on the file opened again, with fsync on.
	s, err := storage.Open(path, storage.Options{NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	for id := int64(1); id <= benchRecipients; id++ {
		emu.AddChat(telegramtest.Chat{ID: id, Type: telegramtest.ChatPrivate, Title: fmt.Sprint("Учитель ", id)})
		u := storage.User{ID: id, ChatID: id, FullName: fmt.Sprint("Учитель ", id), Lang: "ru", Registered: true, Active: true}
		if err := s.PutUser(ctx, u); err != nil {
			b.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		b.Fatal(err)
	}
	if s, err = storage.Open(path, storage.Options{}); err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	author := telegramtest.User{ID: 1_000_000, FirstName: "Координатор"}
	msg := emu.SendText(author, "Внимание! Завтра методическое объединение в 15:00, актовый зал.")
	recipients, err := s.AudienceRecipients(ctx, storage.Audience{Kind: storage.AudienceAllTeachers}, author.ID)
	if err != nil || len(recipients) != benchRecipients {
		b.Fatalf("audience: %d recipients, %v", len(recipients), err)
	}
	bc, err := s.CreateBroadcast(ctx, storage.Broadcast{AuthorID: author.ID, AuthorChat: author.ID, Lang: "ru",
		Audience:   storage.Audience{Kind: storage.AudienceAllTeachers},
		SourceChat: msg.ChatID, SourceMessage: msg.ID}, recipients, nil)
	if err != nil {
		b.Fatal(err)
	}
	gwCfg.Token, gwCfg.APIURL, gwCfg.Logger = telegramtest.Token, emu.URL(), slog.New(slog.DiscardHandler)
	gw, err := telegram.New(gwCfg)
	if err != nil {
		b.Fatal(err)
	}
	defer gw.Close()
	sender := scheduler.NewSender(s, scheduler.Gateway{G: gw}, scheduler.SenderConfig{
		Rate: benchRate, Limiter: gw.BulkLimiter(), Pacer: gw.Pacer(), Logger: slog.New(slog.DiscardHandler)})
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)

	b.StartTimer()
	start := time.Now()
	go func() { done <- sender.Run(runCtx) }()
	// Poll the figures (50 ms is 0.5% of the run); the elapsed time is
	// taken from the last entry's commit time, not from the poll.
	tick := time.NewTicker(50 * time.Millisecond)
	deadline := time.After(5 * time.Minute)
	for done := false; !done; {
		select {
		case <-tick.C:
		case <-deadline:
			b.Fatal("the broadcast did not finish in 5 minutes")
		}
		cur, err := s.Broadcast(ctx, bc.ID)
		if err != nil {
			b.Fatal(err)
		}
		done = cur.Left() == 0
	}
	b.StopTimer()
	tick.Stop()
	cancel()
	if err := <-done; err != nil {
		b.Fatal(err)
	}

	list, err := s.BroadcastEntries(ctx, bc.ID)
	if err != nil {
		b.Fatal(err)
	}
	var last time.Time
	for _, e := range list {
		if e.State != storage.OutboxSent {
			b.Fatalf("entry %d to %d: %s %q", e.ID, e.ChatID, e.State, e.Reason)
		}
		if e.SentAt.After(last) {
			last = e.SentAt
		}
	}
	if n := emu.Calls("copyMessage"); n < benchRecipients {
		b.Fatalf("emulator saw %d copyMessage calls, want %d", n, benchRecipients)
	}
	return last.Sub(start), emu.RateViolations()
}
