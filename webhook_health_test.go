package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"vmeste/bot"
	"vmeste/telegramtest"
)

// TestWebhookHealth runs the bot in webhook mode against the emulator,
// asking getWebhookInfo every 20 ms: while Telegram's last failure to
// deliver is recent and updates wait, /healthz answers 503 with
// Telegram's message, the gauges show the backlog and the error's time,
// and the error is logged once; an error older than 5 minutes, or none,
// is healthy again.
func TestWebhookHealth(t *testing.T) {
	emu := telegramtest.New()
	defer emu.Close()
	addr := freeAddr(t)
	cfg, err := parseConfig([]string{"-token", telegramtest.Token, "-api-url", emu.URL(), "-http", addr,
		"-db", filepath.Join(t.TempDir(), "vmeste.db"), "-backup-dir", t.TempDir(),
		"-webhook-url", "http://" + addr + "/telegram/update"}, func(string) (string, bool) { return "", false }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	cfg.webhookCheck = 20 * time.Millisecond
	logs := &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- serve(ctx, cfg, slog.New(slog.NewTextHandler(io.MultiWriter(testLog(), logs), nil)), func(*bot.Bot) {})
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	waitCtx, cancelWait := context.WithTimeout(ctx, 30*time.Second)
	defer cancelWait()
	if _, err := emu.WaitWebhookSet(waitCtx, 1); err != nil {
		t.Fatal(err)
	}
	health := func(want int, body string) {
		t.Helper()
		var got int
		var text string
		if !waitFor(t, 10*time.Second, func() bool {
			got, text = healthzBody(addr)
			return got == want && strings.Contains(text, body)
		}) {
			t.Fatalf("/healthz %d %q; want %d containing %q\n%s", got, text, want, body, logs)
		}
	}
	health(http.StatusOK, "ok")

	const msg = "Connection timed out"
	failedAt := time.Now().Truncate(time.Second)
	emu.FakeWebhookError(msg, failedAt, 3)
	health(http.StatusServiceUnavailable, "degraded: Telegram cannot deliver to the webhook: "+msg)
	for _, series := range []string{
		"vmeste_webhook_pending_updates 3",
		fmt.Sprintf("vmeste_webhook_last_error_timestamp_seconds %g", float64(failedAt.Unix())),
	} {
		if !waitFor(t, 10*time.Second, func() bool { return strings.Contains(metricsText(addr), series) }) {
			t.Errorf("/metrics lacks %q:\n%s", series, metricsText(addr))
		}
	}
	// Several more looks at the same error log it no more.
	calls := emu.Calls("getWebhookInfo")
	if !waitFor(t, 10*time.Second, func() bool { return emu.Calls("getWebhookInfo") >= calls+3 }) {
		t.Fatal("getWebhookInfo is not asked again")
	}
	if n := strings.Count(logs.String(), "webhook: Telegram cannot deliver"); n != 1 {
		t.Errorf("the same delivery error logged %d times; want once:\n%s", n, logs)
	}

	// An error of ten minutes ago with updates still waiting: healthy
	// (Telegram has delivered since, or will say so with a new date).
	emu.FakeWebhookError(msg, time.Now().Add(-10*time.Minute), 3)
	health(http.StatusOK, "ok")
	// A fresh error with nothing pending: healthy too.
	emu.FakeWebhookError(msg, time.Now(), 0)
	health(http.StatusOK, "ok")
	emu.FakeWebhookError("", time.Time{}, 0)
	health(http.StatusOK, "ok")
}

// TestWebhookRefusedIsAConfigurationError: a 400 from setWebhook at start
// (a bad URL or certificate) ends the binary's run with exit status 2 and
// a message naming VMESTE_WEBHOOK_URL and Telegram's reason, after one
// call: it is not retried for ever.
func TestWebhookRefusedIsAConfigurationError(t *testing.T) {
	emu := telegramtest.New()
	defer emu.Close()
	addr := freeAddr(t)
	const reason = "Bad Request: bad webhook: Failed to resolve host: Name or service not known"
	emu.FailNext("setWebhook", 0, telegramtest.Fault{Code: 400, Description: reason}, 1)
	var stdout, stderr bytes.Buffer
	status := make(chan int, 1)
	go func() {
		status <- run([]string{"-token", telegramtest.Token, "-api-url", emu.URL(), "-http", addr,
			"-db", filepath.Join(t.TempDir(), "vmeste.db"), "-backup-dir", t.TempDir(),
			"-webhook-url", "http://" + addr + "/telegram/update"},
			func(string) (string, bool) { return "", false }, strings.NewReader(""), &stdout, &stderr)
	}()
	select {
	case code := <-status:
		if code != 2 {
			t.Errorf("exit status %d, want 2\n%s", code, stderr.String())
		}
	case <-time.After(60 * time.Second):
		t.Fatal("still running a minute after setWebhook was refused: retried for ever")
	}
	out := stderr.String()
	if !strings.Contains(out, "vmeste: VMESTE_WEBHOOK_URL") || !strings.Contains(out, reason) {
		t.Errorf("stderr does not name VMESTE_WEBHOOK_URL with Telegram's reason:\n%s", out)
	}
	if strings.Contains(out, telegramtest.Token) {
		t.Error("stderr contains the token")
	}
	if n := emu.Calls("setWebhook"); n != 1 {
		t.Errorf("setWebhook called %d times; a 400 is not worth retrying", n)
	}
}

// healthzBody is GET /healthz at addr: its status and body (0 when it
// cannot be asked).
func healthzBody(addr string) (int, string) {
	resp, err := http.Get("http://" + addr + "/healthz")
	if err != nil {
		return 0, ""
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// metricsText is GET /metrics at addr ("" when it cannot be asked).
func metricsText(addr string) string {
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return string(body)
}
