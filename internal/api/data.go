package api

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/tracflow/tracflow/internal/domain"
	"github.com/tracflow/tracflow/internal/notation"
	"github.com/tracflow/tracflow/internal/store"
	"github.com/tracflow/tracflow/internal/store/query"
	"github.com/tracflow/tracflow/internal/store/rows"
	"github.com/tracflow/tracflow/plugin"
)

// dataWriter may delete customer data.
var dataWriter = []string{RoleAdmin, RoleDeveloper}

// Limits of the data search.
const (
	selectDefaultLimit = 20
	selectMaxLimit     = 1000
	selectMaxWindow    = 100_000 // offset + limit
	selectMaxSortKeys  = 5
	histogramMaxBins   = 10_000
)

func (s *Server) dataRoutes() []Route {
	rt := []Route{
		{Method: "DELETE", Path: "/profile/{id}", Tag: "data", Summary: "Delete a profile (by id or alias) with its events and sessions", Roles: dataWriter, Answer: jsonAnswer("Deleted"), handle: s.handleDeleteProfile},
		{Method: "GET", Path: "/profile/{id}/sessions", Tag: "data", Summary: "A profile's sessions, newest first (?limit=&offset=)", Roles: dataReader, Query: pageParams, Answer: jsonAnswer("SessionPage"), handle: s.handleProfileSessions},
		{Method: "GET", Path: "/event/{id}", Tag: "data", Summary: "An event", Roles: dataReader, Answer: jsonAnswer("Event"), handle: s.handleGetEvent},
		{Method: "GET", Path: "/session/{id}", Tag: "data", Summary: "A session", Roles: dataReader, Answer: jsonAnswer("Session"), handle: s.handleGetSession},
	}
	for _, kind := range []string{store.KindProfile, store.KindEvent, store.KindSession} {
		rt = append(rt,
			Route{Method: "POST", Path: "/" + kind + "/select", Tag: "data",
				Summary: "Search " + kind + "s: a TQL condition (where), sort, limit and offset; answers {total, result}",
				Roles:   dataReader, Body: selectBody, Answer: jsonAnswer(pageSchema[kind]), handle: s.handleSelect(kind)},
			Route{Method: "POST", Path: "/" + kind + "/select/histogram", Tag: "data",
				Summary: "Count " + kind + "s matching a TQL condition per minute, hour or day of their insert time",
				Roles:   dataReader, Body: histogramBody, Answer: jsonAnswer("Histogram"), handle: s.handleHistogram(kind)})
	}
	return rt
}

func (s *Server) handleGetEvent(w http.ResponseWriter, r *http.Request) error {
	d, err := s.st.Event(r.Context(), r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) {
		return errorf(http.StatusNotFound, "event %q not found", r.PathValue("id"))
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, d)
	return nil
}

func (s *Server) handleGetSession(w http.ResponseWriter, r *http.Request) error {
	d, err := s.st.Session(r.Context(), r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) {
		return errorf(http.StatusNotFound, "session %q not found", r.PathValue("id"))
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, d)
	return nil
}

// profileByIDOrAlias loads a profile, answering 404 when there is none.
func (s *Server) profileByIDOrAlias(r *http.Request) (store.Doc, error) {
	id := r.PathValue("id")
	p, err := s.st.Profile(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errorf(http.StatusNotFound, "profile %q not found", id)
	}
	return p, err
}

func (s *Server) handleProfileSessions(w http.ResponseWriter, r *http.Request) error {
	limit, offset, err := paging(r, 20)
	if err != nil {
		return err
	}
	p, err := s.profileByIDOrAlias(r)
	if err != nil {
		return err
	}
	list, total, err := s.st.ProfileSessions(r.Context(), domain.Str(p, "id"), limit, offset)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"total": total, "result": list})
	return nil
}

