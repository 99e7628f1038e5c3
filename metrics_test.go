package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"vmeste/storage"
	"vmeste/telegramtest"
)

// shiftClock is the injected clock of these tests: the wall clock moved
// forward by a shift the test sets, so that the tick's due times and the
// sender's real sends agree on what "later" means.
type shiftClock struct{ shift atomic.Int64 }

func (c *shiftClock) Now() time.Time          { return time.Now().Add(time.Duration(c.shift.Load())) }
func (c *shiftClock) Advance(d time.Duration) { c.shift.Add(int64(d)) }
func newAppWithClock(t *testing.T, emu *telegramtest.Server, clock *shiftClock, seed func(ctx context.Context, s *storage.Store), extra ...string) *app {
	t.Helper()
	args := append([]string{"-token", telegramtest.Token, "-api-url", emu.URL(),
		"-db", filepath.Join(t.TempDir(), "vmeste.db"), "-admins", fmt.Sprint(appAdmin.ID),
		"-rate", "25", "-tick", "1s", "-backup-dir", t.TempDir()}, extra...)
	cfg, err := parseConfig(args, func(string) (string, bool) { return "", false }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	cfg.now = clock.Now
	s, err := storage.Open(cfg.DB, storage.Options{NoSync: true, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	seed(context.Background(), s)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	a := &app{t: t, emu: emu, cfg: cfg, d: &telegramtest.Driver{TB: t, Server: emu, Timeout: 30 * time.Second}, logs: &syncBuffer{}}
	a.start()
	t.Cleanup(a.stop)
	return a
}

// scrape reads GET /metrics at addr and parses it.
func scrape(t *testing.T, addr string) (map[string]*dto.MetricFamily, int) {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatalf("scrape: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, resp.StatusCode
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	families, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("scrape: parse: %v", err)
	}
	return families, resp.StatusCode
}

// series is the metric of family name whose labels are exactly labels
// ("k=v" pairs), or nil.
func series(families map[string]*dto.MetricFamily, name string, labels ...string) *dto.Metric {
	f := families[name]
	if f == nil {
		return nil
	}
	want := append([]string(nil), labels...)
	sort.Strings(want)
	for _, m := range f.GetMetric() {
		var got []string
		for _, l := range m.GetLabel() {
			got = append(got, l.GetName()+"="+l.GetValue())
		}
		sort.Strings(got)
		if strings.Join(got, ",") == strings.Join(want, ",") {
			return m
		}
	}
	return nil
}

// value is a counter's or a gauge's value, or a histogram's count; -1
// when the series is missing.
func value(families map[string]*dto.MetricFamily, name string, labels ...string) float64 {
	m := series(families, name, labels...)
	switch {
	case m == nil:
		return -1
	case m.Counter != nil:
		return m.Counter.GetValue()
	case m.Gauge != nil:
		return m.Gauge.GetValue()
	case m.Histogram != nil:
		return float64(m.Histogram.GetSampleCount())
	}
	return -1
}

// TestMetricsAfterScriptedSession runs the whole program against the
// emulator with an injected clock: N teachers each send /help and get
// one reply (the first reply meets one 429 from the emulator and is sent
// again), then the clock passes the due time of a reminder for M
// teachers and the scheduler sends them. A scrape of /metrics on the
// HTTP port then finds exactly those counts.
func TestMetricsAfterScriptedSession(t *testing.T) {
	const n, m = 4, 3
	emu := telegramtest.New()
	defer emu.Close()
	clock := &shiftClock{}
	start := clock.Now().Add(2 * time.Hour)
	due := clock.Now().Add(time.Minute)
	var teachers []telegramtest.User
	httpAddr := freeAddr(t)
	a := newAppWithClock(t, emu, clock, func(ctx context.Context, s *storage.Store) {
		org := mustOrg(ctx, t, s, appSchool)
		seedStaff(ctx, t, s, emu, org)
		teachers = seedUsers(ctx, t, s, emu, 10000, n, org)
		e, err := s.CreateEvent(ctx, storage.Event{Title: "Семинар по ПДД", Kind: storage.EventSeminar, Start: start, Place: "ЦРТДиЮ",
			Organisers: []int64{org}, Unit: storage.UnitIndividual, Status: storage.EventPublished,
			Reminders: []time.Duration{start.Sub(due)}})
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range teachers[:m] {
			if _, err := s.Register(ctx, storage.SignUp{EventID: e.ID, UserID: u.ID}, clock.Now()); err != nil {
				t.Fatal(err)
			}
		}
	}, "-http", httpAddr)

	emu.FailNext("sendMessage", teachers[0].ID, telegramtest.TooManyRequests(1), 1)
	for _, u := range teachers {
		a.d.Say(u, "/help", "Команды")
	}
	clock.Advance(2 * time.Minute) // a minute past the reminder's due time
	for _, u := range teachers[:m] {
		if _, err := emu.WaitBotMessage(waitCtx(t), u.ID, telegramtest.Contains("Напоминание", "Семинар по ПДД")); err != nil {
			t.Fatalf("teacher %d: %v", u.ID, err)
		}
	}
	if got := emu.Injected429(); got != 1 {
		t.Fatalf("the emulator answered %d injected 429s, want 1", got)
	}

	want := []struct {
		name   string
		labels []string
		value  float64
	}{
		{"vmeste_updates_total", []string{"type=message", "outcome=handled"}, n},
		{"vmeste_updates_total", []string{"type=message", "outcome=error"}, 0},
		{"vmeste_handler_duration_seconds", []string{"route=/help"}, n},
		{"vmeste_telegram_sends_total", []string{"lane=reply", "method=sendMessage", "result=ok"}, n},
		{"vmeste_telegram_sends_total", []string{"lane=reply", "method=sendMessage", "result=429"}, 1},
		{"vmeste_telegram_flood_waits_total", []string{"method=sendMessage"}, 1},
		{"vmeste_telegram_sends_total", []string{"lane=bulk", "method=sendMessage", "result=ok"}, m},
		{"vmeste_outbox_results_total", []string{"origin=reminder", "state=sent"}, m},
		{"vmeste_reminder_lateness_seconds", nil, m},
		{"vmeste_outbox_pending", nil, 0},
		{"vmeste_outbox_oldest_pending_age_seconds", nil, 0},
	}
	// Counters are recorded just after what the emulator sees (a handler
	// returns after its reply, an outbox result is committed after its
	// send): scrape until they settle.
	var families map[string]*dto.MetricFamily
	settled := waitFor(t, 10*time.Second, func() bool {
		families, _ = scrape(t, httpAddr)
		for _, w := range want {
			if value(families, w.name, w.labels...) != w.value {
				return false
			}
		}
		return true
	})
	if !settled {
		for _, w := range want {
			if got := value(families, w.name, w.labels...); got != w.value {
				t.Errorf("%s%v = %v, want %v", w.name, w.labels, got, w.value)
			}
		}
	}
	// Each reminder went out a minute and a little after it fell due.
	if h := series(families, "vmeste_reminder_lateness_seconds").GetHistogram(); h.GetSampleSum() < m*60 || h.GetSampleSum() > m*90 {
		t.Errorf("reminder lateness sums to %.1fs over %d reminders, want about a minute each", h.GetSampleSum(), m)
	}
	if v := value(families, "vmeste_scheduler_jobs_total", "task=tick", "result=ok"); v < 1 {
		t.Errorf("no tick counted: %v", v)
	}
	if v := value(families, "vmeste_database_size_bytes"); v <= 0 {
		t.Errorf("database size %v", v)
	}
	if f := families["vmeste_build_info"]; f == nil || len(f.GetMetric()) != 1 || f.GetMetric()[0].GetGauge().GetValue() != 1 {
		t.Errorf("build info: %v", f)
	}
	// The sample dashboard plots only what the program exports (the
	// backup's series appear once there is a backup, the webhook's in
	// webhook mode: TestWebhookHealth).
	dashboard, err := os.ReadFile("docs/grafana-vmeste.json")
	if err != nil {
		t.Fatal(err)
	}
	var parsed map[string]any
	if err := json.Unmarshal(dashboard, &parsed); err != nil {
		t.Fatalf("docs/grafana-vmeste.json: %v", err)
	}
	for _, name := range regexp.MustCompile(`vmeste_[a-z_]+`).FindAllString(string(dashboard), -1) {
		name = strings.TrimSuffix(name, "_bucket")
		if families[name] == nil && name != "vmeste_backup_age_seconds" && name != "vmeste_backup_last_success" && !strings.HasPrefix(name, "vmeste_webhook_") {
			t.Errorf("the dashboard plots %s, which /metrics does not serve", name)
		}
	}
	// No user's or chat's id is a label value.
	for name, f := range families {
		for _, s := range f.GetMetric() {
			for _, l := range s.GetLabel() {
				for _, u := range teachers {
					if strings.Contains(l.GetValue(), fmt.Sprint(u.ID)) {
						t.Errorf("%s has a label %s=%s holding a user id", name, l.GetName(), l.GetValue())
					}
				}
			}
		}
	}
}

// TestMetricsOffAndOwnAddress: VMESTE_METRICS=off leaves /metrics
// unserved (404 on the HTTP port, which still answers /healthz); an
// address of its own serves them there and not on the HTTP port.
func TestMetricsOffAndOwnAddress(t *testing.T) {
	emu := telegramtest.New()
	defer emu.Close()
	seed := func(ctx context.Context, s *storage.Store) {}
	for _, tc := range []struct {
		name    string
		metrics func() string
	}{{"off", func() string { return "off" }}, {"own address", func() string { return freeAddr(t) }}} {
		t.Run(tc.name, func(t *testing.T) {
			httpAddr, metricsAddr := freeAddr(t), tc.metrics()
			a := newAppWithClock(t, emu, &shiftClock{}, seed, "-http", httpAddr, "-metrics", metricsAddr)
			defer a.stop()
			if _, code := scrape(t, httpAddr); code != http.StatusNotFound {
				t.Errorf("GET /metrics on the HTTP port: %d, want 404", code)
			}
			resp, err := http.Get("http://" + httpAddr + "/healthz")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if metricsAddr == "off" {
				return
			}
			families, code := scrape(t, metricsAddr)
			if code != http.StatusOK || families["vmeste_build_info"] == nil || families["vmeste_updates_total"] == nil {
				t.Errorf("GET /metrics on %s: %d, %d families", metricsAddr, code, len(families))
			}
		})
	}
}

// TestMetricsSetting: VMESTE_METRICS takes empty, off or a host:port, a
// flag winning; anything else is a configuration error naming it.
func TestMetricsSetting(t *testing.T) {
	for _, tc := range []struct {
		env, flag, want string
		bad             bool
	}{
		{want: ""},
		{env: "off", want: "off"},
		{env: "127.0.0.1:9100", want: "127.0.0.1:9100"},
		{env: "off", flag: " :9100 ", want: ":9100"},
		{flag: "[::1]:9100", want: "[::1]:9100"},
		{flag: "9100", bad: true},
		{flag: "on", bad: true},
		{flag: "localhost:http-alt", bad: true},
		{flag: "localhost:70000", bad: true},
		{flag: "http://127.0.0.1:9100", bad: true},
	} {
		args := []string{"-demo"}
		if tc.flag != "" {
			args = append(args, "-metrics", tc.flag)
		}
		env := func(k string) (string, bool) { return tc.env, k == "VMESTE_METRICS" && tc.env != "" }
		cfg, err := parseConfig(args, env, io.Discard)
		switch {
		case tc.bad && (err == nil || !strings.HasPrefix(err.Error(), "VMESTE_METRICS (-metrics): ")):
			t.Errorf("env %q flag %q: %v; want an error naming VMESTE_METRICS", tc.env, tc.flag, err)
		case !tc.bad && (err != nil || cfg.Metrics != tc.want):
			t.Errorf("env %q flag %q: %q, %v; want %q", tc.env, tc.flag, cfg.Metrics, err, tc.want)
		}
	}
}

// TestMetricsAddressInUse: an address of their own that cannot be
// listened on is a configuration error naming VMESTE_METRICS, before the
// bot starts.
func TestMetricsAddressInUse(t *testing.T) {
	emu := telegramtest.New()
	defer emu.Close()
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	cfg, err := parseConfig([]string{"-token", telegramtest.Token, "-api-url", emu.URL(), "-http", "",
		"-db", filepath.Join(t.TempDir(), "vmeste.db"), "-backup-dir", t.TempDir(), "-metrics", taken.Addr().String()},
		func(string) (string, bool) { return "", false }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	err = serve(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	var cerr *configError
	if !errors.As(err, &cerr) || !strings.HasPrefix(err.Error(), "VMESTE_METRICS (-metrics): cannot listen on") {
		t.Errorf("serve with a taken metrics address: %v; want a configuration error naming VMESTE_METRICS", err)
	}
}
