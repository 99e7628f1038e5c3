package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // the zone database, for images without /usr/share/zoneinfo

	"github.com/robfig/cron/v3"

	"vmeste/bot"
	"vmeste/scheduler"
	"vmeste/storage"
)

// config is the whole configuration, read once at start. Every setting is
// an environment variable and a flag of the same meaning; a flag wins.
type config struct {
	Token    string
	APIURL   string
	DB       string
	Admins   []int64
	Location *time.Location
	HTTP     string
	Rate     int
	// PaidBroadcast is the rate of Telegram's paid broadcasts for bulk
	// sends, messages a second; 0: off.
	PaidBroadcast int
	// Tick is how often due reminders are looked for; Digest, Summary and
	// Backup are cron specs; BackupDir is where backups go.
	Tick                    time.Duration
	Digest, Summary, Backup string
	BackupDir               string
	// Keep is how long finished records (messages sent, sign-up keys,
	// marks) are kept before the nightly prune deletes them.
	Keep time.Duration
	// AuditKeep is how long the audit trail's entries are kept (parsed
	// as Keep is).
	AuditKeep time.Duration
	// Restore is a backup to put back in place of the database (-restore).
	Restore string
	// Check and Compact run the offline check or compaction of the
	// database (-check, -compact) and exit.
	Check, Compact bool
	Demo           bool
	// unpaced lifts the per-chat flood limits (the demo's emulated
	// Telegram keeps none, so the demo answers at once).
	unpaced bool
	// loopbackFeeds serves the calendar feeds' links over plain http on
	// the HTTP address (the demo: its PublicURL says https for the Mini
	// App's buttons, which Telegram requires, but nothing terminates TLS).
	loopbackFeeds bool
	// now is the clock of the bot, the store and the scheduler; nil means
	// time.Now. The demo's /later moves its own.
	now func() time.Time
	// webhookCheck is how often getWebhookInfo is asked in webhook mode;
	// 0: the bot's default (a minute). Tests shorten it.
	webhookCheck time.Duration
	// HealthCheck asks a running instance's /healthz and exits (for the
	// Docker HEALTHCHECK: the runtime image has no curl).
	HealthCheck bool
	// Operator is the operator of personal data named in the consent (the
	// department); "" leaves bot.DefaultOperator, with a warning.
	Operator string
	// PublicURL is how the HTTP port is reached from outside (an absolute
	// http(s) URL without query, no trailing slash): the calendar feeds'
	// links begin with it. "" offers no feed.
	PublicURL string
	// WebhookURL is the public URL Telegram POSTs updates to (webhook
	// mode); "" polls. WebhookPath is its path, served on the HTTP port.
	// WebhookSecret is the secret Telegram sends; "" means a random one
	// kept in the database.
	WebhookURL, WebhookPath, WebhookSecret string
	// Metrics is where GET /metrics is served: "" on the HTTP port, "off"
	// nowhere, or a host:port of its own (metrics.go).
	Metrics string
}

// setting describes one configuration entry, for -h and error messages.
type setting struct {
	env, flag, def, usage string
}

var settings = []setting{
	{"TELEGRAM_BOT_TOKEN", "token", "", "bot token from @BotFather (required, except with -demo)"},
	{"TELEGRAM_API_URL", "api-url", "https://api.telegram.org", "Bot API server URL (a self-hosted Bot API server or an emulator)"},
	{"VMESTE_DB", "db", "data/vmeste.db", "bbolt database file (its folder is created)"},
	{"VMESTE_ADMINS", "admins", "", "comma-separated Telegram user ids of the administrators"},
	{"VMESTE_TZ", "tz", "Europe/Moscow", "the district's time zone"},
	{"VMESTE_HTTP", "http", ":8080", "address for GET /healthz and the calendar feeds; empty turns it off"},
	{"VMESTE_RATE", "rate", "28", "most messages per second the bot sends, replies and announcements together (Telegram allows about 30), 1 to 1000"},
	{"VMESTE_TICK", "tick", "15s", "how often due reminders and notices are looked for (1s to 10m)"},
	{"VMESTE_DIGEST", "digest", "0 9 * * 1", "cron spec of the weekly digest to teachers (district time)"},
	{"VMESTE_SUMMARY", "summary", "0 18 * * *", "cron spec of the coordinators' daily summary of new sign-ups"},
	{"VMESTE_BACKUP", "backup", "0 3 * * *", "cron spec of the nightly hot backup"},
	{"VMESTE_BACKUP_DIR", "backup-dir", "data/backups", "folder of the backups (the newest 14 are kept)"},
	{"VMESTE_OPERATOR", "operator", "", "the operator of personal data named in the consent users give (the department's name); unset: «" + bot.DefaultOperator + "», with a warning in the log"},
	{"VMESTE_PUBLIC_URL", "public-url", "", "how the -http port is reached from outside, an absolute http(s) URL such as https://vmeste.example.ru: the personal calendar feeds are served at <URL>/calendar/<token>.ics; unset: no feeds"},
	{"VMESTE_WEBHOOK_URL", "webhook-url", "", "receive updates by webhook at this public https URL (TLS by a reverse proxy in front of the -http port, which must be on), such as https://vmeste.example.ru/telegram/update; http only with a self-hosted Bot API server; unset: long polling"},
	{"VMESTE_WEBHOOK_SECRET", "webhook-secret", "", "the webhook's secret token, 1 to 256 characters of A-Z a-z 0-9 _ -; unset: a random one made once and kept in the database"},
	{"VMESTE_METRICS", "metrics", "", "where Prometheus metrics are served (GET /metrics): empty = on the -http port, off = nowhere, host:port = a listener of their own"},
	{"VMESTE_PAID_BROADCAST", "paid-broadcast", "", "opt-in: announcements, digests and reminders go as Telegram's paid broadcasts (allow_paid_broadcast, 0.1 Stars a message from the bot's balance) at this many messages a second, 31 to 1000, beside -rate for replies; unset: off"},
	{"VMESTE_KEEP", "keep", "2160h", "how long sent messages and other finished records are kept, pruned nightly: a duration like 2160h or days like 90d (2 days to 10 years)"},
	{"VMESTE_AUDIT_KEEP", "audit-keep", "8760h", "how long the audit trail (/audit) keeps its entries, pruned nightly: a duration like 8760h or days like 365d (2 days to 10 years)"},
}

