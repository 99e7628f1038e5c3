// Command vmeste runs the Vmeste Telegram bot: configuration, wiring and
// ordered shutdown. See README.md.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"vmeste/bot"
	"vmeste/calendar"
	"vmeste/locales"
	"vmeste/scheduler"
	"vmeste/storage"
	"vmeste/telegram"
	"vmeste/webapp"
)

func main() {
	os.Exit(run(os.Args[1:], os.LookupEnv, os.Stdin, os.Stdout, os.Stderr))
}

// run is main without the exit, for tests. It returns the exit status:
// 0 after a clean shutdown, 2 for a configuration error, 1 otherwise.
func run(args []string, lookupEnv func(string) (string, bool), stdin io.Reader, stdout, stderr io.Writer) int {
	cfg, err := parseConfig(args, lookupEnv, stderr)
	if isHelp(err) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "vmeste: %v\n", err)
		return 2
	}
	if cfg.HealthCheck {
		return healthCheck(cfg.HTTP, stderr)
	}
	switch {
	case cfg.Restore != "":
		return restore(cfg, stdout, stderr)
	case cfg.Check:
		return checkDB(cfg, stdout, stderr)
	case cfg.Compact:
		return compactDB(cfg, stdout, stderr)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if cfg.Demo {
		if err := runDemo(ctx, cfg, stdin, stdout); err != nil {
			fmt.Fprintf(stderr, "vmeste: demo: %v\n", err)
			return 1
		}
		return 0
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	err = serve(ctx, cfg, logger, nil)
	var cerr *configError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &cerr):
		fmt.Fprintf(stderr, "vmeste: %v\n", err)
		return 2
	default:
		fmt.Fprintf(stderr, "vmeste: %v\n", err)
		return 1
	}
}

// startupTimeout bounds the checks at start (database lock, getMe), so that
// a bad setting ends the process within five seconds.
const startupTimeout = 3 * time.Second

