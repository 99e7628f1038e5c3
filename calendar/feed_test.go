package calendar

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"vmeste/locales"
	"vmeste/storage"
)

// feedClock is the tests' clock, moved by hand.
type feedClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *feedClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *feedClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// feedWorld is a real store with the ГИБДД, two schools, a coordinator,
// two teachers and «Безопасное колесо» (Мария signed up) and «Весенняя
// неделя добра» (Ахмат signed up), served by a Handler.
type feedWorld struct {
	t       *testing.T
	store   *storage.Store
	clock   *feedClock
	h       *Handler
	contest storage.Event
	week    storage.Event
	// tokens of the users, by id.
	tokens map[int64]string
}

const (
	coordID  = 3001
	mariaID  = 2001
	akhmatID = 2002
	consentV = "c0ffee01"
)

func newFeedWorld(t *testing.T) *feedWorld {
	t.Helper()
	ctx := context.Background()
	clock := &feedClock{now: time.Date(2027, 3, 1, 9, 0, 0, 0, moscow)}
	store, err := storage.Open(filepath.Join(t.TempDir(), "vmeste.db"), storage.Options{Now: clock.Now, Location: moscow})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := store.Close(); err != nil {
			t.Error(err)
		}
	})
	var orgs []int64
	for _, o := range []storage.Organisation{
		{Name: "ОГИБДД МО МВД России «Эльбрусский»", ShortName: "ГИБДД", Kind: storage.KindTrafficPolice},
		{Name: "МКОУ «СОШ №1» г.п. Тырныауз", ShortName: "СОШ №1", Kind: storage.KindSchool},
		{Name: "МКОУ «СОШ №2»", ShortName: "СОШ №2", Kind: storage.KindSchool},
	} {
		id, err := store.CreateOrganisation(ctx, o)
		if err != nil {
			t.Fatal(err)
		}
		orgs = append(orgs, id)
	}
	consent := []storage.Consent{{Version: consentV, Given: true, At: clock.Now()}}
	for _, u := range []storage.User{
		{ID: coordID, ChatID: coordID, FullName: "Кодзоков Артур", OrgID: orgs[0], Role: storage.RoleCoordinator},
		{ID: mariaID, ChatID: mariaID, FullName: "Иванова Мария Петровна", OrgID: orgs[1], Role: storage.RoleTeacher},
		{ID: akhmatID, ChatID: akhmatID, FullName: "Кулиев Ахмат", OrgID: orgs[2], Role: storage.RoleTeacher, Lang: "en"},
	} {
		u.Registered, u.Active, u.Consents = true, true, consent
		if u.Lang == "" {
			u.Lang = "ru"
		}
		if err := store.PutUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	if err := store.SetRole(ctx, coordID, storage.RoleCoordinator); err != nil {
		t.Fatal(err)
	}
	mk := func(title string, kind storage.EventKind, start time.Time) storage.Event {
		e, err := store.CreateEvent(ctx, storage.Event{Title: title, Kind: kind, Start: start, Place: "ЦРТДиЮ",
			Organisers: []int64{orgs[0]}, Unit: storage.UnitIndividual, Status: storage.EventPublished,
			Reminders: storage.DefaultReminders(kind), CreatedBy: coordID})
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	w := &feedWorld{t: t, store: store, clock: clock, tokens: map[int64]string{},
		contest: mk("Безопасное колесо", storage.EventCompetition, time.Date(2027, 3, 15, 10, 0, 0, 0, moscow)),
		week:    mk("Весенняя неделя добра", storage.EventCampaign, time.Date(2027, 4, 5, 9, 0, 0, 0, moscow)),
	}
	for _, su := range []storage.SignUp{{EventID: w.contest.ID, UserID: mariaID}, {EventID: w.week.ID, UserID: akhmatID}} {
		if _, err := store.Register(ctx, su, clock.Now()); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range []int64{coordID, mariaID, akhmatID} {
		tok, err := store.CalendarToken(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		w.tokens[id] = tok
	}
	catalog, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	w.h = &Handler{Store: store, Catalog: catalog, Location: moscow, Bot: "vmeste_bot", ConsentVersion: consentV, Now: clock.Now}
	return w
}

// get asks the handler for path with the headers hdr (name, value…).
func (w *feedWorld) get(method, path string, hdr ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	rec := httptest.NewRecorder()
	w.h.ServeHTTP(rec, req)
	return rec
}

// feed gets the feed of token and parses it with the tests' reader.
func (w *feedWorld) feed(token string) (*httptest.ResponseRecorder, *icsComp) {
	w.t.Helper()
	rec := w.get(http.MethodGet, FeedPath+token+".ics")
	if rec.Code != http.StatusOK {
		w.t.Fatalf("GET feed: %d %s", rec.Code, rec.Body)
	}
	return rec, parseICS(w.t, rec.Body.String())
}

// vevent finds the VEVENT of eventID.
func vevent(t *testing.T, cal *icsComp, eventID int64) *icsComp {
	t.Helper()
	for _, ev := range cal.All("VEVENT") {
		if uid, _ := ev.Get("UID"); uid.Value == UID(eventID) {
			return ev
		}
	}
	return nil
}

func uids(cal *icsComp) []string {
	var out []string
	for _, ev := range cal.All("VEVENT") {
		uid, _ := ev.Get("UID")
		out = append(out, uid.Value)
	}
	return out
}

// TestFeedFollowsEditAndCancellation: Мария's feed lists her sign-up;
// the coordinator moves the contest (UpdateEvent, as the bot does): the
// entry has the new time, the same UID and a higher SEQUENCE, and a new
// ETag; the coordinator cancels it: STATUS:CANCELLED. A matching ETag gets
// 304 with no body.
func TestFeedFollowsEditAndCancellation(t *testing.T) {
	w := newFeedWorld(t)
	ctx := context.Background()
	rec, cal := w.feed(w.tokens[mariaID])
	if ct := rec.Header().Get("Content-Type"); ct != "text/calendar; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	if cc := rec.Header().Get("Cache-Control"); cc != "private, max-age=300" {
		t.Errorf("Cache-Control %q", cc)
	}
	lm, err := http.ParseTime(rec.Header().Get("Last-Modified"))
	if err != nil {
		t.Fatalf("Last-Modified %q: %v", rec.Header().Get("Last-Modified"), err)
	}
	etag1 := rec.Header().Get("ETag")
	if !strings.HasPrefix(etag1, `"`) || strings.HasPrefix(etag1, "W/") {
		t.Errorf("ETag %q is not a strong one", etag1)
	}
	if got := uids(cal); len(got) != 1 || got[0] != UID(w.contest.ID) {
		t.Fatalf("Мария's feed holds %v, want only her sign-up %s", got, UID(w.contest.ID))
	}
	ev := vevent(t, cal, w.contest.ID)
	start0, _ := ev.Get("DTSTART")
	seq0, _ := ev.Get("SEQUENCE")
	if s, _ := ev.Get("SUMMARY"); s.Text() != "Безопасное колесо" {
		t.Errorf("SUMMARY %q", s.Text())
	}
	if n, _ := cal.Get("X-WR-CALNAME"); n.Text() != "Вместе: мои мероприятия" {
		t.Errorf("the feed is not in Мария's Russian: %q", n.Text())
	}

	// The same feed asked again: 304, no body; by date as well.
	if r := w.get(http.MethodGet, FeedPath+w.tokens[mariaID]+".ics", "If-None-Match", etag1); r.Code != http.StatusNotModified || r.Body.Len() != 0 {
		t.Errorf("matching ETag: %d with %d bytes, want 304 and none", r.Code, r.Body.Len())
	}
	if r := w.get(http.MethodGet, FeedPath+w.tokens[mariaID]+".ics", "If-Modified-Since", lm.Format(http.TimeFormat)); r.Code != http.StatusNotModified {
		t.Errorf("If-Modified-Since the Last-Modified: %d, want 304", r.Code)
	}
	if r := w.get(http.MethodGet, FeedPath+w.tokens[mariaID]+".ics", "If-None-Match", `"other"`); r.Code != http.StatusOK {
		t.Errorf("another ETag: %d, want 200", r.Code)
	}
	if r := w.get(http.MethodHead, FeedPath+w.tokens[mariaID]+".ics"); r.Code != http.StatusOK || r.Body.Len() != 0 || r.Header().Get("ETag") != etag1 {
		t.Errorf("HEAD: %d, %d bytes, ETag %q", r.Code, r.Body.Len(), r.Header().Get("ETag"))
	}

	// The coordinator moves the contest to 16 March, 11:30.
	w.clock.advance(time.Hour)
	moved := w.contest
	moved.Start = time.Date(2027, 3, 16, 11, 30, 0, 0, moscow)
	if _, err := w.store.UpdateEvent(ctx, moved, nil, nil); err != nil {
		t.Fatal(err)
	}
	if r := w.get(http.MethodGet, FeedPath+w.tokens[mariaID]+".ics", "If-None-Match", etag1); r.Code != http.StatusOK {
		t.Fatalf("after the edit the old ETag got %d, want 200", r.Code)
	}
	rec, cal = w.feed(w.tokens[mariaID])
	etag2 := rec.Header().Get("ETag")
	if etag2 == etag1 {
		t.Errorf("the ETag did not change with the feed")
	}
	if lm2, _ := http.ParseTime(rec.Header().Get("Last-Modified")); !lm2.After(lm) {
		t.Errorf("Last-Modified %v did not move on from %v", lm2, lm)
	}
	ev = vevent(t, cal, w.contest.ID)
	if ev == nil {
		t.Fatalf("the moved event lost its UID: %v", uids(cal))
	}
	startP, _ := ev.Get("DTSTART")
	start, err := dateTime(startP)
	if err != nil || !start.Equal(moved.Start) || startP.Value == start0.Value {
		t.Errorf("DTSTART %s (%v), want %v", startP.Value, err, moved.Start)
	}
	seq1, _ := ev.Get("SEQUENCE")
	if a, b := atoi(t, seq0.Value), atoi(t, seq1.Value); b <= a {
		t.Errorf("SEQUENCE %d after the edit, was %d: it must grow", b, a)
	}

	// The coordinator cancels it: it stays, cancelled.
	w.clock.advance(time.Hour)
	if _, _, err := w.store.CancelEvent(ctx, w.contest.ID, nil); err != nil {
		t.Fatal(err)
	}
	rec, cal = w.feed(w.tokens[mariaID])
	if rec.Header().Get("ETag") == etag2 {
		t.Errorf("the ETag did not change with the cancellation")
	}
	ev = vevent(t, cal, w.contest.ID)
	if ev == nil {
		t.Fatalf("the cancelled event left the feed: a phone would keep it as it was")
	}
	if st, _ := ev.Get("STATUS"); st.Value != "CANCELLED" {
		t.Errorf("STATUS %q, want CANCELLED", st.Value)
	}
	seq2, _ := ev.Get("SEQUENCE")
	if atoi(t, seq2.Value) <= atoi(t, seq1.Value) {
		t.Errorf("SEQUENCE %s after cancelling, was %s", seq2.Value, seq1.Value)
	}
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatalf("%q: %v", s, err)
	}
	return n
}

// TestFeedRefusesOtherTokens: a made-up token, a malformed one, one made
// of a user's id in every form that could be guessed, a replaced token, a
// forgotten user's and one without consent all get the same 404, which
// names nobody; and two teachers' feeds never hold each other's events.
func TestFeedRefusesOtherTokens(t *testing.T) {
	w := newFeedWorld(t)
	ctx := context.Background()
	idBytes := make([]byte, 32)
	binary.BigEndian.PutUint64(idBytes, mariaID)
	forged := []string{
		strings.Repeat("A", 43),
		base64.RawURLEncoding.EncodeToString(idBytes),
		strconv.Itoa(mariaID),
		base64.RawURLEncoding.EncodeToString([]byte(strconv.Itoa(mariaID))),
		w.tokens[mariaID][:42],
		w.tokens[mariaID] + "A",
		strings.ToUpper(w.tokens[mariaID]),
		"../" + w.tokens[mariaID],
		"",
	}
	want404 := func(path, why string) {
		t.Helper()
		r := w.get(http.MethodGet, path)
		if r.Code != http.StatusNotFound || strings.TrimSpace(r.Body.String()) != "not found" {
			t.Errorf("%s (%s): %d %q, want 404 not found", why, path, r.Code, r.Body)
		}
		if strings.Contains(r.Body.String(), "Иванова") || strings.Contains(r.Body.String(), "VEVENT") {
			t.Errorf("%s: the 404 tells something: %q", why, r.Body)
		}
	}
	for _, tok := range forged {
		if tok == strings.ToUpper(w.tokens[mariaID]) && tok == w.tokens[mariaID] {
			continue
		}
		want404(FeedPath+tok+".ics", "forged")
	}
	want404(FeedPath+w.tokens[mariaID], "no .ics")
	want404("/other/"+w.tokens[mariaID]+".ics", "another path")
	if r := w.get(http.MethodPost, FeedPath+w.tokens[mariaID]+".ics"); r.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST: %d, want 405", r.Code)
	}

	// Two teachers: each sees her own sign-up only; the coordinator sees
	// both events, which his organisation runs.
	_, maria := w.feed(w.tokens[mariaID])
	_, akhmat := w.feed(w.tokens[akhmatID])
	_, coord := w.feed(w.tokens[coordID])
	if got := uids(maria); len(got) != 1 || got[0] != UID(w.contest.ID) {
		t.Errorf("Мария's feed: %v", got)
	}
	if got := uids(akhmat); len(got) != 1 || got[0] != UID(w.week.ID) {
		t.Errorf("Ахмат's feed: %v", got)
	}
	if n, _ := akhmat.Get("X-WR-CALNAME"); n.Text() != "Vmeste: my events" {
		t.Errorf("Ахмат's feed is not in his English: %q", n.Text())
	}
	if got := uids(coord); len(got) != 2 {
		t.Errorf("the coordinator's feed: %v, want both of his organisation's events", got)
	}

	// A new link: the old one opens nothing, the new one Мария's feed.
	old := w.tokens[mariaID]
	fresh, err := w.store.NewCalendarToken(ctx, mariaID)
	if err != nil {
		t.Fatal(err)
	}
	if fresh == old || !storage.ValidCalendarToken(fresh) {
		t.Fatalf("new token %q (old %q)", fresh, old)
	}
	want404(FeedPath+old+".ics", "replaced")
	if _, cal := w.feed(fresh); len(uids(cal)) != 1 {
		t.Errorf("the new link's feed: %v", uids(cal))
	}
	if again, err := w.store.CalendarToken(ctx, mariaID); err != nil || again != fresh {
		t.Errorf("CalendarToken after the new one: %q, %v; want %q", again, err, fresh)
	}

	// A cancelled sign-up leaves the feed.
	if _, err := w.store.CancelRegistration(ctx, w.week.ID, akhmatID, nil); err != nil {
		t.Fatal(err)
	}
	if _, cal := w.feed(w.tokens[akhmatID]); len(uids(cal)) != 0 {
		t.Errorf("Ахмат cancelled, his feed still holds %v", uids(cal))
	}

	// Consent taken back (a new text he has not agreed to): 404.
	w.h.ConsentVersion = "deadbeef"
	want404(FeedPath+w.tokens[akhmatID]+".ics", "no consent to the current text")
	w.h.ConsentVersion = consentV

	// Мария forgets her data: her link opens nothing.
	if _, err := w.store.ForgetUser(ctx, mariaID, storage.Forget{Erased: "участник удалил данные"}); err != nil {
		t.Fatal(err)
	}
	want404(FeedPath+fresh+".ics", "forgotten")
}
