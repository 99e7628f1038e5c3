package webapp

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"vmeste/locales"
	"vmeste/storage"
	"vmeste/telegramtest"
)

// testToken is the bot token the tests sign initData with.
const testToken = "123456:TEST-token-for-the-mini-app"

// signInitData is initData for user id as Telegram signs it
// (telegramtest.InitData, written apart from the check under test).
func signInitData(token string, id int64, lang string, at time.Time) string {
	return telegramtest.InitData(token, telegramtest.User{ID: id, FirstName: "Test", LanguageCode: lang}, at)
}

// notices is the bot's side of Notices for these tests: plain texts that
// say which notice it is.
type notices struct{}

func (notices) NoticeChanged(u storage.User, before, after storage.Event) storage.Content {
	return storage.Content{Text: "changed " + after.Title}
}
func (notices) NoticePromoted(u storage.User, e storage.Event) storage.Content {
	return storage.Content{Text: "promoted " + e.Title}
}
func (notices) NoticeResult(u storage.User, e storage.Event, result, told string) storage.Content {
	return storage.Content{Text: "result " + result}
}
func (notices) NoticeToAuthor(_ context.Context, _ storage.User, admin bool, before, _ storage.Event, published bool) ([]storage.OutboxEntry, error) {
	if !admin {
		return nil, nil
	}
	text := "author: edited"
	if published {
		text = "author: published"
	}
	return []storage.OutboxEntry{{ChatID: before.CreatedBy, UserID: before.CreatedBy, Content: storage.Content{Text: text},
		Origin: storage.Origin{Kind: storage.OriginNotice, Key: "author:test"}}}, nil
}

func (notices) NoticeAskAnnounce(u storage.User, e storage.Event) storage.OutboxEntry {
	return storage.OutboxEntry{ChatID: u.ChatID, UserID: u.ID, Content: storage.Content{Text: "announce? " + e.Title},
		Origin: storage.Origin{Kind: storage.OriginNotice, Key: "announce-ask:test"}}
}

// fixture is a Mini App on a real bbolt file, with two organisations, an
// admin, a coordinator of each and a teacher.
type fixture struct {
	t        testing.TB
	store    *storage.Store
	app      *App
	srv      *httptest.Server
	orgA     int64
	orgB     int64
	now      time.Time
	admin    storage.User
	coordA   storage.User
	coordB   storage.User
	teacher  storage.User
	location *time.Location
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Moscow")
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, now: time.Now(), location: loc}
	f.store, err = storage.Open(filepath.Join(t.TempDir(), "vmeste.db"), storage.Options{NoSync: true, Location: loc})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.store.Close() })
	ctx := context.Background()
	f.orgA = f.org(ctx, "МКОУ СОШ №1 г. Тырныауза", "СОШ №1", storage.KindSchool)
	f.orgB = f.org(ctx, "ОГИБДД ОМВД по Эльбрусскому району", "ГИБДД", storage.KindTrafficPolice)
	f.admin = f.user(ctx, 100, f.orgA, storage.RoleTeacher)
	f.coordA = f.user(ctx, 101, f.orgA, storage.RoleCoordinator)
	f.coordB = f.user(ctx, 102, f.orgB, storage.RoleCoordinator)
	f.teacher = f.user(ctx, 103, f.orgA, storage.RoleTeacher)
	catalog, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	f.app, err = New(f.store, catalog, Config{Token: testToken, Admins: []int64{f.admin.ID}, Location: loc,
		Logger: slog.New(slog.NewTextHandler(testLog(), nil)), Notices: notices{}})
	if err != nil {
		t.Fatal(err)
	}
	f.srv = httptest.NewServer(f.app.Handler())
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fixture) org(ctx context.Context, name, short string, kind storage.OrgKind) int64 {
	id, err := f.store.CreateOrganisation(ctx, storage.Organisation{Name: name, ShortName: short, Kind: kind})
	if err != nil {
		f.t.Fatal(err)
	}
	return id
}

func (f *fixture) user(ctx context.Context, id, org int64, role storage.Role) storage.User {
	u := storage.User{ID: id, ChatID: id, FullName: fmt.Sprintf("Пользователь %d", id), OrgID: org, Role: role,
		Lang: "ru", Registered: true, Active: true}
	if err := f.store.PutUser(ctx, u); err != nil {
		f.t.Fatal(err)
	}
	return u
}

// event stores a published event of orgA's coordinator.
func (f *fixture) event(ctx context.Context, title string, kind storage.EventKind) storage.Event {
	e, err := f.store.CreateEvent(ctx, storage.Event{Title: title, Kind: kind, Start: f.now.Add(10 * 24 * time.Hour),
		Place: "Тырныауз", Organisers: []int64{f.orgA}, Unit: storage.UnitIndividual, Status: storage.EventPublished, CreatedBy: f.coordA.ID})
	if err != nil {
		f.t.Fatal(err)
	}
	return e
}

// do sends a request with initData (none when initData is "") and
// returns the status and body.
func (f *fixture) do(method, path, initData string, form url.Values) (int, string) {
	f.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, f.srv.URL+path, body)
	if err != nil {
		f.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if initData != "" {
		req.Header.Set(InitDataHeader, initData)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		f.t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// as is initData of u signed now with the test token.
func (f *fixture) as(u storage.User) string { return signInitData(testToken, u.ID, "ru", time.Now()) }

// testLog is where the app logs in tests: nowhere unless VMESTE_TEST_LOG=1.
func testLog() io.Writer {
	if os.Getenv("VMESTE_TEST_LOG") == "1" {
		return os.Stderr
	}
	return io.Discard
}
