package api

import (
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/tracflow/tracflow/internal/buildinfo"
	"github.com/tracflow/tracflow/internal/store"
)

// Metrics are the server's Prometheus metrics, in a registry of the server's
// own (two servers in one process, as in tests, do not collide). It is the
// tracker's Observer and the flows' NodeObserver.
//
// Every label has bounded values: routes are the route table's patterns
// (unmatched paths share one value), flows and plugins are those deployed
// and installed.
type Metrics struct {
	reg *prometheus.Registry

	requests   *prometheus.CounterVec
	latency    *prometheus.HistogramVec
	events     *prometheus.CounterVec
	flowRuns   *prometheus.CounterVec
	flowErrors *prometheus.CounterVec
	flowTime   *prometheus.HistogramVec
	pluginTime *prometheus.HistogramVec
	pluginErrs *prometheus.CounterVec

	plugins sync.Map // plugin id -> *pluginMetrics
}

type pluginMetrics struct {
	time prometheus.Observer
	errs prometheus.Counter
}

// Bucket bounds, in seconds.
var (
	requestBuckets = []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}
	flowBuckets    = []float64{.00005, .0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 5}
	pluginBuckets  = []float64{.000005, .00001, .000025, .00005, .0001, .00025, .0005, .001, .0025, .005, .01, .05, .1, .5, 1, 5}
)

// Metric names, also listed in docs/api.md.
const (
	metricRequests     = "tracflow_http_requests_total"
	metricLatency      = "tracflow_http_request_duration_seconds"
	metricEvents       = "tracflow_events_total"
	metricFlowRuns     = "tracflow_flow_runs_total"
	metricFlowErrors   = "tracflow_flow_errors_total"
	metricFlowTime     = "tracflow_flow_run_duration_seconds"
	metricPluginTime   = "tracflow_plugin_run_duration_seconds"
	metricPluginErrors = "tracflow_plugin_errors_total"
)

func newMetrics(st store.Store) *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{Name: metricRequests,
		Help: "HTTP requests answered, by method, route (the route table's pattern) and status code."}, []string{"method", "route", "status"})
	m.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: metricLatency,
		Help: "Time to answer an HTTP request, by method and route.", Buckets: requestBuckets}, []string{"method", "route"})
	m.events = prometheus.NewCounterVec(prometheus.CounterOpts{Name: metricEvents,
		Help: "Events collected and processed, by status (processed, error)."}, []string{"status"})
	m.flowRuns = prometheus.NewCounterVec(prometheus.CounterOpts{Name: metricFlowRuns,
		Help: "Flow runs started by rules, by flow id."}, []string{"flow"})
	m.flowErrors = prometheus.NewCounterVec(prometheus.CounterOpts{Name: metricFlowErrors,
		Help: "Flow runs that ended with an error, by flow id."}, []string{"flow"})
	m.flowTime = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: metricFlowTime,
		Help: "Time a flow run took, by flow id.", Buckets: flowBuckets}, []string{"flow"})
	m.pluginTime = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: metricPluginTime,
		Help: "Time one plugin call took in flows run by rules, by plugin id.", Buckets: pluginBuckets}, []string{"plugin"})
	m.pluginErrs = prometheus.NewCounterVec(prometheus.CounterOpts{Name: metricPluginErrors,
		Help: "Plugin calls that failed, by plugin id."}, []string{"plugin"})
	m.reg.MustRegister(m.requests, m.latency, m.events, m.flowRuns, m.flowErrors, m.flowTime, m.pluginTime, m.pluginErrs,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if st != nil {
		m.reg.MustRegister(storeCollector{st})
	}
	m.reg.MustRegister(buildInfoMetric(buildinfo.Get()))
	return m
}

// metricBuildInfo is the build's gauge, also listed in docs/api.md.
const metricBuildInfo = "tracflow_build_info"

// buildInfoMetric is a gauge of 1 whose labels say which build runs.
func buildInfoMetric(bi buildinfo.Info) prometheus.Collector {
	g := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: metricBuildInfo,
		Help: "Always 1; its labels name the running build: version, commit and the Go version that built it."}, []string{"version", "commit", "goversion"})
	g.WithLabelValues(bi.Version, bi.Commit, bi.GoVersion).Set(1)
	return g
}

// Registry is where the metrics are registered; add your own to it.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// request records one answered request.
func (m *Metrics) request(method, route string, status int, d time.Duration) {
	m.requests.WithLabelValues(method, route, strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(method, route).Observe(d.Seconds())
}

// EventProcessed implements tracking.Observer.
func (m *Metrics) EventProcessed(status string) { m.events.WithLabelValues(status).Inc() }

// FlowRun implements tracking.Observer.
func (m *Metrics) FlowRun(flowID string, d time.Duration, failed bool) {
	m.flowRuns.WithLabelValues(flowID).Inc()
	m.flowTime.WithLabelValues(flowID).Observe(d.Seconds())
	if failed {
		m.flowErrors.WithLabelValues(flowID).Inc()
	}
}

// NodeRun implements workflow.NodeObserver. It runs for every plugin call,
// so the plugin's series are looked up once and kept.
func (m *Metrics) NodeRun(pluginID string, d time.Duration, failed bool) {
	v, ok := m.plugins.Load(pluginID)
	if !ok {
		v, _ = m.plugins.LoadOrStore(pluginID, &pluginMetrics{
			time: m.pluginTime.WithLabelValues(pluginID),
			errs: m.pluginErrs.WithLabelValues(pluginID),
		})
	}
	pm := v.(*pluginMetrics)
	pm.time.Observe(d.Seconds())
	if failed {
		pm.errs.Inc()
	}
}

// storeCollector reports the storage writer's counters at scrape time.
type storeCollector struct{ st store.Store }

var (
	storeWrites   = prometheus.NewDesc("tracflow_store_writes_total", "Writes (change sets and configuration changes) the storage writer answered.", nil, nil)
	storeFailed   = prometheus.NewDesc("tracflow_store_write_errors_total", "Writes answered with an error.", nil, nil)
	storeCommits  = prometheus.NewDesc("tracflow_store_commits_total", "Transactions committed (group commit: one per batch of writes).", nil, nil)
	storeQueue    = prometheus.NewDesc("tracflow_store_queue_length", "Writes waiting for the writer right now.", nil, nil)
	storeMaxBatch = prometheus.NewDesc("tracflow_store_max_batch", "Most writes committed in one transaction so far.", nil, nil)
)

func (c storeCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{storeWrites, storeFailed, storeCommits, storeQueue, storeMaxBatch} {
		ch <- d
	}
}

func (c storeCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.st.Stats()
	ch <- prometheus.MustNewConstMetric(storeWrites, prometheus.CounterValue, float64(s.Writes))
	ch <- prometheus.MustNewConstMetric(storeFailed, prometheus.CounterValue, float64(s.Failed))
	ch <- prometheus.MustNewConstMetric(storeCommits, prometheus.CounterValue, float64(s.Commits))
	ch <- prometheus.MustNewConstMetric(storeQueue, prometheus.GaugeValue, float64(s.QueueLength))
	ch <- prometheus.MustNewConstMetric(storeMaxBatch, prometheus.GaugeValue, float64(s.MaxBatch))
}
