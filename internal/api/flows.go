package api

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/tracflow/tracflow/internal/catalog"
	"github.com/tracflow/tracflow/internal/domain"
	"github.com/tracflow/tracflow/internal/notation"
	"github.com/tracflow/tracflow/internal/store"
	"github.com/tracflow/tracflow/internal/workflow"
	"github.com/tracflow/tracflow/plugin"
)

// flowReaders may read flows and rules; builders change them.
var flowReaders = []string{RoleAdmin, RoleDeveloper, RoleMarketer}

func (s *Server) flowRoutes() []Route {
	return []Route{
		{Method: "POST", Path: "/flow/metadata", Tag: "flows", Summary: "Create a flow or change its metadata: {id?, name, description, tags, type}", Roles: flowEditors, Answer: jsonAnswer("FlowMetadata"), handle: s.handleSaveFlowMetadata},
		{Method: "GET", Path: "/flow/metadata/{id}", Tag: "flows", Summary: "A flow's metadata (name, description, tags, lock, timestamps)", Roles: flowReaders, Answer: jsonAnswer("FlowMetadata"), handle: s.handleGetFlowMetadata},
		{Method: "GET", Path: "/flow/draft/{id}", Tag: "flows", Summary: "A flow's draft graph (an empty graph when none was saved yet)", Roles: flowReaders, Answer: jsonAnswer("Flow"), handle: s.handleGetDraft},
		{Method: "GET", Path: "/flow/production/{id}", Tag: "flows", Summary: "A flow's production (deployed) version", Roles: flowReaders, Answer: jsonAnswer("Flow"), handle: s.handleGetProduction},
		{Method: "GET", Path: "/flow/production/{id}/restore", Tag: "flows", Summary: "Bring back the previous production version of a flow (answers it)", Roles: flowEditors, Answer: jsonAnswer("Flow"), handle: s.handleRestore},
		{Method: "GET", Path: "/flows", Tag: "flows", Summary: "List flows' metadata by name (?query= matches name and description, ?tag=, ?limit=&offset=)", Roles: flowReaders, Query: []Param{queryParam, tagParam, limitParam, offsetParam}, Answer: jsonAnswer("FlowPage"), handle: s.handleListFlows},
		{Method: "DELETE", Path: "/flow/{id}", Tag: "flows", Summary: "Delete a flow (metadata, draft, production, history) and the rules that run it", Roles: flowEditors, Answer: jsonAnswer("Deleted"), handle: s.handleDeleteFlow},
		{Method: "GET", Path: "/flow/{id}/lock/yes", Tag: "flows", Summary: "Lock a flow: draft saves, deploys, restores, imports and deletion are refused (409) until it is unlocked", Roles: flowEditors, Answer: jsonAnswer("FlowMetadata"), handle: s.flowLock(true)},
		{Method: "GET", Path: "/flow/{id}/lock/no", Tag: "flows", Summary: "Unlock a flow", Roles: flowEditors, Answer: jsonAnswer("FlowMetadata"), handle: s.flowLock(false)},
		{Method: "GET", Path: "/rules/by_flow/{id}", Tag: "rules", Summary: "The rules that run a flow", Roles: flowReaders, Answer: jsonAnswer("RulePage"), handle: s.handleRulesByFlow},
		{Method: "POST", Path: "/flow/import", Tag: "flows", Summary: "Import a flow exported from Tracardi (or Tracflow) as a draft; unknown plugins are warnings", Roles: flowEditors, Answer: jsonAnswer("Imported"), handle: s.handleImportFlow},
	}
}

