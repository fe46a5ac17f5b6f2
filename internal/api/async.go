package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/tracflow/tracflow/internal/inbox"
	"github.com/tracflow/tracflow/internal/jsonx"
	"github.com/tracflow/tracflow/internal/tracking"
)

// handleTrackAsync is PUT /track: Tracardi's asynchronous collection. The
// request is checked as POST /track checks it, stored durably in the inbox
// and answered at once; its rules and flows run later, in order per
// profile. POST /track does the same for a source whose "asynchronous"
// setting is true.
func (s *Server) handleTrackAsync(w http.ResponseWriter, r *http.Request) error {
	publicCORS(w)
	var v any
	if err := s.readJSON(w, r, &v); err != nil {
		return err
	}
	p, err := tracking.ParsePayload(v, s.opt.MaxEvents)
	if err != nil {
		return trackError(err)
	}
	p.ProfileLess = r.URL.Query().Get("profile_less") == "true"
	if err := s.allowOrigin(w, r, p.SourceID); err != nil {
		return err
	}
	_, err = s.trackLater(w, r, p, true)
	return err
}

// ScheduledAtOption is the /track option that runs a request's flows at a
// time: options.scheduledAt, RFC 3339 text.
const ScheduledAtOption = "scheduledAt"

// trackLater queues a request that runs later: at its options.scheduledAt,
// or, when async, as soon as its profile's earlier requests ran. It
// answers false (and writes nothing) for a request to run now.
func (s *Server) trackLater(w http.ResponseWriter, r *http.Request, p *tracking.Payload, async bool) (bool, error) {
	v, scheduled := p.Options[ScheduledAtOption]
	if !scheduled && !async {
		return false, nil
	}
	if s.opt.Inbox == nil {
		return true, errorf(http.StatusServiceUnavailable, "asynchronous and scheduled collection are not available on this server (no job queue)")
	}
	var ack *inbox.Ack
	var err error
	var at time.Time
	if scheduled {
		text, _ := v.(string)
		at, err = time.Parse(time.RFC3339, text)
		field := "options." + ScheduledAtOption
		switch {
		case err != nil:
			return true, invalidField(field, fmt.Sprintf("expected a time as RFC 3339 text, e.g. \"2030-01-02T15:04:05Z\", got %v", jsonText(v)))
		case time.Until(at) > inbox.MaxSchedule:
			return true, invalidField(field, "is more than a year ahead")
		}
		delete(p.Options, ScheduledAtOption)
		ack, err = s.opt.Inbox.Schedule(r.Context(), p, requestHeaders(r), at)
	} else {
		ack, err = s.opt.Inbox.Accept(r.Context(), p, requestHeaders(r))
	}
	return true, s.writeQueued(w, ack, at, err)
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// writeQueued answers a queued request as /track does, without the flows'
// response, UX or errors (they run later).
func (s *Server) writeQueued(w http.ResponseWriter, ack *inbox.Ack, at time.Time, err error) error {
	if errors.Is(err, inbox.ErrStopping) {
		return errorf(http.StatusServiceUnavailable, "the server is stopping: send the events again")
	}
	if err != nil {
		return trackError(err)
	}
	out := map[string]any{
		"task":     "",
		"ux":       []any{},
		"response": map[string]any{},
		"errors":   []any{},
		"warnings": []any{},
		"queued":   true,
		"session":  nil,
		"profile":  nil,
	}
	if ack.SessionID != "" {
		out["session"] = map[string]any{"id": ack.SessionID}
	}
	if ack.ProfileID != "" {
		out["profile"] = map[string]any{"id": ack.ProfileID}
	}
	if !at.IsZero() {
		out["scheduled"] = at.UTC().Format(time.RFC3339)
	}
	ids := make([]any, len(ack.EventIDs))
	for i, id := range ack.EventIDs {
		ids[i] = id
	}
	out["events"] = ids
	b, err := jsonx.Append(make([]byte, 0, 256), out)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(append(b, '\n'))
	return err
}

const (
	metricInboxDepth   = "tracflow_track_queue_depth"
	metricInboxDropped = "tracflow_track_queue_dropped_total"
)

var inboxDepthDesc = prometheus.NewDesc(metricInboxDepth,
	"Requests collected asynchronously and waiting for their flows to run (all processes).", nil, nil)

// registerInboxMetrics adds the asynchronous collection's metrics.
func (m *Metrics) registerInboxMetrics(in *inbox.Service) {
	m.reg.MustRegister(inboxCollector{in}, prometheus.NewCounterFunc(prometheus.CounterOpts{Name: metricInboxDropped,
		Help: "Requests collected asynchronously that were refused when their turn came (source deleted or disabled), in this process."},
		func() float64 { return float64(in.Dropped()) }))
}

type inboxCollector struct{ in *inbox.Service }

func (c inboxCollector) Describe(ch chan<- *prometheus.Desc) { ch <- inboxDepthDesc }

func (c inboxCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	n, err := c.in.Depth(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(inboxDepthDesc, err)
		return
	}
	ch <- prometheus.MustNewConstMetric(inboxDepthDesc, prometheus.GaugeValue, float64(n))
}
