package main

import (
	"context"
	"net/http"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"vmeste/telegramtest"
)

// TestWebhookUpdateSurvivesSIGKILL runs the real binary in webhook mode:
// an update is answered 200 (so Telegram forgets it) while its reply
// hangs, the process is killed with SIGKILL right then, and the update is
// handled after the restart, from the inbox, once. (The 200 is answered
// only after the update is committed, so killing at the 200 or during the
// handling is the same case; the test kills during the reply, so that the
// update is known not handled.) Started again without
// the webhook URL, the binary deletes the webhook and polls.
func TestWebhookUpdateSurvivesSIGKILL(t *testing.T) {
	emu := telegramtest.New()
	defer emu.Close()
	db := filepath.Join(t.TempDir(), "vmeste.db")
	addr := freeAddr(t)
	webhook := []string{"-http", addr, "-webhook-url", "http://" + addr + "/telegram/update"}
	user := telegramtest.User{ID: 7001, FirstName: "Мария", LanguageCode: "ru"}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	first, stderr := startBinary(t, emu, db, "30", webhook...)
	if _, err := emu.WaitWebhookSet(ctx, 1); err != nil {
		t.Fatalf("%v; stderr:\n%s", err, stderr)
	}
	emu.FailNext("sendMessage", user.ID, telegramtest.Slow(time.Minute), 1) // the reply hangs
	v := emu.Version()
	emu.SendText(user, "/help")
	answered, err := emu.WaitWebhookDelivery(ctx, func(d telegramtest.WebhookDelivery) bool { return d.Status == http.StatusOK })
	if err != nil {
		t.Fatalf("the update was never answered 200: %v; stderr:\n%s", err, stderr)
	}
	id := answered.UpdateID
	// Killed while its handling waits for the reply to go out, so that the
	// fault is spent here and not on the next run.
	if !waitFor(t, 20*time.Second, func() bool { return emu.Calls("sendMessage") > 0 }) {
		t.Fatalf("the reply was never sent; stderr:\n%s", stderr)
	}
	if err := first.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = first.Wait()
	if n := len(emu.BotMessages(user.ID)); n != 0 {
		t.Fatalf("the update was answered before the kill (%d messages): the test proves nothing", n)
	}

	second, stderr2 := startBinary(t, emu, db, "30", webhook...)
	d := &telegramtest.Driver{TB: t, Server: emu, Timeout: 30 * time.Second}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("second run:\n%s", stderr2)
		}
	})
	d.Expect(user.ID, v)
	if n := len(emu.BotMessages(user.ID)); n != 1 {
		t.Errorf("%d replies to one update; want 1", n)
	}
	ok := 0
	for _, d := range emu.WebhookDeliveries() {
		if d.UpdateID == id && d.Status == http.StatusOK {
			ok++
		}
	}
	if ok != 1 {
		t.Errorf("update %d answered 200 %d times; want once: it came back from the inbox, not from Telegram", id, ok)
	}
	if !waitFor(t, 10*time.Second, func() bool { return healthz(addr) == http.StatusOK }) {
		t.Errorf("/healthz not 200 in webhook mode; stderr:\n%s", stderr2)
	}
	stopBinary(t, second, stderr2)

	third, stderr3 := startBinary(t, emu, db, "30", "-http", addr)
	d.Say(user, "/help")
	if url := emu.WebhookURL(); url != "" {
		t.Errorf("webhook still set after starting without it: %q", url)
	}
	if !waitFor(t, 10*time.Second, func() bool { return healthz(addr) == http.StatusOK }) {
		t.Errorf("/healthz not 200 while polling; stderr:\n%s", stderr3)
	}
	stopBinary(t, third, stderr3)
}

// healthz is the status of GET /healthz at addr; 0 when it cannot be asked.
func healthz(addr string) int {
	resp, err := http.Get("http://" + addr + "/healthz")
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// stopBinary stops cmd with SIGTERM and checks that it exits cleanly.
func stopBinary(t *testing.T, cmd *exec.Cmd, stderr *syncBuffer) {
	t.Helper()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("did not stop cleanly: %v\n%s", err, stderr)
	}
}
