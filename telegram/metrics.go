package telegram

import (
	"errors"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the gateway's Prometheus collectors. A nil *metrics records
// nothing, so a gateway built without Config.Metrics costs no more than a
// nil check per call.
type metrics struct {
	reg        prometheus.Registerer
	sends      *prometheus.CounterVec
	floodWaits *prometheus.CounterVec
	wait       *prometheus.HistogramVec
}

// newMetrics registers the gateway's collectors with reg (nil: none) and
// the limiter's queue lengths, read at scrape time.
func newMetrics(reg prometheus.Registerer, l *Limiter) (*metrics, error) {
	if reg == nil {
		return nil, nil
	}
	m := &metrics{
		reg: reg,
		sends: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vmeste_telegram_sends_total",
			Help: "Attempts to send or edit a message, by lane (reply, bulk), Bot API method and result (ok, 429, 403, 400, 5xx, other).",
		}, []string{"lane", "method", "result"}),
		floodWaits: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vmeste_telegram_flood_waits_total",
			Help: "Answers 429 (flood control, retry_after) from the Bot API, by method.",
		}, []string{"method"}),
		wait: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "vmeste_telegram_limiter_wait_seconds",
			Help:    "How long a send waited for the overall limiter, by lane.",
			Buckets: []float64{.001, .005, .02, .05, .1, .25, .5, 1, 2.5, 5, 15, 60, 300},
		}, []string{"lane"}),
	}
	waiting := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "vmeste_telegram_limiter_waiting", Help: waitingHelp,
		ConstLabels: prometheus.Labels{"lane": LaneReply.String()},
	}, func() float64 { return float64(l.Waiting(LaneReply)) })
	waitingBulk := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "vmeste_telegram_limiter_waiting", Help: waitingHelp,
		ConstLabels: prometheus.Labels{"lane": LaneBulk.String()},
	}, func() float64 { return float64(l.Waiting(LaneBulk)) })
	for _, c := range []prometheus.Collector{m.sends, m.floodWaits, m.wait, waiting, waitingBulk} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	// Every series a dashboard plots exists from the start, at zero.
	for _, lane := range []Lane{LaneReply, LaneBulk} {
		m.sends.WithLabelValues(lane.String(), "sendMessage", resultOK)
		m.wait.WithLabelValues(lane.String())
	}
	m.floodWaits.WithLabelValues("sendMessage")
	l.observe = func(lane Lane, d time.Duration) { m.wait.WithLabelValues(lane.String()).Observe(d.Seconds()) }
	return m, nil
}

// observePaid records the waits for the paid broadcasts' own limiter
// (Config.PaidBroadcast) as the lane "paid", and registers the sends
// waiting for it as vmeste_telegram_limiter_waiting{lane="paid"}. A nil m
// records nothing.
func (m *metrics) observePaid(l *Limiter) error {
	if m == nil {
		return nil
	}
	waiting := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "vmeste_telegram_limiter_waiting", Help: waitingHelp,
		ConstLabels: prometheus.Labels{"lane": lanePaid},
	}, func() float64 { return float64(l.Waiting(LaneBulk) + l.Waiting(LaneReply)) })
	if err := m.reg.Register(waiting); err != nil {
		return err
	}
	m.wait.WithLabelValues(lanePaid)
	l.observe = func(_ Lane, d time.Duration) { m.wait.WithLabelValues(lanePaid).Observe(d.Seconds()) }
	return nil
}

// lanePaid labels the waits for the paid broadcasts' limiter.
const lanePaid = "paid"

const waitingHelp = "Sends waiting for the overall limiter now, by lane (paid: the paid broadcasts' own limiter)."

// Results of a send, as vmeste_telegram_sends_total labels them.
const (
	resultOK    = "ok"
	result429   = "429"
	result403   = "403"
	result400   = "400"
	result5xx   = "5xx"
	resultOther = "other"
)

// resultOf labels err (nil: ok). A 5xx, a timeout and a network error are
// all "5xx": Telegram's side, whether it answered or not.
func resultOf(err error) string {
	if err == nil {
		return resultOK
	}
	var e *Error
	if !errors.As(err, &e) {
		return resultOther
	}
	switch e.Class {
	case ClassNotModified:
		return resultOK
	case ClassRetryAfter:
		return result429
	case ClassForbidden:
		return result403
	case ClassBadRequest, ClassChatNotFound, ClassMigrated, ClassEditGone:
		return result400
	case ClassTransient, ClassOutage:
		return result5xx
	}
	return resultOther
}

// sent counts one attempt of method in lane that ended with err.
func (m *metrics) sent(lane Lane, method string, err error) {
	if m == nil {
		return
	}
	m.sends.WithLabelValues(lane.String(), method, resultOf(err)).Inc()
}

// floodWait counts one 429 on method.
func (m *metrics) floodWait(method string) {
	if m == nil {
		return
	}
	m.floodWaits.WithLabelValues(method).Inc()
}
