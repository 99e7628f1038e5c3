package scheduler_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"vmeste/scheduler"
	"vmeste/storage"
	"vmeste/telegram"
	"vmeste/telegramtest"
)

// Errors as go-telegram/bot returns them for Telegram's answers.
var (
	errBlocked      = telegram.NewError("copyMessage", telegram.ClassForbidden, errors.New("forbidden: bot was blocked by the user"))
	errKicked       = telegram.NewError("copyMessage", telegram.ClassForbidden, errors.New("forbidden: bot was kicked from the group chat"))
	errChatNotFound = telegram.NewError("copyMessage", telegram.ClassChatNotFound, errors.New("bad request: chat not found"))
	errServer       = errors.New("error response from telegram for method copyMessage, 502 Bad Gateway")
)

// sendCall is one Send the fake Telegram answered.
type sendCall struct {
	Chat    int64
	Content storage.Content
	Start   time.Time // Send was called
	End     time.Time // Send returned
	MsgID   int       // 0 when Err is set
	Err     error
	CtxErr  error // the send's context error as Send returned
	Paid    bool  // sent as a paid broadcast
}

type editCall struct {
	Chat  int64
	MsgID int
	Text  string
}

// fakeTelegram implements scheduler.Telegram in memory. Each chat answers
// its scripted errors first (a nil in the script is a success), then
// succeeds. Every change closes the changed channel, so tests wait for
// what they expect without polling.
type fakeTelegram struct {
	mu       sync.Mutex
	script   map[int64][]error
	delay    map[int64]time.Duration // chat (0: every chat) → how long a send takes
	editErrs []error                 // errors for the next edits
	started  int
	calls    []sendCall
	edits    []editCall
	nextID   map[int64]int
	changed  chan struct{}
	// onSend, if set, runs inside Send (after the delay, before it
	// returns) with the number of sends started so far.
	onSend func(n int, chat int64)
}

func newFakeTelegram() *fakeTelegram {
	return &fakeTelegram{
		script:  map[int64][]error{},
		delay:   map[int64]time.Duration{},
		nextID:  map[int64]int{},
		changed: make(chan struct{}),
	}
}

// fail scripts the answers of chat's next sends.
func (f *fakeTelegram) fail(chat int64, errs ...error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.script[chat] = append(f.script[chat], errs...)
}

// slow makes every send to chat (0: to any chat) take d.
func (f *fakeTelegram) slow(chat int64, d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.delay[chat] = d
}

func (f *fakeTelegram) signalLocked() {
	close(f.changed)
	f.changed = make(chan struct{})
}

func (f *fakeTelegram) Send(ctx context.Context, chatID int64, c storage.Content, paid bool) (int, error) {
	start := time.Now()
	f.mu.Lock()
	f.started++
	n := f.started
	d, ok := f.delay[chatID]
	if !ok {
		d = f.delay[0]
	}
	var err error
	if s := f.script[chatID]; len(s) > 0 {
		err, f.script[chatID] = s[0], s[1:]
	}
	f.signalLocked()
	hook := f.onSend
	f.mu.Unlock()

	if d > 0 {
		// A slow Bot API call, cut short by its context like a real one.
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
		}
	}
	if hook != nil {
		hook(n, chatID)
	}

	f.mu.Lock()
	defer f.mu.Unlock()
	call := sendCall{Chat: chatID, Content: c, Start: start, Err: err, CtxErr: ctx.Err(), Paid: paid}
	if err == nil {
		f.nextID[chatID]++
		call.MsgID = 1000 + f.nextID[chatID]
	}
	call.End = time.Now()
	f.calls = append(f.calls, call)
	f.signalLocked()
	return call.MsgID, err
}

func (f *fakeTelegram) Edit(_ context.Context, chatID int64, messageID int, text string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.editErrs) > 0 {
		err := f.editErrs[0]
		f.editErrs = f.editErrs[1:]
		return err
	}
	f.edits = append(f.edits, editCall{Chat: chatID, MsgID: messageID, Text: text})
	f.signalLocked()
	return nil
}

// sends returns a copy of the answered sends, in the order they returned.
func (f *fakeTelegram) sends() []sendCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.calls)
}

func (f *fakeTelegram) editCalls() []editCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.edits)
}

