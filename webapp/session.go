package webapp

import (
	"bytes"
	"errors"
	"html/template"
	"net/http"
	"strconv"

	"vmeste/locales"
	"vmeste/storage"
)

// session is one signed-in request: the stored user, as now stored (their
// role is read again on every request, so a revoked coordinator is out at
// once), whether they are an admin, and their language.
type session struct {
	User  storage.User
	Admin bool
	P     locales.Printer
}

// may reports whether the session's user may take act on e (the chat's
// rules: storage.May).
func (s *session) may(act storage.Action, e storage.Event) bool {
	return storage.May(s.User, s.Admin, act, e)
}

// handlerFunc is a page's handler, given the signed-in session.
type handlerFunc func(w http.ResponseWriter, r *http.Request, s *session)

// signedIn authenticates every request from its initData (InitDataHeader)
// and looks its user up: no initData on a GET gets the shell page (no
// data: its script asks again with initData); no or bad initData
// otherwise, or a user who is not registered, gets 401; a registered user
// who is neither coordinator nor admin gets 403. The header, which a page
// of another site cannot set on a request here (a form cannot, and a
// script would need CORS, which is never granted), is also what makes a
// POST safe from cross-site forgery: no cookie is ever set.
func (a *App) signedIn(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw := r.Header.Get(InitDataHeader)
		if raw == "" && r.Method == http.MethodGet {
			a.render(w, http.StatusOK, "shell", a.catalog.For(""), nil, nil)
			return
		}
		in, err := verifyInitData(a.secret, raw, a.cfg.Now())
		if err != nil {
			a.log.Warn("mini app: refused initData", "reason", err, "path", r.URL.Path)
			a.fail(w, http.StatusUnauthorized, a.catalog.For(""), "app_err_unauthorized")
			return
		}
		u, err := a.store.User(r.Context(), in.User.ID)
		switch {
		case storage.IsNotFound(err) || (err == nil && !u.Registered):
			a.log.Warn("mini app: unknown user", "user_id", in.User.ID)
			a.fail(w, http.StatusUnauthorized, a.catalog.For(in.User.LanguageCode), "app_err_unauthorized")
			return
		case err != nil:
			a.serverError(w, r, a.catalog.For(in.User.LanguageCode), err)
			return
		}
		s := &session{User: u, Admin: a.admins[u.ID], P: a.catalog.For(u.Lang)}
		if !storage.IsCoordinator(u, s.Admin) {
			a.log.Warn("mini app: not a coordinator", "user_id", u.ID)
			a.fail(w, http.StatusForbidden, s.P, "app_err_forbidden")
			return
		}
		h(w, r, s)
	})
}

// page is what every template gets.
type page struct {
	P     locales.Printer
	S     *session
	Title template.HTML
	// Nav names the page for the navigation's aria-current.
	Nav  string
	Data any
}

// T renders a message of the catalog (its values are escaped by the
// printer).
func (p page) T(key string, kv ...any) template.HTML { return template.HTML(p.P.T(key, kv...)) }

// N renders a plural message.
func (p page) N(key string, n int, kv ...any) template.HTML {
	return template.HTML(p.P.N(key, n, kv...))
}

// Lang is the page's language.
func (p page) Lang() string { return p.P.Lang() }

// render writes the page name with status; the whole page is rendered
// before anything is written, so a template error is a clean 500.
func (a *App) render(w http.ResponseWriter, status int, name string, p locales.Printer, s *session, data any, title ...string) {
	pg := page{P: p, S: s, Nav: name, Data: data}
	pg.Title = template.HTML(p.T("app_title"))
	if len(title) > 0 {
		pg.Title = template.HTML(title[0])
	}
	var buf bytes.Buffer
	if err := a.pages[name].Execute(&buf, pg); err != nil {
		a.log.Error("mini app: render", "page", name, "error", err)
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// fail answers status with a short localized page and no data.
func (a *App) fail(w http.ResponseWriter, status int, p locales.Printer, key string) {
	a.render(w, status, "error", p, nil, template.HTML(p.T(key)))
}

// serverError logs err and answers 500.
func (a *App) serverError(w http.ResponseWriter, r *http.Request, p locales.Printer, err error) {
	a.log.Error("mini app", "path", r.URL.Path, "error", err)
	a.fail(w, http.StatusInternalServerError, p, "app_err_server")
}

// eventFor loads the event of the path's {id} for act: 404 when there is
// none, 403 (and no data) when act is not the session's to take, as in the
// chat; ok false means the answer is written.
func (a *App) eventFor(w http.ResponseWriter, r *http.Request, s *session, act storage.Action) (storage.Event, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		a.fail(w, http.StatusNotFound, s.P, "app_err_not_found")
		return storage.Event{}, false
	}
	e, err := a.store.Event(r.Context(), id)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		a.fail(w, http.StatusNotFound, s.P, "app_err_not_found")
		return e, false
	case err != nil:
		a.serverError(w, r, s.P, err)
		return e, false
	case !s.may(act, e):
		a.log.Warn("mini app: refused: not this user's event", "user_id", s.User.ID, "event", id, "action", int(act))
		a.fail(w, http.StatusForbidden, s.P, "app_err_not_yours")
		return storage.Event{}, false
	}
	return e, true
}
