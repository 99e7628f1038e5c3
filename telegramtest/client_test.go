package telegramtest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

func TestGetMeAndToken(t *testing.T) {
	s := newServer(t)
	b := newClient(t, s)
	me, err := b.GetMe(testCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	if me.ID != 123456 || !me.IsBot || me.FirstName != "Vmeste" || me.Username != "vmeste_test_bot" {
		t.Fatalf("getMe: %+v", me)
	}
	if s.BotUser().ID != me.ID {
		t.Fatal("BotUser differs from getMe")
	}
	_, err = bot.New("42:wrong", bot.WithServerURL(s.URL()))
	if !errors.Is(err, bot.ErrorUnauthorized) {
		t.Fatalf("wrong token: %v", err)
	}
	r := call(t, s, "noSuchMethod", nil)
	mustFail(t, r, 404, "Not Found")
	if r.Description != "Not Found" {
		t.Fatal(r.Description)
	}
}

// A bot built on the real client: /start answers with buttons, a button
// press edits the message and answers the query.
func TestBotFlowWithClient(t *testing.T) {
	s := newServer(t)
	ctx := testCtx(t)
	b := newClient(t, s,
		bot.WithMessageTextHandler("/start", bot.MatchTypeExact, func(ctx context.Context, b *bot.Bot, u *models.Update) {
			_, err := b.SendMessage(ctx, &bot.SendMessageParams{
				ChatID:    u.Message.Chat.ID,
				Text:      "Hello, <b>" + u.Message.From.FirstName + "</b>! Choose:",
				ParseMode: models.ParseModeHTML,
				ReplyMarkup: &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{
					{{Text: "Yes", CallbackData: "answer:yes"}, {Text: "No", CallbackData: "answer:no"}},
					{{Text: "Site", URL: "https://example.org"}},
				}},
			})
			if err != nil && !errors.Is(err, context.Canceled) {
				t.Error(err)
			}
		}),
		bot.WithCallbackQueryDataHandler("answer:", bot.MatchTypePrefix, func(ctx context.Context, b *bot.Bot, u *models.Update) {
			cq := u.CallbackQuery
			if cq.Message.Message == nil {
				t.Error("callback without message")
				return
			}
			m := cq.Message.Message
			if _, err := b.EditMessageText(ctx, &bot.EditMessageTextParams{
				ChatID: m.Chat.ID, MessageID: m.ID, Text: "You said " + strings.TrimPrefix(cq.Data, "answer:"),
			}); err != nil && !errors.Is(err, context.Canceled) {
				t.Error(err)
			}
			if _, err := b.AnswerCallbackQuery(ctx, &bot.AnswerCallbackQueryParams{CallbackQueryID: cq.ID, Text: "noted"}); err != nil && !errors.Is(err, context.Canceled) {
				t.Error(err)
			}
		}),
	)
	startBot(t, b)

	m, err := s.Ask(ctx, alice, "/start")
	if err != nil {
		t.Fatal(err)
	}
	if got := m.PlainText(); got != "Hello, Alice! Choose:" {
		t.Fatalf("PlainText %q", got)
	}
	if m.Text != "Hello, <b>Alice</b>! Choose:" || m.ParseMode != "HTML" || !m.FromBot {
		t.Fatalf("message %+v", m)
	}
	if len(m.Buttons) != 2 || m.Buttons[0][1] != (Button{Text: "No", CallbackData: "answer:no"}) || m.Buttons[1][0].URL != "https://example.org" {
		t.Fatalf("buttons %+v", m.Buttons)
	}
	if _, err := s.PressButton(alice, alice.ID, "Site"); err == nil {
		t.Fatal("URL button pressed")
	}
	if _, err := s.PressButton(alice, alice.ID, "Maybe"); err == nil || !strings.Contains(err.Error(), "Choose") {
		t.Fatalf("missing button: %v", err)
	}

	v := s.Version()
	q, err := s.PressButton(alice, alice.ID, "Yes")
	if err != nil {
		t.Fatal(err)
	}
	ans, err := s.WaitCallbackAnswered(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	if ans.Text != "noted" || ans.QueryID != q {
		t.Fatalf("answer %+v", ans)
	}
	edited, err := s.WaitBotMessageAfter(ctx, alice.ID, v, func(m Message) bool { return m.Edited > 0 })
	if err != nil {
		t.Fatal(err)
	}
	if edited.ID != m.ID || edited.PlainText() != "You said yes" || edited.Buttons != nil {
		t.Fatalf("edited %+v", edited)
	}
	msgs := s.Messages(alice.ID)
	if len(msgs) != 2 || msgs[0].FromBot || msgs[0].Text != "/start" || msgs[1].ID != m.ID {
		t.Fatalf("history %+v", msgs)
	}
	if n := s.Calls("answerCallbackQuery"); n != 1 {
		t.Fatalf("answerCallbackQuery calls %d", n)
	}
	// answering twice is an error
	_, err = b.AnswerCallbackQuery(ctx, &bot.AnswerCallbackQueryParams{CallbackQueryID: q})
	if !errors.Is(err, bot.ErrorBadRequest) || !strings.Contains(err.Error(), "query is too old") {
		t.Fatalf("second answer: %v", err)
	}
}

func TestSendEditDeleteWithClient(t *testing.T) {
	s := newServer(t)
	ctx := testCtx(t)
	b := newClient(t, s)

	_, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: alice.ID, Text: "hi"})
	if !errors.Is(err, bot.ErrorBadRequest) || !strings.Contains(err.Error(), "chat not found") {
		t.Fatalf("unknown chat: %v", err)
	}
	s.SendText(alice, "hello")
	kb := &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{{{Text: "A", CallbackData: "a"}}}}
	sent, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: alice.ID, Text: "1 &lt; 2", ParseMode: models.ParseModeHTML, ReplyMarkup: kb})
	if err != nil {
		t.Fatal(err)
	}
	if sent.ID != 2 || sent.Text != "1 < 2" || sent.From == nil || sent.From.ID != 123456 || sent.Chat.ID != alice.ID || sent.Date == 0 {
		t.Fatalf("sent %+v", sent)
	}
	if sent.ReplyMarkup == nil || sent.ReplyMarkup.InlineKeyboard[0][0].CallbackData != "a" {
		t.Fatalf("markup %+v", sent.ReplyMarkup)
	}
	// identical edit
	_, err = b.EditMessageText(ctx, &bot.EditMessageTextParams{ChatID: alice.ID, MessageID: sent.ID, Text: "1 &lt; 2", ParseMode: models.ParseModeHTML, ReplyMarkup: kb})
	if !errors.Is(err, bot.ErrorBadRequest) || !strings.Contains(err.Error(), "message is not modified") {
		t.Fatalf("not modified: %v", err)
	}
	// same text, different markup is a modification
	kb2 := &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{{{Text: "B", CallbackData: "b"}}}}
	if _, err := b.EditMessageReplyMarkup(ctx, &bot.EditMessageReplyMarkupParams{ChatID: alice.ID, MessageID: sent.ID, ReplyMarkup: kb2}); err != nil {
		t.Fatal(err)
	}
	_, err = b.EditMessageReplyMarkup(ctx, &bot.EditMessageReplyMarkupParams{ChatID: alice.ID, MessageID: sent.ID, ReplyMarkup: kb2})
	if !errors.Is(err, bot.ErrorBadRequest) || !strings.Contains(err.Error(), "message is not modified") {
		t.Fatalf("markup not modified: %v", err)
	}
	if _, err := b.EditMessageText(ctx, &bot.EditMessageTextParams{ChatID: alice.ID, MessageID: sent.ID, Text: "<i>new</i>", ParseMode: models.ParseModeHTML, ReplyMarkup: kb2}); err != nil {
		t.Fatal(err)
	}
	m, _ := s.LastBotMessage(alice.ID)
	if m.Edited != 2 || m.Text != "<i>new</i>" || m.Buttons[0][0].Text != "B" || m.ID != sent.ID {
		t.Fatalf("after edits %+v", m)
	}
	_, err = b.EditMessageText(ctx, &bot.EditMessageTextParams{ChatID: alice.ID, MessageID: 99, Text: "x"})
	if err == nil || !strings.Contains(err.Error(), "message to edit not found") {
		t.Fatalf("edit missing: %v", err)
	}
	_, err = b.EditMessageText(ctx, &bot.EditMessageTextParams{ChatID: alice.ID, MessageID: 1, Text: "x"})
	if err == nil || !strings.Contains(err.Error(), "message can't be edited") {
		t.Fatalf("edit user's: %v", err)
	}
	if ok, err := b.DeleteMessage(ctx, &bot.DeleteMessageParams{ChatID: alice.ID, MessageID: sent.ID}); !ok || err != nil {
		t.Fatal(ok, err)
	}
	if _, found := s.LastBotMessage(alice.ID); found || len(s.Messages(alice.ID)) != 1 {
		t.Fatal("deleted message still visible")
	}
	_, err = b.DeleteMessage(ctx, &bot.DeleteMessageParams{ChatID: alice.ID, MessageID: sent.ID})
	if !errors.Is(err, bot.ErrorBadRequest) {
		t.Fatalf("delete twice: %v", err)
	}
	// message ids are per chat and shared with the user's messages
	if u := s.SendText(alice, "again"); u.ID != 3 {
		t.Fatalf("next id %d", u.ID)
	}
	if _, err := b.SendChatAction(ctx, &bot.SendChatActionParams{ChatID: alice.ID, Action: models.ChatActionTyping}); err != nil {
		t.Fatal(err)
	}
	ch, err := b.GetChat(ctx, &bot.GetChatParams{ChatID: alice.ID})
	if err != nil || ch.FirstName != "Alice" || ch.Type != "private" {
		t.Fatalf("getChat %+v %v", ch, err)
	}
}

