package bot

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/go-telegram/bot/models"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

// TestMetricsOutcomes: the middleware labels each way a handler can end,
// and times it under the route the router named.
func TestMetricsOutcomes(t *testing.T) {
	reg := prometheus.NewRegistry()
	m, err := newMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	b := &Bot{metrics: m}
	for _, tc := range []struct {
		update  *models.Update
		route   string
		refused bool
		err     error
		kind    string
		outcome string
	}{
		{&models.Update{Message: &models.Message{Text: "/help"}}, "/help", false, nil, "message", outcomeHandled},
		{&models.Update{CallbackQuery: &models.CallbackQuery{Data: "oo:1"}}, "callback:oo", true, nil, "callback", outcomeRefused},
		{&models.Update{Message: &models.Message{Text: "x"}}, "hint", false, errors.New("storage: boom"), "message", outcomeError},
		{&models.Update{Message: &models.Message{Text: "/events"}}, "/events", false, fmt.Errorf("%w: nil map", errPanic), "message", outcomePanic},
		{&models.Update{Message: &models.Message{Text: "y"}}, "", false, errors.New("bot: load user"), "message", outcomeError},
	} {
		h := b.withMetrics(func(ctx context.Context, r *Request) error {
			r.Handler, r.refused = tc.route, tc.refused
			return tc.err
		})
		before := testutil.ToFloat64(m.updates.WithLabelValues(tc.kind, tc.outcome))
		if err := h(context.Background(), &Request{Update: tc.update}); !errors.Is(err, tc.err) {
			t.Errorf("%s: the middleware changed the error: %v", tc.route, err)
		}
		if got := testutil.ToFloat64(m.updates.WithLabelValues(tc.kind, tc.outcome)) - before; got != 1 {
			t.Errorf("%s: %s/%s counted %v times, want 1", tc.route, tc.kind, tc.outcome, got)
		}
	}
	m.skipped()
	if got := testutil.ToFloat64(m.updates.WithLabelValues("unknown", outcomeSkipped)); got != 1 {
		t.Errorf("skipped updates: %v, want 1", got)
	}
	var none *updateMetrics
	none.skipped() // metrics off: nothing, no panic
	// One series per route: /help, callback:oo, hint, /events, and "none"
	// for the update that failed before routing.
	if n := testutil.CollectAndCount(m.latency); n != 5 {
		t.Errorf("latency series: %d, want 5", n)
	}
}

func TestRouteLabel(t *testing.T) {
	for handler, want := range map[string]string{
		"":                               "none",
		"/help":                          "/help",
		"callback:ev":                    "callback:ev",
		"flow:newevent:title":            "flow:newevent:title",
		"flow:apply:" + questionStep(12): "flow:apply:" + stepApplyQuestion,
	} {
		if got := routeLabel(handler); got != want {
			t.Errorf("routeLabel(%q) = %q, want %q", handler, got, want)
		}
	}
}

// BenchmarkMetricsMiddleware is what the metrics add to one update: a
// counter and a histogram observation.
func BenchmarkMetricsMiddleware(b *testing.B) {
	m, err := newMetrics(prometheus.NewRegistry())
	if err != nil {
		b.Fatal(err)
	}
	bot := &Bot{metrics: m}
	h := bot.withMetrics(func(ctx context.Context, r *Request) error { r.Handler = "/help"; return nil })
	r := &Request{Update: &models.Update{Message: &models.Message{Text: "/help"}}}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		_ = h(ctx, r)
	}
}
