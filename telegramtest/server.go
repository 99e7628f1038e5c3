package telegramtest

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Token is the bot token the emulator accepts unless WithToken says otherwise.
// Requests made with any other token are answered with
// 401 {"ok":false,"error_code":401,"description":"Unauthorized"}.
const Token = "123456:TEST-token"

// Option configures a Server built by New.
type Option func(*config)

type config struct {
	token         string
	username      string
	limits        Limits
	longPollCap   time.Duration
	firstUpdateID int64
}

// WithToken makes the emulator accept token instead of Token. The bot's user
// id (BotUser().ID) is the numeric part of the token before ':' when there is one.
func WithToken(token string) Option { return func(c *config) { c.token = token } }

// WithBotUsername sets the bot's username (default "vmeste_test_bot").
func WithBotUsername(username string) Option {
	return func(c *config) { c.username = strings.TrimPrefix(username, "@") }
}

// WithRateLimits enables Telegram-like flood control (see Limits). Default: off.
func WithRateLimits(l Limits) Option { return func(c *config) { c.limits = l } }

// WithLongPollCap caps how long a getUpdates long poll actually waits,
// whatever timeout the client asked for. Zero (default) honours the request.
func WithLongPollCap(d time.Duration) Option { return func(c *config) { c.longPollCap = d } }

// WithFirstUpdateID sets the update_id of the first update (default 1).
func WithFirstUpdateID(id int64) Option { return func(c *config) { c.firstUpdateID = id } }

// Server is an in-process Telegram Bot API emulator. All methods are safe for
// concurrent use. Create it with New and stop it with Close.
type Server struct {
	ts          *httptest.Server
	token       string
	bot         User
	longPollCap time.Duration
	epoch       time.Time
	closing     chan struct{}
	closeOnce   sync.Once

	mu sync.Mutex

	// updates (updates.go)
	nextUpdateID  int64
	pending       []queuedUpdate
	confirmedUpTo int64
	deliveredUpTo int64
	allowed       map[string]bool // nil: Telegram's default set
	updSignal     signal

	// history (history.go)
	version uint64
	chats   map[int64]*chatState
	changed signal // fired on history changes, callback answers, deliveries

	files     map[string]*File
	filePaths map[string]*File
	nextFile  int
	nextAlbum int64 // media_group_id of the last album (SendAlbum)

	queries   map[string]*queryState
	nextQuery int64

	commands map[commandKey][]BotCommand
	menus    map[int64]MenuButton // setChatMenuButton, by chat (0: the default)
	calls    map[string]int

	// webhook.go
	webhook        string
	webhookSecret  string
	webhookMaxConn int
	webhookRunning bool
	webhookSets    int
	deliveries     []WebhookDelivery
	webhookErrAt   time.Time    // the last failed delivery
	webhookFake    *webhookFake // FakeWebhookError

	// faults.go
	faults        []*faultRule
	injected429   int
	outage        Outage
	outageRefused int

	// limits.go
	limits         Limits
	global         *window
	paidGlobal     *window // Limits.PaidGlobal
	rateViolations int
}

// New starts an emulator on a local httptest.Server.
func New(opts ...Option) *Server {
	cfg := config{token: Token, username: "vmeste_test_bot", firstUpdateID: 1}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.firstUpdateID < 1 {
		cfg.firstUpdateID = 1
	}
	botID := int64(123456)
	if i := strings.IndexByte(cfg.token, ':'); i > 0 {
		if id, err := strconv.ParseInt(cfg.token[:i], 10, 64); err == nil {
			botID = id
		}
	}
	s := &Server{
		token:        cfg.token,
		bot:          User{ID: botID, FirstName: "Vmeste", Username: cfg.username},
		longPollCap:  cfg.longPollCap,
		epoch:        time.Now(),
		closing:      make(chan struct{}),
		nextUpdateID: cfg.firstUpdateID,
		chats:        make(map[int64]*chatState),
		files:        make(map[string]*File),
		filePaths:    make(map[string]*File),
		queries:      make(map[string]*queryState),
		commands:     make(map[commandKey][]BotCommand),
		menus:        make(map[int64]MenuButton),
		calls:        make(map[string]int),
	}
	s.confirmedUpTo = cfg.firstUpdateID - 1
	s.deliveredUpTo = cfg.firstUpdateID - 1
	s.setLimitsLocked(cfg.limits)
	s.ts = httptest.NewServer(http.HandlerFunc(s.serveHTTP))
	return s
}