func TestFilesAndCopyWithClient(t *testing.T) {
	s := newServer(t)
	ctx := testCtx(t)
	b := newClient(t, s)
	s.AddChat(group)

	in := s.SendDocument(alice, "report.pdf", "application/pdf", []byte("%PDF-1.4 data"), "my report")
	if in.Document == nil || in.Document.ID == "" {
		t.Fatal("no document")
	}
	f, err := b.GetFile(ctx, &bot.GetFileParams{FileID: in.Document.ID})
	if err != nil {
		t.Fatal(err)
	}
	if f.FileSize != 13 || f.FilePath == "" {
		t.Fatalf("getFile %+v", f)
	}
	resp, err := http.Get(b.FileDownloadLink(f))
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(data) != "%PDF-1.4 data" {
		t.Fatalf("download %q", data)
	}

	id, err := b.CopyMessage(ctx, &bot.CopyMessageParams{ChatID: group.ID, FromChatID: alice.ID, MessageID: in.ID, Caption: "from <b>Alice</b>", ParseMode: models.ParseModeHTML})
	if err != nil {
		t.Fatal(err)
	}
	cp, ok := s.MessageByID(group.ID, id.ID)
	if !ok || cp.Document != in.Document || cp.PlainText() != "from Alice" || cp.CopiedFrom == nil || *cp.CopiedFrom != (MessageRef{alice.ID, in.ID}) || !cp.FromBot {
		t.Fatalf("copy %+v", cp)
	}
	_, err = b.CopyMessage(ctx, &bot.CopyMessageParams{ChatID: group.ID, FromChatID: alice.ID, MessageID: 77})
	if err == nil || !strings.Contains(err.Error(), "message to copy not found") {
		t.Fatalf("copy missing: %v", err)
	}

	// the bot uploads a document, then resends it by file_id
	sent, err := b.SendDocument(ctx, &bot.SendDocumentParams{
		ChatID:   alice.ID,
		Document: &models.InputFileUpload{Filename: "list.csv", Data: bytes.NewReader([]byte("a,b\n1,2\n"))},
		Caption:  "<b>list</b>", ParseMode: models.ParseModeHTML,
	})
	if err != nil {
		t.Fatal(err)
	}
	if sent.Document == nil || sent.Document.FileName != "list.csv" || sent.Caption != "list" {
		t.Fatalf("sendDocument %+v", sent)
	}
	last, _ := s.LastBotMessage(alice.ID)
	if last.Document == nil || string(last.Document.Content) != "a,b\n1,2\n" || last.Document.MimeType != "text/csv" || last.Caption != "<b>list</b>" {
		t.Fatalf("stored document %+v", last.Document)
	}
	if _, err := b.SendDocument(ctx, &bot.SendDocumentParams{ChatID: group.ID, Document: &models.InputFileString{Data: sent.Document.FileID}}); err != nil {
		t.Fatal(err)
	}
	_, err = b.SendDocument(ctx, &bot.SendDocumentParams{ChatID: group.ID, Document: &models.InputFileString{Data: "nope"}})
	if !errors.Is(err, bot.ErrorBadRequest) {
		t.Fatalf("bad file id: %v", err)
	}
	_, err = b.SendDocument(ctx, &bot.SendDocumentParams{ChatID: alice.ID, Caption: strings.Repeat("я", 1025),
		Document: &models.InputFileUpload{Filename: "x.txt", Data: strings.NewReader("x")}})
	if err == nil || !strings.Contains(err.Error(), "caption is too long") {
		t.Fatalf("long caption: %v", err)
	}
	photo, err := b.SendPhoto(ctx, &bot.SendPhotoParams{ChatID: alice.ID, Photo: &models.InputFileUpload{Filename: "p.jpg", Data: strings.NewReader("jpegbytes")}})
	if err != nil || len(photo.Photo) != 1 {
		t.Fatalf("sendPhoto %+v %v", photo, err)
	}
}