func (s *Server) handleSaveFlowMetadata(w http.ResponseWriter, r *http.Request) error {
	d, err := s.readDoc(w, r)
	if err != nil {
		return err
	}
	if err := versionInto(r, d); err != nil {
		return err
	}
	out, err := s.cat.SaveFlowMetadata(r.Context(), d)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// flowMeta reads a flow's metadata; a missing flow is a 404 naming it.
func (s *Server) flowMeta(r *http.Request, id string) (store.Doc, error) {
	meta, err := s.cat.Get(r.Context(), catalog.KindFlow, id)
	if catalog.IsNotFound(err) {
		return nil, fmt.Errorf("flow %q does not exist: %w", id, store.ErrNotFound)
	}
	return meta, err
}

func (s *Server) handleGetFlowMetadata(w http.ResponseWriter, r *http.Request) error {
	meta, err := s.flowMeta(r, r.PathValue("id"))
	if err != nil {
		return err
	}
	setETag(w, meta)
	writeJSON(w, http.StatusOK, meta)
	return nil
}

func (s *Server) handleGetDraft(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	meta, err := s.flowMeta(r, id)
	if err != nil {
		return err
	}
	d, err := s.cat.Get(r.Context(), catalog.KindFlowDraft, id)
	if catalog.IsNotFound(err) {
		// A flow made with POST /flow/metadata has no graph yet.
		d = store.Doc{"id": id, "name": meta["name"], "description": meta["description"], "tags": meta["tags"],
			"type": meta["type"], "flowGraph": map[string]any{"nodes": []any{}, "edges": []any{}}, "response": map[string]any{},
			"version": 0.0} // saved with version 0: only if nobody saved a draft meanwhile
		err = nil
	}
	if err != nil {
		return err
	}
	d["lock"] = meta["lock"]
	d["status"] = meta["status"]
	setETag(w, d)
	writeJSON(w, http.StatusOK, d)
	return nil
}

func (s *Server) handleGetProduction(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if _, err := s.flowMeta(r, id); err != nil {
		return err
	}
	d, err := s.cat.Get(r.Context(), catalog.KindFlowProduction, id)
	if catalog.IsNotFound(err) {
		return fmt.Errorf("flow %q has not been deployed yet (POST /flow/production): %w", id, store.ErrNotFound)
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, d)
	return nil
}

func (s *Server) handleRestore(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if _, err := s.flowMeta(r, id); err != nil {
		return err
	}
	d, err := s.cat.Restore(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, d)
	return nil
}

func (s *Server) handleListFlows(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	all, err := s.cat.ListFlows(r.Context(), q.Get("query"), q.Get("tag"))
	if err != nil {
		return err
	}
	pg, err := page(r, all, 100)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"total": len(all), "result": pg})
	return nil
}

func (s *Server) handleDeleteFlow(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	rules, err := s.cat.RulesByFlow(r.Context(), id)
	if err != nil {
		return err
	}
	if err := s.cat.DeleteFlow(r.Context(), id); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": id, "deleted": true, "rules_deleted": len(rules)})
	return nil
}

func (s *Server) flowLock(lock bool) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		meta, err := s.cat.SetLock(r.Context(), r.PathValue("id"), lock)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, meta)
		return nil
	}
}

func (s *Server) handleRulesByFlow(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if _, err := s.flowMeta(r, id); err != nil {
		return err
	}
	rules, err := s.cat.RulesByFlow(r.Context(), id)
	if err != nil {
		return err
	}
	sortByName(rules)
	writeJSON(w, http.StatusOK, map[string]any{"total": len(rules), "result": rules})
	return nil
}

