package bot

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"vmeste/telegramtest"
)

// newWebhookHarness runs the bot in webhook mode: its WebhookHandler is
// served by a local HTTP server, whose URL is the webhook's; the emulator
// POSTs updates there. It returns once the bot has set the webhook.
func newWebhookHarness(t *testing.T) (*harness, string) {
	t.Helper()
	var current atomic.Pointer[Bot]
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if b := current.Load(); b != nil {
			b.WebhookHandler().ServeHTTP(w, r)
			return
		}
		http.Error(w, "not started", http.StatusServiceUnavailable)
	}))
	t.Cleanup(srv.Close)
	hook := srv.URL + "/telegram/update"
	h := newHarnessConfigured(t, func(b *Bot) { current.Store(b) }, nil, func(c *Config) { c.WebhookURL = hook })
	waitWebhookSet(t, h, 1)
	return h, hook
}

// waitWebhookSet waits until the bot has set its webhook n times in all.
func waitWebhookSet(t *testing.T, h *harness, n int) {
	t.Helper()
	if _, err := h.tg.WaitWebhookSet(h.ctx(), n); err != nil {
		t.Fatalf("%v\n%s", err, h.logs)
	}
}

// updateJSON is a private message from u as Telegram encodes it.
func updateJSON(id int64, u telegramtest.User, text string) []byte {
	return fmt.Appendf(nil, `{"update_id":%d,"message":{"message_id":%d,"date":1764756000,`+
		`"chat":{"id":%d,"type":"private","first_name":%q},"from":{"id":%d,"is_bot":false,"first_name":%q,"language_code":"ru"},`+
		`"text":%q,"entities":[{"type":"bot_command","offset":0,"length":%d}]}}`,
		id, id, u.ID, u.FirstName, u.ID, u.FirstName, text, len(text))
}

