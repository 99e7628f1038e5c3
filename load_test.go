package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"vmeste/storage"
	"vmeste/telegramtest"
)

// Load tests: the whole program against an emulator that enforces
// Telegram's limits, as many users at once would use it. They take
// minutes, so -short leaves them out; .ci/run runs them in a step of
// their own (see README).

// telegramLimits are Telegram's: about 30 messages a second overall, one a
// second to a private chat with short bursts, twenty a minute to a group.
var telegramLimits = telegramtest.Limits{Global: 30, PerChat: 1, PerChatBurst: 3, PerGroupPerMinute: 20}

// defaultRate is VMESTE_RATE's default, as a real start reads it.
const defaultRate = 28

func skipLoadInShort(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("a load test: run without -short (see README)")
	}
}

// TestLoadFiveHundredStartAtOnce: 500 new users send /start at the same
// moment. Every one gets the welcome, once, and the last within
// 500 ÷ 30 + 5 s.
func TestLoadFiveHundredStartAtOnce(t *testing.T) {
	skipLoadInShort(t)
	t.Parallel()
	emu := telegramtest.New(telegramtest.WithRateLimits(telegramLimits))
	defer emu.Close()
	newApp(t, emu, defaultRate, nil)

	const n = 500
	deadline := n*time.Second/30 + 5*time.Second
	users := make([]telegramtest.User, n)
	for i := range users {
		users[i] = telegramtest.User{ID: 700_000 + int64(i), FirstName: "Учитель", LanguageCode: "ru"}
	}
	start := time.Now()
	for _, u := range users {
		emu.SendText(u, "/start")
	}
	ctx, cancel := context.WithDeadline(context.Background(), start.Add(deadline))
	defer cancel()
	var (
		mu   sync.Mutex
		last time.Duration
		lost []int64
		wg   sync.WaitGroup
	)
	for _, u := range users {
		wg.Go(func() {
			_, err := emu.WaitBotMessage(ctx, u.ID, telegramtest.Contains("Выберите язык"))
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				lost = append(lost, u.ID)
				return
			}
			last = max(last, time.Since(start))
		})
	}
	wg.Wait()
	if len(lost) > 0 {
		t.Fatalf("%d of %d users got no welcome within %v (e.g. %v)", len(lost), n, deadline, lost[:min(5, len(lost))])
	}
	for _, u := range users {
		if got := len(emu.BotMessages(u.ID)); got != 1 {
			t.Errorf("user %d got %d messages, want the one welcome", u.ID, got)
		}
	}
	t.Logf("500 × /start: the last welcome after %v (limit %v); 429s: %d", last.Round(time.Millisecond), deadline, emu.RateViolations())
}

// TestLoadFiftyMessagesASecond: registered teachers send 50 messages a
// second for a minute (each opens an event's card by its link, as from an
// announcement), more than Telegram lets the bot answer (30 a second).
// Every message is answered, each chat in the order its messages were
// sent.
func TestLoadFiftyMessagesASecond(t *testing.T) {
	skipLoadInShort(t)
	t.Parallel()
	const (
		teachers = 100
		perSec   = 50
		duration = 60 * time.Second
		events   = 30
	)
	emu := telegramtest.New(telegramtest.WithRateLimits(telegramLimits))
	defer emu.Close()
	var users []telegramtest.User
	var eventIDs []int64
	newApp(t, emu, defaultRate, func(ctx context.Context, s *storage.Store) {
		org := mustOrg(ctx, t, s, appSchool)
		seedStaff(ctx, t, s, emu, org)
		users = seedUsers(ctx, t, s, emu, 40_000, teachers, org)
		for i := range events {
			e, err := s.CreateEvent(ctx, storage.Event{Title: fmt.Sprintf("Конкурс №%d", i+1), Kind: storage.EventContest,
				Start: time.Now().Add(30 * 24 * time.Hour), Place: "ЦРТДиЮ", Organisers: []int64{org},
				Unit: storage.UnitIndividual, Status: storage.EventPublished, CreatedBy: appCoord.ID})
			if err != nil {
				t.Fatal(err)
			}
			eventIDs = append(eventIDs, e.ID)
		}
	})

	// Each teacher asks for a different sequence of events, one message
	// every teachers/perSec seconds.
	asked := make(map[int64][]string, teachers)
	tick := time.NewTicker(time.Second / perSec)
	defer tick.Stop()
	total := int(duration.Seconds()) * perSec
	start := time.Now()
	for i := range total {
		<-tick.C
		u := users[i%teachers]
		k := (i/teachers + int(u.ID)) % events
		emu.SendText(u, fmt.Sprintf("/start e%d", eventIDs[k]))
		asked[u.ID] = append(asked[u.ID], fmt.Sprintf("Конкурс №%d", k+1))
	}
	sent := time.Since(start)

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	for _, u := range users {
		want := asked[u.ID]
		for {
			got := cardTitles(emu.BotMessages(u.ID))
			if len(got) >= len(want) {
				if !slices.Equal(got, want) {
					t.Fatalf("teacher %d: replies out of order or wrong:\n got %v\nwant %v", u.ID, got, want)
				}
				break
			}
			if _, err := emu.WaitBotMessageAfter(ctx, u.ID, emu.Version(), func(telegramtest.Message) bool { return true }); err != nil {
				t.Fatalf("teacher %d: %d of %d answered when the wait ran out: %v", u.ID, len(got), len(want), err)
			}
		}
	}
	t.Logf("%d messages sent in %v, all answered in order after %v; 429s: %d", total, sent.Round(time.Millisecond),
		time.Since(start).Round(time.Millisecond), emu.RateViolations())
}