// importWarning is a problem of an imported flow that does not stop the
// import: the draft is saved and can be fixed in the editor.
type importWarning struct {
	NodeID  string `json:"nodeId,omitempty"`
	EdgeID  string `json:"edgeId,omitempty"`
	Module  string `json:"module,omitempty"`
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

func (s *Server) handleImportFlow(w http.ResponseWriter, r *http.Request) error {
	var body any
	if err := s.readJSON(w, r, &body); err != nil {
		return err
	}
	flow, err := tracardiFlow(body, s.maxInflate())
	if err != nil {
		return err
	}
	f, err := parseFlow(flow, "(body)")
	if err != nil {
		return err
	}
	if f.ID == "" {
		f.ID = domain.NewID()
		flow["id"] = f.ID
	}
	// An exported flow's version is that of another database: the import
	// replaces the draft whatever version it is at here.
	delete(flow, "version")
	if strings.TrimSpace(f.Name) == "" {
		flow["name"] = "Imported flow " + f.ID
	}
	warnings := s.importWarnings(r, f)
	if _, err := s.cat.SaveDraft(r.Context(), flow); err != nil {
		return err
	}
	// Tracardi's tags (or, before 0.9, projects) and description go to the
	// metadata too.
	meta, err := s.cat.Get(r.Context(), catalog.KindFlow, f.ID)
	if err == nil {
		changed := false
		if tags := importTags(flow); tags != nil {
			meta["tags"], changed = tags, true
		}
		if dsc, _ := flow["description"].(string); dsc != "" && meta["description"] != dsc {
			meta["description"], changed = dsc, true
		}
		if changed {
			if _, err := s.cat.SaveFlowMetadata(r.Context(), meta); err != nil {
				return err
			}
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": f.ID, "name": flow["name"], "imported": true, "warnings": warnings})
	return nil
}

// importWarnings compiles the imported flow and turns what is wrong with
// it (typically plugins this installation does not have) into warnings.
func (s *Server) importWarnings(r *http.Request, f *workflow.Flow) []importWarning {
	out := []importWarning{}
	modules := map[string]string{}
	for _, n := range f.FlowGraph.Nodes {
		var nd struct {
			Spec struct {
				Module string `json:"module"`
			} `json:"spec"`
		}
		_ = json.Unmarshal(n.Data, &nd)
		modules[n.ID] = nd.Spec.Module
	}
	c, err := workflow.Compile(r.Context(), f, s.reg)
	if err == nil {
		for _, w := range c.Warnings() {
			out = append(out, importWarning{NodeID: w.NodeID, Module: modules[w.NodeID], Message: w.Message})
		}
		c.Close(r.Context())
		return out
	}
	var ces workflow.CompileErrors
	if !errors.As(err, &ces) {
		return append(out, importWarning{Message: err.Error()})
	}
	// Compile reports a node of an unknown plugin once (its edges add
	// nothing): the node's own warning says it all.
	for _, ce := range ces {
		iw := importWarning{NodeID: ce.NodeID, EdgeID: ce.EdgeID, Field: ce.Field, Message: ce.Message}
		if ce.NodeID != "" {
			iw.Module = modules[ce.NodeID]
		}
		if iw.Module != "" {
			if _, known := s.reg.Lookup(iw.Module); !known {
				iw.Message = fmt.Sprintf("plugin %q is not installed here: the node is kept, but the flow will not deploy until the plugin is installed or the node replaced", iw.Module)
			}
		}
		out = append(out, iw)
	}
	return out
}

func importTags(flow map[string]any) []any {
	for _, k := range []string{"tags", "projects"} {
		if l, ok := flow[k].([]any); ok && len(l) > 0 {
			tags := []any{}
			for _, t := range l {
				if s, ok := t.(string); ok {
					tags = append(tags, s)
				}
			}
			return tags
		}
	}
	return nil
}

// tracardiFlow finds the flow in an exported document. Accepted shapes:
//   - a flow: {id, name, description, flowGraph: {nodes, edges}, ...}, as
//     GET /flow/draft/{id} answers it (Tracardi and Tracflow), with
//     Tracardi's extra fields (wf_schema, projects, timestamps) ignored;
//   - a stored flow record of Tracardi: {id, name, description, projects or
//     tags, type, draft, production}, where draft and production are the
//     flow as an object or, up to Tracardi 0.8, as base64 of (gzipped)
//     JSON; the draft is taken, or the production version when the draft
//     is empty;
//   - either of those wrapped as {"flow": ...}.
//
// An encoded flow may inflate to at most maxInflate bytes; more is a 413
// naming the field, whatever the compression ratio.
func tracardiFlow(body any, maxInflate int64) (map[string]any, error) {
	m, ok := body.(map[string]any)
	if !ok {
		return nil, invalid(fieldErr("(body)", "expected one exported flow (a JSON object with flowGraph), got %s", notation.TypeName(body)))
	}
	if inner, ok := m["flow"].(map[string]any); ok && m["flowGraph"] == nil {
		m = inner
	}
	if _, ok := m["flowGraph"]; ok {
		return m, nil
	}
	for _, k := range []string{"draft", "production"} {
		v, ok := m[k]
		if !ok || v == nil || v == "" {
			continue
		}
		var inner map[string]any
		switch x := v.(type) {
		case map[string]any:
			inner = x
		case string:
			decoded, err := decodeTracardiRecord(x, maxInflate)
			var tl *inflateLimitError
			if errors.As(err, &tl) {
				return nil, &Error{Status: http.StatusRequestEntityTooLarge, Detail: k + ": " + tl.Error(),
					Errors: []plugin.FieldError{fieldErr(k, "%v", tl)}}
			}
			if err != nil {
				return nil, invalid(fieldErr(k, "cannot decode the encoded flow: %v", err))
			}
			inner = decoded
		default:
			return nil, invalid(fieldErr(k, "expected the flow as an object or an encoded string, got %s", notation.TypeName(v)))
		}
		if len(inner) == 0 {
			continue
		}
		if _, ok := inner["flowGraph"]; !ok {
			return nil, invalid(fieldErr(k+".flowGraph", "is missing: the flow has no graph"))
		}
		// The record's id is the flow's (as Tracardi reads its records);
		// its other fields fill what the flow lacks.
		if id, ok := m["id"].(string); ok && id != "" {
			inner["id"] = id
		}
		for _, f := range []string{"name", "description", "type", "tags", "projects"} {
			if _, has := inner[f]; !has && m[f] != nil {
				inner[f] = m[f]
			}
		}
		return inner, nil
	}
	return nil, invalid(fieldErr("flowGraph", "is missing: expected an exported flow ({id, name, flowGraph: {nodes, edges}}) or a flow record with draft or production"))
}

// decodeTracardiRecord reads Tracardi's encoding of stored flows: base64 of
// gzipped JSON (or of plain JSON). The JSON may be at most limit bytes,
// inflated: a few kilobytes of gzip can inflate to gigabytes.
func decodeTracardiRecord(s string, limit int64) (map[string]any, error) {
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil {
		return nil, fmt.Errorf("not base64: %w", err)
	}
	if zr, err := gzip.NewReader(bytes.NewReader(raw)); err == nil {
		un, err := inflate(zr, limit)
		if err != nil {
			return nil, err
		}
		raw = un
	}
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, fmt.Errorf("not JSON: %w", err)
	}
	return out, nil
}

// inflateLimitError is compressed data that inflates past the limit.
type inflateLimitError struct{ Limit int64 }

func (e *inflateLimitError) Error() string {
	return fmt.Sprintf("the encoded flow inflates to more than %d bytes, the most accepted (4 times the request body limit, --max-body)", e.Limit)
}

// inflate reads a decompressing reader to its end, reading at most limit+1
// bytes from it: more is an *inflateLimitError.
func inflate(zr io.Reader, limit int64) ([]byte, error) {
	un, err := io.ReadAll(io.LimitReader(zr, limit+1))
	if err != nil {
		return nil, fmt.Errorf("bad gzip data: %w", err)
	}
	if int64(len(un)) > limit {
		return nil, &inflateLimitError{Limit: limit}
	}
	return un, nil
}

// maxInflate is the most an encoded flow of a request may inflate to.
func (s *Server) maxInflate() int64 { return 4 * s.opt.MaxBody }

// parseFlow decodes a flow document, answering 422 naming the field.
func parseFlow(d map[string]any, field string) (*workflow.Flow, error) {
	raw, err := json.Marshal(d)
	if err != nil {
		return nil, invalid(fieldErr(field, "%v", err))
	}
	f, err := workflow.ParseFlow(raw)
	if err != nil {
		return nil, invalid(fieldErr(field, "%v", err))
	}
	return f, nil
}

// sortByName orders documents by name, then id.
func sortByName(docs []store.Doc) {
	sortDocs(docs, func(d store.Doc) string { return strings.ToLower(domain.Str(d, "name")) })
}
