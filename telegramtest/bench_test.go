package telegramtest

import (
	"context"
	"strconv"
	"testing"

	"github.com/go-telegram/bot"
)

// BenchmarkSendMessage measures one sendMessage round trip through the real
// client, with the history growing by b.N messages.
func BenchmarkSendMessage(b *testing.B) {
	s := newServer(b)
	client := newClient(b, s)
	s.SendText(alice, "hi")
	ctx := context.Background()
	p := &bot.SendMessageParams{ChatID: alice.ID, Text: "Напоминание: <b>собрание</b> в 19:00", ParseMode: "HTML"}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := client.SendMessage(ctx, p); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSendMessageParallel spreads sends over many chats, with limits on.
func BenchmarkSendMessageParallel(b *testing.B) {
	s := newServer(b, WithRateLimits(Limits{Global: 1 << 20, PerChat: 1 << 10}))
	client := newClient(b, s)
	const chats = 64
	for i := 0; i < chats; i++ {
		s.SendText(User{ID: int64(5000 + i), FirstName: "U" + strconv.Itoa(i)}, "hi")
	}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			i++
			p := &bot.SendMessageParams{ChatID: int64(5000 + i%chats), Text: "x"}
			if _, err := client.SendMessage(context.Background(), p); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