// wait blocks until cond holds for the answered sends (and the number of
// sends started), failing the test after 15 s.
func (f *fakeTelegram) wait(t *testing.T, what string, cond func(calls []sendCall, started int) bool) {
	t.Helper()
	timeout := time.NewTimer(15 * time.Second)
	defer timeout.Stop()
	for {
		f.mu.Lock()
		ok := cond(f.calls, f.started)
		ch := f.changed
		f.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-ch:
		case <-timeout.C:
			t.Fatalf("timed out waiting for %s; sends: %s", what, describeCalls(f.sends()))
		}
	}
}

// waitDelivered waits until every chat in chats has had a successful send.
func (f *fakeTelegram) waitDelivered(t *testing.T, chats ...int64) {
	t.Helper()
	f.wait(t, fmt.Sprintf("deliveries to %v", chats), func(calls []sendCall, _ int) bool {
		for _, c := range chats {
			if len(delivered(calls, c)) == 0 {
				return false
			}
		}
		return true
	})
}

// to returns the sends to chat; delivered only the successful ones.
func to(calls []sendCall, chat int64) []sendCall {
	var out []sendCall
	for _, c := range calls {
		if c.Chat == chat {
			out = append(out, c)
		}
	}
	return out
}

func delivered(calls []sendCall, chat int64) []sendCall {
	var out []sendCall
	for _, c := range to(calls, chat) {
		if c.Err == nil {
			out = append(out, c)
		}
	}
	return out
}

func describeCalls(calls []sendCall) string {
	s := ""
	for _, c := range calls {
		s += fmt.Sprintf("\n  chat %d at %s err=%v", c.Chat, c.Start.Format("15:04:05.000"), c.Err)
	}
	return s
}

// ---- storage and sender helpers ----

