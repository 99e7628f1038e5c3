package telegramtest

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

func getUpdates(t *testing.T, s *Server, offset, limit, timeout int) []rawUpdate {
	t.Helper()
	return updates(t, call(t, s, "getUpdates", url.Values{
		"offset": {strconv.Itoa(offset)}, "limit": {strconv.Itoa(limit)}, "timeout": {strconv.Itoa(timeout)},
	}))
}

func ids(us []rawUpdate) []int64 {
	var out []int64
	for _, u := range us {
		out = append(out, u.UpdateID)
	}
	return out
}

func TestGetUpdatesOffset(t *testing.T) {
	s := newServer(t)
	for _, txt := range []string{"one", "two", "three"} {
		s.SendText(alice, txt)
	}
	if got := ids(getUpdates(t, s, 0, 0, 0)); len(got) != 3 || got[0] != 1 || got[2] != 3 {
		t.Fatalf("first poll %v", got)
	}
	// not confirmed yet: returned again
	if got := ids(getUpdates(t, s, 0, 2, 0)); len(got) != 2 || got[0] != 1 {
		t.Fatalf("limit %v", got)
	}
	us := getUpdates(t, s, 2, 0, 0)
	if got := ids(us); len(got) != 2 || got[0] != 2 || us[0].Message.Text != "two" {
		t.Fatalf("offset 2 %v", got)
	}
	if s.ConfirmedUpTo() != 1 || s.PendingUpdates() != 2 {
		t.Fatalf("confirmed %d pending %d", s.ConfirmedUpTo(), s.PendingUpdates())
	}
	// confirmed updates are gone for ever, even with a lower offset
	if got := ids(getUpdates(t, s, 1, 0, 0)); len(got) != 2 || got[0] != 2 {
		t.Fatalf("after confirm %v", got)
	}
	s.SendText(bob, "four")
	// negative offset: only the last one
	if got := ids(getUpdates(t, s, -1, 0, 0)); len(got) != 1 || got[0] != 4 {
		t.Fatalf("negative offset %v", got)
	}
	if s.ConfirmedUpTo() != 3 {
		t.Fatalf("confirmed %d", s.ConfirmedUpTo())
	}
	if got := getUpdates(t, s, 5, 0, 0); len(got) != 0 || s.PendingUpdates() != 0 || s.ConfirmedUpTo() != 4 {
		t.Fatalf("all confirmed: %v pending %d", got, s.PendingUpdates())
	}
	// message ids count per chat
	if m := s.SendText(alice, "five"); m.ID != 4 {
		t.Fatalf("message id %d", m.ID)
	}
}

func TestFirstUpdateID(t *testing.T) {
	s := newServer(t, WithFirstUpdateID(1000))
	s.SendText(alice, "x")
	if got := ids(getUpdates(t, s, 0, 0, 0)); len(got) != 1 || got[0] != 1000 {
		t.Fatalf("%v", got)
	}
}

func TestLongPoll(t *testing.T) {
	s := newServer(t)
	type res struct {
		us  []rawUpdate
		err error
	}
	done := make(chan res, 1)
	go func() {
		resp, err := http.PostForm(s.URL()+"/bot"+Token+"/getUpdates", url.Values{"timeout": {"30"}})
		if err != nil {
			done <- res{err: err}
			return
		}
		var r apiResp
		err = json.NewDecoder(resp.Body).Decode(&r)
		resp.Body.Close()
		var us []rawUpdate
		if err == nil {
			err = json.Unmarshal(r.Result, &us)
		}
		done <- res{us, err}
	}()
	s.SendText(alice, "wake up")
	select {
	case r := <-done:
		if r.err != nil || len(r.us) != 1 || r.us[0].Message.Text != "wake up" {
			t.Fatalf("long poll: %+v", r)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("long poll did not wake")
	}
}

func TestLongPollCapAndCancel(t *testing.T) {
	s := newServer(t, WithLongPollCap(20*time.Millisecond))
	start := time.Now()
	if got := getUpdates(t, s, 0, 0, 50); len(got) != 0 {
		t.Fatalf("%v", got)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("cap ignored: %v", d)
	}

	s2 := newServer(t)
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s2.URL()+"/bot"+Token+"/getUpdates?timeout=60", nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		errc <- err
	}()
	cancel()
	if err := <-errc; err == nil {
		t.Fatal("want cancellation error")
	}
	// Close must not hang on a pending long poll.
	go func() { _, _ = http.Get(s2.URL() + "/bot" + Token + "/getUpdates?timeout=60") }()
	s2.Close()
}

