package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"vmeste/locales"
	"vmeste/storage"
	"vmeste/telegram"
)

// Config is what the bot needs from the configuration.
type Config struct {
	Token  string
	APIURL string // Bot API base URL, e.g. https://api.telegram.org
	Admins []int64
	// Location is the district's time zone; nil means UTC.
	Location *time.Location
	// Workers bounds how many users are served at once; 0 means 64.
	Workers int
	// PollTimeout is the getUpdates long-poll timeout; 0 means 25 s.
	PollTimeout time.Duration
	// ShutdownGrace bounds how long Run waits for handlers in flight after
	// its context ends; 0 means 10 s.
	ShutdownGrace time.Duration
	Logger        *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Gateway is the way to the Bot API, shared with the scheduler (its
	// limits are everyone's); nil means one of the bot's own, from Token
	// and APIURL.
	Gateway *telegram.Gateway
	// Operator names the operator of personal data (the department) in
	// the consent's text; "" means DefaultOperator, with a warning in the
	// log.
	Operator string
	// CalendarFeedURL is the base of the users' calendar feed links
	// (<VMESTE_PUBLIC_URL>/calendar/; a token and .ics follow); "" when
	// no feed is served, and /settings says so.
	CalendarFeedURL string
	// AppURL is the Mini App's address (<VMESTE_PUBLIC_URL>/app/), offered
	// to coordinators and admins as a web_app button and as their menu
	// button; "" when the app is not served.
	AppURL string
	// WebhookURL, if set, is the public URL Telegram POSTs updates to
	// (webhook mode, see WebhookHandler); "" polls.
	WebhookURL string
	// WebhookSecret is the webhook's secret token; "" means the one kept
	// in the database (made once, storage.WebhookSecret).
	WebhookSecret string
	// WebhookMaxConnections is setWebhook's max_connections; 0 means
	// DefaultWebhookConnections.
	WebhookMaxConnections int
	// WebhookCheck is how often getWebhookInfo is asked in webhook mode
	// (webhook_health.go); 0 means DefaultWebhookCheck.
	WebhookCheck time.Duration
	// Metrics, if set, gets the bot's collectors (metrics.go): updates by
	// kind and outcome, handler latency by route. nil records nothing.
	Metrics prometheus.Registerer
}

// DefaultOperator is the operator named when the configuration names
// none: a placeholder the district should replace (VMESTE_OPERATOR).
const DefaultOperator = "Управление образования"

// ErrUnauthorized is returned by New when the Bot API refuses the token.
var ErrUnauthorized = telegram.ErrUnauthorized

// Bot answers Telegram updates. Create it with New and start it with Run.
type Bot struct {
	cfg      Config
	tg       *telegram.Gateway
	store    *storage.Store
	catalog  *locales.Catalog
	log      *slog.Logger
	username string
	admins   map[int64]bool

	commands  map[string]command
	callbacks map[string]callback
	flows     map[string]flow
	// wizardStarts: the commands ("/name") and buttons (prefix) that begin
	// a wizard (routes.go, wizard.go).
	wizardStarts map[string]startsWizard

	// receiving: the last getUpdates call succeeded, or the webhook is
	// set; and Run has not stopped.
	receiving atomic.Bool
	// intake passes the webhook's updates to Run's dispatcher
	// (webhook.go); webhookSecret is the secret Telegram must send.
	intake        webhookIntake
	webhookSecret string
	// webhookHealth and webhookGauges: what getWebhookInfo said last
	// (webhook_health.go); the gauges only in webhook mode with metrics.
	webhookHealth webhookHealth
	webhookGauges *webhookGauges
	// archives are the works' ZIPs being built beside the update intake
	// (works_zip.go).
	archives *archiver

	// consentVersion is the version of the consent's text users must have
	// agreed to (consent.go).
	consentVersion string
	// consentFree: the commands ("/name") and buttons (prefix) that work
	// without consent (routes.go).
	consentFree map[string]bool

	metrics *updateMetrics
}

// New connects to the Bot API (one getMe call, bounded by ctx and 5 s) and
// prepares the bot. It returns an error wrapping ErrUnauthorized when the
// API refuses the token; no error message contains the token.
func New(ctx context.Context, cfg Config, store *storage.Store, catalog *locales.Catalog) (*Bot, error) {
	if strings.TrimSpace(cfg.Token) == "" {
		return nil, errors.New("bot: empty token")
	}
	if cfg.APIURL == "" {
		cfg.APIURL = "https://api.telegram.org"
	}
	cfg.APIURL = strings.TrimRight(cfg.APIURL, "/")
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 64
	}
	if cfg.PollTimeout <= 0 {
		cfg.PollTimeout = 25 * time.Second
	}
	if cfg.ShutdownGrace <= 0 {
		cfg.ShutdownGrace = 10 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.WebhookMaxConnections <= 0 {
		cfg.WebhookMaxConnections = DefaultWebhookConnections
	}
	if cfg.WebhookCheck <= 0 {
		cfg.WebhookCheck = DefaultWebhookCheck
	}
	noOperator := strings.TrimSpace(cfg.Operator) == ""
	if cfg.Operator = strings.TrimSpace(cfg.Operator); noOperator {
		cfg.Operator = DefaultOperator
	}
	if cfg.Gateway == nil {
		g, err := telegram.New(telegram.Config{Token: cfg.Token, APIURL: cfg.APIURL, Logger: cfg.Logger})
		if err != nil {
			return nil, fmt.Errorf("bot: %w", err)
		}
		cfg.Gateway = g
	}
	getMeCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	me, err := cfg.Gateway.Me(getMeCtx)
	if err != nil {
		return nil, fmt.Errorf("bot: %w", err)
	}
	b := &Bot{
		cfg:      cfg,
		tg:       cfg.Gateway,
		store:    store,
		catalog:  catalog,
		log:      cfg.Logger,
		username: me.Username,
		admins:   map[int64]bool{},
		archives: newArchiver(),
	}
	for _, id := range cfg.Admins {
		b.admins[id] = true
	}
	b.intake.save = store.SaveWebhookUpdate
	if b.webhookSecret = cfg.WebhookSecret; cfg.WebhookURL != "" && b.webhookSecret == "" {
		if b.webhookSecret, err = store.WebhookSecret(ctx); err != nil {
			return nil, fmt.Errorf("bot: %w", err)
		}
	}
	b.consentVersion = ConsentVersion(catalog, cfg.Operator)
	if noOperator { // said once the bot is up: a setting's error stays the one line on stderr
		cfg.Logger.Warn("the operator of personal data is not configured: the consent names a placeholder; set VMESTE_OPERATOR to the department's name",
			"operator", cfg.Operator)
	}
	if b.metrics, err = newMetrics(cfg.Metrics); err != nil {
		return nil, fmt.Errorf("bot: metrics: %w", err)
	}
	if cfg.WebhookURL != "" {
		if b.webhookGauges, err = newWebhookGauges(cfg.Metrics); err != nil {
			return nil, fmt.Errorf("bot: metrics: %w", err)
		}
	}
	b.registerRoutes()
	return b, nil
}

// CurrentConsentVersion is the version of the consent's text users must
// have agreed to (ConsentVersion of the configured operator).
func (b *Bot) CurrentConsentVersion() string { return b.consentVersion }

// Username is the bot's @username without the @.
func (b *Bot) Username() string { return b.username }

// Receiving reports whether Run is taking updates: in polling mode, the
// last getUpdates call succeeded; in webhook mode, Telegram accepted the
// webhook.
func (b *Bot) Receiving() bool { return b.receiving.Load() }

// Run registers the command menus, handles what the inbox kept from the
// last run, then takes updates until ctx ends: with Config.WebhookURL it
// sets the webhook and takes what WebhookHandler receives (a 400 from
// setWebhook ends Run with ErrWebhookRefused); without, it
// deletes any webhook left set and polls. Then it stops taking
// updates and waits (at most Config.ShutdownGrace) for the handlers in
// flight and the works' archives being built; updates not handled by then
// stay in the inbox for the next start, and an archive cut short tells its
// coordinator through the outbox.
func (b *Bot) Run(ctx context.Context) error {
	b.syncAllCommands(ctx)

	// Handlers get their own context, which outlives ctx by the grace
	// period, so that a reply in flight at shutdown is still sent.
	handlerCtx, cancelHandlers := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelHandlers()
	d := newDispatcher(handlerCtx, b.cfg.Workers, b.store, b.log, b.handle)
	p := &poller{
		tg:      b.tg,
		timeout: b.cfg.PollTimeout,
		d:       d,
		store:   b.store,
		log:     b.log,
		healthy: &b.receiving,
		metrics: b.metrics,
	}
	if err := p.replay(ctx); err != nil {
		cancelHandlers()
		d.wait()
		if ctx.Err() != nil {
			return nil // stopped before it began
		}
		return fmt.Errorf("bot: replay inbox: %w", err)
	}
	var runErr error
	if b.cfg.WebhookURL != "" {
		b.intake.open(d)
		runErr = b.receiveWebhook(ctx)
		b.intake.close() // after the requests in flight have queued theirs
	} else {
		b.deleteWebhook(ctx)
		p.run(ctx)
	}
	b.receiving.Store(false)

	done := make(chan struct{})
	go func() { d.wait(); b.archives.wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(b.cfg.ShutdownGrace):
		b.log.Warn("shutdown: handlers still running after the grace period; the rest stays in the inbox for the next start")
		cancelHandlers()
		<-done
	}
	return runErr
}
