package calendar

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"vmeste/locales"
	"vmeste/storage"
)

// FeedPath is where Handler is mounted: GET /calendar/<token>.ics.
const FeedPath = "/calendar/"

// maxAge is how long a calendar may keep the feed without asking again
// (Cache-Control). Google looks every few hours whatever we say; Apple and
// Yandex honour it. Five minutes keeps a moved event near-live for those
// who look often, while a 304 answers the rest.
const maxAge = 5 * time.Minute

// Handler serves a user's calendar feed: GET or HEAD
// /calendar/<token>.ics. The answer is the user's calendar as
// storage.CalendarFeed reads it in one transaction (their sign-ups and,
// for a coordinator, their events, from CalendarWindow back), written by
// Write in the user's language, with
//
//   - Content-Type text/calendar; charset=utf-8;
//   - a strong ETag (SHA-256 of the body) and Last-Modified (the latest
//     change of what the feed is made of); a request with a matching
//     If-None-Match, or (without one) an If-Modified-Since not older than
//     that, gets 304 without a body;
//   - Cache-Control: private, max-age=300.
//
// Every token that opens nothing — of the wrong form, made up, replaced
// by a new one, a forgotten user's, a user without consent — gets the
// same 404 with the same plain body, so that the answer says nothing about
// who exists. Other methods get 405. The token is never logged.
//
// Handler is safe for concurrent use; its fields must not change while it
// serves.
type Handler struct {
	Store   *storage.Store
	Catalog *locales.Catalog
	// Location is the district's zone; nil means UTC.
	Location *time.Location
	// Bot is the bot's @username, for the links back to the cards.
	Bot string
	// ConsentVersion is the consent's text a user must have agreed to for
	// their feed to open ("" accepts any consent given).
	ConsentVersion string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Log receives the failures of the store; nil means slog.Default().
	Log *slog.Logger
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	name, ok := strings.CutPrefix(r.URL.Path, FeedPath)
	token, isICS := strings.CutSuffix(name, ".ics")
	if !ok || !isICS || !storage.ValidCalendarToken(token) {
		notFound(w)
		return
	}
	body, modified, err := h.feed(r.Context(), token)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		notFound(w)
		return
	case err != nil:
		h.logger().Error("calendar feed", "error", err)
		http.Error(w, "calendar unavailable", http.StatusServiceUnavailable)
		return
	}
	sum := sha256.Sum256(body)
	etag := `"` + hex.EncodeToString(sum[:16]) + `"`
	hd := w.Header()
	hd.Set("ETag", etag)
	hd.Set("Cache-Control", "private, max-age="+strconv.Itoa(int(maxAge/time.Second)))
	if !modified.IsZero() {
		hd.Set("Last-Modified", modified.UTC().Format(http.TimeFormat))
	}
	if notModified(r, etag, modified) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	hd.Set("Content-Type", "text/calendar; charset=utf-8")
	hd.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodGet {
		_, _ = w.Write(body)
	}
}

// feed reads and writes the calendar that token opens.
func (h *Handler) feed(ctx context.Context, token string) ([]byte, time.Time, error) {
	now := time.Now
	if h.Now != nil {
		now = h.Now
	}
	feed, err := h.Store.CalendarFeed(ctx, token, h.ConsentVersion, now().Add(-storage.CalendarWindow))
	if err != nil {
		return nil, time.Time{}, err
	}
	p := h.Catalog.For(feed.User.Lang)
	var buf bytes.Buffer
	err = Write(&buf, feed.Entries, feed.Orgs, Options{Location: h.Location, Bot: h.Bot, Printer: p,
		Name: plain(p.T("cal_feed_name"))})
	return buf.Bytes(), feed.Modified, err
}

func (h *Handler) logger() *slog.Logger {
	if h.Log != nil {
		return h.Log
	}
	return slog.Default()
}

// notFound is the one answer for every token that opens nothing.
func notFound(w http.ResponseWriter) {
	http.Error(w, "not found", http.StatusNotFound)
}

// notModified reports whether the client's copy is current: If-None-Match
// lists etag (or is *), or, when there is no If-None-Match, If-Modified-
// Since is not before modified (to the second, as HTTP dates go).
func notModified(r *http.Request, etag string, modified time.Time) bool {
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		for _, tag := range strings.Split(inm, ",") {
			tag = strings.TrimPrefix(strings.TrimSpace(tag), "W/") // weak comparison, as RFC 9110 wants here
			if tag == "*" || tag == etag {
				return true
			}
		}
		return false
	}
	ims, err := http.ParseTime(r.Header.Get("If-Modified-Since"))
	return err == nil && !modified.IsZero() && !modified.Truncate(time.Second).After(ims)
}
