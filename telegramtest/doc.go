// Package telegramtest is an in-process Telegram Bot API emulator for
// end-to-end tests, benchmarks and demos of bots written with
// github.com/go-telegram/bot (or any Bot API client).
//
// New starts an httptest.Server speaking the Bot API under
// {URL}/bot{Token}/{method} (multipart/form-data, JSON, urlencoded bodies or
// query strings) and serving files under {URL}/file/bot{Token}/{file_path}:
//
//	s := telegramtest.New()
//	defer s.Close()
//	b, _ := bot.New(telegramtest.Token, bot.WithServerURL(s.URL()), ...)
//	go b.Start(ctx)
//	alice := telegramtest.User{ID: 1001, FirstName: "Alice"}
//	v := s.Version()
//	s.SendText(alice, "/start")
//	reply, err := s.WaitBotMessageAfter(ctx, alice.ID, v, nil)
//	q, err := s.PressButton(alice, alice.ID, "Yes")
//	ans, err := s.WaitCallbackAnswered(ctx, q)
//
// Simulated users act through SendText, SendGroupText, SendDocument,
// SendPhoto, PressButton, Callback, AddBotToGroup, BlockBot, ...; each
// queues an update for getUpdates (long polling, offset confirmation,
// allowed_updates), or, once setWebhook is called, POSTed to the webhook
// with its secret header, one at a time, retried until a 2xx (getUpdates
// answers 409 meanwhile; WebhookDeliveries records each try,
// RedeliverWebhook sends one again). The bot's calls are validated like Telegram does
// (known chat, text and caption limits in UTF-16 units after entity
// parsing, Telegram's HTML dialect, inline keyboard rules, "message is not
// modified", blocked users) and answered with Telegram's JSON shapes and
// error descriptions, so the client library maps them to its errors
// (bot.ErrorBadRequest, bot.ErrorForbidden, *bot.TooManyRequestsError).
//
// Every chat keeps its visible history (Messages, BotMessages,
// LastBotMessage). Version counts history changes; WaitBotMessageAfter waits,
// without polling, for the bot's first message sent or edited after a
// snapshot. FailNext injects faults, Limits adds flood control, Console is an
// interactive text client for demos.
//
// Per-request work is O(1) in the history size and there is no logging, so
// the emulator can serve benchmarks.
package telegramtest
