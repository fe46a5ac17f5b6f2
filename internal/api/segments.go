package api

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/tracflow/tracflow/internal/consents"
	"github.com/tracflow/tracflow/internal/domain"
	"github.com/tracflow/tracflow/internal/segments"
	"github.com/tracflow/tracflow/internal/store"
)

// segmentRoles manage segments and consent types: marketers too, as in
// Tracardi's menus.
var segmentRoles = []string{RoleAdmin, RoleDeveloper, RoleMarketer}

func (s *Server) segmentRoutes() []Route {
	exportQuery := []Param{{Name: "format", Description: "csv (default) or ndjson."}}
	return []Route{
		{Method: "POST", Path: "/segment", Tag: "segments", Summary: "Create or update a segment: {id?, name, description, condition (TQL over the profile), event_type: [], enabled, tags}", Roles: segmentRoles, Answer: jsonAnswer("Segment"), handle: s.handleSaveSegment},
		{Method: "GET", Path: "/segments", Tag: "segments", Summary: "List segments by name (?query= matches name, description, id and condition; ?limit=&offset=)", Roles: segmentRoles, Query: []Param{queryParam, limitParam, offsetParam}, Answer: jsonAnswer("SegmentPage"), handle: s.handleListSegments},
		{Method: "GET", Path: "/segment/{id}", Tag: "segments", Summary: "A segment", Roles: segmentRoles, Answer: jsonAnswer("Segment"), handle: s.handleGetSegment},
		{Method: "DELETE", Path: "/segment/{id}", Tag: "segments", Summary: "Delete a segment (profiles keep its name until the segments are re-evaluated or a plugin removes it)", Roles: segmentRoles, Answer: jsonAnswer("Deleted"), handle: s.handleDeleteSegment},
		{Method: "GET", Path: "/segment/{id}/count", Tag: "segments", Summary: "How many stored profiles are in the segment", Roles: segmentRoles, Answer: jsonAnswer("SegmentSize"), handle: s.handleSegmentCount},
		{Method: "GET", Path: "/segment/{id}/profiles", Tag: "segments", Summary: "The segment's profiles by id (?limit=, ?after= the last id of the previous page)", Roles: segmentRoles, Query: []Param{limitParam, {Name: "after", Description: "The last profile id of the previous page."}}, Answer: jsonAnswer("ProfilePage"), handle: s.handleSegmentProfiles},
		{Method: "GET", Path: "/segment/{id}/export", Tag: "segments", Summary: "Export the segment's profiles, streamed: CSV (id, e-mail, name, segments, visits, last update) or NDJSON (whole profiles)", Roles: segmentRoles, Query: exportQuery, Answer: &Answer{ContentType: "text/csv", Schema: sStr, Description: "CSV, or NDJSON (application/x-ndjson) with ?format=ndjson."}, handle: s.handleSegmentExport},
		{Method: "POST", Path: "/segments/refresh", Tag: "segments", Summary: "Re-evaluate every segment over every stored profile, as a background job (409 while one runs)", Roles: segmentRoles, Answer: jsonAnswer("SegmentsRefresh"), handle: s.handleRefreshSegments},
		{Method: "GET", Path: "/segments/refresh", Tag: "segments", Summary: "The progress of the latest re-evaluation of the segments", Roles: segmentRoles, Answer: jsonAnswer("SegmentsRefresh"), handle: s.handleRefreshProgress},

		{Method: "POST", Path: "/consent-type", Tag: "consents", Summary: "Create or update a consent type: {id?, name, description, revokable, default_value: grant|deny, auto_revoke, enabled, required, tags}", Roles: segmentRoles, Answer: jsonAnswer("ConsentType"), handle: s.handleSaveConsentType},
		{Method: "GET", Path: "/consent-types", Tag: "consents", Summary: "List consent types by name (?query=, ?limit=&offset=)", Roles: segmentRoles, Query: []Param{queryParam, limitParam, offsetParam}, Answer: jsonAnswer("ConsentTypePage"), handle: s.handleListConsentTypes},
		{Method: "GET", Path: "/consent-type/{id}", Tag: "consents", Summary: "A consent type", Roles: segmentRoles, Answer: jsonAnswer("ConsentType"), handle: s.handleGetConsentType},
		{Method: "DELETE", Path: "/consent-type/{id}", Tag: "consents", Summary: "Delete a consent type (profiles keep the consents they hold)", Roles: segmentRoles, Answer: jsonAnswer("Deleted"), handle: s.handleDeleteConsentType},
		{Method: "GET", Path: "/profile/{id}/consents", Tag: "consents", Summary: "A profile's consents, each with its type and whether it is in force now", Roles: dataReader, Answer: jsonAnswer("ProfileConsents"), handle: s.handleProfileConsents},
		{Method: "POST", Path: "/profile/{id}/consent/{consent}/grant", Tag: "consents", Summary: "Grant a consent on a profile (revokable types expire after their auto_revoke time)", Roles: segmentRoles, Answer: jsonAnswer("ProfileConsents"), handle: s.consentChange(true)},
		{Method: "POST", Path: "/profile/{id}/consent/{consent}/revoke", Tag: "consents", Summary: "Revoke a profile's consent; the entry stays, dated by the revocation", Roles: segmentRoles, Answer: jsonAnswer("ProfileConsents"), handle: s.consentChange(false)},
	}
}