func newStore(t *testing.T) *storage.Store {
	t.Helper()
	s, err := storage.Open(filepath.Join(t.TempDir(), "vmeste.db"), storage.Options{LockTimeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatalf("storage.Open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// addUsers stores active, registered teachers whose private chat id is
// their user id.
func addUsers(t *testing.T, s *storage.Store, ids ...int64) {
	t.Helper()
	for _, id := range ids {
		u := storage.User{ID: id, ChatID: id, FullName: fmt.Sprintf("Учитель %d", id), Lang: "ru", Registered: true, Active: true}
		if err := s.PutUser(context.Background(), u); err != nil {
			t.Fatalf("PutUser(%d): %v", id, err)
		}
	}
}

const authorID = 7

var source = storage.Content{CopyFromChat: authorID, CopyMessageID: 42}

// createBroadcast enqueues a broadcast of source to recipients.
func createBroadcast(t *testing.T, s *storage.Store, recipients []storage.Recipient) storage.Broadcast {
	t.Helper()
	b, err := s.CreateBroadcast(context.Background(), storage.Broadcast{
		AuthorID: authorID, AuthorChat: authorID, Lang: "ru",
		Audience:   storage.Audience{Kind: storage.AudienceAllTeachers},
		SourceChat: source.CopyFromChat, SourceMessage: source.CopyMessageID, Preview: "тест",
	}, recipients, nil)
	if err != nil {
		t.Fatalf("CreateBroadcast: %v", err)
	}
	return b
}

func users(ids ...int64) []storage.Recipient {
	var r []storage.Recipient
	for _, id := range ids {
		r = append(r, storage.Recipient{ChatID: id, UserID: id})
	}
	return r
}

func ids(from, n int64) []int64 {
	var out []int64
	for i := range n {
		out = append(out, from+i)
	}
	return out
}

// startSender runs a sender until the returned stop is called (or the test
// ends); stop cancels Run and waits for it to return.
func startSender(t *testing.T, s *storage.Store, fake scheduler.Telegram, cfg scheduler.SenderConfig) (stop func()) {
	t.Helper()
	cfg.Logger = slog.New(slog.DiscardHandler)
	sender := scheduler.NewSender(s, fake, cfg)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- sender.Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("Run: %v", err)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("Run did not return 10 s after its context was cancelled")
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

func mustBroadcast(t *testing.T, s *storage.Store, id int64) storage.Broadcast {
	t.Helper()
	b, err := s.Broadcast(context.Background(), id)
	if err != nil {
		t.Fatalf("Broadcast(%d): %v", id, err)
	}
	return b
}

// entries returns a broadcast's entries by chat.
func entries(t *testing.T, s *storage.Store, id int64) map[int64]storage.OutboxEntry {
	t.Helper()
	list, err := s.BroadcastEntries(context.Background(), id)
	if err != nil {
		t.Fatalf("BroadcastEntries(%d): %v", id, err)
	}
	m := map[int64]storage.OutboxEntry{}
	for _, e := range list {
		m[e.ChatID] = e
	}
	return m
}

func checkFigures(t *testing.T, b storage.Broadcast, sent, failed, skipped int, state storage.BroadcastState) {
	t.Helper()
	if b.Sent != sent || b.Failed != failed || b.Skipped != skipped || b.Left() != 0 || b.State != state {
		t.Errorf("broadcast %d: sent %d failed %d skipped %d left %d state %s; want %d %d %d 0 %s",
			b.ID, b.Sent, b.Failed, b.Skipped, b.Left(), b.State, sent, failed, skipped, state)
	}
}

func pendingCount(t *testing.T, s *storage.Store) int {
	t.Helper()
	n, err := s.OutboxPendingCount(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// ---- tests ----

func TestSenderDeliversEveryEntryOnce(t *testing.T) {
	s := newStore(t)
	fake := newFakeTelegram()
	chats := ids(100, 30)
	addUsers(t, s, chats...)
	b := createBroadcast(t, s, users(chats...))

	stop := startSender(t, s, fake, scheduler.SenderConfig{Rate: 200})
	fake.waitDelivered(t, chats...)
	stop()

	calls := fake.sends()
	if len(calls) != len(chats) {
		t.Errorf("%d sends for %d recipients:%s", len(calls), len(chats), describeCalls(calls))
	}
	got := entries(t, s, b.ID)
	for _, c := range chats {
		d := to(calls, c)
		if len(d) != 1 {
			t.Errorf("chat %d got %d sends, want 1", c, len(d))
			continue
		}
		if !reflect.DeepEqual(d[0].Content, source) {
			t.Errorf("chat %d got %+v, want a copy of %+v", c, d[0].Content, source)
		}
		e := got[c]
		if e.State != storage.OutboxSent || e.MessageID != d[0].MsgID || e.SentAt.IsZero() || e.Attempts != 1 {
			t.Errorf("entry for %d: state %s message %d sent at %v attempts %d; want sent, message %d, 1 attempt",
				c, e.State, e.MessageID, e.SentAt, e.Attempts, d[0].MsgID)
		}
	}
	fin := mustBroadcast(t, s, b.ID)
	checkFigures(t, fin, len(chats), 0, 0, storage.BroadcastDone)
	if fin.FinishedAt.IsZero() {
		t.Error("FinishedAt not set on a done broadcast")
	}
	if n := pendingCount(t, s); n != 0 {
		t.Errorf("%d entries still pending", n)
	}
}

func TestSenderKeepsOverallRate(t *testing.T) {
	s := newStore(t)
	fake := newFakeTelegram()
	const rate = 20
	chats := ids(100, 11)
	addUsers(t, s, chats...)
	createBroadcast(t, s, users(chats...))

	stop := startSender(t, s, fake, scheduler.SenderConfig{Rate: rate})
	fake.waitDelivered(t, chats...)
	stop()

	calls := fake.sends()
	slices.SortFunc(calls, func(a, b sendCall) int { return a.Start.Compare(b.Start) })
	// The first LimiterBurst sends go at once, each next one 1/rate later.
	minSpan := time.Duration(float64(len(calls)-telegram.LimiterBurst) / rate * float64(time.Second))
	if span := calls[len(calls)-1].Start.Sub(calls[0].Start); span < minSpan-5*time.Millisecond {
		t.Errorf("%d sends in %v; at %d/s they need at least %v", len(calls), span, rate, minSpan)
	}
}

func TestSenderSpacesMessagesToOnePrivateChat(t *testing.T) {
	s := newStore(t)
	fake := newFakeTelegram()
	const chat = 100
	addUsers(t, s, chat)
	var notices []storage.OutboxEntry
	for i := range 3 {
		notices = append(notices, storage.OutboxEntry{
			ChatID: chat, UserID: chat,
			Content: storage.Content{Text: fmt.Sprintf("notice %d", i)},
			Origin:  storage.Origin{Kind: storage.OriginNotice, Key: fmt.Sprintf("n%d", i)},
		})
	}
	if err := s.Enqueue(context.Background(), notices); err != nil {
		t.Fatal(err)
	}

	// The default pacer lets a private chat have short bursts (3 in any
	// 3 s); a pacer with burst 1 holds it to one a second, strictly.
	stop := startSender(t, s, fake, scheduler.SenderConfig{Rate: 100, Pacer: telegram.NewPacer(1, 20)})
	fake.wait(t, "3 notices", func(calls []sendCall, _ int) bool { return len(delivered(calls, chat)) == 3 })
	stop()

	calls := to(fake.sends(), chat)
	if len(calls) != 3 {
		t.Fatalf("%d sends, want 3:%s", len(calls), describeCalls(calls))
	}
	for i, c := range calls {
		if want := fmt.Sprintf("notice %d", i); c.Content.Text != want {
			t.Errorf("send %d is %q, want %q (enqueue order)", i, c.Content.Text, want)
		}
		if i > 0 {
			if gap := c.Start.Sub(calls[i-1].Start); gap < time.Second {
				t.Errorf("send %d came %v after the previous one to the same private chat; want ≥ 1 s", i, gap)
			}
		}
	}
}

// TestSenderSpacesMessagesToAGroup: bulk sends never burst to a group:
// one every minute ÷ its per-minute limit (a pacer of 60 a minute here,
// so one a second; Telegram's 20 make it one every 3 s). The per-minute
// window itself is the pacer's (telegram.TestGroupTwentyAMinute).
func TestSenderSpacesMessagesToAGroup(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	fake := newFakeTelegram()
	const group = -100
	if err := s.PutGroup(ctx, storage.Group{ChatID: group, Title: "Школа 1", Active: true}); err != nil {
		t.Fatal(err)
	}
	var notices []storage.OutboxEntry
	for i := range 3 {
		notices = append(notices, storage.OutboxEntry{
			ChatID: group, Content: storage.Content{Text: fmt.Sprintf("group notice %d", i)},
			Origin: storage.Origin{Kind: storage.OriginNotice, Key: fmt.Sprintf("g%d", i)},
		})
	}
	if err := s.Enqueue(ctx, notices); err != nil {
		t.Fatal(err)
	}

	stop := startSender(t, s, fake, scheduler.SenderConfig{Rate: 1000, Pacer: telegram.NewPacer(3, 60)})
	fake.wait(t, "3 group sends", func(calls []sendCall, _ int) bool { return len(delivered(calls, group)) == 3 })
	stop()

	calls := to(fake.sends(), group)
	for i := 1; i < len(calls); i++ {
		if gap := calls[i].Start.Sub(calls[i-1].Start); gap < time.Second {
			t.Errorf("group send %d came %v after the previous one; want ≥ 1 s", i, gap)
		}
	}
}

// timedTelegram records each Send's start and end around another Telegram.
type timedTelegram struct {
	scheduler.Telegram
	mu      sync.Mutex
	calls   []sendCall
	changed chan struct{} // closed and replaced after each call
}

func newTimedTelegram(tg scheduler.Telegram) *timedTelegram {
	return &timedTelegram{Telegram: tg, changed: make(chan struct{})}
}

func (r *timedTelegram) Send(ctx context.Context, chatID int64, c storage.Content, paid bool) (int, error) {
	start := time.Now()
	id, err := r.Telegram.Send(ctx, chatID, c, paid)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, sendCall{Chat: chatID, Content: c, Start: start, End: time.Now(), MsgID: id, Err: err})
	close(r.changed)
	r.changed = make(chan struct{})
	return id, err
}

func (r *timedTelegram) sends() []sendCall {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.calls)
}

// waitDelivered waits until every chat got a delivered send.
func (r *timedTelegram) waitDelivered(t *testing.T, chats ...int64) {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		r.mu.Lock()
		calls, changed := slices.Clone(r.calls), r.changed
		r.mu.Unlock()
		missing := 0
		for _, c := range chats {
			if len(delivered(calls, c)) == 0 {
				missing++
			}
		}
		if missing == 0 {
			return
		}
		select {
		case <-changed:
		case <-timeout:
			t.Fatalf("%d chats got nothing in 10 s:%s", missing, describeCalls(calls))
		}
	}
}

// TestSender429PausesAllSends sends through the real gateway to the
// emulator, which answers one send with 429 retry_after 1: every send
// after it waits the second (the gateway pauses the shared limiter), the
// entry is sent again, and the 429 does not count among its attempts.
func TestSender429PausesAllSends(t *testing.T) {
	for _, tc := range []struct {
		name    string
		workers int
	}{
		{"idle workers", 0},
		// One worker: the next entry waits for it while the 429 comes back,
		// and must still respect the pause.
		{"one worker", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			s := newStore(t)
			emu := telegramtest.New()
			defer emu.Close()
			const a = 100
			chats := append([]int64{a}, ids(101, 9)...)
			addUsers(t, s, chats...)
			for _, c := range chats {
				emu.AddChat(telegramtest.Chat{ID: c, Type: telegramtest.ChatPrivate})
			}
			source := emu.SendText(telegramtest.User{ID: authorID, FirstName: "Автор"}, "Объявление")
			b, err := s.CreateBroadcast(ctx, storage.Broadcast{AuthorID: authorID, AuthorChat: authorID, Lang: "ru",
				SourceChat: source.ChatID, SourceMessage: source.ID}, users(chats...), nil)
			if err != nil {
				t.Fatal(err)
			}
			emu.FailNext("copyMessage", a, telegramtest.TooManyRequests(1), 1)
			gw, err := telegram.New(telegram.Config{Token: telegramtest.Token, APIURL: emu.URL(), Rate: 100, Logger: slog.New(slog.DiscardHandler)})
			if err != nil {
				t.Fatal(err)
			}
			defer gw.Close()
			rec := newTimedTelegram(scheduler.Gateway{G: gw})

			stop := startSender(t, s, rec, scheduler.SenderConfig{Rate: 100, Workers: tc.workers, Limiter: gw.Limiter(), Pacer: gw.Pacer()})
			rec.waitDelivered(t, chats...)
			stop()

			calls := rec.sends()
			first := to(calls, a)[0]
			if telegram.ClassOf(first.Err) != telegram.ClassRetryAfter {
				t.Fatalf("first send to %d answered %v, want the scripted 429", a, first.Err)
			}
			after := 0
			for _, c := range calls {
				if c.Start.Before(first.End) {
					continue // in flight when the 429 came
				}
				after++
				if wait := c.Start.Sub(first.End); wait < time.Second-10*time.Millisecond {
					t.Errorf("send to %d started %v after the 429 (retry_after 1); want ≥ 1 s", c.Chat, wait)
				}
			}
			if after < 2 {
				t.Errorf("only %d sends after the 429; the test did not exercise the pause:%s", after, describeCalls(calls))
			}
			if n := len(emu.BotMessages(a)); n != 1 {
				t.Errorf("chat %d got %d messages, want exactly 1", a, n)
			}
			if e := entries(t, s, b.ID)[a]; e.State != storage.OutboxSent || e.Attempts != 1 {
				t.Errorf("entry for %d: state %s, %d attempts; want sent, the 429 not counted", a, e.State, e.Attempts)
			}
			checkFigures(t, mustBroadcast(t, s, b.ID), len(chats), 0, 0, storage.BroadcastDone)
		})
	}
}

func TestSenderDeactivatesUnreachableRecipients(t *testing.T) {
	for _, tc := range []struct {
		name   string
		err    error
		reason storage.Reason
	}{
		{"blocked", errBlocked, storage.ReasonBlocked},
		{"chat not found", errChatNotFound, storage.ReasonChatNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			s := newStore(t)
			fake := newFakeTelegram()
			const bad, good = 100, 101
			addUsers(t, s, bad, good)
			b := createBroadcast(t, s, users(bad, good))
			fake.fail(bad, tc.err)

			stop := startSender(t, s, fake, scheduler.SenderConfig{Rate: 100})
			fake.wait(t, "both sends", func(calls []sendCall, _ int) bool {
				return len(to(calls, bad)) == 1 && len(delivered(calls, good)) == 1
			})
			stop()

			if n := len(to(fake.sends(), bad)); n != 1 {
				t.Errorf("%d sends to %d, want 1 (no retry)", n, bad)
			}
			e := entries(t, s, b.ID)[bad]
			if e.State != storage.OutboxFailed || e.Reason != tc.reason {
				t.Errorf("entry for %d: %s %q, want failed %q", bad, e.State, e.Reason, tc.reason)
			}
			checkFigures(t, mustBroadcast(t, s, b.ID), 1, 1, 0, storage.BroadcastDone)
			for id, want := range map[int64]bool{bad: false, good: true} {
				u, err := s.User(ctx, id)
				if err != nil {
					t.Fatal(err)
				}
				if u.Active != want {
					t.Errorf("user %d Active = %v, want %v", id, u.Active, want)
				}
			}
			next, err := s.AudienceRecipients(ctx, storage.Audience{Kind: storage.AudienceAllTeachers}, authorID)
			if err != nil {
				t.Fatal(err)
			}
			if want := users(good); !slices.Equal(next, want) {
				t.Errorf("next broadcast's audience = %v, want %v", next, want)
			}
		})
	}
}

func TestSenderDeactivatesAGroupThatKickedTheBot(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	fake := newFakeTelegram()
	org, err := s.CreateOrganisation(ctx, storage.Organisation{Name: "Школа 1", Kind: storage.KindSchool})
	if err != nil {
		t.Fatal(err)
	}
	const group = -100
	if err := s.PutGroup(ctx, storage.Group{ChatID: group, Title: "Школа 1", OrgID: org, Active: true}); err != nil {
		t.Fatal(err)
	}
	b := createBroadcast(t, s, []storage.Recipient{{ChatID: group}})
	fake.fail(group, errKicked)

	stop := startSender(t, s, fake, scheduler.SenderConfig{Rate: 100})
	fake.wait(t, "the send to the group", func(calls []sendCall, _ int) bool { return len(to(calls, group)) == 1 })
	stop()

	if e := entries(t, s, b.ID)[group]; e.State != storage.OutboxFailed || e.Reason != storage.ReasonBlocked {
		t.Errorf("entry: %s %q, want failed %q", e.State, e.Reason, storage.ReasonBlocked)
	}
	g, err := s.Group(ctx, group)
	if err != nil {
		t.Fatal(err)
	}
	if g.Active {
		t.Error("group still active after the bot was kicked")
	}
	next, err := s.AudienceRecipients(ctx, storage.Audience{Kind: storage.AudienceOrgs, OrgIDs: []int64{org}}, authorID)
	if err != nil {
		t.Fatal(err)
	}
	if len(next) != 0 {
		t.Errorf("next broadcast's audience = %v, want none", next)
	}
}

func TestSenderRetriesServerErrors(t *testing.T) {
	timeout := fmt.Errorf("scheduler: copyMessage to 100: %w", context.DeadlineExceeded)
	for _, tc := range []struct {
		name     string
		script   []error
		state    storage.OutboxState
		reason   storage.Reason
		attempts int
	}{
		{"gives up after MaxAttempts", []error{errServer, errServer, errServer, errServer}, storage.OutboxFailed, storage.ReasonServer, 3},
		{"5xx then recovers", []error{errServer}, storage.OutboxSent, storage.ReasonServer, 2},
		{"timeouts then recovers", []error{timeout, timeout}, storage.OutboxSent, storage.ReasonServer, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			s := newStore(t)
			fake := newFakeTelegram()
			const chat = 100
			addUsers(t, s, chat)
			b := createBroadcast(t, s, users(chat))
			fake.fail(chat, tc.script...)
			const backoff = 10 * time.Millisecond

			stop := startSender(t, s, fake, scheduler.SenderConfig{Rate: 100, Backoff: telegram.Backoff{First: backoff}, MaxAttempts: 3})
			fake.wait(t, fmt.Sprintf("%d tries", tc.attempts), func(calls []sendCall, _ int) bool {
				return len(to(calls, chat)) == tc.attempts
			})
			stop()

			calls := to(fake.sends(), chat)
			if len(calls) != tc.attempts {
				t.Fatalf("%d tries, want %d:%s", len(calls), tc.attempts, describeCalls(calls))
			}
			for i := 1; i < len(calls); i++ {
				want := backoff << (i - 1)
				if gap := calls[i].Start.Sub(calls[i-1].End); gap < want {
					t.Errorf("try %d came %v after try %d failed; want a backoff ≥ %v", i+1, gap, i, want)
				}
			}
			e := entries(t, s, b.ID)[chat]
			if e.State != tc.state || e.Attempts != tc.attempts {
				t.Errorf("entry: %s after %d attempts, want %s after %d", e.State, e.Attempts, tc.state, tc.attempts)
			}
			if tc.state == storage.OutboxFailed {
				if e.Reason != tc.reason {
					t.Errorf("reason %q, want %q", e.Reason, tc.reason)
				}
				checkFigures(t, mustBroadcast(t, s, b.ID), 0, 1, 0, storage.BroadcastDone)
			} else {
				if e.MessageID != calls[len(calls)-1].MsgID {
					t.Errorf("message id %d, want %d", e.MessageID, calls[len(calls)-1].MsgID)
				}
				checkFigures(t, mustBroadcast(t, s, b.ID), 1, 0, 0, storage.BroadcastDone)
			}
			if u, err := s.User(ctx, chat); err != nil || !u.Active {
				t.Errorf("user after server errors: active %v, %v; want still active", u.Active, err)
			}
		})
	}
}

func TestSenderFollowsGroupMigration(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	fake := newFakeTelegram()
	org, err := s.CreateOrganisation(ctx, storage.Organisation{Name: "Гимназия 2", Kind: storage.KindSchool})
	if err != nil {
		t.Fatal(err)
	}
	const oldID, newID = -100, -1000000000100
	if err := s.PutGroup(ctx, storage.Group{ChatID: oldID, Title: "Гимназия 2 — учителя", OrgID: org, Active: true}); err != nil {
		t.Fatal(err)
	}
	b := createBroadcast(t, s, []storage.Recipient{{ChatID: oldID}})
	migrated := telegram.NewError("copyMessage", telegram.ClassMigrated, errors.New("bad request: group chat was upgraded to a supergroup chat"))
	migrated.MigrateTo = newID
	fake.fail(oldID, migrated)

	stop := startSender(t, s, fake, scheduler.SenderConfig{Rate: 100})
	fake.waitDelivered(t, newID)
	stop()

	calls := fake.sends()
	if len(to(calls, oldID)) != 1 || len(to(calls, newID)) != 1 {
		t.Errorf("sends: %s; want one to the old id, then one to the new", describeCalls(calls))
	}
	e := entries(t, s, b.ID)[newID]
	if e.State != storage.OutboxSent || e.ChatID != newID {
		t.Errorf("entry: %s to %d, want sent to %d", e.State, e.ChatID, newID)
	}
	checkFigures(t, mustBroadcast(t, s, b.ID), 1, 0, 0, storage.BroadcastDone)
	if _, err := s.Group(ctx, oldID); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("Group(old id): %v, want ErrNotFound", err)
	}
	g, err := s.Group(ctx, newID)
	if err != nil {
		t.Fatalf("Group(new id): %v", err)
	}
	if g.OrgID != org || !g.Active || g.Title != "Гимназия 2 — учителя" {
		t.Errorf("migrated group = %+v, want the same title, organisation and active", g)
	}
	next, err := s.AudienceRecipients(ctx, storage.Audience{Kind: storage.AudienceOrgs, OrgIDs: []int64{org}}, authorID)
	if err != nil {
		t.Fatal(err)
	}
	if want := []storage.Recipient{{ChatID: newID}}; !slices.Equal(next, want) {
		t.Errorf("next audience = %v, want %v", next, want)
	}
}

