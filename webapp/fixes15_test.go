package webapp

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
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

// TestDashboardTypedDatesCount: dates typed into the form count as the
// period even when the select still says «this year»; dates left as shown
// follow the select.
func TestDashboardTypedDatesCount(t *testing.T) {
	f := newFixture(t)
	from, to, _ := storage.SchoolYear(f.now, f.location)
	shownFrom, shownTo := from.Format(dateInput), to.AddDate(0, 0, -1).Format(dateInput)
	typedFrom, typedTo := from.AddDate(0, 1, 0).Format(dateInput), from.AddDate(0, 2, 0).Format(dateInput)
	for _, tc := range []struct {
		name, query, period, from string
	}{
		{"typed, select on year", url.Values{"period": {"year"}, "from": {typedFrom}, "to": {typedTo}, "shown_from": {shownFrom}, "shown_to": {shownTo}}.Encode(), "dates", typedFrom},
		{"typed, a link without shown dates", url.Values{"period": {"year"}, "from": {typedFrom}, "to": {typedTo}}.Encode(), "dates", typedFrom},
		{"left as shown, select on last year", url.Values{"period": {"last"}, "from": {shownFrom}, "to": {shownTo}, "shown_from": {shownFrom}, "shown_to": {shownTo}}.Encode(), "last", from.AddDate(-1, 0, 0).Format(dateInput)},
		{"no dates", "period=year", "year", shownFrom},
	} {
		code, body := f.do(http.MethodGet, "/app/dashboard?"+tc.query, f.as(f.admin), nil)
		if code != http.StatusOK || !strings.Contains(body, `<option value="`+tc.period+`" selected>`) || !strings.Contains(body, `id="d-from" name="from" type="date" value="`+tc.from+`"`) {
			t.Errorf("%s: %d, want period %s from %s", tc.name, code, tc.period, tc.from)
		}
	}
}

// TestEditorWorksAndKindReminders: the works' kinds and until when they
// are taken are saved from the editor and shown again; an until after the
// start is refused in the chat's words; a new event whose reminders were
// left as shown gets its kind's defaults, one whose reminders were chosen
// keeps them.
func TestEditorWorksAndKindReminders(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	start := f.now.Add(30 * 24 * time.Hour)
	code, body := f.do(http.MethodGet, "/app/events/new", f.as(f.coordA), nil)
	if code != http.StatusOK || !strings.Contains(body, `name="reminders_default" id="reminders-default" value="10080,1440"`) ||
		!strings.Contains(body, `value="seminar" data-reminders="1440,120"`) || !strings.Contains(body, `id="works-kind-video" name="works_kind" value="video" checked`) {
		t.Fatalf("new event page: %d\n%s", code, body)
	}
	form := f.editorForm("Семинар наставников", start)
	form.Set("kind", "seminar")
	form.Set("reminders_default", "10080,1440")
	form.Set("works", "on")
	form.Set("works_max", "3")
	form["works_kind"] = []string{"photo", "document"}
	form.Set("works_until", start.Add(time.Hour).In(f.location).Format(localInput))
	if code, body := f.do(http.MethodPost, "/app/events/new", f.as(f.coordA), form); code != http.StatusUnprocessableEntity || !strings.Contains(body, "Работы нужно принять до начала мероприятия") {
		t.Errorf("until after the start: %d, want 422 in the chat's words", code)
	}
	until := start.Add(-24 * time.Hour).In(f.location).Truncate(time.Minute)
	form.Set("works_until", until.Format(localInput))
	code, body = f.do(http.MethodPost, "/app/events/new", f.as(f.coordA), form)
	if code != http.StatusOK {
		t.Fatalf("create: %d\n%s", code, body)
	}
	list, err := f.store.OrganisedEvents(ctx, f.coordA.ID, f.orgA)
	if err != nil || len(list) != 1 {
		t.Fatalf("stored: %v %v", list, err)
	}
	e := list[0]
	if w := e.Form.Works; w == nil || len(w.Kinds) != 2 || w.Kinds[0] != storage.WorkPhoto || w.Kinds[1] != storage.WorkDocument || !w.Until.Equal(until) {
		t.Errorf("works stored: %+v", e.Form.Works)
	}
	if got := remindersKey(e.Reminders); got != "1440,120" {
		t.Errorf("a seminar with the shown reminders untouched: %s, want the seminar's 1440,120", got)
	}
	if !strings.Contains(body, `value="`+until.Format(localInput)+`"`) || strings.Contains(body, `id="works-kind-video" name="works_kind" value="video" checked`) {
		t.Errorf("the saved works are not shown again")
	}
	form.Set("title", "Семинар с моими напоминаниями")
	form["reminder"] = []string{"4320"}
	if code, _ := f.do(http.MethodPost, "/app/events/new", f.as(f.coordA), form); code != http.StatusOK {
		t.Fatalf("create with chosen reminders: %d", code)
	}
	list, _ = f.store.OrganisedEvents(ctx, f.coordA.ID, f.orgA)
	for _, e := range list {
		if e.Title == "Семинар с моими напоминаниями" && remindersKey(e.Reminders) != "4320" {
			t.Errorf("chosen reminders replaced: %s", remindersKey(e.Reminders))
		}
	}
}

