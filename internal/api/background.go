package api

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/tracflow/tracflow/internal/destinations"
	"github.com/tracflow/tracflow/internal/jobs"
	"github.com/tracflow/tracflow/internal/store"
	"github.com/tracflow/tracflow/plugin"
)

// jobRoles look after background jobs.
var jobRoles = []string{RoleAdmin, RoleDeveloper, RoleMaintainer}

func (s *Server) backgroundRoutes() []Route {
	return []Route{
		{Method: "POST", Path: "/destination", Tag: "destinations", Summary: "Create or update a destination: {id?, name, description, destination: {package: webhook, init: {url, method, headers, timeout}}, resource: {id}, condition, mapping, on_profile_change_only, event_type, source, enabled, tags, max_attempts}", Roles: builders, Answer: jsonAnswer("Destination"), handle: s.handleSaveDestination},
		{Method: "GET", Path: "/destinations", Tag: "destinations", Summary: "List destinations by name (?query= matches name, description and URL; ?limit=&offset=)", Roles: builders, Query: []Param{queryParam, limitParam, offsetParam}, Answer: jsonAnswer("DestinationPage"), handle: s.handleListDestinations},
		{Method: "GET", Path: "/destination/{id}", Tag: "destinations", Summary: "A destination", Roles: builders, Answer: jsonAnswer("Destination"), handle: s.handleGetDestination},
		{Method: "DELETE", Path: "/destination/{id}", Tag: "destinations", Summary: "Delete a destination and its delivery log (its waiting deliveries are cancelled when they run)", Roles: builders, Answer: jsonAnswer("Deleted"), handle: s.handleDeleteDestination},
		{Method: "GET", Path: "/destination/{id}/deliveries", Tag: "destinations", Summary: "A destination's delivery log, latest first (?limit=&offset=)", Roles: builders, Query: pageParams, Answer: jsonAnswer("DeliveryPage"), handle: s.handleDeliveries},
		{Method: "POST", Path: "/destination/{id}/delivery/{delivery}/retry", Tag: "destinations", Summary: "Retry now: send a delivery again at once, whatever its state (a dead one too)", Roles: builders, Answer: jsonAnswer("Delivery"), handle: s.handleRetryDelivery},
		{Method: "GET", Path: "/jobs", Tag: "jobs", Summary: "Background jobs, newest first, with counts by kind and state (?state=, ?kind= (repeatable or comma-separated), ?limit=, ?after= the next cursor)", Roles: jobRoles,
			Query:  []Param{{Name: "state", Description: "pending, scheduled, available, running, retryable, completed, cancelled or discarded (dead)."}, {Name: "kind", Description: "A job kind."}, limitParam, {Name: "after", Description: "The cursor of the next page, as the previous answer gave it."}},
			Answer: jsonAnswer("JobPage"), handle: s.handleListJobs},
		{Method: "GET", Path: "/job/{id}", Tag: "jobs", Summary: "A background job", Roles: jobRoles, Answer: jsonAnswer("Job"), handle: s.jobAction(func(q *jobs.Queue, ctx context.Context, id int64) (*jobs.Job, error) { return q.Get(ctx, id) })},
		{Method: "POST", Path: "/job/{id}/retry", Tag: "jobs", Summary: "Run a job again at once (a failed, dead or cancelled one too)", Roles: jobRoles, Answer: jsonAnswer("Job"), handle: s.jobAction(func(q *jobs.Queue, ctx context.Context, id int64) (*jobs.Job, error) { return q.Retry(ctx, id) })},
		{Method: "POST", Path: "/job/{id}/cancel", Tag: "jobs", Summary: "Cancel a job that has not finished", Roles: jobRoles, Answer: jsonAnswer("Job"), handle: s.jobAction(func(q *jobs.Queue, ctx context.Context, id int64) (*jobs.Job, error) { return q.CancelJob(ctx, id) })},
	}
}