func TestSenderSkipsInactiveRecipients(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	fake := newFakeTelegram()
	const gone, here = 100, 101
	addUsers(t, s, gone, here)
	// Enqueued while active; blocked the bot before the sender got to it.
	b := createBroadcast(t, s, users(gone, here))
	if err := s.SetUserActive(ctx, gone, false); err != nil {
		t.Fatal(err)
	}

	stop := startSender(t, s, fake, scheduler.SenderConfig{Rate: 100})
	// The inactive entry comes first, so once the second is delivered the
	// first was handled; stop waits for it to be recorded.
	fake.waitDelivered(t, here)
	stop()

	if n := len(to(fake.sends(), gone)); n != 0 {
		t.Errorf("%d sends to an inactive recipient, want 0", n)
	}
	if e := entries(t, s, b.ID)[gone]; e.State != storage.OutboxSkipped || e.Reason != storage.ReasonInactive {
		t.Errorf("entry: %s %q, want skipped %q", e.State, e.Reason, storage.ReasonInactive)
	}
	checkFigures(t, mustBroadcast(t, s, b.ID), 1, 0, 1, storage.BroadcastDone)
}

func TestSenderStopsAStoppedBroadcast(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	fake := newFakeTelegram()
	chats := ids(100, 20)
	addUsers(t, s, chats...)
	const late = 500
	addUsers(t, s, late)
	b := createBroadcast(t, s, users(chats...))

	// The coordinator presses Stop while the 5th message is on its way.
	const stopAt = 5
	stopped := make(chan storage.Broadcast, 1)
	fake.onSend = func(n int, _ int64) {
		if n == stopAt {
			sb, err := s.StopBroadcast(ctx, b.ID)
			if err != nil {
				t.Errorf("StopBroadcast: %v", err)
			}
			stopped <- sb
		}
	}

	stop := startSender(t, s, fake, scheduler.SenderConfig{Rate: 1000, Workers: 1})
	var sb storage.Broadcast
	select {
	case sb = <-stopped:
	case <-time.After(15 * time.Second):
		t.Fatal("the broadcast was never stopped")
	}
	if sb.State != storage.BroadcastStopped {
		t.Errorf("StopBroadcast returned state %s", sb.State)
	}
	// A later notice has a higher id than every entry of the broadcast: once
	// it is delivered, the sender has been past all of them.
	err := s.Enqueue(ctx, []storage.OutboxEntry{{ChatID: late, UserID: late, Content: storage.Content{Text: "later"},
		Origin: storage.Origin{Kind: storage.OriginNotice, Key: "late"}}})
	if err != nil {
		t.Fatal(err)
	}
	fake.waitDelivered(t, late)
	stop()

	calls := fake.sends()
	got := entries(t, s, b.ID)
	sent := 0
	for _, c := range chats {
		d := delivered(calls, c)
		e := got[c]
		switch {
		case len(d) > 1:
			t.Errorf("chat %d got %d deliveries", c, len(d))
		case len(d) == 1:
			sent++
			if e.State != storage.OutboxSent {
				t.Errorf("chat %d got the message but its entry says %s %q", c, e.State, e.Reason)
			}
		case e.State != storage.OutboxSkipped || e.Reason != storage.ReasonStopped:
			t.Errorf("chat %d: entry %s %q, want skipped %q", c, e.State, e.Reason, storage.ReasonStopped)
		}
	}
	if sent != stopAt {
		t.Errorf("%d recipients got the broadcast, want the %d sent before and while it was stopped", sent, stopAt)
	}
	checkFigures(t, mustBroadcast(t, s, b.ID), sent, 0, len(chats)-sent, storage.BroadcastStopped)
}