// serve checks that the backup folder can be written, opens the database
// (refusing a damaged one), connects to the Bot API, and runs the bot, the
// scheduler (outbox sender, broadcast reporter) and the health endpoint
// until ctx ends; then it shuts down in order: stop taking updates and
// finish the handlers in flight, stop the scheduler after its sends in
// flight, stop the HTTP server, close the database last. ready, if not nil, is called once the bot polls.
func serve(ctx context.Context, cfg config, logger *slog.Logger, ready func(*bot.Bot)) error {
	catalog, err := locales.New()
	if err != nil {
		return err
	}
	// The nightly backup must not be the first to find that its folder
	// cannot be written.
	if err := scheduler.CheckBackupDir(cfg.BackupDir); err != nil {
		return settingErr("backup-dir", "cannot write to %s: %v", cfg.BackupDir, unwrapAll(err))
	}
	store, err := storage.Open(cfg.DB, storage.Options{LockTimeout: time.Second, Location: cfg.Location, Logger: logger, Now: cfg.now})
	var damage *storage.DamageError
	switch {
	case errors.Is(err, storage.ErrLocked):
		return settingErr("db", "%s is held by another running instance", cfg.DB)
	case errors.As(err, &damage):
		return settingErr("db", "%s is damaged: %s", cfg.DB, damage.Reason)
	case err != nil:
		return settingErr("db", "cannot open %s: %v", cfg.DB, unwrapAll(err))
	}
	defer func() {
		if err := store.Close(); err != nil {
			logger.Error("close database", "error", err)
		}
	}()

	var ln net.Listener
	if cfg.HTTP != "" {
		ln, err = net.Listen("tcp", cfg.HTTP)
		if err != nil {
			return settingErr("http", "cannot listen on %s: %v", cfg.HTTP, unwrapAll(err))
		}
	}
	metrics, err := openMetrics(cfg)
	if err != nil {
		if ln != nil {
			ln.Close()
		}
		return err
	}
	defer metrics.shutdown(context.Background(), logger) // on the paths that return before start

	// One gateway for every sender, so that replies and announcements
	// together keep Telegram's overall and per-chat limits.
	gwCfg := telegram.Config{Token: cfg.Token, APIURL: cfg.APIURL, Rate: float64(cfg.Rate), Logger: logger, Metrics: metrics.registerer(),
		PaidBroadcast: float64(cfg.PaidBroadcast)}
	if cfg.unpaced {
		gwCfg.ChatBurst, gwCfg.GroupPerMinute = 1000, 1000
	}
	gw, err := telegram.New(gwCfg)
	if err != nil {
		return err
	}
	defer gw.Close()
	startCtx, cancel := context.WithTimeout(ctx, startupTimeout)
	defer cancel()
	b, err := bot.New(startCtx, bot.Config{
		Now:      cfg.now,
		Token:    cfg.Token,
		APIURL:   cfg.APIURL,
		Admins:   cfg.Admins,
		Location: cfg.Location,
		Logger:   logger,
		Gateway:  gw,
		Operator: cfg.Operator,
		// The feed's links are offered only when the port serving it is
		// on and reached from outside.
		CalendarFeedURL: calendarFeedURL(cfg),
		AppURL:          appURL(cfg),
		WebhookURL:      cfg.WebhookURL,
		WebhookSecret:   cfg.WebhookSecret,
		WebhookCheck:    cfg.webhookCheck,
		Metrics:         metrics.registerer(),
	}, store, catalog)
	switch {
	case errors.Is(err, bot.ErrUnauthorized):
		if ln != nil {
			ln.Close()
		}
		return settingErr("token", "the Bot API at %s refused the token", cfg.APIURL)
	case err != nil:
		if ln != nil {
			ln.Close()
		}
		return settingErr("api-url", "cannot reach the Bot API: %v", unwrapAll(err))
	}

	// The coordinators' Mini App, on the HTTP port when it is reached
	// over https; the bot renders its notices and files.
	var app *webapp.App
	if ln != nil && appURL(cfg) != "" {
		if app, err = webapp.New(store, catalog, webapp.Config{Token: cfg.Token, Admins: cfg.Admins, Location: cfg.Location,
			Now: cfg.now, Logger: logger, Notices: b, Exports: b}); err != nil {
			ln.Close()
			return err
		}
	}

	// Certificates in the outbox are printed when they are sent: the bot
	// knows the layout, the scheduler imports neither it nor documents.
	api := scheduler.Gateway{G: gw, Render: b.RenderCertificate}
	schedMetrics, err := scheduler.NewMetrics(metrics.registerer(), store, cfg.BackupDir, cfg.now)
	if err != nil {
		return fmt.Errorf("metrics: %w", err)
	}
	// Outbox sends take the shared limiter's bulk lane; with paid
	// broadcasts on, the mass sends (scheduler.Paid) wait for a limiter of
	// their own instead and the rest stay on the shared one. The
	// reporter's status messages and reports go to one chat each: shared,
	// unpaid.
	bulkRate := cfg.Rate
	if cfg.PaidBroadcast > 0 {
		bulkRate = cfg.PaidBroadcast
	}
	sender := scheduler.NewSender(store, api, scheduler.SenderConfig{Rate: bulkRate, Limiter: gw.Limiter(), PaidLimiter: gw.PaidLimiter(), Pacer: gw.Pacer(), Logger: logger, Metrics: schedMetrics})
	reporter := scheduler.NewReporter(store, api, b, scheduler.ReporterConfig{Limiter: gw.Limiter(), Pacer: gw.Pacer(), Logger: logger, Now: cfg.now})
	sched, err := scheduler.New(store, b, scheduler.Config{
		Location: cfg.Location, Tick: cfg.Tick, Digest: cfg.Digest, Summary: cfg.Summary,
		Backup: cfg.Backup, BackupDir: cfg.BackupDir, Retention: cfg.Keep, AuditRetention: cfg.AuditKeep, Logger: logger, Now: cfg.now,
		Metrics: schedMetrics,
	})
	if err != nil {
		var se *scheduler.SettingError
		if errors.As(err, &se) {
			return settingErr(se.Setting, "%v", se.Err)
		}
		return err
	}
	// The scheduler outlives ctx until the bot has stopped, so that what
	// the last handlers enqueue is picked up; then it finishes its sends in
	// flight before the database closes.
	schedCtx, stopScheduler := context.WithCancel(context.WithoutCancel(ctx))
	defer stopScheduler()
	var schedWG sync.WaitGroup
	for _, job := range []func(context.Context) error{sender.Run, reporter.Run, sched.Run} {
		schedWG.Add(1)
		go func() {
			defer schedWG.Done()
			if err := job(schedCtx); err != nil {
				logger.Error("scheduler", "error", err)
			}
		}()
	}

	var srv *http.Server
	if ln != nil {
		mux := healthHandler(b, gw, store)
		metrics.mount(mux)
		if calendarFeedURL(cfg) != "" {
			mux.Handle(calendar.FeedPath, &calendar.Handler{Store: store, Catalog: catalog, Location: cfg.Location,
				Bot: b.Username(), ConsentVersion: b.CurrentConsentVersion(), Now: cfg.now, Log: logger})
		}
		if app != nil {
			mux.Handle(webapp.Path, app.Handler())
		}
		if cfg.WebhookPath != "" {
			mux.Handle(cfg.WebhookPath, b.WebhookHandler())
		}
		srv = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
		go func() {
			if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				logger.Error("http server", "error", err)
			}
		}()
	}
	metrics.start(logger)
	logger.Info("vmeste started", "bot", b.Username(), "db", cfg.DB, "http", cfg.HTTP, "tz", cfg.Location.String())
	if ready != nil {
		ready(b)
	}

	runErr := b.Run(ctx) // returns after the handlers in flight are done
	logger.Info("shutting down")
	stopScheduler()
	schedWG.Wait()
	shutdownCtx, cancelShutdown := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancelShutdown()
	if srv != nil {
		if err := srv.Shutdown(shutdownCtx); err != nil {
			logger.Warn("http shutdown", "error", err)
		}
	}
	metrics.shutdown(shutdownCtx, logger)
	if errors.Is(runErr, bot.ErrWebhookRefused) {
		var api *telegram.APIError
		reason := runErr
		if errors.As(runErr, &api) {
			reason = api
		}
		return settingErr("webhook-url", "Telegram refused the webhook %s: %v", cfg.WebhookURL, reason)
	}
	return runErr
}

