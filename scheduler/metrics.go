package scheduler

import (
	"context"
	"errors"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"vmeste/storage"
)

// Job names, as vmeste_scheduler_jobs_total labels them.
const (
	jobTick    = "tick"
	jobDigest  = "digest"
	jobSummary = "summary"
	jobPrune   = "prune"
	jobBackup  = "backup"
)

// Metrics are the scheduler's Prometheus collectors: jobs by name and
// result with their durations, outbox results by origin and state, how
// late reminders go out, the outbox's depth and oldest pending entry
// (read from storage at scrape time), and the last backup's age and
// result. Create it with NewMetrics and hand it to Config and
// SenderConfig. A nil *Metrics records nothing. Safe for concurrent use.
type Metrics struct {
	now       func() time.Time
	jobs      *prometheus.CounterVec
	jobTime   *prometheus.HistogramVec
	results   *prometheus.CounterVec
	lateness  prometheus.Histogram
	backupDir string

	mu         sync.Mutex
	backupSeen bool // a backup was attempted by this process, or one was found at start
	backupOK   bool
}

// NewMetrics registers the scheduler's collectors with reg (nil: none,
// and a nil *Metrics is returned). store is read
// at each scrape (storage.Store.OutboxBacklog: a walk over the pending
// index's pages, no entry but the oldest); backupDir is listed at each
// scrape for the newest backup. now is the scheduler's clock (nil:
// time.Now): reminders' due times and backups' names are on it. A backup
// already in backupDir at start (one is named only once written and
// verified) seeds vmeste_backup_last_success at 1, so that the gauge is
// not absent after every restart until the night's backup.
func NewMetrics(reg prometheus.Registerer, store *storage.Store, backupDir string, now func() time.Time) (*Metrics, error) {
	if reg == nil {
		return nil, nil
	}
	if now == nil {
		now = time.Now
	}
	m := &Metrics{
		now:       now,
		backupDir: backupDir,
		jobs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vmeste_scheduler_jobs_total",
			Help: "Scheduled jobs run (tick, digest, summary, prune, backup), by result (ok, error).",
		}, []string{"task", "result"}),
		jobTime: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "vmeste_scheduler_job_duration_seconds",
			Help:    "How long a scheduled job took, by task.",
			Buckets: []float64{.0001, .001, .01, .1, .5, 1, 5, 15, 60, 300, 1800},
		}, []string{"task"}),
		results: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vmeste_outbox_results_total",
			Help: "Outbox sends recorded, by origin (broadcast, reminder, notice) and state (sent, failed, skipped, retry).",
		}, []string{"origin", "state"}),
		lateness: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "vmeste_reminder_lateness_seconds",
			Help:    "From a reminder's due time to its delivery to Telegram.",
			Buckets: []float64{1, 5, 15, 30, 60, 120, 300, 900, 1800, 3600, 3 * 3600},
		}),
	}
	for _, c := range []prometheus.Collector{m.jobs, m.jobTime, m.results, m.lateness,
		&outboxCollector{store: store, now: now}, &backupCollector{m: m}} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	if _, ok := newestBackup(backupDir); ok {
		m.backupSeen, m.backupOK = true, true
	}
	for _, j := range []string{jobTick, jobDigest, jobSummary, jobPrune, jobBackup} {
		m.jobs.WithLabelValues(j, "ok")
		m.jobs.WithLabelValues(j, "error")
	}
	for _, o := range []string{storage.OriginBroadcast, storage.OriginReminder, storage.OriginNotice} {
		m.results.WithLabelValues(o, string(storage.OutboxSent))
	}
	return m, nil
}

// job runs fn, times it and counts its result under name. A job cut
// short by shutdown (context.Canceled) is not counted: it did not fail.
func (m *Metrics) job(name string, fn func() error) {
	if m == nil {
		_ = fn()
		return
	}
	start := time.Now()
	err := fn()
	if errors.Is(err, context.Canceled) {
		return
	}
	m.jobTime.WithLabelValues(name).Observe(time.Since(start).Seconds())
	result := "ok"
	if err != nil {
		result = "error"
	}
	m.jobs.WithLabelValues(name, result).Inc()
}