// handleDeleteProfile deletes a profile, its aliases, sessions and events,
// under the profile's lock so that no event of it is being tracked
// meanwhile, and drops them from the collector's cache.
func (s *Server) handleDeleteProfile(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p, err := s.profileByIDOrAlias(r)
	if err != nil {
		return err
	}
	id := domain.Str(p, "id")
	release, err := s.st.LockProfile(ctx, id)
	if err != nil {
		return err
	}
	defer release()
	sessions, nSessions, err := s.st.ProfileSessions(ctx, id, 0, 0)
	if err != nil {
		return err
	}
	_, nEvents, err := s.st.ProfileEvents(ctx, id, 1, 0)
	if err != nil {
		return err
	}
	if err := s.st.Apply(ctx, &store.ChangeSet{DeleteProfiles: []string{id}}); err != nil {
		return err
	}
	if s.tracker != nil {
		s.tracker.Forget(id)
		ids := make([]string, len(sessions))
		for i, sd := range sessions {
			ids[i] = domain.Str(sd, "id")
		}
		s.tracker.ForgetSessions(ids...)
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": id, "deleted": true, "events": nEvents, "sessions": nSessions})
	return nil
}

// selectRequest is the body of POST /{kind}/select.
type selectRequest struct {
	Where  string      `json:"where"`
	Sort   []sortField `json:"sort"`
	Limit  *int        `json:"limit"`
	Offset *int        `json:"offset"`
	// From and To bound the insert time: from <= metadata.time.insert < to.
	From string `json:"from"`
	To   string `json:"to"`
}

type sortField struct {
	Field string `json:"field"`
	Order string `json:"order"`
}

// histogramRequest is the body of POST /{kind}/select/histogram.
type histogramRequest struct {
	Where    string `json:"where"`
	Interval string `json:"interval"`
	From     string `json:"from"`
	To       string `json:"to"`
}

var intervals = map[string]struct {
	width time.Duration
	span  int // buckets shown when from is not given
}{
	"minute": {time.Minute, 60},
	"hour":   {time.Hour, 24},
	"day":    {24 * time.Hour, 30},
}

func (s *Server) handleSelect(kind string) func(w http.ResponseWriter, r *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		var req selectRequest
		if err := s.readJSON(w, r, &req, bodyStrict, bodyEmptyOK); err != nil {
			return err
		}
		q := &store.Query{Kind: kind, Limit: selectDefaultLimit}
		var errs []plugin.FieldError
		if req.Limit != nil {
			if *req.Limit < 1 || *req.Limit > selectMaxLimit {
				errs = append(errs, fieldErr("limit", "expected a whole number from 1 to %d, got %d", selectMaxLimit, *req.Limit))
			}
			q.Limit = *req.Limit
		}
		if req.Offset != nil {
			switch {
			case *req.Offset < 0:
				errs = append(errs, fieldErr("offset", "expected a whole number, 0 or more, got %d", *req.Offset))
			case *req.Offset+q.Limit > selectMaxWindow:
				errs = append(errs, fieldErr("offset", "offset + limit may be at most %d; narrow the search with where instead", selectMaxWindow))
			}
			q.Offset = *req.Offset
		}
		if len(req.Sort) > selectMaxSortKeys {
			errs = append(errs, fieldErr("sort", "at most %d sort keys", selectMaxSortKeys))
		}
		for i, sf := range req.Sort {
			key, err := sortKey(kind, i, sf)
			if err != nil {
				errs = append(errs, *err)
				continue
			}
			q.Sort = append(q.Sort, key)
		}
		for _, b := range []struct {
			field, v string
			dst      *time.Time
		}{{"from", req.From, &q.From}, {"to", req.To, &q.To}} {
			if b.v == "" {
				continue
			}
			t, err := parseWhen(b.v)
			if err != nil {
				errs = append(errs, fieldErr(b.field, "%v", err))
			}
			*b.dst = t
		}
		w0, werr := query.Where(kind, req.Where, q)
		errs = append(errs, plugin.AsFieldErrors(werr)...)
		if len(errs) > 0 {
			return invalid(errs...)
		}
		page, err := s.st.Select(r.Context(), q)
		if err != nil {
			return err
		}
		out := map[string]any{"total": page.Total, "result": page.Docs}
		if warn := w0.Warning(kind); warn != "" {
			out["warnings"] = []string{warn}
		}
		writeJSON(w, http.StatusOK, out)
		return nil
	}
}

