package telegram

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
	"github.com/prometheus/client_golang/prometheus"
)

// Config is what the gateway needs. Only Token is required.
type Config struct {
	Token string
	// APIURL is the Bot API base URL; empty means https://api.telegram.org.
	APIURL string
	// HTTPClient makes every call; nil means one with a 60 s timeout.
	HTTPClient *http.Client
	// Rate is the most messages a second the bot sends, replies and bulk
	// together (default 28: Telegram's overall limit is about 30).
	Rate float64
	// SendTimeout bounds one call that sends or edits (default 30 s).
	SendTimeout time.Duration
	// ReplyMaxWait bounds how long a reply is retried and waits for the
	// limits (default 10 min; see Reply).
	ReplyMaxWait time.Duration
	// ChatBurst and GroupPerMinute are the per-chat limits kept (defaults
	// PrivateBurst and GroupPerMinute); an emulator without flood control
	// may lift them.
	ChatBurst, GroupPerMinute int
	// PaidBroadcast, when above 0, is the rate (messages a second, at
	// most MaxPaidBroadcast) of Telegram's paid broadcasts: bulk sends
	// (Message.Bulk) then carry allow_paid_broadcast, each paid for in
	// Stars by the bot, and are paced by a limiter of their own at this
	// rate (BulkLimiter) instead of sharing Rate with the replies. 0: off.
	PaidBroadcast float64
	// Probe is the backoff between probes while Telegram is unreachable
	// (default 500 ms doubling to 5 s).
	Probe  Backoff
	Logger *slog.Logger
	// Metrics, if set, gets the gateway's collectors (telegram/metrics.go):
	// sends by lane, method and result, 429s by method, the limiter's
	// waits. nil records nothing.
	Metrics prometheus.Registerer
}

// Gateway is the one way to the Bot API: every message the bot sends, an
// answer to a user or an announcement, goes through it, under one overall
// Limiter and one per-chat Pacer; it classifies every error (Error),
// records the pauses Telegram orders, and holds every send while Telegram
// is unreachable.
//
// Gateway is safe for concurrent use. Create it with New, stop its probe
// with Close.
type Gateway struct {
	cfg     Config
	api     *tg.Bot
	pacer   *Pacer
	limiter *Limiter
	// paid paces the bulk sends when Config.PaidBroadcast is on; nil
	// otherwise.
	paid    *Limiter
	log     *slog.Logger
	outage  outage
	metrics *metrics
	closed  chan struct{}
	closeMu sync.Once
}

// New returns a gateway. It makes no call.
func New(cfg Config) (*Gateway, error) {
	if strings.TrimSpace(cfg.Token) == "" {
		return nil, errors.New("telegram: empty token")
	}
	if cfg.APIURL == "" {
		cfg.APIURL = "https://api.telegram.org"
	}
	cfg.APIURL = strings.TrimRight(cfg.APIURL, "/")
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 60 * time.Second}
	}
	if cfg.Rate <= 0 {
		cfg.Rate = DefaultRate
	}
	if cfg.SendTimeout <= 0 {
		cfg.SendTimeout = 30 * time.Second
	}
	if cfg.ReplyMaxWait <= 0 {
		cfg.ReplyMaxWait = DefaultReplyMaxWait
	}
	if cfg.Probe == (Backoff{}) {
		cfg.Probe = Backoff{First: 500 * time.Millisecond, Max: 5 * time.Second}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.ChatBurst <= 0 {
		cfg.ChatBurst = PrivateBurst
	}
	if cfg.GroupPerMinute <= 0 {
		cfg.GroupPerMinute = GroupPerMinute
	}
	api, err := tg.New(cfg.Token,
		tg.WithServerURL(cfg.APIURL),
		tg.WithHTTPClient(0, cfg.HTTPClient),
		tg.WithSkipGetMe(),
		tg.WithErrorsHandler(func(err error) { cfg.Logger.Error("telegram", "error", Redact(err, cfg.Token)) }),
	)
	if err != nil {
		return nil, fmt.Errorf("telegram: %w", Redact(err, cfg.Token))
	}
	limiter := NewLimiter(cfg.Rate * rateMargin)
	m, err := newMetrics(cfg.Metrics, limiter)
	if err != nil {
		return nil, fmt.Errorf("telegram: metrics: %w", err)
	}
	g := &Gateway{
		cfg:     cfg,
		api:     api,
		pacer:   NewPacer(cfg.ChatBurst, cfg.GroupPerMinute),
		limiter: limiter,
		log:     cfg.Logger,
		metrics: m,
		closed:  make(chan struct{}),
	}
	if cfg.PaidBroadcast > 0 {
		g.paid = NewLimiter(min(cfg.PaidBroadcast, MaxPaidBroadcast) * rateMargin)
		if err := m.observePaid(g.paid); err != nil {
			return nil, fmt.Errorf("telegram: metrics: %w", err)
		}
	}
	return g, nil
}