func (s *Server) destinations() (*destinations.Service, error) {
	if s.opt.Destinations == nil {
		return nil, errorf(http.StatusServiceUnavailable, "destinations are not available on this server (no job queue)")
	}
	return s.opt.Destinations, nil
}

func (s *Server) queue() (*jobs.Queue, error) {
	if s.opt.Jobs == nil {
		return nil, errorf(http.StatusServiceUnavailable, "background jobs are not available on this server")
	}
	return s.opt.Jobs, nil
}

func (s *Server) handleSaveDestination(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.destinations()
	if err != nil {
		return err
	}
	d, err := s.readDoc(w, r)
	if err != nil {
		return err
	}
	if err := versionInto(r, d); err != nil {
		return err
	}
	want, _ := store.Expected(d)
	out, err := destinations.Normalize(store.WithoutVersion(d))
	if err != nil {
		return err
	}
	id := out["id"].(string)
	v, err := s.st.PutConfigIf(r.Context(), destinations.Kind, id, out, want)
	if err != nil {
		return err
	}
	out["version"] = float64(v)
	if err := svc.Reload(r.Context()); err != nil {
		return err
	}
	setETag(w, out)
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) handleListDestinations(w http.ResponseWriter, r *http.Request) error {
	return s.listDocs(w, r, destinations.Kind, []string{"name"}, []string{"description"}, []string{"id"}, []string{"destination", "init", "url"})
}

func (s *Server) handleGetDestination(w http.ResponseWriter, r *http.Request) error {
	d, err := s.getDoc(r, destinations.Kind, "destination", r.PathValue("id"))
	if err != nil {
		return err
	}
	setETag(w, d)
	writeJSON(w, http.StatusOK, d)
	return nil
}

func (s *Server) handleDeleteDestination(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.destinations()
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	if _, err := s.getDoc(r, destinations.Kind, "destination", id); err != nil {
		return err
	}
	if err := s.st.DeleteConfig(r.Context(), destinations.Kind, id); err != nil {
		return err
	}
	if err := svc.Reload(r.Context()); err != nil {
		return err
	}
	if err := svc.DeleteLog(r.Context(), id); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": id, "deleted": true})
	return nil
}

func (s *Server) handleDeliveries(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.destinations()
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	if _, err := s.getDoc(r, destinations.Kind, "destination", id); err != nil {
		return err
	}
	limit, offset, err := paging(r, 50)
	if err != nil {
		return err
	}
	list, total, err := svc.Deliveries(r.Context(), id, limit, offset)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"total": total, "result": list})
	return nil
}

func (s *Server) handleRetryDelivery(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.destinations()
	if err != nil {
		return err
	}
	d, err := svc.RetryNow(r.Context(), r.PathValue("id"), r.PathValue("delivery"))
	if errors.Is(err, jobs.ErrNotFound) {
		return errorf(http.StatusNotFound, "the job of this delivery is gone (finished jobs are kept 24 hours)")
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, d)
	return nil
}

func multi(r *http.Request, name string) []string {
	var out []string
	for _, v := range r.URL.Query()[name] {
		for _, x := range strings.Split(v, ",") {
			if x = strings.TrimSpace(x); x != "" {
				out = append(out, x)
			}
		}
	}
	return out
}

func (s *Server) handleListJobs(w http.ResponseWriter, r *http.Request) error {
	q, err := s.queue()
	if err != nil {
		return err
	}
	p := jobs.ListParams{States: multi(r, "state"), Kinds: multi(r, "kind"), After: r.URL.Query().Get("after")}
	for _, st := range p.States {
		ok := false
		for _, known := range jobs.States {
			ok = ok || st == known
		}
		if !ok {
			return invalidField("state", "expected one of "+strings.Join(jobs.States, ", ")+", not "+strconv.Quote(st))
		}
	}
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			return invalidField("limit", "expected a whole number from 1 to 1000")
		}
		p.Limit = n
	}
	list, next, err := q.List(r.Context(), p)
	if err != nil {
		if p.After != "" && strings.Contains(err.Error(), "cursor") {
			return invalidField("after", "not a cursor this server gave")
		}
		return err
	}
	counts, err := q.Counts(r.Context())
	if err != nil {
		return err
	}
	if counts == nil {
		counts = []jobs.Count{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"result": list, "next": next, "counts": counts, "kinds": q.Kinds()})
	return nil
}

