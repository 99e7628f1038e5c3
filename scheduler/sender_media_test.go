package scheduler_test

import (
	"context"
	"testing"
	"time"

	"vmeste/scheduler"
	"vmeste/storage"
	"vmeste/telegram"
)

// An album goes as one send but counts as its files: the chat's next
// message waits a second for each of them.
func TestSenderCountsAnAlbumAsItsFiles(t *testing.T) {
	s := newStore(t)
	fake := newFakeTelegram()
	const chat = 100
	addUsers(t, s, chat)
	album := storage.Content{Media: []storage.Media{
		{Kind: storage.WorkPhoto, FileID: "AgAC1", Caption: "СОШ №1 · Иванова М. П. · 3 файла"},
		{Kind: storage.WorkVideo, FileID: "BAAC2"}, {Kind: storage.WorkPhoto, FileID: "AgAC3"},
	}}
	if album.Messages() != 3 || (storage.Content{Text: "x"}).Messages() != 1 {
		t.Fatal("Messages miscounts")
	}
	err := s.Enqueue(context.Background(), []storage.OutboxEntry{
		{ChatID: chat, UserID: chat, Content: album, Origin: storage.Origin{Kind: storage.OriginNotice, Key: "works:1:100"}},
		{ChatID: chat, UserID: chat, Content: storage.Content{Text: "✅ Это все работы"}, Origin: storage.Origin{Kind: storage.OriginNotice, Key: "works:1:100"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	stop := startSender(t, s, fake, scheduler.SenderConfig{Rate: 100, Pacer: telegram.NewPacer(3, 20)})
	fake.wait(t, "the album and the text", func(calls []sendCall, _ int) bool { return len(delivered(calls, chat)) == 2 })
	stop()
	calls := to(fake.sends(), chat)
	if len(calls) != 2 || len(calls[0].Content.Media) != 3 || calls[1].Content.Text == "" {
		t.Fatalf("sends:%s", describeCalls(calls))
	}
	if gap := calls[1].Start.Sub(calls[0].Start); gap < 3*time.Second {
		t.Errorf("the text came %v after an album of 3; want ≥ 3 s", gap)
	}
}