// URL is the server's base URL; pass it to bot.WithServerURL.
func (s *Server) URL() string { return s.ts.URL }

// Close ends pending getUpdates long polls (they answer []), makes blocked
// Wait* calls return an error, and shuts the HTTP server down.
func (s *Server) Close() {
	s.closeOnce.Do(func() { close(s.closing) })
	s.ts.Close()
}

// BotUser is the bot's own user: id from the token (123456 by default),
// first name "Vmeste", username "vmeste_test_bot" unless WithBotUsername.
func (s *Server) BotUser() User { return s.bot }

// Calls reports how many authorized requests for method (case-insensitive)
// the emulator received, including failed and fault-injected ones.
func (s *Server) Calls(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[strings.ToLower(method)]
}

// signal is a broadcast wake-up: waiters take the channel under s.mu and
// fire closes it. The channel is allocated only when somebody waits.
type signal struct{ ch chan struct{} }

func (g *signal) wait() <-chan struct{} {
	if g.ch == nil {
		g.ch = make(chan struct{})
	}
	return g.ch
}

func (g *signal) fire() {
	if g.ch != nil {
		close(g.ch)
		g.ch = nil
	}
}

// reply is a method's outcome: an error (code != 0) or a result.
type reply struct {
	code       int
	desc       string
	retryAfter int
	result     any
	raw        []byte // pre-encoded result, wins over result
}

func ok(v any) reply { return reply{result: v} }

func apiError(code int, desc string) reply { return reply{code: code, desc: desc} }

func badRequest(desc string) reply { return reply{code: 400, desc: "Bad Request: " + desc} }

func tooMany(retry int) reply {
	return reply{code: 429, desc: "Too Many Requests: retry after " + strconv.Itoa(retry), retryAfter: retry}
}

var (
	errChatNotFound = badRequest("chat not found")
	errBlocked      = apiError(403, "Forbidden: bot was blocked by the user")
	errKicked       = apiError(403, "Forbidden: bot was kicked from the group chat")
)

func (r reply) failed() bool { return r.code != 0 }

type errorBody struct {
	OK          bool        `json:"ok"`
	ErrorCode   int         `json:"error_code"`
	Description string      `json:"description"`
	Parameters  *retryParam `json:"parameters,omitempty"`
}

type retryParam struct {
	RetryAfter int `json:"retry_after"`
}

func writeReply(w http.ResponseWriter, r reply) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	if r.code != 0 {
		body := errorBody{ErrorCode: r.code, Description: r.desc}
		if r.retryAfter > 0 {
			body.Parameters = &retryParam{RetryAfter: r.retryAfter}
		}
		b, _ := json.Marshal(body)
		w.WriteHeader(r.code)
		_, _ = w.Write(b)
		return
	}
	res := r.raw
	if res == nil {
		var err error
		if res, err = json.Marshal(r.result); err != nil {
			writeReply(w, apiError(500, "Internal Server Error: "+err.Error()))
			return
		}
	}
	buf := make([]byte, 0, len(res)+22)
	buf = append(buf, `{"ok":true,"result":`...)
	buf = append(buf, res...)
	buf = append(buf, '}')
	_, _ = w.Write(buf)
}

type method func(s *Server, ctx context.Context, p *params) reply

// methods maps lower-cased Bot API method names to handlers (methods.go, updates.go).
var methods map[string]method