// MaxPaidBroadcast is the most messages a second Telegram allows with
// allow_paid_broadcast.
const MaxPaidBroadcast = 1000

// DefaultRate is the overall rate when none is set: under Telegram's
// thirty a second, leaving room for the arrival jitter of requests.
const DefaultRate = 28

// rateMargin keeps the limiter 1% under the rate: Telegram counts
// arrivals over sliding windows.
const rateMargin = 0.99

// DefaultReplyMaxWait is how long a reply is worth sending. A spinner
// answered a minute late is still better than silence; a reply ten
// minutes late answers a question the user has stopped asking, and by
// then the user has most likely written again.
const DefaultReplyMaxWait = 10 * time.Minute

// Close stops the outage probe. Calls in flight end on their own contexts;
// after Close during an outage the limiter stays held.
func (g *Gateway) Close() {
	g.closeMu.Do(func() { close(g.closed) })
}

// Pacer is the per-chat pacer every sender shares.
func (g *Gateway) Pacer() *Pacer { return g.pacer }

// Limiter is the overall limiter every sender shares.
func (g *Gateway) Limiter() *Limiter { return g.limiter }

// BulkLimiter is the limiter bulk senders wait for: the paid broadcasts'
// own when Config.PaidBroadcast is on, else Limiter (its bulk lane).
func (g *Gateway) BulkLimiter() *Limiter {
	if g.paid != nil {
		return g.paid
	}
	return g.limiter
}

// PaidLimiter is the paid broadcasts' own limiter, nil when
// Config.PaidBroadcast is off.
func (g *Gateway) PaidLimiter() *Limiter { return g.paid }

// limiters are the overall limiters, the paid broadcasts' too if on.
func (g *Gateway) limiters() []*Limiter {
	if g.paid != nil {
		return []*Limiter{g.limiter, g.paid}
	}
	return []*Limiter{g.limiter}
}

// redact removes the token from err's text.
func (g *Gateway) redact(err error) error { return Redact(err, g.cfg.Token) }

// Me calls getMe: the bot's own user. It returns ErrUnauthorized when the
// API refuses the token.
func (g *Gateway) Me(ctx context.Context) (*models.User, error) {
	u, err := g.api.GetMe(ctx)
	if err != nil {
		if errors.Is(err, tg.ErrorUnauthorized) || errors.Is(err, tg.ErrorNotFound) {
			return nil, fmt.Errorf("telegram: getMe: %w", ErrUnauthorized)
		}
		return nil, fmt.Errorf("telegram: getMe: %w", g.redact(err))
	}
	return u, nil
}

// ErrUnauthorized is returned by Me when the Bot API refuses the token.
var ErrUnauthorized = errors.New("the Bot API refused the token")

// SetCommands calls setMyCommands once.
func (g *Gateway) SetCommands(ctx context.Context, scope models.BotCommandScope, lang string, list []models.BotCommand) error {
	_, err := g.api.SetMyCommands(ctx, &tg.SetMyCommandsParams{Commands: list, Scope: scope, LanguageCode: lang})
	if err != nil {
		return g.fail(ctx, "setMyCommands", 0, err)
	}
	return nil
}

// SetMenuButton calls setChatMenuButton once for a private chat: a
// web_app button opening url with text, or, when url is "", the default
// button (the commands).
func (g *Gateway) SetMenuButton(ctx context.Context, chatID int64, text, url string) error {
	var button models.InputMenuButton = models.MenuButtonDefault{Type: models.MenuButtonTypeDefault}
	if url != "" {
		button = models.MenuButtonWebApp{Type: models.MenuButtonTypeWebApp, Text: text, WebApp: models.WebAppInfo{URL: url}}
	}
	if _, err := g.api.SetChatMenuButton(ctx, &tg.SetChatMenuButtonParams{ChatID: chatID, MenuButton: button}); err != nil {
		return g.fail(ctx, "setChatMenuButton", chatID, err)
	}
	return nil
}

// Redact removes token from err's text, keeping the chain for errors.Is.
// The URL of a *url.Error in the chain is redacted in place, so that
// errors.As finds no token either.
func Redact(err error, token string) error {
	if err == nil || token == "" || !strings.Contains(err.Error(), token) {
		return err
	}
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		urlErr.URL = strings.ReplaceAll(urlErr.URL, token, "***")
	}
	return redactedError{msg: strings.ReplaceAll(err.Error(), token, "***"), err: err}
}

type redactedError struct {
	msg string
	err error
}

func (e redactedError) Error() string { return e.msg }
func (e redactedError) Unwrap() error { return e.err }