// TestLoadReplyAfterRetryAfter30: Telegram answers a reply 429 with
// retry_after 30. The reply is not dropped: it arrives after the wait, once.
func TestLoadReplyAfterRetryAfter30(t *testing.T) {
	skipLoadInShort(t)
	t.Parallel()
	emu := telegramtest.New(telegramtest.WithRateLimits(telegramLimits))
	defer emu.Close()
	var teacher telegramtest.User
	newApp(t, emu, defaultRate, func(ctx context.Context, s *storage.Store) {
		teacher = seedUsers(ctx, t, s, emu, 60_000, 1, mustOrg(ctx, t, s, appSchool))[0]
	})
	emu.FailNext("sendMessage", teacher.ID, telegramtest.TooManyRequests(30), 1)
	sent := time.Now()
	emu.SendText(teacher, "/help")
	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Second)
	defer cancel()
	if _, err := emu.WaitBotMessage(ctx, teacher.ID, telegramtest.Contains("/events")); err != nil {
		t.Fatalf("no reply after a 429 with retry_after 30: %v", err)
	}
	if waited := time.Since(sent); waited < 30*time.Second {
		t.Errorf("the reply came %v after the 429, before its retry_after of 30 s", waited)
	}
	if n := len(emu.BotMessages(teacher.ID)); n != 1 {
		t.Errorf("%d messages, want the one reply", n)
	}
	if n := emu.Injected429(); n != 1 {
		t.Errorf("%d injected 429s answered, want 1", n)
	}
}

// cardTitles are the event titles of the cards among msgs, in order.
func cardTitles(msgs []telegramtest.Message) []string {
	var titles []string
	for _, m := range msgs {
		text := m.PlainText()
		if i := strings.Index(text, "Конкурс №"); i >= 0 {
			title := text[i:]
			if j := strings.IndexAny(title, "»\n"); j >= 0 {
				title = title[:j]
			}
			titles = append(titles, title)
		}
	}
	return titles
}

// TestReplyLatencyDuringBroadcast: while an announcement to 10,000
// teachers goes out at the full rate, a user's reply waits at most 2 s
// (p95): replies go ahead of bulk sends.
func TestReplyLatencyDuringBroadcast(t *testing.T) {
	skipLoadInShort(t)
	t.Parallel()
	lat, broadcastSent := replyLatencyDuringBroadcast(t, 40)
	p95 := percentile(lat, 0.95)
	t.Logf("reply latency during a broadcast to 10,000: p50 %v, p95 %v, max %v; %d copies delivered meanwhile",
		percentile(lat, 0.5), p95, percentile(lat, 1), broadcastSent)
	if p95 > 2*time.Second {
		t.Errorf("p95 reply latency %v during the broadcast, want at most 2 s", p95)
	}
	if broadcastSent == 0 {
		t.Error("no copy was delivered while the replies were measured: the broadcast did not run")
	}
}

// BenchmarkReplyLatencyDuringBroadcast measures the same: it reports the
// p95 (and p50) of the time from a user's /help to the bot's answer, while
// a broadcast to 10,000 runs at 28/s against Telegram's limits.
func BenchmarkReplyLatencyDuringBroadcast(b *testing.B) {
	var all []time.Duration
	for range b.N {
		lat, _ := replyLatencyDuringBroadcast(b, 40)
		all = append(all, lat...)
	}
	b.ReportMetric(float64(percentile(all, 0.95))/float64(time.Millisecond), "p95_ms")
	b.ReportMetric(float64(percentile(all, 0.5))/float64(time.Millisecond), "p50_ms")
}