// configError names the setting that is wrong.
type configError struct {
	s   setting
	msg string
}

func (e *configError) Error() string {
	return fmt.Sprintf("%s (-%s): %s", e.s.env, e.s.flag, e.msg)
}

func settingErr(flagName, format string, args ...any) error {
	for _, s := range settings {
		if s.flag == flagName {
			return &configError{s: s, msg: fmt.Sprintf(format, args...)}
		}
	}
	return fmt.Errorf(format, args...)
}

// errHelp is returned by parseConfig for -h.
var errHelp = flag.ErrHelp

// secretSettings are the flags whose values are secrets: -h does not
// print their environment variables' values as defaults.
var secretSettings = map[string]bool{"token": true, "webhook-secret": true}

// parseConfig reads the configuration from args (without the program name)
// and the environment lookupEnv (os.LookupEnv: a variable set to "" counts,
// so VMESTE_HTTP= turns the health port off). It checks every value that
// can be checked without opening anything.
func parseConfig(args []string, lookupEnv func(string) (string, bool), usageOut io.Writer) (config, error) {
	fs := flag.NewFlagSet("vmeste", flag.ContinueOnError)
	fs.SetOutput(usageOut)
	values := map[string]*string{}
	for _, s := range settings {
		def := s.def
		if v, ok := lookupEnv(s.env); ok && !secretSettings[s.flag] {
			def = v
		}
		values[s.flag] = fs.String(s.flag, def, fmt.Sprintf("%s (env %s)", s.usage, s.env))
	}
	restore := fs.String("restore", "", "put the backup `FILE` back as the database (-db), refusing while another instance holds it, and exit")
	check := fs.Bool("check", false, "check the database (-db) in full, every page, and exit: 0 sound, 1 damaged, 2 held by a running instance or missing")
	compact := fs.Bool("compact", false, "rewrite the database (-db) without its free pages and swap it in, refusing while another instance holds it, and exit")
	health := fs.Bool("healthcheck", false, "check a running instance's /healthz at the -http address and exit 0 if it is healthy")
	demo := fs.Bool("demo", false, "try the bot without a token: an emulated Telegram in this terminal, on a fresh database")
	fs.Usage = func() {
		fmt.Fprintf(usageOut, "Vmeste: a Telegram bot for joint events of a district's schools and partner agencies.\n\nUsage: vmeste [flags]\n\nEvery flag can also be set by its environment variable; a flag wins.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	// A secret's variable is read only now, so that -h, which prints each
	// flag's default, never shows it.
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	for _, s := range settings {
		if v, ok := lookupEnv(s.env); ok && secretSettings[s.flag] && !given[s.flag] {
			*values[s.flag] = v
		}
	}
	if fs.NArg() > 0 {
		return config{}, fmt.Errorf("unexpected argument %q (see -h)", fs.Arg(0))
	}
	c := config{
		Token:       strings.TrimSpace(*values["token"]),
		APIURL:      strings.TrimSpace(*values["api-url"]),
		DB:          strings.TrimSpace(*values["db"]),
		HTTP:        strings.TrimSpace(*values["http"]),
		Demo:        *demo,
		HealthCheck: *health,
		Restore:     strings.TrimSpace(*restore),
		Check:       *check,
		Compact:     *compact,
		Operator:    strings.TrimSpace(*values["operator"]),
	}
	if c.HealthCheck {
		if c.HTTP == "" {
			return config{}, settingErr("http", "empty: nothing to check")
		}
		return c, nil
	}
	if c.DB == "" {
		return config{}, settingErr("db", "empty path")
	}
	if n := btoi(c.Restore != "") + btoi(c.Check) + btoi(c.Compact); n > 1 {
		return config{}, errors.New("-restore, -check and -compact run one at a time")
	}
	if c.Restore != "" || c.Check || c.Compact {
		return c, nil
	}
	if c.Token == "" && !c.Demo {
		return config{}, settingErr("token", "required: get a token from @BotFather, or try the bot with -demo")
	}
	if c.Token != "" && strings.ContainsAny(c.Token, " \t/?#") {
		return config{}, settingErr("token", "not a bot token (it looks like 123456:ABC-DEF…)")
	}
	if !strings.HasPrefix(c.APIURL, "http://") && !strings.HasPrefix(c.APIURL, "https://") {
		return config{}, settingErr("api-url", "%q is not an http(s) URL", c.APIURL)
	}
	if c.DB == "" {
		return config{}, settingErr("db", "empty path")
	}
	loc, err := time.LoadLocation(strings.TrimSpace(*values["tz"]))
	if err != nil || strings.TrimSpace(*values["tz"]) == "" {
		return config{}, settingErr("tz", "unknown time zone %q", *values["tz"])
	}
	c.Location = loc
	c.Rate, err = strconv.Atoi(strings.TrimSpace(*values["rate"]))
	if err != nil || c.Rate < 1 || c.Rate > 1000 {
		return config{}, settingErr("rate", "%q is not a number of messages per second from 1 to 1000", *values["rate"])
	}
	if v := strings.TrimSpace(*values["paid-broadcast"]); v != "" {
		c.PaidBroadcast, err = strconv.Atoi(v)
		if err != nil || c.PaidBroadcast < 31 || c.PaidBroadcast > 1000 {
			return config{}, settingErr("paid-broadcast", "%q is not a number of messages per second from 31 to 1000 (unset it to turn paid broadcasts off)", v)
		}
	}
	c.Tick, err = time.ParseDuration(strings.TrimSpace(*values["tick"]))
	if err != nil || c.Tick < time.Second || c.Tick > 10*time.Minute {
		return config{}, settingErr("tick", "%q is not a duration from 1s to 10m (like 15s)", *values["tick"])
	}
	for _, spec := range []struct {
		flag string
		dst  *string
	}{{"digest", &c.Digest}, {"summary", &c.Summary}, {"backup", &c.Backup}} {
		*spec.dst = strings.TrimSpace(*values[spec.flag])
		if _, err := cron.ParseStandard(*spec.dst); err != nil {
			return config{}, settingErr(spec.flag, "%q is not a cron spec (five fields, like \"0 9 * * 1\"): %v", *spec.dst, err)
		}
	}
	if c.Keep, err = parseKeep(*values["keep"]); err != nil {
		return config{}, settingErr("keep", "%q is not a duration from 2 days to 10 years (like 2160h or 90d)", *values["keep"])
	}
	if c.AuditKeep, err = parseKeep(*values["audit-keep"]); err != nil {
		return config{}, settingErr("audit-keep", "%q is not a duration from 2 days to 10 years (like 8760h or 365d)", *values["audit-keep"])
	}
	if c.PublicURL, err = parsePublicURL(*values["public-url"]); err != nil {
		return config{}, settingErr("public-url", "%q is not an absolute http(s) URL without query (like https://vmeste.example.ru)", *values["public-url"])
	}
	if err := c.parseWebhook(*values["webhook-url"], *values["webhook-secret"]); err != nil {
		return config{}, err
	}
	if c.Metrics, err = parseMetrics(*values["metrics"]); err != nil {
		return config{}, settingErr("metrics", "%q is not empty, off, or a host:port (like 127.0.0.1:9100)", *values["metrics"])
	}
	c.BackupDir = strings.TrimSpace(*values["backup-dir"])
	if c.BackupDir == "" {
		return config{}, settingErr("backup-dir", "empty path")
	}
	for _, part := range strings.Split(*values["admins"], ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		id, err := strconv.ParseInt(part, 10, 64)
		if err != nil || id <= 0 {
			return config{}, settingErr("admins", "%q is not a Telegram user id (a positive number)", part)
		}
		c.Admins = append(c.Admins, id)
	}
	return c, nil
}

// parseKeep reads a retention: a Go duration (2160h) or a whole number of
// days (90d), from storage.MinKeep to scheduler.MaxRetention.
func parseKeep(v string) (time.Duration, error) {
	v = strings.TrimSpace(v)
	var (
		d   time.Duration
		err error
	)
	if days, ok := strings.CutSuffix(v, "d"); ok {
		var n int
		if n, err = strconv.Atoi(days); err == nil {
			d = time.Duration(n) * 24 * time.Hour
			if n > int(scheduler.MaxRetention/(24*time.Hour)) {
				d = scheduler.MaxRetention + 1 // too long, without overflowing
			}
		}
	} else {
		d, err = time.ParseDuration(v)
	}
	if err != nil {
		return 0, err
	}
	if d < storage.MinKeep || d > scheduler.MaxRetention {
		return 0, fmt.Errorf("%v is out of range", d)
	}
	return d, nil
}

// parsePublicURL reads VMESTE_PUBLIC_URL: "" or an absolute http(s) URL
// with a host and without query, fragment or user info, returned without
// its trailing slash.
func parsePublicURL(v string) (string, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return "", nil
	}
	u, err := url.Parse(v)
	switch {
	case err != nil:
		return "", err
	case u.Scheme != "http" && u.Scheme != "https", u.Host == "", u.Opaque != "":
		return "", errors.New("not an absolute http(s) URL")
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || u.User != nil:
		return "", errors.New("a query, fragment or user info")
	}
	return strings.TrimRight(v, "/"), nil
}

// telegramAPI is Telegram's own Bot API server, which accepts only https
// webhooks on a few ports.
const telegramAPI = "https://api.telegram.org"

// webhookPorts are the ports Telegram's servers deliver webhooks to.
var webhookPorts = map[string]bool{"": true, "443": true, "80": true, "88": true, "8443": true}

// reservedPaths are served on the HTTP port beside the webhook, and must
// not be its path.
var reservedPaths = []string{"/healthz", "/metrics", "/calendar/"}

// webhookSecretOK is a secret Telegram accepts: 1 to 256 of A-Z a-z 0-9 _ -.
func webhookSecretOK(s string) bool {
	if len(s) < 1 || len(s) > 256 {
		return false
	}
	for _, r := range s {
		if !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

// parseWebhook reads VMESTE_WEBHOOK_URL and VMESTE_WEBHOOK_SECRET into c
// (after APIURL and HTTP). The URL must be absolute, https (http only
// with a Bot API server other than Telegram's: a self-hosted one or an
// emulator), without query, fragment or user info, on a port Telegram
// delivers to, with a path of its own; and the HTTP port must be on.
func (c *config) parseWebhook(rawURL, secret string) error {
	c.WebhookSecret = strings.TrimSpace(secret)
	if c.WebhookSecret != "" && !webhookSecretOK(c.WebhookSecret) {
		return settingErr("webhook-secret", "not 1 to 256 characters of A-Z a-z 0-9 _ -")
	}
	rawURL = strings.TrimSpace(rawURL)
	if rawURL == "" {
		return nil
	}
	official := strings.TrimRight(c.APIURL, "/") == telegramAPI
	u, err := url.Parse(rawURL)
	switch {
	case err != nil, u.Host == "", u.Opaque != "", u.Scheme != "https" && u.Scheme != "http":
		return settingErr("webhook-url", "%q is not an absolute https URL (like https://vmeste.example.ru/telegram/update)", rawURL)
	case u.Scheme == "http" && official:
		return settingErr("webhook-url", "Telegram delivers only to https: put a reverse proxy with TLS in front of the -http port")
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || u.User != nil:
		return settingErr("webhook-url", "%q has a query, fragment or user info", rawURL)
	case official && !webhookPorts[u.Port()]:
		return settingErr("webhook-url", "Telegram delivers only to ports 443, 80, 88 and 8443, not %s", u.Port())
	case u.Path == "" || u.Path == "/":
		return settingErr("webhook-url", "%q has no path: give the webhook one of its own (like /telegram/update)", rawURL)
	case strings.Trim(u.Path, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/_.~-") != "" || u.RawPath != "":
		return settingErr("webhook-url", "the path %q has characters other than A-Z a-z 0-9 / _ . ~ -", u.Path)
	case c.HTTP == "":
		return settingErr("webhook-url", "webhook mode needs the HTTP port (VMESTE_HTTP, -http), which is off")
	}
	for _, p := range reservedPaths {
		if u.Path == strings.TrimSuffix(p, "/") || strings.HasPrefix(u.Path, p) {
			return settingErr("webhook-url", "the path %s is taken by %s", u.Path, p)
		}
	}
	c.WebhookURL, c.WebhookPath = rawURL, u.Path
	return nil
}

// isHelp reports whether err is the -h request.
func isHelp(err error) bool { return errors.Is(err, errHelp) }

// btoi is 1 for true, 0 for false.
func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
