package webapp

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"vmeste/storage"
)

func TestVerifyInitData(t *testing.T) {
	secret := webAppSecret(testToken)
	now := time.Now()
	good := signInitData(testToken, 42, "ru", now)
	in, err := verifyInitData(secret, good, now)
	if err != nil || in.User.ID != 42 || in.AuthDate.Unix() != now.Unix() {
		t.Fatalf("a good initData: %+v, %v", in, err)
	}
	tampered := strings.Replace(good, "42", "43", 1)
	for _, tc := range []struct {
		name string
		raw  string
		want error
	}{
		{"empty", "", ErrNoInitData},
		{"another bot's token", signInitData("654321:OTHER", 42, "ru", now), ErrBadInitData},
		{"a changed user id", tampered, ErrBadInitData},
		{"no hash", "user=%7B%22id%22%3A42%7D&auth_date=1", ErrBadInitData},
		{"not a query", "%zz", ErrBadInitData},
		{"a user field added after the signed one", good + "&user=%7B%22id%22%3A43%7D", ErrBadInitData},
		{"a hash given twice", good + "&hash=00", ErrBadInitData},
		{"a day and a minute old", signInitData(testToken, 42, "ru", now.Add(-24*time.Hour-time.Minute)), ErrStaleInitData},
		{"from the future", signInitData(testToken, 42, "ru", now.Add(time.Hour)), ErrStaleInitData},
	} {
		if _, err := verifyInitData(secret, tc.raw, now); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
}

// TestRefusedGetNoData: forged or stale initData, a teacher's, an unknown
// user's, and a coordinator of another organisation opening someone
// else's event each get 401 or 403, and nothing of the event's.
func TestRefusedGetNoData(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	e := f.event(ctx, "Безопасное колесо", storage.EventCompetition)
	if _, err := f.store.Register(ctx, storage.SignUp{EventID: e.ID, UserID: f.teacher.ID}, time.Now()); err != nil {
		t.Fatal(err)
	}
	secretName := f.teacher.FullName
	forged := strings.Replace(f.as(f.coordA), "hash=", "hash=00", 1)
	stale := signInitData(testToken, f.coordA.ID, "ru", time.Now().Add(-25*time.Hour))
	other := signInitData("654321:OTHER", f.coordA.ID, "ru", time.Now())
	unknown := signInitData(testToken, 999, "ru", time.Now())
	paths := []string{"/app/", "/app/events/new", "/app/dashboard", "/app/events/" + itoa(e.ID) + "/participants",
		"/app/events/" + itoa(e.ID) + "/edit", "/app/events/" + itoa(e.ID) + "/export/csv"}
	for _, tc := range []struct {
		name     string
		initData string
		want     int
		paths    []string
	}{
		{"forged", forged, http.StatusUnauthorized, paths},
		{"another bot's", other, http.StatusUnauthorized, paths},
		{"stale", stale, http.StatusUnauthorized, paths},
		{"unknown user", unknown, http.StatusUnauthorized, paths},
		{"teacher", f.as(f.teacher), http.StatusForbidden, paths},
		{"another organisation's coordinator", f.as(f.coordB), http.StatusForbidden, paths[3:]},
	} {
		for _, p := range tc.paths {
			code, body := f.do(http.MethodGet, p, tc.initData, nil)
			if code != tc.want {
				t.Errorf("%s GET %s: %d, want %d", tc.name, p, code, tc.want)
			}
			if strings.Contains(body, secretName) || strings.Contains(body, e.Title) {
				t.Errorf("%s GET %s: the answer shows the event's data:\n%s", tc.name, p, body)
			}
		}
	}
	// Without initData a GET gets the shell, which holds no data; a POST
	// gets 401.
	code, body := f.do(http.MethodGet, "/app/events/"+itoa(e.ID)+"/participants", "", nil)
	if code != http.StatusOK || !strings.Contains(body, "data-shell") || strings.Contains(body, secretName) || strings.Contains(body, e.Title) {
		t.Errorf("no initData: %d %s", code, body)
	}
	if code, _ := f.do(http.MethodPost, "/app/events/"+itoa(e.ID)+"/mark", "", url.Values{"user": {itoa(f.teacher.ID)}, "attended": {"yes"}}); code != http.StatusUnauthorized {
		t.Errorf("a POST without initData: %d, want 401", code)
	}
}

// TestRefusedWritesChangeNothing: the same people POSTing to the editor
// and the marking change nothing.
func TestRefusedWritesChangeNothing(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	e := f.event(ctx, "Добрая дорога детства", storage.EventContest)
	if _, err := f.store.Register(ctx, storage.SignUp{EventID: e.ID, UserID: f.teacher.ID}, time.Now()); err != nil {
		t.Fatal(err)
	}
	forged := strings.Replace(f.as(f.coordA), "hash=", "hash=00", 1)
	edit := url.Values{"title": {"Взломано"}, "kind": {"contest"}, "org": {itoa(f.orgA)}, "place": {"Нальчик"},
		"start": {f.now.Add(20 * 24 * time.Hour).In(f.location).Format(localInput)}, "unit": {"individual"}, "rev": {strconv.Itoa(e.Revision)}}
	for _, tc := range []struct {
		name, initData string
		want           int
	}{
		{"forged", forged, http.StatusUnauthorized},
		{"teacher", f.as(f.teacher), http.StatusForbidden},
		{"another organisation's coordinator", f.as(f.coordB), http.StatusForbidden},
	} {
		if code, _ := f.do(http.MethodPost, "/app/events/"+itoa(e.ID)+"/edit", tc.initData, edit); code != tc.want {
			t.Errorf("%s edit: %d, want %d", tc.name, code, tc.want)
		}
		if code, _ := f.do(http.MethodPost, "/app/events/"+itoa(e.ID)+"/mark", tc.initData, url.Values{"user": {itoa(f.teacher.ID)}, "attended": {"yes"}, "result": {"1"}}); code != tc.want {
			t.Errorf("%s mark: %d, want %d", tc.name, code, tc.want)
		}
		if tc.initData == forged || tc.name == "teacher" {
			if code, _ := f.do(http.MethodPost, "/app/events/new", tc.initData, edit); code != tc.want {
				t.Errorf("%s create: %d, want %d", tc.name, code, tc.want)
			}
		}
	}
	got, err := f.store.Event(ctx, e.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Title != e.Title || got.Revision != e.Revision {
		t.Errorf("the event changed: %+v", got)
	}
	reg, err := f.store.Registration(ctx, e.ID, f.teacher.ID)
	if err != nil {
		t.Fatal(err)
	}
	if reg.Attended != nil || reg.Result != "" {
		t.Errorf("the registration changed: %+v", reg)
	}
	events, err := f.store.OrganisedEvents(ctx, f.teacher.ID, 0)
	if err != nil || len(events) != 0 {
		t.Errorf("events created by refused requests: %v %v", events, err)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