func (s *Server) handleHistogram(kind string) func(w http.ResponseWriter, r *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		var req histogramRequest
		if err := s.readJSON(w, r, &req, bodyStrict, bodyEmptyOK); err != nil {
			return err
		}
		var errs []plugin.FieldError
		if req.Interval == "" {
			req.Interval = "hour"
		}
		iv, ok := intervals[strings.ToLower(req.Interval)]
		if !ok {
			errs = append(errs, fieldErr("interval", "expected minute, hour or day, got %q", req.Interval))
			iv = intervals["hour"]
		}
		to := time.Now().UTC()
		if req.To != "" {
			t, err := parseWhen(req.To)
			if err != nil {
				errs = append(errs, fieldErr("to", "%v", err))
			}
			to = t
		}
		from := time.UnixMicro(floorUS(to.UnixMicro(), iv.width.Microseconds())).Add(-time.Duration(iv.span-1) * iv.width).UTC()
		if req.From != "" {
			t, err := parseWhen(req.From)
			if err != nil {
				errs = append(errs, fieldErr("from", "%v", err))
			}
			from = t
		}
		wus := iv.width.Microseconds()
		var bins int64
		if len(errs) == 0 {
			bins = (floorUS(to.UnixMicro()-1, wus)-floorUS(from.UnixMicro(), wus))/wus + 1
			switch {
			case !from.Before(to):
				errs = append(errs, fieldErr("to", "must be later than from (%s)", from.Format(time.RFC3339Nano)))
			case bins > histogramMaxBins:
				errs = append(errs, fieldErr("interval", "from %s to %s makes %d buckets of a %s; at most %d: choose a longer interval or a shorter range",
					from.Format(time.RFC3339), to.Format(time.RFC3339), bins, req.Interval, histogramMaxBins))
			}
		}
		q := &store.Query{Kind: kind, From: from, To: to}
		w0, werr := query.Where(kind, req.Where, q)
		errs = append(errs, plugin.AsFieldErrors(werr)...)
		if len(errs) > 0 {
			return invalid(errs...)
		}
		got, err := s.st.Histogram(r.Context(), q, iv.width)
		if err != nil {
			return err
		}
		// Every bucket from the one holding from to the one holding the
		// last instant before to, empty ones included.
		counts := make(map[int64]int, len(got))
		for _, b := range got {
			counts[b.Start.UnixMicro()] = b.Count
		}
		buckets := make([]map[string]any, 0, bins)
		total := 0
		for t := floorUS(from.UnixMicro(), wus); t < to.UnixMicro(); t += wus {
			n := counts[t]
			total += n
			buckets = append(buckets, map[string]any{"time": time.UnixMicro(t).UTC().Format(time.RFC3339), "count": n})
		}
		out := map[string]any{
			"interval": strings.ToLower(req.Interval), "from": from.Format(time.RFC3339Nano), "to": to.Format(time.RFC3339Nano),
			"total": total, "buckets": buckets,
		}
		if warn := w0.Warning(kind); warn != "" {
			out["warnings"] = []string{warn}
		}
		writeJSON(w, http.StatusOK, out)
		return nil
	}
}

func floorUS(us, w int64) int64 { return us - ((us%w)+w)%w }

// parseWhen reads a time: RFC 3339, the same without a zone (UTC), or a
// date.
func parseWhen(s string) (time.Time, error) {
	if t, err := rows.ParseTime(s); err == nil {
		return t.UTC(), nil
	}
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("expected a time such as 2024-06-01T10:00:00Z or a date such as 2024-06-01, got %q", s)
}

