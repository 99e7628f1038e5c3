package telegramtest

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// TestWebhookDelivery: with a webhook set, getUpdates answers 409 and each
// update is POSTed with the secret; a non-2xx answer is retried until a
// 2xx confirms it; every delivery is recorded; deleteWebhook makes
// getUpdates work again.
func TestWebhookDelivery(t *testing.T) {
	s := newServer(t)
	type got struct {
		secret, body string
	}
	received := make(chan got, 10)
	answers := make(chan int, 10)
	answers <- http.StatusInternalServerError // the first try fails
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		received <- got{r.Header.Get("X-Telegram-Bot-Api-Secret-Token"), string(body)}
		select {
		case code := <-answers:
			w.WriteHeader(code)
		default:
		}
	}))
	defer hook.Close()

	mustFail(t, call(t, s, "setWebhook", url.Values{"url": {hook.URL}, "secret_token": {"bad secret"}}), 400, "secret token")
	mustFail(t, call(t, s, "setWebhook", url.Values{"url": {hook.URL}, "max_connections": {"101"}}), 400, "max_connections")
	mustOK(t, callJSON(t, s, "setWebhook", map[string]any{"url": hook.URL, "secret_token": "s3cret_-", "max_connections": 10,
		"allowed_updates": []string{"message"}}))
	if n, err := s.WaitWebhookSet(testCtx(t), 1); err != nil || n != hook.URL {
		t.Fatalf("WaitWebhookSet: %q, %v", n, err)
	}
	mustFail(t, call(t, s, "getUpdates", url.Values{"offset": {"0"}, "limit": {"1"}, "timeout": {"0"}}), 409, "webhook is active")

	s.SendText(alice, "привет")
	for i := 0; i < 2; i++ { // the failed try, then the retry
		g := <-received
		if g.secret != "s3cret_-" || !strings.Contains(g.body, `"text":"привет"`) {
			t.Fatalf("delivery %d: secret %q body %s", i, g.secret, g.body)
		}
	}
	if _, err := s.WaitWebhookDelivery(testCtx(t), func(d WebhookDelivery) bool { return d.Status == 200 }); err != nil {
		t.Fatal(err)
	}
	ds := s.WebhookDeliveries()
	if len(ds) != 2 || ds[0].Status != 500 || ds[1].Status != 200 || ds[0].UpdateID != ds[1].UpdateID {
		t.Fatalf("deliveries %+v; want 500 then 200 of one update", ds)
	}
	if s.PendingUpdates() != 0 {
		t.Errorf("%d updates pending after a 200", s.PendingUpdates())
	}
	if d := s.RedeliverWebhook(ds[0].UpdateID); d.Status != 200 {
		t.Errorf("redelivery: %+v", d)
	}
	<-received

	mustOK(t, call(t, s, "deleteWebhook", nil))
	if s.WebhookURL() != "" {
		t.Error("webhook still set")
	}
	s.SendText(alice, "снова")
	us := updates(t, call(t, s, "getUpdates", url.Values{"offset": {"0"}, "limit": {"10"}, "timeout": {"0"}}))
	if len(us) != 1 || us[0].Message.Text != "снова" {
		t.Errorf("getUpdates after deleteWebhook: %+v", us)
	}
}