func invalidField(field, msg string) error {
	return plugin.FieldErrors{{Field: field, Message: msg}}
}

func (s *Server) jobAction(f func(q *jobs.Queue, ctx context.Context, id int64) (*jobs.Job, error)) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		q, err := s.queue()
		if err != nil {
			return err
		}
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		if err != nil || id <= 0 {
			return invalidField("id", "expected a job id (a whole number)")
		}
		j, err := f(q, r.Context(), id)
		if errors.Is(err, jobs.ErrNotFound) {
			return errorf(http.StatusNotFound, "job %d does not exist", id)
		}
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, j)
		return nil
	}
}

// Metric names of the job queue, also listed in docs/api.md.
const (
	metricJobs          = "tracflow_jobs"
	metricJobTime       = "tracflow_job_duration_seconds"
	metricJobFailures   = "tracflow_job_failures_total"
	metricDeliveries    = "tracflow_destination_deliveries_total"
	metricDeliveryDrops = "tracflow_destination_deliveries_dropped_total"
	metricBacklog       = "tracflow_destination_backlog_batches"
	metricBacklogBytes  = "tracflow_destination_backlog_bytes"
)

var jobBuckets = []float64{.001, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60}

// registerJobMetrics adds the queue's metrics: the depth by state and
// kind (read from the database at each scrape), attempt durations and
// failures of this process's workers, and destination deliveries.
func (m *Metrics) registerJobMetrics(q *jobs.Queue, d *destinations.Service) {
	jobTime := prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: metricJobTime,
		Help: "Time one job attempt took in this process, by kind.", Buckets: jobBuckets}, []string{"kind"})
	failures := prometheus.NewCounterVec(prometheus.CounterOpts{Name: metricJobFailures,
		Help: "Job attempts that failed in this process, by kind."}, []string{"kind"})
	m.reg.MustRegister(jobTime, failures, jobCollector{q})
	q.Observe(func(kind string, dur time.Duration, err error) {
		jobTime.WithLabelValues(kind).Observe(dur.Seconds())
		if err != nil {
			failures.WithLabelValues(kind).Inc()
		}
	})
	if d != nil {
		deliveries := prometheus.NewCounterVec(prometheus.CounterOpts{Name: metricDeliveries,
			Help: "Destination delivery attempts made by this process, by outcome (delivered, retrying, dead)."}, []string{"status"})
		m.reg.MustRegister(deliveries, prometheus.NewCounterFunc(prometheus.CounterOpts{Name: metricDeliveryDrops,
			Help: "Deliveries matched but not queued because the server was stopping."}, func() float64 { return float64(d.Dropped.Load()) }))
		d.Observe = func(status string, _ time.Duration) { deliveries.WithLabelValues(status).Inc() }
		m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: metricBacklog,
			Help: "Batches of matched deliveries waiting on disk for the delivery process (it is behind, or not running)."},
			func() float64 { n, _ := d.Backlog(); return float64(n) }),
			prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: metricBacklogBytes, Help: "The bytes of those batches."},
				func() float64 { _, b := d.Backlog(); return float64(b) }))
	}
}

var jobsDesc = prometheus.NewDesc(metricJobs, "Jobs in the queue (all processes), by kind and state; finished ones are kept for a while.", []string{"kind", "state"}, nil)

type jobCollector struct{ q *jobs.Queue }

func (c jobCollector) Describe(ch chan<- *prometheus.Desc) { ch <- jobsDesc }

func (c jobCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	counts, err := c.q.Counts(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(jobsDesc, err)
		return
	}
	for _, n := range counts {
		ch <- prometheus.MustNewConstMetric(jobsDesc, prometheus.GaugeValue, float64(n.N), n.Kind, n.State)
	}
}