// replyLatencyDuringBroadcast starts the app with a broadcast to 10,000
// teachers under way and asks /help asks times, one after another from
// ten askers; it returns each reply's latency and how many copies were
// delivered while it asked.
func replyLatencyDuringBroadcast(tb testing.TB, asks int) ([]time.Duration, int) {
	const recipients = 10_000
	emu := telegramtest.New(telegramtest.WithRateLimits(telegramLimits))
	defer emu.Close()
	var askers []telegramtest.User
	a := newApp(tb, emu, defaultRate, func(ctx context.Context, s *storage.Store) {
		org := mustOrg(ctx, tb, s, appSchool)
		seedStaff(ctx, tb, s, emu, org)
		teachers := seedUsers(ctx, tb, s, emu, 100_000, recipients, org)
		askers = teachers[:10]
		src := emu.SendText(appCoord, "Внимание! Завтра методическое объединение в 15:00.")
		recips, err := s.AudienceRecipients(ctx, storage.Audience{Kind: storage.AudienceAllTeachers}, appCoord.ID)
		if err != nil {
			tb.Fatal(err)
		}
		_, err = s.CreateBroadcast(ctx, storage.Broadcast{AuthorID: appCoord.ID, AuthorChat: appCoord.ID, Lang: "ru",
			Audience: storage.Audience{Kind: storage.AudienceAllTeachers}, SourceChat: src.ChatID, SourceMessage: src.ID}, recips, nil)
		if err != nil {
			tb.Fatal(err)
		}
	})
	// Let the broadcast reach its full rate first.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := waitCopies(ctx, emu, 60); err != nil {
		tb.Fatal(err)
	}
	before := emu.Calls("copyMessage")
	lat := make([]time.Duration, 0, asks)
	pace := time.NewTicker(250 * time.Millisecond) // a user writes now and then, not in a loop
	defer pace.Stop()
	for i := range asks {
		<-pace.C
		u := askers[i%len(askers)]
		v := emu.Version()
		sent := time.Now()
		emu.SendText(u, "/help")
		if _, err := emu.WaitBotMessageAfter(ctx, u.ID, v, telegramtest.Contains("/events")); err != nil {
			tb.Fatalf("ask %d: no reply: %v", i, err)
		}
		lat = append(lat, time.Since(sent))
	}
	delivered := emu.Calls("copyMessage") - before
	a.stop()
	return lat, delivered
}

// waitCopies waits until the emulator has seen n copyMessage calls.
func waitCopies(ctx context.Context, emu *telegramtest.Server, n int) error {
	for emu.Calls("copyMessage") < n {
		select {
		case <-ctx.Done():
			return fmt.Errorf("only %d copies: %w", emu.Calls("copyMessage"), ctx.Err())
		case <-time.After(20 * time.Millisecond): // a poll of a counter, not a wait for time
		}
	}
	return nil
}

func percentile(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	i := int(float64(len(s))*p+0.5) - 1
	return s[min(max(i, 0), len(s)-1)]
}