func init() {
	methods = map[string]method{
		"getme":                  (*Server).mGetMe,
		"getupdates":             (*Server).mGetUpdates,
		"sendmessage":            (*Server).mSendMessage,
		"editmessagetext":        (*Server).mEditMessageText,
		"editmessagecaption":     (*Server).mEditMessageCaption,
		"editmessagereplymarkup": (*Server).mEditMessageReplyMarkup,
		"answercallbackquery":    (*Server).mAnswerCallbackQuery,
		"deletemessage":          (*Server).mDeleteMessage,
		"setmycommands":          (*Server).mSetMyCommands,
		"setchatmenubutton":      (*Server).mSetChatMenuButton,
		"getchatmenubutton":      (*Server).mGetChatMenuButton,
		"deletemycommands":       (*Server).mDeleteMyCommands,
		"getmycommands":          (*Server).mGetMyCommands,
		"senddocument":           (*Server).mSendDocument,
		"sendphoto":              (*Server).mSendPhoto,
		"sendvideo":              (*Server).mSendVideo,
		"sendmediagroup":         (*Server).mSendMediaGroup,
		"copymessage":            (*Server).mCopyMessage,
		"getfile":                (*Server).mGetFile,
		"sendchataction":         (*Server).mSendChatAction,
		"getchat":                (*Server).mGetChat,
		"setwebhook":             (*Server).mSetWebhook,
		"deletewebhook":          (*Server).mDeleteWebhook,
		"getwebhookinfo":         (*Server).mGetWebhookInfo,
		// Harmless setters a bot may call at start-up: accepted and ignored.
		"setmydescription":      mTrue,
		"setmyshortdescription": mTrue,
		"setmyname":             mTrue,
	}
}

func mTrue(*Server, context.Context, *params) reply { return ok(true) }

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if s.refuseInOutage(w) {
		return
	}
	path := r.URL.Path
	switch {
	case strings.HasPrefix(path, "/bot"):
		s.serveAPI(w, r, path[len("/bot"):])
	case strings.HasPrefix(path, "/file/bot"):
		s.serveFile(w, r, path[len("/file/bot"):])
	default:
		writeReply(w, apiError(404, "Not Found"))
	}
}

func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request, rest string) {
	slash := strings.IndexByte(rest, '/')
	if slash < 0 {
		writeReply(w, apiError(404, "Not Found"))
		return
	}
	if rest[:slash] != s.token {
		writeReply(w, apiError(401, "Unauthorized"))
		return
	}
	name := strings.ToLower(rest[slash+1:])
	s.mu.Lock()
	s.calls[name]++
	s.mu.Unlock()
	h := methods[name]
	if h == nil {
		writeReply(w, apiError(404, "Not Found"))
		return
	}
	p, err := parseParams(r)
	if err != nil {
		if err == errTooLarge {
			writeReply(w, apiError(413, "Request Entity Too Large"))
			return
		}
		writeReply(w, badRequest(err.Error()))
		return
	}
	ctx := r.Context()
	if f, hit := s.takeFault(name, p); hit {
		if f.Delay > 0 && !s.sleep(ctx, f.Delay) {
			writeReply(w, apiError(500, "Internal Server Error"))
			return
		}
		if f.Code != 0 {
			writeReply(w, f.reply())
			return
		}
	}
	writeReply(w, h(s, ctx, p))
}

// sleep waits d; false if the request or the server ended first.
func (s *Server) sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	case <-s.closing:
		return false
	}
}

func (s *Server) serveFile(w http.ResponseWriter, r *http.Request, rest string) {
	slash := strings.IndexByte(rest, '/')
	if slash < 0 || rest[:slash] != s.token {
		http.Error(w, "Unauthorized", http.StatusUnauthorized)
		return
	}
	s.mu.Lock()
	f := s.filePaths[rest[slash+1:]]
	s.mu.Unlock()
	if f == nil {
		http.Error(w, "Not Found", http.StatusNotFound)
		return
	}
	if f.MimeType != "" {
		w.Header().Set("Content-Type", f.MimeType)
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(f.Content)))
	_, _ = w.Write(f.Content)
}
