package bot

import (
	"context"
	"io"
	"testing"

	"github.com/go-telegram/bot/models"

	"vmeste/storage"
	"vmeste/telegramtest"
)

// helpUpdate is /help from u in their private chat.
func helpUpdate(u telegramtest.User) *models.Update {
	return &models.Update{ID: 1, Message: &models.Message{
		ID:   1,
		From: &models.User{ID: u.ID, FirstName: u.FirstName, LanguageCode: u.LanguageCode},
		Chat: models.Chat{ID: u.ID, Type: models.ChatTypePrivate},
		Text: "/help",
	}}
}

// registerDirect stores u as a registered teacher of org and makes their
// chat known to the emulator.
func (h *harness) registerDirect(u telegramtest.User, org int64) {
	h.t.Helper()
	err := h.store.PutUser(context.Background(), storage.User{ID: u.ID, ChatID: u.ID, FullName: "Педагог Тестовый",
		OrgID: org, Position: "Воспитатель", Role: storage.RoleTeacher, Lang: "ru", Registered: true, Active: true,
		Consents: h.agreed()})
	if err != nil {
		h.t.Fatal(err)
	}
	h.tg.AddChat(telegramtest.Chat{ID: u.ID, Type: telegramtest.ChatPrivate})
}

// BenchmarkRegisteredUserUpdate measures a registered user's update from
// the moment the emulator queues it to the moment the bot's reply is in
// the chat: long poll, dispatch, middleware (user loaded from bbolt), the
// handler and its sendMessage. The emulator's own share is small (see
// telegramtest's BenchmarkSendMessage); the rest is the bot's.
func BenchmarkRegisteredUserUpdate(b *testing.B) {
	h := newHarnessLogging(b, nil, io.Discard)
	h.seedOrgs(school1)
	h.register(teacher, "Иванова Мария", school1.Name)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		v := h.tg.Version()
		h.tg.SendText(teacher, "/help")
		if _, err := h.tg.WaitBotMessageAfter(ctx, teacher.ID, v, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkHandleUpdate measures the bot's own handling of one update (the
// middleware, a bbolt read of the user, routing and rendering), with the
// reply going to the emulator, without the polling round trip.
func BenchmarkHandleUpdate(b *testing.B) {
	h := newHarnessLogging(b, nil, io.Discard)
	h.seedOrgs(school1)
	h.register(teacher, "Иванова Мария", school1.Name)
	upd := helpUpdate(teacher)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		h.bot.handle(ctx, upd)
	}
}

// BenchmarkParallelUsers measures throughput with many registered users
// writing at once: different users are served in parallel.
func BenchmarkParallelUsers(b *testing.B) {
	h := newHarnessLogging(b, nil, io.Discard)
	ids := h.seedOrgs(school1)
	users := make(chan telegramtest.User, 64)
	for i := 0; i < 64; i++ {
		u := telegramtest.User{ID: int64(10000 + i), FirstName: "Педагог", LanguageCode: "ru"}
		h.registerDirect(u, ids[0])
		users <- u
	}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		u := <-users
		for pb.Next() {
			v := h.tg.Version()
			h.tg.SendText(u, "/help")
			if _, err := h.tg.WaitBotMessageAfter(ctx, u.ID, v, nil); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