// sortKey reads one sort key: a field of the record (bare, or with the
// record's source) and asc or desc.
func sortKey(kind string, i int, sf sortField) (store.Sort, *plugin.FieldError) {
	name := fmt.Sprintf("sort[%d]", i)
	var key store.Sort
	switch strings.ToLower(sf.Order) {
	case "", "asc":
	case "desc":
		key.Desc = true
	default:
		e := fieldErr(name+".order", "expected asc or desc, got %q", sf.Order)
		return key, &e
	}
	field := strings.TrimSpace(sf.Field)
	if field == "" {
		e := fieldErr(name+".field", "a field of the %s is required, e.g. metadata.time.insert", kind)
		return key, &e
	}
	src := field
	if !strings.Contains(field, "@") {
		src = kind + "@" + field
	}
	ref, ok, err := notation.ParseRef(src)
	switch {
	case err != nil || !ok:
		msg := fmt.Sprintf("%q is not a field path", field)
		if err != nil {
			msg += ": " + err.Error()
		}
		e := fieldErr(name+".field", "%s", msg)
		return key, &e
	case ref.Source != kind:
		e := fieldErr(name+".field", "%s search sorts by fields of the %s (%s@... or a bare path), not %s@", query.Article(kind), kind, kind, ref.Source)
		return key, &e
	case len(ref.Path) == 0:
		e := fieldErr(name+".field", "name a field of the %s, not the whole %s", kind, kind)
		return key, &e
	}
	key.Field = ref.Path
	return key, nil
}

// Request bodies, for the API document.
var (
	selectBody = &Body{
		Optional: true,
		Description: "where: a TQL condition on the record (profile@traits.plan == \"pro\", or the bare traits.plan == \"pro\"); empty means all. " +
			"from and to (RFC 3339 times or dates, optional): only records with from <= metadata.time.insert < to. " +
			"sort: fields of the record, asc (default) or desc; default metadata.time.insert desc. limit: 1 to 1000 (default 20); offset: 0 or more (offset + limit at most 100000). " +
			"Answers {\"total\", \"result\"}, and \"warnings\" when the condition could not be evaluated on some records.",
		Schema: map[string]any{"type": "object", "additionalProperties": false, "properties": map[string]any{
			"where": map[string]any{"type": "string"},
			"sort": map[string]any{"type": "array", "items": map[string]any{"type": "object", "required": []string{"field"}, "properties": map[string]any{
				"field": map[string]any{"type": "string"}, "order": map[string]any{"type": "string", "enum": []string{"asc", "desc"}}}}},
			"limit":  map[string]any{"type": "integer", "minimum": 1, "maximum": selectMaxLimit, "default": selectDefaultLimit},
			"offset": map[string]any{"type": "integer", "minimum": 0, "default": 0},
			"from":   map[string]any{"type": "string", "format": "date-time"},
			"to":     map[string]any{"type": "string", "format": "date-time"},
		}},
		Example: map[string]any{"where": `traits.plan == "pro" AND stats.visits > 3`, "sort": []any{map[string]any{"field": "metadata.time.update", "order": "desc"}}, "limit": 20, "offset": 0},
	}
	histogramBody = &Body{
		Optional: true,
		Description: "where: a TQL condition as in select. interval: minute, hour (default) or day (UTC). from and to: RFC 3339 times or dates; " +
			"records with from <= metadata.time.insert < to are counted; to defaults to now, from to 60 minutes, 24 hours or 30 days before. " +
			"Answers {\"buckets\": [{\"time\", \"count\"}], \"total\", \"interval\", \"from\", \"to\"}, every bucket of the range included.",
		Schema: map[string]any{"type": "object", "additionalProperties": false, "properties": map[string]any{
			"where":    map[string]any{"type": "string"},
			"interval": map[string]any{"type": "string", "enum": []string{"minute", "hour", "day"}, "default": "hour"},
			"from":     map[string]any{"type": "string", "format": "date-time"},
			"to":       map[string]any{"type": "string", "format": "date-time"},
		}},
		Example: map[string]any{"where": `type == "purchase"`, "interval": "hour", "from": "2024-06-01T00:00:00Z", "to": "2024-06-02T00:00:00Z"},
	}
)