func TestSenderRecordsInFlightSendsOnShutdown(t *testing.T) {
	s := newStore(t)
	fake := newFakeTelegram()
	fake.slow(0, 300*time.Millisecond)
	chats := ids(100, 4)
	addUsers(t, s, chats...)
	b := createBroadcast(t, s, users(chats...))

	stop := startSender(t, s, fake, scheduler.SenderConfig{Rate: 1000, Workers: 4})
	fake.wait(t, "4 sends in flight", func(_ []sendCall, started int) bool { return started == 4 })
	stop() // cancels Run while all four are in flight; returns when Run does

	calls := fake.sends()
	if len(calls) != 4 {
		t.Fatalf("%d sends finished before Run returned, want 4", len(calls))
	}
	got := entries(t, s, b.ID)
	for _, c := range calls {
		if c.Err != nil || c.CtxErr != nil {
			t.Errorf("send to %d: %v, context %v; shutdown must not cut sends short", c.Chat, c.Err, c.CtxErr)
		}
		if e := got[c.Chat]; e.State != storage.OutboxSent || e.MessageID != c.MsgID {
			t.Errorf("entry for %d: %s message %d, want sent message %d", c.Chat, e.State, e.MessageID, c.MsgID)
		}
	}
	if n := pendingCount(t, s); n != 0 {
		t.Errorf("%d entries left pending after Run returned", n)
	}
	checkFigures(t, mustBroadcast(t, s, b.ID), 4, 0, 0, storage.BroadcastDone)
}

