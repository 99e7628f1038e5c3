package telegram

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
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
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]uint64{}
	for _, f := range families {
		if f.GetName() != "vmeste_telegram_limiter_wait_seconds" {
			continue
		}
		for _, m := range f.GetMetric() {
			counts[m.GetLabel()[0].GetValue()] = m.GetHistogram().GetSampleCount()
		}
	}
	if counts["bulk"] != 3 || counts["reply"] != 1 || len(counts) != 2 {
		t.Errorf("limiter waits observed by lane: %v; want bulk 3, reply 1", counts)
	}
}
