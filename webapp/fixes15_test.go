package webapp

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"vmeste/storage"
)

// signUp registers a new teacher of org for e and returns her.
func (f *fixture) signUp(ctx context.Context, e storage.Event, id, org int64) storage.User {
	f.t.Helper()
	u := f.user(ctx, id, org, storage.RoleTeacher)
	if _, err := f.store.Register(ctx, storage.SignUp{EventID: e.ID, UserID: id}, f.now); err != nil {
		f.t.Fatal(err)
	}
	return u
}

// TestMarkKeepsTheView: the mark form posts to an address that carries
// the page's filters and sort, and the page that comes back after a mark
// keeps them and puts the focus on the marked row's select.
func TestMarkKeepsTheView(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	e := f.event(ctx, "Весёлые старты", storage.EventCompetition)
	a1 := f.signUp(ctx, e, 201, f.orgA)
	f.signUp(ctx, e, 202, f.orgB)
	a2 := f.signUp(ctx, e, 203, f.orgA)
	view := "/app/events/" + itoa(e.ID) + "/participants?org=" + itoa(f.orgA) + "&sort=name&state=confirmed"
	code, body := f.do(http.MethodGet, view, f.as(f.coordA), nil)
	markURL := "/app/events/" + itoa(e.ID) + "/mark?org=" + itoa(f.orgA) + "&amp;sort=name&amp;state=confirmed"
	if code != http.StatusOK || !strings.Contains(body, `action="`+markURL+`"`) {
		t.Fatalf("participants: %d, want the mark form posting to %s:\n%s", code, markURL, body)
	}
	code, body = f.do(http.MethodPost, strings.ReplaceAll(markURL, "&amp;", "&"), f.as(f.coordA),
		url.Values{"user": {itoa(a2.ID)}, "attended": {"yes"}})
	if code != http.StatusOK {
		t.Fatalf("mark: %d\n%s", code, body)
	}
	if strings.Contains(body, `data-user="202"`) || !strings.Contains(body, `data-user="201"`) {
		t.Errorf("after the mark the organisation filter is lost:\n%s", body)
	}
	if !strings.Contains(body, `<option value="name" selected>`) || !strings.Contains(body, `<option value="confirmed" selected>`) {
		t.Errorf("after the mark the sort or state is lost")
	}
	if !strings.Contains(body, `id="came-`+itoa(a2.ID)+`" name="attended" form="mark-`+itoa(a2.ID)+`" data-focus`) ||
		strings.Contains(body, `id="came-`+itoa(a1.ID)+`" name="attended" form="mark-`+itoa(a1.ID)+`" data-focus`) {
		t.Errorf("the marked row's select does not take the focus")
	}
	if r, err := f.store.Registration(ctx, e.ID, a2.ID); err != nil || r.Attended == nil || !*r.Attended {
		t.Errorf("the mark is not stored: %+v %v", r, err)
	}
}

// TestDashboardUsesTheAppsClock: the dashboard decides which events were
// held by the app's clock (Config.Now), as /report does by the bot's.
func TestDashboardUsesTheAppsClock(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.event(ctx, "Урок безопасности", storage.EventSeminar) // starts in 10 days
	later := f.now.Add(11 * 24 * time.Hour)
	f.app.cfg.Now = func() time.Time { return later }
	code, body := f.do(http.MethodGet, "/app/dashboard", signInitData(testToken, f.admin.ID, "ru", later), nil)
	if code != http.StatusOK || !strings.Contains(body, `data-figure="events">1<`) {
		t.Errorf("dashboard 11 days on: %d, want the event held:\n%s", code, body)
	}
}

// TestStaticFilesCachedPagesNot: the layout links the script and styles
// by the build's version, and those addresses are cached for a year with
// an ETag (a revalidation gets 304); an unversioned address is
// revalidated; a page stays no-store and may be framed only by Telegram.
func TestStaticFilesCachedPagesNot(t *testing.T) {
	f := newFixture(t)
	get := func(path string, header ...string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, f.srv.URL+path, nil)
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	code, body := f.do(http.MethodGet, "/app/", "", nil)
	js := "/app/static/app.js?v=" + staticVersion
	if code != http.StatusOK || !strings.Contains(body, `src="`+js+`"`) || !strings.Contains(body, `href="/app/static/app.css?v=`+staticVersion+`"`) {
		t.Fatalf("the shell does not link the versioned files: %d\n%s", code, body)
	}
	resp := get(js)
	tag := resp.Header.Get("ETag")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Cache-Control") != staticCacheable || tag == "" {
		t.Errorf("versioned script: %d %q %q", resp.StatusCode, resp.Header.Get("Cache-Control"), tag)
	}
	if resp := get(js, "If-None-Match", tag); resp.StatusCode != http.StatusNotModified {
		t.Errorf("revalidated with its ETag: %d, want 304", resp.StatusCode)
	}
	if resp := get("/app/static/app.css"); resp.Header.Get("Cache-Control") != "no-cache" || resp.Header.Get("ETag") == "" {
		t.Errorf("unversioned styles: %q %q", resp.Header.Get("Cache-Control"), resp.Header.Get("ETag"))
	}
	resp = get("/app/")
	if cc, csp := resp.Header.Get("Cache-Control"), resp.Header.Get("Content-Security-Policy"); cc != "no-store" ||
		!strings.Contains(csp, "frame-ancestors https://web.telegram.org https://*.telegram.org") {
		t.Errorf("a page: Cache-Control %q, CSP %q", cc, csp)
	}
}