func TestCommandsWithClient(t *testing.T) {
	s := newServer(t)
	ctx := testCtx(t)
	b := newClient(t, s)
	cmds := []models.BotCommand{{Command: "start", Description: "Начать"}, {Command: "help", Description: "Помощь"}}
	if _, err := b.SetMyCommands(ctx, &bot.SetMyCommandsParams{Commands: cmds, LanguageCode: "ru"}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.SetMyCommands(ctx, &bot.SetMyCommandsParams{Commands: cmds[:1], Scope: &models.BotCommandScopeChat{ChatID: alice.ID}}); err != nil {
		t.Fatal(err)
	}
	if got := s.Commands("default", 0, "ru"); len(got) != 2 || got[1].Description != "Помощь" {
		t.Fatalf("default/ru %+v", got)
	}
	if got := s.Commands("chat", alice.ID, ""); len(got) != 1 || got[0].Command != "start" {
		t.Fatalf("chat scope %+v", got)
	}
	got, err := b.GetMyCommands(ctx, &bot.GetMyCommandsParams{LanguageCode: "ru"})
	if err != nil || len(got) != 2 {
		t.Fatalf("getMyCommands %+v %v", got, err)
	}
	if _, err := b.DeleteMyCommands(ctx, &bot.DeleteMyCommandsParams{LanguageCode: "ru"}); err != nil {
		t.Fatal(err)
	}
	if got := s.Commands("default", 0, "ru"); len(got) != 0 {
		t.Fatalf("after delete %+v", got)
	}
	_, err = b.SetMyCommands(ctx, &bot.SetMyCommandsParams{Commands: []models.BotCommand{{Command: "Bad-Name", Description: "x"}}})
	if !errors.Is(err, bot.ErrorBadRequest) {
		t.Fatalf("bad command: %v", err)
	}
}

func TestFaultsWithClient(t *testing.T) {
	s := newServer(t)
	ctx := testCtx(t)
	b := newClient(t, s)
	s.SendText(alice, "hi")
	s.SendText(bob, "hi")
	send := func(chat int64) error {
		_, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: chat, Text: "x"})
		return err
	}

	s.FailNext("sendMessage", alice.ID, TooManyRequests(7), 2)
	if err := send(bob.ID); err != nil {
		t.Fatalf("other chat affected: %v", err)
	}
	for i := 0; i < 2; i++ {
		var tmr *bot.TooManyRequestsError
		if err := send(alice.ID); !errors.As(err, &tmr) || tmr.RetryAfter != 7 {
			t.Fatalf("want 429, got %v", err)
		}
	}
	if err := send(alice.ID); err != nil {
		t.Fatal(err)
	}
	if s.Injected429() != 2 || s.RateViolations() != 0 {
		t.Fatalf("injected %d violations %d", s.Injected429(), s.RateViolations())
	}

	s.FailNext("SENDMESSAGE", 0, Blocked(), 1)
	if err := send(bob.ID); !errors.Is(err, bot.ErrorForbidden) || !strings.Contains(err.Error(), "bot was blocked by the user") {
		t.Fatalf("injected 403: %v", err)
	}
	s.FailNext("sendMessage", 0, ServerError(), 1)
	if err := send(bob.ID); err == nil || !strings.Contains(err.Error(), "500") {
		t.Fatalf("500: %v", err)
	}
	s.FailNext("sendMessage", 0, Slow(10_000_000), 1) // 10ms, then normal
	if err := send(bob.ID); err != nil {
		t.Fatal(err)
	}

	s.BlockBot(alice)
	if err := send(alice.ID); !errors.Is(err, bot.ErrorForbidden) {
		t.Fatalf("blocked: %v", err)
	}
	s.UnblockBot(alice)
	if err := send(alice.ID); err != nil {
		t.Fatal(err)
	}
	s.AddBotToGroup(group, alice)
	s.RemoveBotFromGroup(group, alice)
	if err := send(group.ID); !errors.Is(err, bot.ErrorForbidden) || !strings.Contains(err.Error(), "kicked") {
		t.Fatalf("kicked: %v", err)
	}
}

