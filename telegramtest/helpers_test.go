package telegramtest

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

var (
	alice = User{ID: 1001, FirstName: "Alice", Username: "alice", LanguageCode: "ru"}
	bob   = User{ID: 1002, FirstName: "Bob"}
	group = Chat{ID: -100500, Type: ChatSupergroup, Title: "Parents"}
)

func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func newServer(t testing.TB, opts ...Option) *Server {
	s := New(opts...)
	t.Cleanup(s.Close)
	return s
}

// newClient is a real go-telegram client for s; extra options add handlers.
func newClient(t testing.TB, s *Server, opts ...bot.Option) *bot.Bot {
	t.Helper()
	opts = append([]bot.Option{
		bot.WithServerURL(s.URL()),
		bot.WithErrorsHandler(func(error) {}),
		bot.WithNotAsyncHandlers(),
		bot.WithDefaultHandler(func(context.Context, *bot.Bot, *models.Update) {}),
	}, opts...)
	b, err := bot.New(Token, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// startBot runs b until the test ends. Handlers run synchronously in the
// worker, so when the test's cleanup returns no handler is still running.
// The emulator changes state before the HTTP answer reaches the client, so a
// handler's last call may still be in flight when the test is done: handlers
// must tolerate context.Canceled.
func startBot(t testing.TB, b *bot.Bot) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		b.Start(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
}

// apiResp is a decoded Bot API answer.
type apiResp struct {
	OK          bool            `json:"ok"`
	Result      json.RawMessage `json:"result"`
	ErrorCode   int             `json:"error_code"`
	Description string          `json:"description"`
	Parameters  struct {
		RetryAfter int `json:"retry_after"`
	} `json:"parameters"`
}

// call is a raw form-encoded Bot API call.
func call(t testing.TB, s *Server, method string, form url.Values) apiResp {
	t.Helper()
	resp, err := http.PostForm(s.URL()+"/bot"+Token+"/"+method, form)
	if err != nil {
		t.Fatal(err)
	}
	return decode(t, resp)
}

// callJSON is a raw JSON Bot API call.
func callJSON(t testing.TB, s *Server, method string, body any) apiResp {
	t.Helper()
	b, _ := json.Marshal(body)
	resp, err := http.Post(s.URL()+"/bot"+Token+"/"+method, "application/json", strings.NewReader(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	return decode(t, resp)
}

func decode(t testing.TB, resp *http.Response) apiResp {
	t.Helper()
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var r apiResp
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatalf("bad JSON %q: %v", data, err)
	}
	if !r.OK && resp.StatusCode != r.ErrorCode {
		t.Fatalf("HTTP status %d != error_code %d", resp.StatusCode, r.ErrorCode)
	}
	return r
}

func mustOK(t testing.TB, r apiResp) json.RawMessage {
	t.Helper()
	if !r.OK {
		t.Fatalf("want ok, got %d %s", r.ErrorCode, r.Description)
	}
	return r.Result
}

func mustFail(t testing.TB, r apiResp, code int, desc string) {
	t.Helper()
	if r.OK || r.ErrorCode != code || !strings.Contains(r.Description, desc) {
		t.Fatalf("want %d %q, got ok=%v %d %q", code, desc, r.OK, r.ErrorCode, r.Description)
	}
}

type rawUpdate struct {
	UpdateID int64 `json:"update_id"`
	Message  *struct {
		MessageID int    `json:"message_id"`
		Text      string `json:"text"`
		Chat      struct {
			ID int64 `json:"id"`
		} `json:"chat"`
	} `json:"message"`
	CallbackQuery *struct {
		ID      string `json:"id"`
		Data    string `json:"data"`
		Message struct {
			MessageID int `json:"message_id"`
			Chat      struct {
				ID int64 `json:"id"`
			} `json:"chat"`
		} `json:"message"`
	} `json:"callback_query"`
}

func updates(t testing.TB, r apiResp) []rawUpdate {
	t.Helper()
	var us []rawUpdate
	if err := json.Unmarshal(mustOK(t, r), &us); err != nil {
		t.Fatal(err)
	}
	return us
}