// postWebhook POSTs body to the webhook with the secret header (none when
// secret is "") and returns the status.
func postWebhook(t *testing.T, method, url, secret string, body []byte) int {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if secret != "" {
		req.Header.Set(SecretHeader, secret)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// assertIntakeEmpty checks that nothing was stored from the webhook.
func assertIntakeEmpty(t *testing.T, h *harness) {
	t.Helper()
	inbox, err := h.store.Inbox(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	seen, err := h.store.SeenUpdates(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(inbox) != 0 || seen != 0 {
		t.Errorf("inbox %d, seen ids %d; want nothing stored", len(inbox), seen)
	}
}

// TestWebhookRefusesWrongSecret: a request without the secret header, with
// a wrong secret or with the secret and one character more gets 401, and
// nothing is stored or answered; the emulator's own delivery (with the
// secret) is handled.
func TestWebhookRefusesWrongSecret(t *testing.T) {
	h, hook := newWebhookHarness(t)
	secret := h.tg.WebhookSecret()
	if len(secret) != 43 {
		t.Fatalf("secret %q: want the 43 characters made by the store", secret)
	}
	if n := h.tg.WebhookMaxConnections(); n != DefaultWebhookConnections {
		t.Errorf("max_connections %d, want %d", n, DefaultWebhookConnections)
	}
	forged := updateJSON(900, teacher, "/help")
	for _, s := range []string{"", "wrong", secret + "x", secret[:42], strings.ToUpper(secret)} {
		if code := postWebhook(t, http.MethodPost, hook, s, forged); code != http.StatusUnauthorized {
			t.Errorf("secret %q: status %d, want 401", s, code)
		}
	}
	assertIntakeEmpty(t, h)

	h.say(teacher, "/help") // delivered by the emulator, with the secret
	if n := len(h.tg.BotMessages(teacher.ID)); n != 1 {
		t.Errorf("%d bot messages to the teacher; want 1: the forged update must not be handled", n)
	}
	for _, d := range h.tg.WebhookDeliveries() {
		if d.Status != http.StatusOK {
			t.Errorf("the emulator's delivery of update %d got %d %s", d.UpdateID, d.Status, d.Err)
		}
	}
}

// TestWebhookRefusesBadRequests: other methods than POST, bodies over
// 1 MiB and bodies that are not updates are refused and store nothing.
func TestWebhookRefusesBadRequests(t *testing.T) {
	h, hook := newWebhookHarness(t)
	secret := h.tg.WebhookSecret()
	big := updateJSON(901, teacher, "/help"+strings.Repeat(" ", MaxWebhookBody))
	just := updateJSON(902, teacher, "/help")
	just = append(just, bytes.Repeat([]byte(" "), MaxWebhookBody-len(just))...) // exactly 1 MiB: taken
	for _, tc := range []struct {
		name, method string
		body         []byte
		want         int
	}{
		{"GET", http.MethodGet, nil, http.StatusMethodNotAllowed},
		{"PUT", http.MethodPut, updateJSON(903, teacher, "/help"), http.StatusMethodNotAllowed},
		{"over 1 MiB", http.MethodPost, big, http.StatusRequestEntityTooLarge},
		{"not JSON", http.MethodPost, []byte("hello"), http.StatusBadRequest},
		{"no update_id", http.MethodPost, []byte(`{"message":{}}`), http.StatusBadRequest},
	} {
		if code := postWebhook(t, tc.method, hook, secret, tc.body); code != tc.want {
			t.Errorf("%s: status %d, want %d", tc.name, code, tc.want)
		}
	}
	assertIntakeEmpty(t, h)
	h.tg.AddChat(telegramtest.Chat{ID: teacher.ID, Type: telegramtest.ChatPrivate}) // the update is ours, not the emulator's
	v := h.tg.Version()
	if code := postWebhook(t, http.MethodPost, hook, secret, just); code != http.StatusOK {
		t.Fatalf("a body of exactly 1 MiB: status %d, want 200", code)
	}
	h.driver().Expect(teacher.ID, v)
}

// TestWebhookDuplicateHandledOnce: Telegram's second delivery of an update
// already answered 200 is answered 200 and not handled again, while the
// bot runs and after a restart (when only bbolt remembers the id).
func TestWebhookDuplicateHandledOnce(t *testing.T) {
	h, _ := newWebhookHarness(t)
	secret := h.tg.WebhookSecret()
	h.say(teacher, "/help")
	deliveries := h.tg.WebhookDeliveries()
	id := deliveries[len(deliveries)-1].UpdateID
	if d := h.tg.RedeliverWebhook(id); d.Status != http.StatusOK {
		t.Fatalf("second delivery: %d %s; want 200", d.Status, d.Err)
	}

	h.restart()
	waitWebhookSet(t, h, 2)
	if s := h.tg.WebhookSecret(); s != secret {
		t.Errorf("the secret changed across a restart: %q, then %q", secret, s)
	}
	if d := h.tg.RedeliverWebhook(id); d.Status != http.StatusOK {
		t.Fatalf("delivery after the restart: %d %s; want 200", d.Status, d.Err)
	}
	// The teacher's updates are handled in order: a duplicate handled
	// would answer before this one.
	h.say(teacher, "/help")
	if n := len(h.tg.BotMessages(teacher.ID)); n != 2 {
		t.Errorf("%d bot messages for 2 distinct updates (one delivered 3 times); want 2", n)
	}
	if seen, err := h.store.SeenUpdates(context.Background()); err != nil || seen != 2 {
		t.Errorf("seen ids %d, %v; want 2", seen, err)
	}
}

// TestPollingDeletesWebhook: started again without a webhook URL, the bot
// deletes the webhook (else getUpdates answers 409) and polls.
func TestPollingDeletesWebhook(t *testing.T) {
	h, _ := newWebhookHarness(t)
	h.say(teacher, "/help")
	if !h.bot.Receiving() {
		t.Error("not receiving in webhook mode after setWebhook")
	}
	delivered := answered(h.tg.WebhookDeliveries())

	h.configure = nil
	h.restart()
	h.say(teacher, "/help")
	if url := h.tg.WebhookURL(); url != "" {
		t.Errorf("webhook still set: %q", url)
	}
	if n := h.tg.Calls("deleteWebhook"); n == 0 {
		t.Error("deleteWebhook never called")
	}
	// An update sent before the bot deleted the webhook may be tried on
	// the stopped bot's webhook (503) before getUpdates takes it.
	if n := answered(h.tg.WebhookDeliveries()); n != delivered {
		t.Errorf("%d updates handled by webhook after switching to polling", n-delivered)
	}
	if !h.bot.Receiving() {
		t.Error("not receiving while polling")
	}
}

// answered counts the deliveries answered 200.
func answered(ds []telegramtest.WebhookDelivery) int {
	n := 0
	for _, d := range ds {
		if d.Status == http.StatusOK {
			n++
		}
	}
	return n
}
