package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestWebhookSettings(t *testing.T) {
	const official, selfHosted = "https://api.telegram.org", "http://127.0.0.1:8081"
	long := strings.Repeat("a", 256)
	for _, tc := range []struct {
		name                 string
		url, secret, api     string
		http                 string // "-" turns the port off
		wantPath, wantSecret string
		wantErr              string // the error names this setting; "" means none
	}{
		{name: "unset: polling"},
		{name: "https", url: "https://vmeste.example.ru/telegram/update", wantPath: "/telegram/update"},
		{name: "port 8443", url: "https://vmeste.example.ru:8443/tg", wantPath: "/tg"},
		{name: "secret kept", url: "https://h.example/tg", secret: "Ab_9-" + long[:200], wantPath: "/tg", wantSecret: "Ab_9-" + long[:200]},
		{name: "256-char secret", url: "https://h.example/tg", secret: long, wantPath: "/tg", wantSecret: long},
		{name: "http with a self-hosted API", api: selfHosted, url: "http://127.0.0.1:9000/hook", wantPath: "/hook"},
		{name: "http with Telegram's API", url: "http://vmeste.example.ru/tg", wantErr: "VMESTE_WEBHOOK_URL"},
		{name: "port Telegram does not use", url: "https://vmeste.example.ru:9443/tg", wantErr: "VMESTE_WEBHOOK_URL"},
		{name: "relative", url: "/tg", wantErr: "VMESTE_WEBHOOK_URL"},
		{name: "other scheme", url: "ftp://h.example/tg", wantErr: "VMESTE_WEBHOOK_URL"},
		{name: "no path", url: "https://h.example", wantErr: "VMESTE_WEBHOOK_URL"},
		{name: "root path", url: "https://h.example/", wantErr: "VMESTE_WEBHOOK_URL"},
		{name: "query", url: "https://h.example/tg?x=1", wantErr: "VMESTE_WEBHOOK_URL"},
		{name: "user info", url: "https://u:p@h.example/tg", wantErr: "VMESTE_WEBHOOK_URL"},
		{name: "healthz path", url: "https://h.example/healthz", wantErr: "VMESTE_WEBHOOK_URL"},
		{name: "calendar path", url: "https://h.example/calendar/x", wantErr: "VMESTE_WEBHOOK_URL"},
		{name: "pattern characters", url: "https://h.example/{x}", wantErr: "VMESTE_WEBHOOK_URL"},
		{name: "HTTP port off", url: "https://h.example/tg", http: "-", wantErr: "VMESTE_WEBHOOK_URL"},
		{name: "secret too long", url: "https://h.example/tg", secret: long + "a", wantErr: "VMESTE_WEBHOOK_SECRET"},
		{name: "secret with a space", url: "https://h.example/tg", secret: "a b", wantErr: "VMESTE_WEBHOOK_SECRET"},
		{name: "secret Cyrillic", url: "https://h.example/tg", secret: "секрет", wantErr: "VMESTE_WEBHOOK_SECRET"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{"TELEGRAM_BOT_TOKEN": "1:x", "VMESTE_WEBHOOK_URL": tc.url, "VMESTE_WEBHOOK_SECRET": tc.secret}
			if tc.api != "" {
				env["TELEGRAM_API_URL"] = tc.api
			}
			if tc.http == "-" {
				env["VMESTE_HTTP"] = ""
			}
			lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
			cfg, err := parseConfig(nil, lookup, &bytes.Buffer{})
			switch {
			case tc.wantErr != "":
				if err == nil || !strings.HasPrefix(err.Error(), tc.wantErr+" (") {
					t.Fatalf("err = %v; want one naming %s", err, tc.wantErr)
				}
			case err != nil:
				t.Fatal(err)
			case cfg.WebhookURL != strings.TrimSpace(tc.url) || cfg.WebhookPath != tc.wantPath || cfg.WebhookSecret != tc.wantSecret:
				t.Fatalf("got url %q path %q secret %q", cfg.WebhookURL, cfg.WebhookPath, cfg.WebhookSecret)
			}
		})
	}
	// The flag wins over the environment, as for every setting.
	cfg, err := parseConfig([]string{"-webhook-url", "https://h.example/flag"},
		func(k string) (string, bool) {
			v := map[string]string{"TELEGRAM_BOT_TOKEN": "1:x", "VMESTE_WEBHOOK_URL": "https://h.example/env"}[k]
			return v, v != ""
		}, &bytes.Buffer{})
	if err != nil || cfg.WebhookPath != "/flag" {
		t.Errorf("flag over env: %q, %v", cfg.WebhookPath, err)
	}
}