func (s *Server) saveNormalized(w http.ResponseWriter, r *http.Request, kind string, norm func(store.Doc) (store.Doc, error)) error {
	d, err := s.readDoc(w, r)
	if err != nil {
		return err
	}
	if err := versionInto(r, d); err != nil {
		return err
	}
	want, _ := store.Expected(d)
	out, err := norm(store.WithoutVersion(d))
	if err != nil {
		return err
	}
	v, err := s.st.PutConfigIf(r.Context(), kind, out["id"].(string), out, want)
	if err != nil {
		return err
	}
	out["version"] = float64(v)
	setETag(w, out)
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) deleteDoc(w http.ResponseWriter, r *http.Request, kind, what string) error {
	id := r.PathValue("id")
	if _, err := s.getDoc(r, kind, what, id); err != nil {
		return err
	}
	if err := s.st.DeleteConfig(r.Context(), kind, id); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": id, "deleted": true})
	return nil
}

func (s *Server) getOne(w http.ResponseWriter, r *http.Request, kind, what string) error {
	d, err := s.getDoc(r, kind, what, r.PathValue("id"))
	if err != nil {
		return err
	}
	setETag(w, d)
	writeJSON(w, http.StatusOK, d)
	return nil
}

func (s *Server) handleSaveSegment(w http.ResponseWriter, r *http.Request) error {
	return s.saveNormalized(w, r, segments.Kind, segments.Normalize)
}

func (s *Server) handleListSegments(w http.ResponseWriter, r *http.Request) error {
	return s.listDocs(w, r, segments.Kind, []string{"name"}, []string{"description"}, []string{"id"}, []string{"condition"})
}

func (s *Server) handleGetSegment(w http.ResponseWriter, r *http.Request) error {
	return s.getOne(w, r, segments.Kind, "segment")
}

func (s *Server) handleDeleteSegment(w http.ResponseWriter, r *http.Request) error {
	return s.deleteDoc(w, r, segments.Kind, "segment")
}

// inSegment selects the stored profiles whose segments hold id.
func inSegment(id string) *store.Filter {
	return &store.Filter{Fields: [][]string{{"segments"}}, Match: func(d store.Doc) bool {
		l, _ := d["segments"].([]any)
		return slices.Contains(l, any(id))
	}}
}

func (s *Server) handleSegmentCount(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if _, err := s.getDoc(r, segments.Kind, "segment", id); err != nil {
		return err
	}
	// Limit 1: only the count is wanted, and one document is read.
	p, err := s.st.Select(r.Context(), &store.Query{Kind: store.KindProfile, Filter: inSegment(id), Sort: byID, Limit: 1})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": id, "total": p.Total})
	return nil
}

var byID = []store.Sort{{Field: []string{"id"}}}