// A pass reads pending entries in a batch and dispatches them one by one;
// an entry that was in flight when the batch was read can finish before
// the pass reaches it, and must not be sent again.
func TestSenderDoesNotResendAnEntryThatFinishedDuringAPass(t *testing.T) {
	s := newStore(t)
	fake := newFakeTelegram()
	// Groups, so that no one-a-second gap of a private chat hides the
	// problem.
	failing := []int64{-1, -2, -3, -4}
	const slowChat = -200
	var recipients []storage.Recipient
	for _, g := range append(slices.Clone(failing), slowChat) {
		recipients = append(recipients, storage.Recipient{ChatID: g})
	}
	b := createBroadcast(t, s, recipients)
	for _, c := range failing {
		fake.fail(c, errServer, errServer, errServer)
	}
	fake.slow(slowChat, 60*time.Millisecond)

	// At 25/s, retrying the four failing entries keeps the next pass busy
	// for 160 ms, while the slow send, in flight when that pass read the
	// outbox, finishes after 60 ms.
	stop := startSender(t, s, fake, scheduler.SenderConfig{Rate: 25, Backoff: telegram.Backoff{First: 10 * time.Millisecond}, MaxAttempts: 3})
	fake.wait(t, "every try", func(calls []sendCall, _ int) bool {
		for _, c := range failing {
			if len(to(calls, c)) < 3 {
				return false
			}
		}
		return len(delivered(calls, slowChat)) > 0
	})
	stop()

	calls := fake.sends()
	if n := len(to(calls, slowChat)); n != 1 {
		t.Errorf("chat %d got %d sends, want 1:%s", slowChat, n, describeCalls(calls))
	}
	for _, c := range failing {
		if n := len(to(calls, c)); n != 3 {
			t.Errorf("chat %d tried %d times, want MaxAttempts = 3", c, n)
		}
	}
	checkFigures(t, mustBroadcast(t, s, b.ID), 1, 4, 0, storage.BroadcastDone)
}
