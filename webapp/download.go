package webapp

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"vmeste/storage"
)

// The participants' files are downloaded by Telegram itself
// (web_app_request_file_download) or by the phone's browser, neither of
// which sends the initData header: their links carry a signature instead,
// made for one user, one event and one format, good for DownloadTTL. The
// user and their right to the participants are checked again when the
// link is used, as for any request.

// DownloadTTL is how long a participants' file link works.
const DownloadTTL = 10 * time.Minute

// downloadKey is the key the links are signed with, made from the bot's
// token (apart from initData's).
func downloadKey(token string) []byte {
	m := hmac.New(sha256.New, webAppSecret(token))
	m.Write([]byte("vmeste participants file"))
	return m.Sum(nil)
}

// downloadSig signs a link to format of event for user, until exp (Unix
// seconds).
func (a *App) downloadSig(user, event int64, format string, exp int64) []byte {
	m := hmac.New(sha256.New, a.downloadKey)
	fmt.Fprintf(m, "%d:%d:%s:%d", user, event, format, exp)
	return m.Sum(nil)
}

// downloadURL is s's signed link to the participants' file of event.
func (a *App) downloadURL(s *session, event int64, format string) string {
	exp := a.cfg.Now().Add(DownloadTTL).Unix()
	q := url.Values{"u": {strconv.FormatInt(s.User.ID, 10)}, "exp": {strconv.FormatInt(exp, 10)},
		"sig": {hex.EncodeToString(a.downloadSig(s.User.ID, event, format, exp))}}
	return "/app/events/" + strconv.FormatInt(event, 10) + "/export/" + format + "?" + q.Encode()
}

// downloadable serves a participants' file to a signed link, or, without
// one, as any page (signedIn). A bad or expired signature is 401; the
// user is read and checked as on every request.
func (a *App) downloadable(h handlerFunc) http.Handler {
	withInitData := a.signedIn(h)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if !q.Has("sig") {
			withInitData.ServeHTTP(w, r)
			return
		}
		p := a.catalog.For("")
		user, err1 := strconv.ParseInt(q.Get("u"), 10, 64)
		exp, err2 := strconv.ParseInt(q.Get("exp"), 10, 64)
		event, err3 := strconv.ParseInt(r.PathValue("id"), 10, 64)
		sig, err4 := hex.DecodeString(q.Get("sig"))
		if err1 != nil || err2 != nil || err3 != nil || err4 != nil || a.cfg.Now().Unix() > exp ||
			!hmac.Equal(sig, a.downloadSig(user, event, r.PathValue("format"), exp)) {
			a.log.Warn("mini app: refused a file link", "path", r.URL.Path)
			a.fail(w, http.StatusUnauthorized, p, "app_err_link")
			return
		}
		u, err := a.store.User(r.Context(), user)
		switch {
		case storage.IsNotFound(err) || (err == nil && !u.Registered):
			a.fail(w, http.StatusUnauthorized, p, "app_err_unauthorized")
			return
		case err != nil:
			a.serverError(w, r, p, err)
			return
		}
		s := &session{User: u, Admin: a.admins[u.ID], P: a.catalog.For(u.Lang)}
		if !storage.IsCoordinator(u, s.Admin) {
			a.fail(w, http.StatusForbidden, s.P, "app_err_forbidden")
			return
		}
		h(w, r, s)
	})
}

// exportLink answers, to a signed-in request, a fresh signed link to the
// participants' file of the path's event in the path's format, as JSON
// {"url": "..."}: the page asks for it when the file is tapped, so that a
// page open longer than DownloadTTL still downloads.
func (a *App) exportLink(w http.ResponseWriter, r *http.Request, s *session) {
	e, format, ok := a.exportOf(w, r, s)
	if !ok {
		return
	}
	w.Header().Set("Content-Type", "application/json")
	if err := json.NewEncoder(w).Encode(struct {
		URL string `json:"url"`
	}{a.downloadURL(s, e.ID, format)}); err != nil {
		a.log.Warn("mini app: file link not written", "err", err)
	}
}

// exportOf is the path's event and file format for a participants' file:
// as eventFor with ActParticipants, and 404 when files are not offered or
// the format is not xlsx or csv (answered; ok false).
func (a *App) exportOf(w http.ResponseWriter, r *http.Request, s *session) (storage.Event, string, bool) {
	e, ok := a.eventFor(w, r, s, storage.ActParticipants)
	if !ok {
		return storage.Event{}, "", false
	}
	format := r.PathValue("format")
	if a.cfg.Exports == nil || (format != "xlsx" && format != "csv") {
		a.fail(w, http.StatusNotFound, s.P, "app_err_not_found")
		return storage.Event{}, "", false
	}
	return e, format, true
}