func (s *Server) handleSegmentProfiles(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if _, err := s.getDoc(r, segments.Kind, "segment", id); err != nil {
		return err
	}
	limit, _, err := paging(r, 50)
	if err != nil {
		return err
	}
	after := r.URL.Query().Get("after")
	p, err := s.st.Select(r.Context(), &store.Query{Kind: store.KindProfile, Filter: inSegment(id), Sort: byID, Limit: limit, After: after})
	if err != nil {
		return err
	}
	next := ""
	if len(p.Docs) == limit && p.Total > limit {
		next = domain.Str(p.Docs[len(p.Docs)-1], "id")
	}
	writeJSON(w, http.StatusOK, map[string]any{"total": p.Total, "result": p.Docs, "next": next})
	return nil
}

// exportPage is how many profiles an export reads at a time.
const exportPage = 500

// csvColumns are the columns of a segment's CSV export.
var csvColumns = []struct {
	name string
	path []string
}{
	{"id", []string{"id"}},
	{"email", []string{"data", "contact", "email", "main"}},
	{"firstname", []string{"data", "pii", "firstname"}},
	{"lastname", []string{"data", "pii", "lastname"}},
	{"visits", []string{"stats", "visits"}},
	{"segments", []string{"segments"}},
	{"inserted", []string{"metadata", "time", "insert"}},
	{"updated", []string{"metadata", "time", "update"}},
}

// handleSegmentExport streams the segment's profiles a page at a time (by
// id, keyset paging), so that an export of any size holds one page in
// memory.
func (s *Server) handleSegmentExport(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if _, err := s.getDoc(r, segments.Kind, "segment", id); err != nil {
		return err
	}
	format := r.URL.Query().Get("format")
	switch format {
	case "", "csv":
		format = "csv"
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	case "ndjson":
		w.Header().Set("Content-Type", "application/x-ndjson")
	default:
		return &Error{Status: http.StatusUnprocessableEntity, Detail: fmt.Sprintf("format: expected csv or ndjson, got %q", format),
			Errors: []map[string]string{{"field": "format", "message": "expected csv or ndjson"}}}
	}
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", "segment-"+id+"."+format))
	// The response is committed from here on: a failure later can only cut
	// the stream short (the last line is then incomplete).
	bw := bufio.NewWriterSize(w, 64<<10)
	cw := csv.NewWriter(bw)
	enc := json.NewEncoder(bw)
	if format == "csv" {
		head := make([]string, len(csvColumns))
		for i, c := range csvColumns {
			head[i] = c.name
		}
		_ = cw.Write(head)
	}
	after := ""
	for {
		p, err := s.st.Select(r.Context(), &store.Query{Kind: store.KindProfile, Filter: inSegment(id), Sort: byID, Limit: exportPage, After: after})
		if err != nil {
			s.opt.Log.Warn("segment export cut short", "segment", id, "err", err)
			break
		}
		for _, d := range p.Docs {
			if format == "csv" {
				_ = cw.Write(csvRow(d))
			} else if err := enc.Encode(d); err != nil {
				return nil
			}
		}
		cw.Flush()
		if err := bw.Flush(); err != nil {
			return nil // the client went away
		}
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
		if len(p.Docs) < exportPage {
			break
		}
		after = domain.Str(p.Docs[len(p.Docs)-1], "id")
	}
	return nil
}

func csvRow(d store.Doc) []string {
	row := make([]string, len(csvColumns))
	for i, c := range csvColumns {
		var v any = map[string]any(d)
		for _, k := range c.path {
			m, _ := v.(map[string]any)
			v = m[k]
		}
		switch x := v.(type) {
		case nil:
		case string:
			row[i] = x
		case []any:
			parts := make([]string, 0, len(x))
			for _, e := range x {
				parts = append(parts, fmt.Sprint(e))
			}
			row[i] = strings.Join(parts, ";")
		case float64:
			row[i] = fmt.Sprint(x)
		default:
			b, _ := json.Marshal(x)
			row[i] = string(b)
		}
	}
	return row
}

func (s *Server) handleRefreshSegments(w http.ResponseWriter, r *http.Request) error {
	if s.opt.Segments == nil {
		return errorf(http.StatusServiceUnavailable, "background jobs are not available on this server")
	}
	p, err := s.opt.Segments.Start(r.Context())
	if errors.Is(err, segments.ErrRunning) {
		return errorf(http.StatusConflict, "%v (run %s, %d of %d profiles done): wait for it to finish", err, p.Run, p.Done, p.Total)
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, p)
	return nil
}