// TestOutageDuringBroadcastAndReminders: Telegram is unreachable for 90 s
// in the middle of an announcement to 300 teachers and while reminders
// fall due. Health says "degraded" meanwhile; afterwards everyone has the
// announcement and the due reminder, nothing failed or was given up,
// duplicates are at most the sends in flight, and the reminder of an
// event that started during the outage is skipped and logged.
func TestOutageDuringBroadcastAndReminders(t *testing.T) {
	skipLoadInShort(t)
	t.Parallel()
	const (
		teachers = 300
		outage   = 90 * time.Second
		inFlight = 8 // the sender's workers at the default rate
	)
	emu := telegramtest.New(telegramtest.WithRateLimits(telegramLimits))
	defer emu.Close()
	addr := freeAddr(t)
	var users []telegramtest.User
	var bcID int64
	seeded := time.Now()
	// The reminders fall due 20 s after the start, inside the outage. One
	// event starts after the outage (its reminder goes then), one during
	// it (its reminder is skipped).
	later, started := "Семинар «После перерыва»", "Семинар «Во время перерыва»"
	a := newApp(t, emu, defaultRate, func(ctx context.Context, s *storage.Store) {
		org := mustOrg(ctx, t, s, appSchool)
		seedStaff(ctx, t, s, emu, org)
		users = seedUsers(ctx, t, s, emu, 50_000, teachers, org)
		for _, ev := range []struct {
			title string
			start time.Time
		}{{later, seeded.Add(outage + 60*time.Second)}, {started, seeded.Add(50 * time.Second)}} {
			e, err := s.CreateEvent(ctx, storage.Event{Title: ev.title, Kind: storage.EventSeminar, Start: ev.start,
				Place: "ЦРТДиЮ", Organisers: []int64{org}, Unit: storage.UnitIndividual, Status: storage.EventPublished,
				CreatedBy: appCoord.ID, Reminders: []time.Duration{ev.start.Sub(seeded.Add(20 * time.Second))}})
			if err != nil {
				t.Fatal(err)
			}
			for _, u := range users[:20] {
				if _, err := s.Register(ctx, storage.SignUp{EventID: e.ID, UserID: u.ID}, seeded); err != nil {
					t.Fatal(err)
				}
			}
		}
		src := emu.SendText(appCoord, "Внимание! Олимпиада переносится на четверг.")
		recips, err := s.AudienceRecipients(ctx, storage.Audience{Kind: storage.AudienceAllTeachers}, appCoord.ID)
		if err != nil {
			t.Fatal(err)
		}
		bc, err := s.CreateBroadcast(ctx, storage.Broadcast{AuthorID: appCoord.ID, AuthorChat: appCoord.ID, Lang: "ru",
			Audience: storage.Audience{Kind: storage.AudienceAllTeachers}, SourceChat: src.ChatID, SourceMessage: src.ID}, recips, nil)
		if err != nil {
			t.Fatal(err)
		}
		bcID = bc.ID
	}, "-tick", "1s", "-http", addr)

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if err := waitCopies(ctx, emu, 100); err != nil {
		t.Fatal(err)
	}
	emu.SetOutage(telegramtest.Unreachable)
	down := time.Now()
	// Health turns degraded once a send and the probe fail.
	health := ""
	for !strings.HasPrefix(health, "503 degraded") {
		select {
		case <-ctx.Done():
			t.Fatalf("/healthz never said degraded during the outage; last %q", health)
		case <-time.After(100 * time.Millisecond): // a poll of the endpoint
		}
		health = getHealth(t, addr)
	}
	<-time.After(time.Until(down.Add(outage))) // Telegram stays down for the whole outage
	emu.SetOutage(telegramtest.NoOutage)

	// Everyone gets the announcement; the due reminder reaches its 20.
	for _, u := range users {
		if _, err := emu.WaitBotMessage(ctx, u.ID, isBroadcastCopy); err != nil {
			t.Fatalf("teacher %d: no announcement after the outage: %v", u.ID, err)
		}
	}
	for _, u := range users[:20] {
		if _, err := emu.WaitBotMessage(ctx, u.ID, telegramtest.Contains("Напоминание", "После перерыва")); err != nil {
			t.Fatalf("teacher %d: no reminder after the outage: %v", u.ID, err)
		}
	}
	// The report comes after the last entry is recorded.
	if _, err := emu.WaitBotMessage(ctx, appCoord.ID, telegramtest.Contains("Отчёт о рассылке")); err != nil {
		t.Fatalf("no report: %v", err)
	}
	// The poller's next call, no longer than its backoff (5 s) after the
	// outage, makes health whole again.
	for h := getHealth(t, addr); h != "200 ok"; h = getHealth(t, addr) {
		select {
		case <-ctx.Done():
			t.Fatalf("/healthz after the outage: %q", h)
		case <-time.After(100 * time.Millisecond): // a poll of the endpoint
		}
	}
	a.stop()

	dups, lost := 0, 0
	for _, u := range users {
		switch n := copies(emu, u.ID); {
		case n == 0:
			lost++
		case n > 1:
			dups += n - 1
		}
		n := countReminders(emu, u.ID)
		if n > 1 {
			dups += n - 1
		}
		for _, m := range emu.BotMessages(u.ID) {
			if strings.Contains(m.PlainText(), "Во время перерыва") {
				t.Errorf("teacher %d got the reminder of an event that started during the outage", u.ID)
			}
		}
	}
	if lost > 0 {
		t.Errorf("%d teachers never got the announcement", lost)
	}
	if dups > inFlight {
		t.Errorf("%d duplicates, want at most the %d sends in flight", dups, inFlight)
	}
	s, err := storage.Open(a.cfg.DB, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	bc, err := s.Broadcast(context.Background(), bcID)
	if err != nil {
		t.Fatal(err)
	}
	if bc.Failed != 0 || bc.Skipped != 0 || bc.Sent != bc.Total {
		t.Errorf("broadcast figures: %d of %d sent, %d failed, %d skipped; want all sent", bc.Sent, bc.Total, bc.Failed, bc.Skipped)
	}
	if !strings.Contains(a.logs.String(), "too late to send") {
		t.Error("the skipped reminder was not logged")
	}
	t.Logf("outage of %v: %d requests refused, %d duplicates, %d lost, %d given up; health during it: %q",
		outage, emu.OutageRefused(), dups, lost, bc.Failed, health)
}

// getHealth is "<status code> <body>" of GET /healthz at addr.
func getHealth(t *testing.T, addr string) string {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/healthz")
	if err != nil {
		return err.Error()
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return fmt.Sprintf("%d %s", resp.StatusCode, strings.TrimSpace(string(body)))
}