// outboxDone counts the recorded result of a send of e; a reminder sent
// is measured from its due time.
func (m *Metrics) outboxDone(e storage.OutboxEntry, state storage.OutboxState) {
	if m == nil {
		return
	}
	label := string(state)
	if state == storage.OutboxPending || state == "" {
		label = "retry"
	}
	m.results.WithLabelValues(e.Origin.Kind, label).Inc()
	if state == storage.OutboxSent && e.Origin.Kind == storage.OriginReminder && !e.DueAt.IsZero() {
		m.lateness.Observe(max(m.now().Sub(e.DueAt), 0).Seconds())
	}
}

// backupDone records the result of a backup attempt.
func (m *Metrics) backupDone(err error) {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.backupSeen, m.backupOK = true, err == nil
}

// outboxCollector reads the outbox's depth and oldest pending entry once
// per scrape. Every outbox entry takes the bulk lane (replies never go
// through the outbox), so the depth has no lane label.
type outboxCollector struct {
	store *storage.Store
	now   func() time.Time
}

var (
	outboxPendingDesc = prometheus.NewDesc("vmeste_outbox_pending",
		"Outbox entries waiting to be sent (all in the bulk lane).", nil, nil)
	outboxOldestDesc = prometheus.NewDesc("vmeste_outbox_oldest_pending_age_seconds",
		"Age of the oldest outbox entry waiting to be sent (0 when none waits).", nil, nil)
)

func (c *outboxCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- outboxPendingDesc
	ch <- outboxOldestDesc
}

func (c *outboxCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	n, oldest, err := c.store.OutboxBacklog(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(outboxPendingDesc, err)
		return
	}
	age := 0.0
	if !oldest.IsZero() {
		age = max(c.now().Sub(oldest), 0).Seconds()
	}
	ch <- prometheus.MustNewConstMetric(outboxPendingDesc, prometheus.GaugeValue, float64(n))
	ch <- prometheus.MustNewConstMetric(outboxOldestDesc, prometheus.GaugeValue, age)
}

// backupCollector reports the newest backup's age, from its name (the
// scheduler's time of the backup), and the result of this process's last
// backup attempt.
type backupCollector struct{ m *Metrics }

var (
	backupAgeDesc = prometheus.NewDesc("vmeste_backup_age_seconds",
		"Age of the newest backup in the backup folder (absent when there is none).", nil, nil)
	backupOKDesc = prometheus.NewDesc("vmeste_backup_last_success",
		"1 if the last backup attempt by this process succeeded, 0 if it failed; 1 at start when a backup is in the folder (absent when there is none and none was attempted).", nil, nil)
)

func (c *backupCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- backupAgeDesc
	ch <- backupOKDesc
}

func (c *backupCollector) Collect(ch chan<- prometheus.Metric) {
	if at, ok := newestBackup(c.m.backupDir); ok {
		ch <- prometheus.MustNewConstMetric(backupAgeDesc, prometheus.GaugeValue, max(c.m.now().Sub(at), 0).Seconds())
	}
	c.m.mu.Lock()
	seen, ok := c.m.backupSeen, c.m.backupOK
	c.m.mu.Unlock()
	if seen {
		v := 0.0
		if ok {
			v = 1
		}
		ch <- prometheus.MustNewConstMetric(backupOKDesc, prometheus.GaugeValue, v)
	}
}

// newestBackup is the time in the name of dir's newest backup (names sort
// by time; see Backup); ok is false when there is none.
func newestBackup(dir string) (at time.Time, ok bool) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return time.Time{}, false
	}
	var names []string
	for _, e := range entries {
		if n := e.Name(); strings.HasPrefix(n, backupPrefix) && strings.HasSuffix(n, backupSuffix) {
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return time.Time{}, false
	}
	sort.Strings(names)
	stamp := strings.TrimSuffix(strings.TrimPrefix(names[len(names)-1], backupPrefix), backupSuffix)
	at, err = time.Parse(backupStamp, stamp)
	return at, err == nil
}