// healthHandler serves GET /healthz: 200 "ok" while the bot receives
// updates (polls, or its webhook is set),
// Telegram answers and the database is open; otherwise 503 with the
// reason ("degraded: telegram unreachable for 42s: …" while every send
// waits for Telegram; "degraded: Telegram cannot deliver to the webhook:
// …" while its last failure to is under 5 minutes old and updates wait).
func healthHandler(b *bot.Bot, gw *telegram.Gateway, store *storage.Store) *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if reason := gw.Health(); reason != "" {
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintln(w, "degraded:", reason)
			return
		}
		if reason := b.WebhookHealth(); reason != "" {
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintln(w, "degraded:", reason)
			return
		}
		if !b.Receiving() {
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintln(w, "not receiving updates")
			return
		}
		if err := store.Ping(r.Context()); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintln(w, "database unavailable")
			return
		}
		fmt.Fprintln(w, "ok")
	})
	return mux
}

// calendarFeedURL is the base of the calendar feeds' links
// (<VMESTE_PUBLIC_URL>/calendar/), "" when VMESTE_PUBLIC_URL or the HTTP
// port is not configured.
func calendarFeedURL(cfg config) string {
	switch {
	case cfg.PublicURL == "" || cfg.HTTP == "":
		return ""
	case cfg.loopbackFeeds:
		return "http://" + cfg.HTTP + calendar.FeedPath
	}
	return cfg.PublicURL + calendar.FeedPath
}

// appURL is the Mini App's address (<VMESTE_PUBLIC_URL>/app/), "" when
// VMESTE_PUBLIC_URL is not https (Telegram opens Mini Apps over HTTPS
// only, and refuses a web_app button to anything else) or the HTTP port
// is not configured: then it is not served and the bot offers no button
// to it.
func appURL(cfg config) string {
	if !strings.HasPrefix(cfg.PublicURL, "https://") || cfg.HTTP == "" {
		return ""
	}
	return cfg.PublicURL + webapp.Path
}

// unwrapAll returns the innermost error, whose text is the plain reason
// (e.g. "permission denied"), for one-line messages.
func unwrapAll(err error) error {
	for {
		next := errors.Unwrap(err)
		if next == nil {
			return err
		}
		err = next
	}
}

// healthCheck asks GET /healthz of the instance listening on addr and
// returns 0 if it answers 200.
func healthCheck(addr string, stderr io.Writer) int {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		fmt.Fprintf(stderr, "vmeste: %v\n", settingErr("http", "bad address %q", addr))
		return 2
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	client := &http.Client{Timeout: 3 * time.Second}
	resp, err := client.Get("http://" + net.JoinHostPort(host, port) + "/healthz")
	if err != nil {
		fmt.Fprintf(stderr, "vmeste: healthcheck: %v\n", unwrapAll(err))
		return 1
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintf(stderr, "vmeste: healthcheck: %s\n", resp.Status)
		return 1
	}
	return 0
}

// restore puts a backup back as the database, refusing while another
// instance holds it, or when the backup is damaged.
func restore(cfg config, stdout, stderr io.Writer) int {
	if err := storage.Restore(cfg.Restore, cfg.DB, time.Second); err != nil {
		return offlineFailure("restore", cfg.Restore, cfg, err, stderr)
	}
	fmt.Fprintf(stdout, "vmeste: restored %s to %s\n", cfg.Restore, cfg.DB)
	return 0
}
