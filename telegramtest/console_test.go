package telegramtest

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

// fakeBot is a tiny bot speaking raw HTTP/JSON: "hello" gets a message with
// two buttons, button "b" edits it, "file" gets a document, anything else is
// echoed.
func fakeBot(ctx context.Context, s *Server) {
	post := func(method string, body any) json.RawMessage {
		data, _ := json.Marshal(body)
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, s.URL()+"/bot"+Token+"/"+method, bytes.NewReader(data))
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return nil
		}
		defer resp.Body.Close()
		var r apiResp
		_ = json.NewDecoder(resp.Body).Decode(&r)
		return r.Result
	}
	var offset int64
	for ctx.Err() == nil {
		var us []struct {
			UpdateID int64 `json:"update_id"`
			Message  *struct {
				Text string `json:"text"`
				Chat struct {
					ID int64 `json:"id"`
				} `json:"chat"`
				From struct {
					FirstName string `json:"first_name"`
				} `json:"from"`
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
		_ = json.Unmarshal(post("getUpdates", map[string]any{"offset": offset, "timeout": 30}), &us)
		for _, u := range us {
			offset = u.UpdateID + 1
			switch {
			case u.Message != nil && u.Message.Text == "hello":
				post("sendMessage", map[string]any{
					"chat_id": u.Message.Chat.ID, "parse_mode": "HTML",
					"text": "Hi <b>" + u.Message.From.FirstName + "</b>!",
					"reply_markup": map[string]any{"inline_keyboard": [][]map[string]string{
						{{"text": "A", "callback_data": "a"}}, {{"text": "B", "callback_data": "b"}},
					}},
				})
			case u.Message != nil:
				post("sendMessage", map[string]any{"chat_id": u.Message.Chat.ID, "text": "echo: " + u.Message.Text})
			case u.CallbackQuery != nil:
				q := u.CallbackQuery
				post("editMessageText", map[string]any{"chat_id": q.Message.Chat.ID, "message_id": q.Message.MessageID, "text": "You chose " + strings.ToUpper(q.Data)})
				post("answerCallbackQuery", map[string]any{"callback_query_id": q.ID})
			}
		}
	}
}

func TestConsoleThroughPipe(t *testing.T) {
	s := newServer(t)
	ctx, cancel := context.WithCancel(testCtx(t))
	defer cancel()
	go fakeBot(ctx, s)

	in := strings.NewReader("hello\n#9\n#2\n#1\n/as nobody\n/as bob\nпривет\n/as alice\n")
	var out bytes.Buffer
	c := &Console{
		Server: s, In: in, Out: &out, Echo: true,
		Users:   map[string]User{"alice": alice, "bob": bob},
		Current: "alice",
		Quiet:   50 * time.Millisecond,
	}
	if err := c.Run(ctx); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{
		"#N presses a button; /as alice|bob switches user",
		"> hello\n🤖 Hi Alice!\n   [1] A\n   [2] B\n> #9\n(no button #9",
		"> #2\n🤖 (edited) You chose B\n",
		"> #1\n(no message with buttons)\n",
		"Users: alice, bob",
		"— You are bob now —",
		"> привет\n🤖 echo: привет\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	// switching back to alice prints nothing new: her chat was already shown
	if strings.Count(got, "You chose B") != 1 {
		t.Errorf("edited message printed twice:\n%s", got)
	}
	if c.Current != "alice" {
		t.Errorf("current %q", c.Current)
	}
}

func TestConsoleOwnCommands(t *testing.T) {
	s := newServer(t)
	ctx, cancel := context.WithCancel(testCtx(t))
	defer cancel()
	go fakeBot(ctx, s)

	var got []string
	in := strings.NewReader("/later 2h\n/nothing\n")
	var out bytes.Buffer
	c := &Console{
		Server: s, In: in, Out: &out, Echo: true,
		Users:    map[string]User{"alice": alice},
		Quiet:    50 * time.Millisecond,
		Commands: map[string]func(string) string{"later": func(args string) string { got = append(got, args); return "moved " + args }},
	}
	if err := c.Run(ctx); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0] != "2h" {
		t.Errorf("the command got %q, want one call with \"2h\"", got)
	}
	text := out.String()
	for _, want := range []string{"Console commands / команды консоли: /later.", "> /later 2h\nmoved 2h\n", "> /nothing\n🤖 echo: /nothing\n"} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q:\n%s", want, text)
		}
	}
}