func TestRateLimits(t *testing.T) {
	s := newServer(t, WithRateLimits(Limits{PerChat: 1, PerGroupPerMinute: 2}))
	ctx := testCtx(t)
	b := newClient(t, s)
	s.SendText(alice, "hi")
	s.SendText(bob, "hi")
	s.AddChat(group)
	send := func(chat int64) error {
		_, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: chat, Text: "x"})
		return err
	}
	if err := send(alice.ID); err != nil {
		t.Fatal(err)
	}
	var tmr *bot.TooManyRequestsError
	if err := send(alice.ID); !errors.As(err, &tmr) || tmr.RetryAfter != 1 {
		t.Fatalf("per chat: %v", err)
	}
	if err := send(bob.ID); err != nil {
		t.Fatalf("other chat: %v", err)
	}
	for i := 0; i < 2; i++ {
		if err := send(group.ID); err != nil {
			t.Fatal(err)
		}
	}
	if err := send(group.ID); !errors.As(err, &tmr) || tmr.RetryAfter < 1 || tmr.RetryAfter > 60 {
		t.Fatalf("group: %v", err)
	}
	if s.RateViolations() != 2 || s.Injected429() != 0 {
		t.Fatalf("violations %d injected %d", s.RateViolations(), s.Injected429())
	}
	if n := len(s.BotMessages(alice.ID)); n != 1 {
		t.Fatalf("refused message stored: %d", n)
	}

	s.SetRateLimits(Limits{Global: 3})
	for i := 0; i < 3; i++ {
		if err := send(alice.ID); err != nil {
			t.Fatal(err)
		}
	}
	if err := send(bob.ID); !errors.As(err, &tmr) {
		t.Fatalf("global: %v", err)
	}
	if s.RateViolations() != 3 {
		t.Fatalf("violations %d", s.RateViolations())
	}
}

func TestWindow(t *testing.T) {
	w := newWindow(2, 1000)
	w.add(0)
	w.add(100)
	if d := w.wait(500); d != 500 {
		t.Fatalf("wait %d", d)
	}
	if d := w.wait(1000); d != 0 {
		t.Fatalf("wait %d", d)
	}
	w.add(1000)
	if d := w.wait(1050); d != 50 {
		t.Fatalf("wait %d", d)
	}
}