func (s *Server) handleRefreshProgress(w http.ResponseWriter, r *http.Request) error {
	p, err := segments.ReadProgress(r.Context(), s.st)
	if errors.Is(err, store.ErrNotFound) {
		writeJSON(w, http.StatusOK, segments.Progress{State: "never"})
		return nil
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

func (s *Server) handleSaveConsentType(w http.ResponseWriter, r *http.Request) error {
	return s.saveNormalized(w, r, consents.Kind, consents.Normalize)
}

func (s *Server) handleListConsentTypes(w http.ResponseWriter, r *http.Request) error {
	return s.listDocs(w, r, consents.Kind, []string{"name"}, []string{"description"}, []string{"id"})
}

func (s *Server) handleGetConsentType(w http.ResponseWriter, r *http.Request) error {
	return s.getOne(w, r, consents.Kind, "consent type")
}

func (s *Server) handleDeleteConsentType(w http.ResponseWriter, r *http.Request) error {
	return s.deleteDoc(w, r, consents.Kind, "consent type")
}

// profileConsents answers a profile's consents: each held consent with its
// type's name and whether it is in force now, then the consent types it
// does not hold.
func (s *Server) profileConsents(r *http.Request, p store.Doc, now time.Time) (map[string]any, error) {
	types, err := s.st.ListConfig(r.Context(), consents.Kind)
	if err != nil {
		return nil, err
	}
	held, _ := p["consents"].(map[string]any)
	list := []any{}
	seen := map[string]bool{}
	for _, t := range types {
		id := domain.Str(t, "id")
		seen[id] = true
		item := map[string]any{"id": id, "name": domain.Str(t, "name"), "revokable": t["revokable"] == true, "held": false, "in_force": false}
		if c, ok := held[id]; ok {
			item["held"], item["consent"], item["in_force"] = true, c, consents.InForce(p, id, now)
		}
		list = append(list, item)
	}
	for id, c := range held {
		if !seen[id] {
			list = append(list, map[string]any{"id": id, "name": id, "held": true, "consent": c, "in_force": consents.InForce(p, id, now), "unknown_type": true})
		}
	}
	return map[string]any{"profile_id": domain.Str(p, "id"), "consents": held, "result": list}, nil
}

func (s *Server) handleProfileConsents(w http.ResponseWriter, r *http.Request) error {
	p, err := s.st.Profile(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	out, err := s.profileConsents(r, p, time.Now())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// consentChange grants or revokes a consent of a profile, under the
// profile's lock, and drops the profile from the collector's cache.
func (s *Server) consentChange(grant bool) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		ctx := r.Context()
		p, err := s.st.Profile(ctx, r.PathValue("id"))
		if err != nil {
			return err
		}
		id := domain.Str(p, "id")
		cid := r.PathValue("consent")
		release, err := s.st.LockProfile(ctx, id)
		if err != nil {
			return err
		}
		defer release()
		if p, err = s.st.Profile(ctx, id); err != nil {
			return err
		}
		now := time.Now()
		if grant {
			ct, err := consents.Load(ctx, s.st, cid)
			if errors.Is(err, store.ErrNotFound) {
				return errorf(http.StatusUnprocessableEntity, "consent type %q does not exist: create it first (POST /consent-type)", cid)
			}
			if err != nil {
				return err
			}
			consents.Grant(p, ct, now)
		} else if !consents.Revoke(p, cid, now) {
			return errorf(http.StatusNotFound, "profile %q holds no consent %q", id, cid)
		}
		if md, ok := p["metadata"].(map[string]any); ok {
			if tm, ok := md["time"].(map[string]any); ok {
				tm["update"] = domain.Timestamp(now)
			}
		}
		if err := s.st.Apply(ctx, &store.ChangeSet{Profiles: []store.Doc{p}}); err != nil {
			return err
		}
		if s.tracker != nil {
			s.tracker.Forget(id)
		}
		out, err := s.profileConsents(r, p, now)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, out)
		return nil
	}
}
