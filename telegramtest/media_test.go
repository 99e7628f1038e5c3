package telegramtest

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"testing"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

// A seeded file is served by getFile and its URL, and the bot can send it
// again by its id: as a photo, a video, a document, or in an album whose
// items land in the history with one MediaGroupID and their captions.
func TestSeedFileAndMediaGroup(t *testing.T) {
	s := newServer(t)
	ctx := testCtx(t)
	b := newClient(t, s)
	s.AddChat(Chat{ID: alice.ID})

	photo := s.SeedFile(FilePhoto, "", "", []byte("jpeg-bytes"))
	video := s.SeedFile(FileVideo, "reading.mp4", "", []byte("mp4-bytes"))
	doc := s.SeedFile(FileDocument, "Стихи.pdf", "application/pdf", []byte("%PDF"))
	if photo.ID == video.ID || video.ID == doc.ID || photo.UniqueID() == "" || video.UniqueID() == doc.UniqueID() {
		t.Fatalf("ids: %q %q %q", photo.ID, video.ID, doc.ID)
	}

	f, err := b.GetFile(ctx, &bot.GetFileParams{FileID: video.ID})
	if err != nil {
		t.Fatal(err)
	}
	if f.FileUniqueID != video.UniqueID() || f.FileSize != int64(len("mp4-bytes")) {
		t.Fatalf("getFile: %+v", f)
	}
	resp, err := http.Get(s.URL() + "/file/bot" + Token + "/" + f.FilePath)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !bytes.Equal(body, []byte("mp4-bytes")) {
		t.Fatalf("download: %q", body)
	}

	v, err := b.SendVideo(ctx, &bot.SendVideoParams{ChatID: alice.ID, Video: &models.InputFileString{Data: video.ID},
		Caption: "<b>Чтец</b>", ParseMode: models.ParseModeHTML})
	if err != nil {
		t.Fatal(err)
	}
	if v.Video == nil || v.Video.FileID != video.ID || v.Caption != "Чтец" {
		t.Fatalf("sendVideo answered %+v", v)
	}

	album, err := b.SendMediaGroup(ctx, &bot.SendMediaGroupParams{ChatID: alice.ID, Media: []models.InputMedia{
		&models.InputMediaPhoto{Media: photo.ID, Caption: "СОШ №1 · <i>Иванова М. П.</i>", ParseMode: models.ParseModeHTML},
		&models.InputMediaVideo{Media: video.ID},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(album) != 2 || album[0].MediaGroupID == "" || album[0].MediaGroupID != album[1].MediaGroupID {
		t.Fatalf("album: %+v", album)
	}
	got := s.MediaGroup(alice.ID, album[0].MediaGroupID)
	if len(got) != 2 || got[0].Photo != photo || got[1].Video != video || got[0].PlainText() != "СОШ №1 · Иванова М. П." {
		t.Fatalf("history of the album: %+v", got)
	}
	if s.Calls("sendMediaGroup") != 1 {
		t.Fatal("sendMediaGroup not counted")
	}

	// Telegram's rules: documents alone, 2…10 items, known files.
	for name, media := range map[string][]models.InputMedia{
		"mixed":   {&models.InputMediaPhoto{Media: photo.ID}, &models.InputMediaDocument{Media: doc.ID}},
		"one":     {&models.InputMediaPhoto{Media: photo.ID}},
		"unknown": {&models.InputMediaPhoto{Media: photo.ID}, &models.InputMediaPhoto{Media: "AgACnope"}},
		"eleven": func() []models.InputMedia {
			var m []models.InputMedia
			for range 11 {
				m = append(m, &models.InputMediaPhoto{Media: photo.ID})
			}
			return m
		}(),
	} {
		_, err := b.SendMediaGroup(ctx, &bot.SendMediaGroupParams{ChatID: alice.ID, Media: media})
		if !errors.Is(err, bot.ErrorBadRequest) {
			t.Errorf("%s: %v, want a bad request", name, err)
		}
	}
	docs, err := b.SendMediaGroup(ctx, &bot.SendMediaGroupParams{ChatID: alice.ID, Media: []models.InputMedia{
		&models.InputMediaDocument{Media: doc.ID, Caption: "two documents"}, &models.InputMediaDocument{Media: doc.ID},
	}})
	if err != nil || len(docs) != 2 || docs[0].Document == nil || docs[0].Document.FileName != "Стихи.pdf" {
		t.Fatalf("documents album: %+v, %v", docs, err)
	}
	if n := len(s.BotMessages(alice.ID)); n != 5 {
		t.Fatalf("%d bot messages, want 5 (a video, two albums of two)", n)
	}
}
