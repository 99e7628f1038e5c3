package telegram_test

import (
	"context"
	"testing"

	"vmeste/telegram"
	"vmeste/telegramtest"
)

// Files Telegram holds go out by their ids: one as a photo, a video or a
// document with its caption, two or more as an album whose first message
// is the one Post returns.
func TestPostMedia(t *testing.T) {
	emu := telegramtest.New()
	defer emu.Close()
	emu.AddChat(telegramtest.Chat{ID: teacher.ID})
	g := newGateway(t, emu, telegram.Config{})
	ctx := context.Background()
	photo := emu.SeedFile(telegramtest.FilePhoto, "", "", []byte("jpg"))
	video := emu.SeedFile(telegramtest.FileVideo, "", "", []byte("mp4"))
	doc := emu.SeedFile(telegramtest.FileDocument, "Работа.pdf", "application/pdf", []byte("%PDF"))

	for _, tc := range []struct {
		kind telegram.MediaKind
		id   string
		got  func(telegramtest.Message) *telegramtest.File
	}{
		{telegram.MediaPhoto, photo.ID, func(m telegramtest.Message) *telegramtest.File { return m.Photo }},
		{telegram.MediaVideo, video.ID, func(m telegramtest.Message) *telegramtest.File { return m.Video }},
		{telegram.MediaDocument, doc.ID, func(m telegramtest.Message) *telegramtest.File { return m.Document }},
	} {
		sent, err := g.Post(ctx, teacher.ID, telegram.Message{Media: []telegram.Media{{Kind: tc.kind, FileID: tc.id, Caption: "<b>СОШ №1</b> · Иванова М. П."}}})
		if err != nil {
			t.Fatalf("%s: %v", tc.kind, err)
		}
		m, ok := emu.MessageByID(teacher.ID, sent.ID)
		if f := tc.got(m); !ok || f == nil || f.ID != tc.id || m.PlainText() != "СОШ №1 · Иванова М. П." {
			t.Errorf("%s: the chat shows %+v", tc.kind, m)
		}
	}

	sent, err := g.Post(ctx, teacher.ID, telegram.Message{Media: []telegram.Media{
		{Kind: telegram.MediaPhoto, FileID: photo.ID, Caption: "Иванова М. П. · 2 файла"},
		{Kind: telegram.MediaVideo, FileID: video.ID},
	}})
	if err != nil {
		t.Fatal(err)
	}
	first, _ := emu.MessageByID(teacher.ID, sent.ID)
	album := emu.MediaGroup(teacher.ID, first.MediaGroupID)
	if len(album) != 2 || album[0].ID != sent.ID || album[0].Photo.ID != photo.ID || album[1].Video.ID != video.ID ||
		album[0].PlainText() != "Иванова М. П. · 2 файла" || album[1].Caption != "" {
		t.Fatalf("album: %+v", album)
	}

	// Telegram refuses documents among photos: a bad request, not retried.
	_, err = g.Post(ctx, teacher.ID, telegram.Message{Media: []telegram.Media{
		{Kind: telegram.MediaPhoto, FileID: photo.ID}, {Kind: telegram.MediaDocument, FileID: doc.ID},
	}})
	if telegram.ClassOf(err) != telegram.ClassBadRequest {
		t.Fatalf("mixed album: %v (class %v), want a bad request", err, telegram.ClassOf(err))
	}
}
