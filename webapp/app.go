package webapp

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"time"

	"vmeste/locales"
	"vmeste/storage"
)

// Path is where main mounts the Mini App on the HTTP port.
const Path = "/app/"

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Notices renders the messages a change made in the page sends, in the
// chat's words: the bot implements it (main wires it), so that an edit in
// the page tells participants exactly what the same edit in the chat
// would. Each method only renders: it runs inside a storage transaction.
type Notices interface {
	// NoticeChanged is a storage.ChangeNotify: a change of time or place.
	NoticeChanged(u storage.User, before, after storage.Event) storage.Content
	// NoticePromoted is a storage.Notify: a seat freed by an edit.
	NoticePromoted(u storage.User, e storage.Event) storage.Content
	// NoticeResult is a storage.ResultNotify.
	NoticeResult(u storage.User, e storage.Event, result, told string) storage.Content
	// NoticeToAuthor is the notice to the author of someone else's event
	// an admin edits or publishes; none when the rules send none.
	NoticeToAuthor(ctx context.Context, user storage.User, admin bool, before, after storage.Event, published bool) ([]storage.OutboxEntry, error)
	// NoticeAskAnnounce is the chat's «Сообщить педагогам?» prompt to
	// user's chat for the event e just published in the page.
	NoticeAskAnnounce(user storage.User, e storage.Event) storage.OutboxEntry
}

// Exports makes the participants' files the chat sends («📥 Выгрузить»),
// for the page's download links; the bot implements it. format is "xlsx"
// or "csv".
type Exports interface {
	ParticipantsFile(ctx context.Context, lang string, eventID int64, format string) (name string, data []byte, err error)
}

// Config is what the Mini App needs besides the store and the catalogs.
type Config struct {
	// Token is the bot's token: initData is signed with a key made from
	// it. Required.
	Token string
	// Admins are the administrators' Telegram ids.
	Admins []int64
	// Location is the district's time zone; nil means UTC.
	Location *time.Location
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Logger; nil means slog.Default().
	Logger *slog.Logger
	// Notices renders the notices of edits and results. Required.
	Notices Notices
	// Exports, if not nil, offers the participants' files as downloads.
	Exports Exports
}

// App serves the Mini App. Create it with New; it is safe for concurrent
// use.
type App struct {
	cfg     Config
	store   *storage.Store
	catalog *locales.Catalog
	secret  []byte
	// downloadKey signs the participants' file links (download.go).
	downloadKey []byte
	admins      map[int64]bool
	pages       map[string]*template.Template
	log         *slog.Logger
}

// New checks cfg and parses the templates.
func New(store *storage.Store, catalog *locales.Catalog, cfg Config) (*App, error) {
	if cfg.Token == "" {
		return nil, errors.New("webapp: no token")
	}
	if cfg.Notices == nil {
		return nil, errors.New("webapp: no notices")
	}
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	a := &App{cfg: cfg, store: store, catalog: catalog, secret: webAppSecret(cfg.Token), downloadKey: downloadKey(cfg.Token),
		admins: map[int64]bool{}, pages: map[string]*template.Template{}, log: cfg.Logger}
	for _, id := range cfg.Admins {
		a.admins[id] = true
	}
	for _, name := range []string{"shell", "error", "events", "editor", "participants", "dashboard"} {
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("webapp: template %s: %w", name, err)
		}
		a.pages[name] = t
	}
	return a, nil
}

// Handler serves the Mini App; mount it at Path.
func (a *App) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /app/static/", staticFiles())
	mux.Handle("GET /app/{$}", a.signedIn(a.eventsPage))
	mux.Handle("GET /app/events/new", a.signedIn(a.newEventPage))
	mux.Handle("POST /app/events/new", a.signedIn(a.createEvent))
	mux.Handle("GET /app/events/{id}/edit", a.signedIn(a.editEventPage))
	mux.Handle("POST /app/events/{id}/edit", a.signedIn(a.saveEvent))
	mux.Handle("GET /app/events/{id}/participants", a.signedIn(a.participantsPage))
	mux.Handle("POST /app/events/{id}/mark", a.signedIn(a.mark))
	mux.Handle("GET /app/events/{id}/export/{format}", a.downloadable(a.export))
	mux.Handle("GET /app/events/{id}/export/{format}/link", a.signedIn(a.exportLink))
	mux.Handle("GET /app/dashboard", a.signedIn(a.dashboardPage))
	return secured(mux)
}

// secured adds the headers every answer carries: no caching of personal
// data (static files set their own, static.go), no referrer (initData
// never travels in a URL, but the page's addresses hold ids), scripts and
// styles from the app itself only, and framed only by Telegram's web
// clients (web.telegram.org/k and /a frame a Mini App; the mobile and
// desktop apps open it in their own webview, which frame-ancestors does
// not concern).
func secured(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Cache-Control", "no-store")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors https://web.telegram.org https://*.telegram.org")
		next.ServeHTTP(w, r)
	})
}

// actor is the context a page's storage writes run with: the one place
// where the audit trail learns who made a change from the page
// (storage.WithActor, as the bot's middleware sets it for an update).
func (a *App) actor(ctx context.Context, s *session) context.Context {
	return storage.WithActor(ctx, s.User.ID)
}
