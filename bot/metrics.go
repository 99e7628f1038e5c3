package bot

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// updateMetrics are the bot's Prometheus collectors: updates by kind and
// outcome, and handler latency by route. Labels are the update's kind
// (updateKind) and the router's names (Request.Handler: "/events",
// "callback:ev", "flow:newevent:title"), never a user's or a chat's id
// nor what they typed. A nil *updateMetrics records nothing.
type updateMetrics struct {
	updates *prometheus.CounterVec
	latency *prometheus.HistogramVec
}

// Outcomes of an update, as vmeste_updates_total labels them.
const (
	outcomeHandled = "handled" // the handler returned without error
	outcomeRefused = "refused" // the user's role or standing did not allow it
	outcomeError   = "error"   // the handler failed (the user got an apology)
	outcomePanic   = "panic"   // the handler panicked (recovered, apologised)
	// outcomeSkipped: this build could not decode the update (its kind is
	// "unknown": the undecoded JSON's field names are Telegram's to add).
	outcomeSkipped = "skipped"
)

// newMetrics registers the bot's collectors with reg; nil reg: none.
func newMetrics(reg prometheus.Registerer) (*updateMetrics, error) {
	if reg == nil {
		return nil, nil
	}
	m := &updateMetrics{
		updates: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vmeste_updates_total",
			Help: "Updates handled, by kind (message, callback, document, my_chat_member, …) and outcome (handled, refused, error, panic, skipped).",
		}, []string{"type", "outcome"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "vmeste_handler_duration_seconds",
			Help:    "Time from an update's dispatch to its handler's return (replies sent included), by route.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 120},
		}, []string{"route"}),
	}
	for _, c := range []prometheus.Collector{m.updates, m.latency} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	for _, o := range []string{outcomeHandled, outcomeRefused, outcomeError, outcomePanic} {
		m.updates.WithLabelValues("message", o)
	}
	return m, nil
}

// withMetrics counts each update by kind and outcome and times its
// handler by route. It runs outside every other middleware, so that a
// panic recovered and an apology sent are inside what it measures.
func (b *Bot) withMetrics(next handlerFunc) handlerFunc {
	if b.metrics == nil {
		return next
	}
	return func(ctx context.Context, r *Request) error {
		start := time.Now()
		err := next(ctx, r)
		b.metrics.latency.WithLabelValues(routeLabel(r.Handler)).Observe(time.Since(start).Seconds())
		b.metrics.updates.WithLabelValues(r.kind(), outcomeOf(r, err)).Inc()
		return err
	}
}

// skipped counts an update the intake could not decode and skipped.
func (m *updateMetrics) skipped() {
	if m == nil {
		return
	}
	m.updates.WithLabelValues("unknown", outcomeSkipped).Inc()
}

// routeLabel is the route of a handler's name as the metrics label it:
// "none" for an update that failed before routing (loading the user), and
// a wizard's step without the number of the question it asks
// ("flow:apply:q3" → "flow:apply:q"), since question ids grow as
// coordinators edit their forms.
func routeLabel(handler string) string {
	if handler == "" {
		return "none"
	}
	if strings.HasPrefix(handler, "flow:") {
		return strings.TrimRight(handler, "0123456789")
	}
	return handler
}

// outcomeOf labels how r's handling ended with err.
func outcomeOf(r *Request, err error) string {
	switch {
	case errors.Is(err, errPanic):
		return outcomePanic
	case err != nil:
		return outcomeError
	case r.refused:
		return outcomeRefused
	}
	return outcomeHandled
}