func TestAllowedUpdates(t *testing.T) {
	s := newServer(t)
	r := call(t, s, "getUpdates", url.Values{"allowed_updates": {`["callback_query"]`}})
	mustOK(t, r)
	s.SendText(alice, "ignored")
	q := s.Callback(alice, alice.ID, 1, "forged")
	us := getUpdates(t, s, 0, 0, 0)
	if len(us) != 1 || us[0].CallbackQuery == nil || us[0].CallbackQuery.ID != q || us[0].CallbackQuery.Data != "forged" {
		t.Fatalf("%+v", us)
	}
	call(t, s, "getUpdates", url.Values{"allowed_updates": {`[]`}, "offset": {"100"}})
	s.SendText(alice, "now delivered")
	if us := getUpdates(t, s, 0, 0, 0); len(us) != 1 || us[0].Message == nil {
		t.Fatalf("%+v", us)
	}
}

func TestPressButtonProducesCallback(t *testing.T) {
	s := newServer(t)
	s.SendText(alice, "/menu")
	markup := `{"inline_keyboard":[[{"text":"Расписание","callback_data":"sched"}]]}`
	mustOK(t, call(t, s, "sendMessage", url.Values{"chat_id": {"1001"}, "text": {"menu"}, "reply_markup": {markup}}))
	mustOK(t, call(t, s, "sendMessage", url.Values{"chat_id": {"1001"}, "text": {"menu 2"}, "reply_markup": {markup}}))
	q, err := s.PressButton(alice, alice.ID, "Расписание")
	if err != nil {
		t.Fatal(err)
	}
	us := getUpdates(t, s, 0, 0, 0)
	last := us[len(us)-1]
	if len(us) != 2 || last.CallbackQuery == nil || last.CallbackQuery.ID != q || last.CallbackQuery.Data != "sched" ||
		last.CallbackQuery.Message.MessageID != 3 || last.CallbackQuery.Message.Chat.ID != alice.ID {
		t.Fatalf("%+v", last.CallbackQuery)
	}
	if _, err := s.PressButtonOn(alice, alice.ID, 2, "Расписание"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PressButtonOn(alice, alice.ID, 1, "Расписание"); err == nil {
		t.Fatal("pressed a button on the user's own message")
	}
	mustOK(t, call(t, s, "answerCallbackQuery", url.Values{"callback_query_id": {q}, "text": {"ok"}, "show_alert": {"true"}}))
	if a, ok := s.CallbackAnswer(q); !ok || !a.ShowAlert || a.Text != "ok" {
		t.Fatalf("%+v", a)
	}
	mustFail(t, call(t, s, "answerCallbackQuery", url.Values{"callback_query_id": {"nope"}}), 400, "query is too old")
}

func TestGroupsAndCommandEntity(t *testing.T) {
	s := newServer(t)
	s.AddBotToGroup(group, alice)
	m := s.SendGroupText(group, bob, "/start@vmeste_test_bot now")
	if m.ID != 2 || m.ChatID != group.ID {
		t.Fatalf("%+v", m)
	}
	r := call(t, s, "getUpdates", nil)
	var us []map[string]json.RawMessage
	if err := json.Unmarshal(mustOK(t, r), &us); err != nil {
		t.Fatal(err)
	}
	if len(us) != 3 || us[0]["my_chat_member"] == nil || us[1]["message"] == nil {
		t.Fatalf("%s", r.Result)
	}
	if !strings.Contains(string(us[0]["my_chat_member"]), `"old_chat_member":{"status":"left"`) ||
		!strings.Contains(string(us[1]["message"]), `"new_chat_members":[{"id":123456,"is_bot":true`) ||
		!strings.Contains(string(us[2]["message"]), `"entities":[{"type":"bot_command","offset":0,"length":22}]`) ||
		!strings.Contains(string(us[2]["message"]), `"title":"Parents"`) {
		t.Fatalf("%s", r.Result)
	}
	mustOK(t, call(t, s, "sendMessage", url.Values{"chat_id": {strconv.FormatInt(group.ID, 10)}, "text": {"hi all"}}))
	if got := s.Chats(); len(got) != 1 || got[0] != group.ID {
		t.Fatalf("chats %v", got)
	}
}

func TestRequestEncodings(t *testing.T) {
	s := newServer(t)
	s.SendText(alice, "hi")
	// JSON body, reply_markup as an object
	r := callJSON(t, s, "sendMessage", map[string]any{
		"chat_id": alice.ID, "text": "json",
		"reply_markup": map[string]any{"keyboard": [][]any{{"Да", map[string]string{"text": "Нет"}}}, "resize_keyboard": true},
	})
	mustOK(t, r)
	m, _ := s.LastBotMessage(alice.ID)
	if len(m.ReplyKeyboard) != 1 || m.ReplyKeyboard[0][1] != "Нет" {
		t.Fatalf("%+v", m)
	}
	// GET with query parameters
	resp, err := http.Get(s.URL() + "/bot" + Token + "/sendMessage?chat_id=1001&text=get")
	if err != nil {
		t.Fatal(err)
	}
	mustOK(t, decode(t, resp))
	mustOK(t, call(t, s, "sendMessage", url.Values{"chat_id": {"1001"}, "text": {"bye"}, "reply_markup": {`{"remove_keyboard":true}`}}))
	if m, _ := s.LastBotMessage(alice.ID); !m.RemoveKeyboard || m.PlainText() != "bye" {
		t.Fatalf("%+v", m)
	}
	// wrong token
	resp, err = http.Get(s.URL() + "/botWRONG/getMe")
	if err != nil {
		t.Fatal(err)
	}
	mustFail(t, decode(t, resp), 401, "Unauthorized")
	if s.Calls("sendMessage") != 3 || s.Calls("getMe") != 0 {
		t.Fatalf("calls %d %d", s.Calls("sendMessage"), s.Calls("getMe"))
	}
}

func TestWaitBotMessageTimeoutListsMessages(t *testing.T) {
	s := newServer(t)
	s.SendText(alice, "hi")
	mustOK(t, call(t, s, "sendMessage", url.Values{"chat_id": {"1001"}, "text": {"<b>first</b> answer"}, "parse_mode": {"HTML"}}))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err := s.WaitBotMessage(ctx, alice.ID, func(m Message) bool { return strings.Contains(m.PlainText(), "second") })
	if err == nil || !strings.Contains(err.Error(), `"first answer"`) {
		t.Fatalf("%v", err)
	}
	m, err := s.WaitBotMessage(testCtx(t), alice.ID, nil)
	if err != nil || m.PlainText() != "first answer" {
		t.Fatal(m, err)
	}
	// a message that exists before the snapshot does not satisfy an After wait
	v := s.Version()
	go func() {
		resp, err := http.PostForm(s.URL()+"/bot"+Token+"/sendMessage", url.Values{"chat_id": {"1001"}, "text": {"second"}})
		if err == nil {
			resp.Body.Close()
		}
	}()
	m, err = s.WaitBotMessageAfter(testCtx(t), alice.ID, v, nil)
	if err != nil || m.Text != "second" || m.Version <= v {
		t.Fatal(m, err)
	}
}

func TestWebhookConflict(t *testing.T) {
	s := newServer(t)
	mustOK(t, call(t, s, "setWebhook", url.Values{"url": {"https://example.org/hook"}}))
	if s.WebhookURL() != "https://example.org/hook" {
		t.Fatal(s.WebhookURL())
	}
	mustFail(t, call(t, s, "getUpdates", nil), 409, "Conflict")
	s.SendText(alice, "x")
	mustOK(t, call(t, s, "deleteWebhook", url.Values{"drop_pending_updates": {"true"}}))
	if got := getUpdates(t, s, 0, 0, 0); len(got) != 0 || s.PendingUpdates() != 0 {
		t.Fatalf("dropped updates returned: %v", got)
	}
}