// TestRowLabelsAndZone: a participant's row says her own status in the
// singular, and the editor names the district's time as an offset.
func TestRowLabelsAndZone(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	e := f.event(ctx, "Урок мужества", storage.EventSeminar)
	u := f.signUp(ctx, e, 201, f.orgA)
	f.signUp(ctx, e, 202, f.orgB)
	if _, err := f.store.CancelRegistration(ctx, e.ID, u.ID, nil); err != nil {
		t.Fatal(err)
	}
	_, body := f.do(http.MethodGet, "/app/events/"+itoa(e.ID)+"/participants", f.as(f.coordA), nil)
	for _, want := range []string{`data-state="confirmed">Записан(а)<`, `data-state="cancelled">Запись отменена<`} {
		if !strings.Contains(body, want) {
			t.Errorf("participants: no %s", want)
		}
	}
	_, body = f.do(http.MethodGet, "/app/events/"+itoa(e.ID)+"/edit", f.as(f.coordA), nil)
	if !strings.Contains(body, "Время — районное, МСК (UTC+3).") || strings.Contains(body, "Europe/Moscow") {
		t.Errorf("the editor's zone hint is not the offset")
	}
	loc := time.FixedZone("", 5*3600+30*60)
	if got := zoneText(f.app.catalog.For("ru"), loc, f.now); got != "UTC+5:30" {
		t.Errorf("zoneText(+5:30) = %q", got)
	}
}

// TestFreshFileLink: a page open past DownloadTTL still downloads: its
// rendered link has expired, but the link the page asks for on the tap
// (with initData) is fresh and works without it; the ask is refused to
// someone who may not see the participants.
func TestFreshFileLink(t *testing.T) {
	f := newFixture(t)
	f.app.cfg.Exports = exportsStub{}
	ctx := context.Background()
	e := f.event(ctx, "Зарница", storage.EventCompetition)
	_, body := f.do(http.MethodGet, "/app/events/"+itoa(e.ID)+"/participants", f.as(f.coordA), nil)
	ask := "/app/events/" + itoa(e.ID) + "/export/xlsx/link"
	m := fileLink.FindStringSubmatch(body)
	if m == nil || !strings.Contains(body, `data-link="`+ask+`"`) {
		t.Fatalf("no file link to ask for afresh:\n%s", body)
	}
	later := f.now.Add(DownloadTTL + time.Minute)
	f.app.cfg.Now = func() time.Time { return later }
	if code, _ := f.do(http.MethodGet, html.UnescapeString(m[1]), "", nil); code != http.StatusUnauthorized {
		t.Fatalf("the rendered link past its time: %d, want 401", code)
	}
	code, got := f.do(http.MethodGet, ask, signInitData(testToken, f.coordA.ID, "ru", later), nil)
	var link struct{ URL string }
	if err := json.Unmarshal([]byte(got), &link); code != http.StatusOK || err != nil || !strings.HasPrefix(link.URL, "/app/events/"+itoa(e.ID)+"/export/xlsx?") {
		t.Fatalf("ask for a fresh link: %d %q %v", code, got, err)
	}
	if code, got := f.do(http.MethodGet, link.URL, "", nil); code != http.StatusOK || got != fmt.Sprintf("participants of %d as xlsx", e.ID) {
		t.Errorf("the fresh link: %d %q", code, got)
	}
	if code, got := f.do(http.MethodGet, ask, signInitData(testToken, f.coordB.ID, "ru", later), nil); code != http.StatusForbidden || strings.Contains(got, "sig=") {
		t.Errorf("another organisation's coordinator asks: %d %q", code, got)
	}
	if _, got := f.do(http.MethodGet, ask, "", nil); strings.Contains(got, "sig=") {
		t.Errorf("asked without initData, a link is given: %q", got)
	}
}
