package telegram

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// TestResultOf: each class of error is counted under the result a
// dashboard groups it by.
func TestResultOf(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{nil, "ok"},
		{NewError("editMessageText", ClassNotModified, nil), "ok"},
		{fmt.Errorf("telegram: reply to 1: %w", NewError("sendMessage", ClassRetryAfter, nil)), "429"},
		{NewError("sendMessage", ClassForbidden, nil), "403"},
		{NewError("sendMessage", ClassChatNotFound, nil), "400"},
		{NewError("sendMessage", ClassBadRequest, nil), "400"},
		{NewError("sendMessage", ClassTransient, nil), "5xx"},
		{NewError("sendMessage", ClassOutage, nil), "5xx"},
		{NewError("sendMessage", ClassOther, nil), "other"},
		{context.Canceled, "other"},
		{errors.New("telegram: rewind"), "other"},
	} {
		if got := resultOf(tc.err); got != tc.want {
			t.Errorf("resultOf(%v) = %q, want %q", tc.err, got, tc.want)
		}
	}
}

// TestLimiterWaitObserved: a gateway with metrics times each grant of
// its limiter under the lane that waited.
func TestLimiterWaitObserved(t *testing.T) {
	reg := prometheus.NewRegistry()
	g, err := New(Config{Token: "1:x", Rate: 10, Metrics: reg})
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	ctx := context.Background()
	for range 3 {
		if err := g.Limiter().Wait(ctx, LaneBulk); err != nil {
			t.Fatal(err)
		}
	}
	if err := g.Limiter().Wait(ctx, LaneReply); err != nil {
		t.Fatal(err)
	}
	counts := byLane(t, reg, "vmeste_telegram_limiter_wait_seconds", func(m *dto.Metric) float64 { return float64(m.GetHistogram().GetSampleCount()) })
	if counts["bulk"] != 3 || counts["reply"] != 1 || len(counts) != 2 {
		t.Errorf("limiter waits observed by lane: %v; want bulk 3, reply 1", counts)
	}
}

// TestLimiterWaitingPaidLane: with paid broadcasts on, the sends waiting
// for their own limiter are served as vmeste_telegram_limiter_waiting
// {lane="paid"}; with them off there is no such series.
func TestLimiterWaitingPaidLane(t *testing.T) {
	waiting := func(t *testing.T, reg *prometheus.Registry) map[string]float64 {
		t.Helper()
		return byLane(t, reg, "vmeste_telegram_limiter_waiting", func(m *dto.Metric) float64 { return m.GetGauge().GetValue() })
	}

	offReg := prometheus.NewRegistry()
	off, err := New(Config{Token: "1:x", Rate: 10, Metrics: offReg})
	if err != nil {
		t.Fatal(err)
	}
	defer off.Close()
	if got := waiting(t, offReg); len(got) != 2 {
		t.Errorf("waiting lanes with paid broadcasts off: %v; want reply and bulk only", got)
	}

	reg := prometheus.NewRegistry()
	g, err := New(Config{Token: "1:x", Rate: 10, PaidBroadcast: 500, Metrics: reg})
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	if got, ok := waiting(t, reg)["paid"]; !ok || got != 0 {
		t.Fatalf("paid lane waiting %v (served %v); want 0, served", got, ok)
	}
	// A 429 on a paid send holds the paid limiter: a send waits for it.
	g.PaidLimiter().Pause(time.Now().Add(time.Hour))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- g.PaidLimiter().Wait(ctx, LaneBulk) }()
	deadline := time.Now().Add(5 * time.Second)
	for g.PaidLimiter().Waiting(LaneBulk) == 0 && time.Now().Before(deadline) {
		runtime.Gosched()
	}
	if got := waiting(t, reg); got["paid"] != 1 || got["bulk"] != 0 {
		t.Errorf("waiting by lane %v; want paid 1, bulk 0", got)
	}
	cancel()
	if err := <-done; err == nil {
		t.Error("the held wait returned nil after its context was cancelled")
	}
}

// byLane is value of each series of the metric name in reg, by its one
// label (the lane).
func byLane(t *testing.T, reg *prometheus.Registry, name string, value func(*dto.Metric) float64) map[string]float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			out[m.GetLabel()[0].GetValue()] = value(m)
		}
	}
	return out
}
