package telegram_test

import (
	"context"
	"strings"
	"testing"

	"vmeste/telegram"
	"vmeste/telegramtest"
)

// TestWebhookCalls: setWebhook, getWebhookInfo and deleteWebhook reach the
// emulator with their parameters; a refused call is an error without the
// token.
func TestWebhookCalls(t *testing.T) {
	emu := telegramtest.New()
	defer emu.Close()
	g := newGateway(t, emu, telegram.Config{})
	ctx := context.Background()
	const url = "http://127.0.0.1:1/telegram/update"
	if err := g.SetWebhook(ctx, url, "s3cret", []string{"message", "callback_query"}, 10); err != nil {
		t.Fatal(err)
	}
	if emu.WebhookURL() != url || emu.WebhookSecret() != "s3cret" || emu.WebhookMaxConnections() != 10 {
		t.Errorf("emulator has %q %q %d", emu.WebhookURL(), emu.WebhookSecret(), emu.WebhookMaxConnections())
	}
	info, err := g.WebhookInfo(ctx)
	if err != nil || info.URL != url || info.MaxConnections != 10 {
		t.Errorf("WebhookInfo: %+v, %v", info, err)
	}
	err = g.SetWebhook(ctx, url, "not a secret!", nil, 10)
	if err == nil || !strings.Contains(err.Error(), "setWebhook: 400") || strings.Contains(err.Error(), telegramtest.Token) {
		t.Errorf("bad secret: %v; want a 400 without the token", err)
	}
	if err := g.DeleteWebhook(ctx, false); err != nil {
		t.Fatal(err)
	}
	if info, err := g.WebhookInfo(ctx); err != nil || info.URL != "" {
		t.Errorf("after DeleteWebhook: %+v, %v", info, err)
	}
	emu.Close()
	err = g.DeleteWebhook(ctx, false)
	if err == nil || strings.Contains(err.Error(), telegramtest.Token) {
		t.Errorf("with the server gone: %v; want an error without the token", err)
	}
}
