package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metricsOff is VMESTE_METRICS's value that serves no metrics.
const metricsOff = "off"

// parseMetrics reads VMESTE_METRICS: "" (GET /metrics on the -http
// port), "off", or a host:port of its own listener.
func parseMetrics(v string) (string, error) {
	v = strings.TrimSpace(v)
	if v == "" || v == metricsOff {
		return v, nil
	}
	_, port, err := net.SplitHostPort(v)
	if err != nil {
		return "", err
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return "", fmt.Errorf("bad port %q", port)
	}
	return v, nil
}

// appMetrics is the process's metrics: one private registry (not the
// global default, so that tests run several instances in one process)
// with the Go runtime's and the process's collectors, the build, the
// database file's size and what bot, scheduler and telegram register; and
// where it is served. The zero value (metrics off) registers and serves
// nothing.
type appMetrics struct {
	reg *prometheus.Registry
	// ln and srv serve it on its own address (VMESTE_METRICS=host:port);
	// nil when it shares the -http port or is off.
	ln  net.Listener
	srv *http.Server
}

// openMetrics builds the registry unless metrics are off (or would share
// an -http port that is off), and opens the metrics' own listener when
// an address is set. Call close on every path that does not reach start.
func openMetrics(cfg config) (*appMetrics, error) {
	m := &appMetrics{}
	if cfg.Metrics == metricsOff || (cfg.Metrics == "" && cfg.HTTP == "") {
		return m, nil
	}
	m.reg = prometheus.NewRegistry()
	m.reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		buildInfo(),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "vmeste_database_size_bytes",
			Help: "Size of the bbolt database file (it does not shrink: freed pages are reused).",
		}, func() float64 {
			fi, err := os.Stat(cfg.DB)
			if err != nil {
				return -1
			}
			return float64(fi.Size())
		}),
	)
	if cfg.Metrics != "" {
		ln, err := net.Listen("tcp", cfg.Metrics)
		if err != nil {
			return nil, settingErr("metrics", "cannot listen on %s: %v", cfg.Metrics, unwrapAll(err))
		}
		m.ln = ln
	}
	return m, nil
}

// buildInfo is vmeste_build_info: 1, labelled with the module's version
// and VCS revision as the build recorded them, and the Go version.
func buildInfo() prometheus.Collector {
	version, revision := "unknown", "unknown"
	if bi, ok := debug.ReadBuildInfo(); ok {
		version = bi.Main.Version
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" {
				revision = s.Value
			}
		}
	}
	g := prometheus.NewGauge(prometheus.GaugeOpts{
		Name:        "vmeste_build_info",
		Help:        "Always 1: the build's version, VCS revision and Go version as labels.",
		ConstLabels: prometheus.Labels{"version": version, "revision": revision, "goversion": runtime.Version()},
	})
	g.Set(1)
	return g
}

// registerer is where the packages register their collectors; nil when
// metrics are off (an interface holding a nil *Registry would not be).
func (m *appMetrics) registerer() prometheus.Registerer {
	if m.reg == nil {
		return nil
	}
	return m.reg
}

// handler serves the registry in Prometheus's text format. A collector
// that fails (the database busy past its timeout) leaves its series out
// instead of failing the whole scrape.
func (m *appMetrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
}

// mount adds GET /metrics to the -http port's mux when the metrics share it.
func (m *appMetrics) mount(mux *http.ServeMux) {
	if m.reg != nil && m.ln == nil {
		mux.Handle("GET /metrics", m.handler())
	}
}

// start serves the metrics on their own listener, if they have one.
func (m *appMetrics) start(logger *slog.Logger) {
	if m.ln == nil {
		return
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.handler())
	m.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := m.srv.Serve(m.ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Error("metrics server", "error", err)
		}
	}()
}

// shutdown stops the metrics' own server (or closes its listener, if it
// never started). A second call does nothing.
func (m *appMetrics) shutdown(ctx context.Context, logger *slog.Logger) {
	defer func() { m.srv, m.ln = nil, nil }()
	switch {
	case m.srv != nil:
		if err := m.srv.Shutdown(ctx); err != nil {
			logger.Warn("metrics shutdown", "error", err)
		}
	case m.ln != nil:
		m.ln.Close()
	}
}
