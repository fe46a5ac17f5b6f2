package catalog

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/tracflow/tracflow/internal/domain"
	"github.com/tracflow/tracflow/internal/store"
	"github.com/tracflow/tracflow/internal/workflow"
)

// SaveSource validates and stores an event source:
// {id?, name, type: ["rest"], enabled, tags, description, allowed_origins}
// (origins checked and normalized, see OriginAllowed). It answers the
// stored document (with its id).
func (c *Catalog) SaveSource(ctx context.Context, d store.Doc) (store.Doc, error) {
	if d == nil {
		return nil, invalid("(body)", "expected an event source object")
	}
	id, name, err := idAndName(d)
	if err != nil {
		return nil, err
	}
	types := []any{"rest"}
	if v, ok := d["type"]; ok && v != nil {
		switch t := v.(type) {
		case string:
			types = []any{t}
		case []any:
			for i, x := range t {
				if _, ok := x.(string); !ok {
					return nil, invalid(fmt.Sprintf("type[%d]", i), "expected a string")
				}
			}
			if len(t) == 0 {
				return nil, invalid("type", "must name at least one type, e.g. [\"rest\"]")
			}
			types = t
		default:
			return nil, invalid("type", "expected a list of strings, e.g. [\"rest\"]")
		}
	}
	enabled, err := enabledAndTags(d)
	if err != nil {
		return nil, err
	}
	if err := checkUnknownProfile(d); err != nil {
		return nil, err
	}
	origins, err := normalizeOrigins(d["allowed_origins"])
	if err != nil {
		return nil, err
	}
	if id == "" {
		id = domain.NewID()
	}
	out := copyDoc(d)
	out["id"], out["name"], out["type"], out["enabled"], out["allowed_origins"] = id, name, types, enabled, origins
	if _, ok := out["tags"]; !ok {
		out["tags"] = []any{}
	}
	if _, ok := out["timestamp"]; !ok {
		out["timestamp"] = now()
	}
	if err := c.put(ctx, KindSource, id, out); err != nil {
		return nil, err
	}
	return out, c.Refresh(ctx)
}

// SaveRule validates and stores a rule: {id?, name, event_type: {id},
// source: {id}, flow: {id}, enabled, tags}. The source and the flow must
// exist.
func (c *Catalog) SaveRule(ctx context.Context, d store.Doc) (store.Doc, error) {
	if d == nil {
		return nil, invalid("(body)", "expected a rule object")
	}
	id, name, err := idAndName(d)
	if err != nil {
		return nil, err
	}
	refs := map[string]string{}
	for _, k := range []string{"event_type", "source", "flow"} {
		v, ok := d[k].(map[string]any)
		if !ok {
			return nil, invalid(k, "is required: {\"id\": \"...\"}")
		}
		rid, _ := v["id"].(string)
		if strings.TrimSpace(rid) == "" {
			return nil, invalid(k+".id", "is required")
		}
		refs[k] = rid
	}
	src, err := c.st.GetConfig(ctx, KindSource, refs["source"])
	if err != nil {
		if IsNotFound(err) {
			return nil, invalid("source.id", fmt.Sprintf("event source %q does not exist", refs["source"]))
		}
		return nil, err
	}
	flow, err := c.st.GetConfig(ctx, KindFlow, refs["flow"])
	if err != nil {
		if IsNotFound(err) {
			return nil, invalid("flow.id", fmt.Sprintf("flow %q does not exist", refs["flow"]))
		}
		return nil, err
	}
	enabled, err := enabledAndTags(d)
	if err != nil {
		return nil, err
	}
	if id == "" {
		id = domain.NewID()
	}
	out := copyDoc(d)
	evName := domain.Str(d, "event_type", "name")
	if evName == "" {
		evName = refs["event_type"]
	}
	out["id"], out["name"], out["enabled"] = id, name, enabled
	out["event_type"] = map[string]any{"id": refs["event_type"], "name": evName}
	out["source"] = map[string]any{"id": refs["source"], "name": domain.Str(src, "name")}
	out["flow"] = map[string]any{"id": refs["flow"], "name": domain.Str(flow, "name")}
	if _, ok := out["type"]; !ok {
		out["type"] = "event-collect"
	}
	if _, ok := out["tags"]; !ok {
		out["tags"] = []any{}
	}
	if err := c.put(ctx, KindRule, id, out); err != nil {
		return nil, err
	}
	return out, c.Refresh(ctx)
}

// RulesByFlow lists the rules that run a flow.
func (c *Catalog) RulesByFlow(ctx context.Context, flowID string) ([]store.Doc, error) {
	all, err := c.st.ListConfig(ctx, KindRule)
	if err != nil {
		return nil, err
	}
	out := []store.Doc{}
	for _, r := range all {
		if domain.Str(r, "flow", "id") == flowID {
			out = append(out, r)
		}
	}
	return out, nil
}

// SaveFlowMetadata creates or updates a flow's metadata: {id?, name,
// description, tags, type}.
func (c *Catalog) SaveFlowMetadata(ctx context.Context, d store.Doc) (store.Doc, error) {
	if d == nil {
		return nil, invalid("(body)", "expected a flow metadata object")
	}
	id, name, err := idAndName(d)
	if err != nil {
		return nil, err
	}
	desc, _, err := strField(d, "description")
	if err != nil {
		return nil, err
	}
	if err := checkTags(d); err != nil {
		return nil, err
	}
	if id == "" {
		id = domain.NewID()
	}
	want, has := store.Expected(d)
	return c.upsert(ctx, KindFlow, id, want, has, func() store.Doc {
		return store.Doc{"id": id, "created": now(), "lock": false, "type": "collection", "tags": []any{}}
	}, func(meta store.Doc) error {
		meta["name"], meta["description"] = name, desc
		if t, ok := d["tags"]; ok && t != nil {
			meta["tags"] = t
		}
		if t, _ := d["type"].(string); t != "" {
			meta["type"] = t
		}
		return nil
	})
}

// put writes a document of a save: conditionally when the document came
// with the version it was made from (doc["version"], see store.Expected),
// else whatever is stored. It sets doc["version"] to the version written.
func (c *Catalog) put(ctx context.Context, kind, id string, doc store.Doc) error {
	want, _ := store.Expected(doc)
	delete(doc, "version")
	v, err := c.st.PutConfigIf(ctx, kind, id, doc, want)
	if err != nil {
		return err
	}
	doc["version"] = float64(v)
	return nil
}

// upsert changes a document in place, or creates it from fresh() when
// missing. With has, the change is made from version want and refused (a
// *store.StaleError) when the document is at another; without, it is made
// to the document as stored, read again and changed again when somebody
// wrote it in between. It answers the document written, with its version.
func (c *Catalog) upsert(ctx context.Context, kind, id string, want int64, has bool, fresh func() store.Doc, change func(store.Doc) error) (store.Doc, error) {
	var err error
	for range 8 {
		var d store.Doc
		d, err = c.st.GetConfig(ctx, kind, id)
		if IsNotFound(err) {
			d, err = fresh(), nil
		}
		if err != nil {
			return nil, err
		}
		v := store.Version(d) // 0 for a fresh one: create it
		if has && v != want {
			return nil, &store.StaleError{Kind: kind, ID: id, Want: want, Have: v}
		}
		if err = change(d); err != nil {
			return nil, err
		}
		var nv int64
		if nv, err = c.st.PutConfigIf(ctx, kind, id, d, v); err == nil {
			d["version"] = float64(nv)
			return d, nil
		}
		if has || !errors.Is(err, store.ErrStale) {
			return nil, err
		}
	}
	return nil, err
}

// parseFlowDoc decodes a flow document and checks its shape.
func parseFlowDoc(d store.Doc) (*workflow.Flow, []byte, error) {
	raw, err := json.Marshal(d)
	if err != nil {
		return nil, nil, invalid("(body)", err.Error())
	}
	f, err := workflow.ParseFlow(raw)
	if err != nil {
		return nil, nil, invalid("flowGraph", err.Error())
	}
	if strings.TrimSpace(f.ID) == "" {
		return nil, nil, invalid("id", "is required: the flow's id")
	}
	return f, raw, nil
}

// SaveDraft stores a flow's draft (the graph being edited). The draft is not
// compiled; it may be incomplete. The flow's metadata is created when
// missing. A draft with a "version" (see store.Expected) is saved only if
// the stored draft is still at that version (0: there is none yet); the
// answer carries the new version.
func (c *Catalog) SaveDraft(ctx context.Context, d store.Doc) (store.Doc, error) {
	f, _, err := parseFlowDoc(d)
	if err != nil {
		return nil, err
	}
	if err := c.checkUnlocked(ctx, f.ID); err != nil {
		return nil, err
	}
	out := copyDoc(d)
	if err := c.put(ctx, KindFlowDraft, f.ID, out); err != nil {
		return nil, err
	}
	prod, err := c.st.GetConfig(ctx, KindFlowProduction, f.ID)
	if err != nil && !IsNotFound(err) {
		return nil, err
	}
	if err := c.touchMetadata(ctx, f, "draft_updated", flowStatus(out, prod)); err != nil {
		return nil, err
	}
	return out, nil
}

// Deploy compiles a flow and, when it compiles, makes it the production
// version that rules run; the previous production version is kept in the
// history so that Restore can bring it back. A flow that does not compile is
// a workflow.CompileErrors.
func (c *Catalog) Deploy(ctx context.Context, d store.Doc) (store.Doc, error) {
	f, _, err := parseFlowDoc(d)
	if err != nil {
		return nil, err
	}
	if err := c.checkUnlocked(ctx, f.ID); err != nil {
		return nil, err
	}
	// A deploy with a "version" is of that version of the draft: refused
	// when the draft changed since (0: when a draft was saved since).
	if want, has := store.Expected(d); has {
		draft, err := c.st.GetConfig(ctx, KindFlowDraft, f.ID)
		if err != nil && !IsNotFound(err) {
			return nil, err
		}
		if have := store.Version(draft); have != want {
			return nil, &store.StaleError{Kind: KindFlowDraft, ID: f.ID, Want: want, Have: have}
		}
		d = store.WithoutVersion(d)
	}
	if errs, err := c.DisabledNodes(ctx, f); err != nil {
		return nil, err
	} else if len(errs) > 0 {
		return nil, errs
	}
	compiled, err := workflow.Compile(ctx, f, c.reg)
	if err != nil {
		return nil, err
	}
	compiled.Close(ctx)
	if prev, err := c.st.GetConfig(ctx, KindFlowProduction, f.ID); err == nil {
		if err := c.pushHistory(ctx, f.ID, prev); err != nil {
			return nil, err
		}
	} else if !IsNotFound(err) {
		return nil, err
	}
	draft, err := c.st.GetConfig(ctx, KindFlowDraft, f.ID)
	if err != nil && !IsNotFound(err) {
		return nil, err
	}
	if err := c.touchMetadata(ctx, f, "production_updated", flowStatus(draft, d)); err != nil {
		return nil, err
	}
	if err := c.st.PutConfig(ctx, KindFlowProduction, f.ID, d); err != nil {
		return nil, err
	}
	return d, c.Refresh(ctx)
}

const historySize = 20

func (c *Catalog) pushHistory(ctx context.Context, id string, prev store.Doc) error {
	_, err := c.upsert(ctx, KindFlowHistory, id, 0, false, func() store.Doc {
		return store.Doc{"id": id, "versions": []any{}}
	}, func(h store.Doc) error {
		versions, _ := h["versions"].([]any)
		versions = append(versions, store.WithoutVersion(prev))
		if len(versions) > historySize {
			versions = versions[len(versions)-historySize:]
		}
		h["versions"] = versions
		return nil
	})
	return err
}

// Restore makes the previous production version of a flow current again
// and returns it.
func (c *Catalog) Restore(ctx context.Context, id string) (store.Doc, error) {
	if err := c.checkUnlocked(ctx, id); err != nil {
		return nil, err
	}
	h, err := c.st.GetConfig(ctx, KindFlowHistory, id)
	if err != nil {
		if IsNotFound(err) {
			return nil, fmt.Errorf("flow %q has no previous production version: %w", id, store.ErrNotFound)
		}
		return nil, err
	}
	versions, _ := h["versions"].([]any)
	if len(versions) == 0 {
		return nil, fmt.Errorf("flow %q has no previous production version: %w", id, store.ErrNotFound)
	}
	prev, _ := versions[len(versions)-1].(map[string]any)
	h["versions"] = versions[:len(versions)-1]
	// Taken off the history only if nobody deployed or restored meanwhile.
	if _, err := c.st.PutConfigIf(ctx, KindFlowHistory, id, h, store.Version(h)); err != nil {
		return nil, err
	}
	if err := c.st.PutConfig(ctx, KindFlowProduction, id, prev); err != nil {
		return nil, err
	}
	draft, err := c.st.GetConfig(ctx, KindFlowDraft, id)
	if err != nil && !IsNotFound(err) {
		return nil, err
	}
	status := flowStatus(draft, prev)
	if _, err := c.upsert(ctx, KindFlow, id, 0, false, func() store.Doc { return store.Doc{"id": id} }, func(meta store.Doc) error {
		meta["status"] = status
		return nil
	}); err != nil {
		return nil, err
	}
	return prev, c.Refresh(ctx)
}

// The states of a flow that its metadata's "status" names.
const (
	// FlowDraftOnly: the flow was never deployed.
	FlowDraftOnly = "draft"
	// FlowDeployed: production runs the graph of the draft.
	FlowDeployed = "deployed"
	// FlowChanged: the draft's graph differs from production's.
	FlowChanged = "changed"
)

// flowStatus tells whether the draft's graph is the one in production
// (nil prod: none was deployed). A missing draft counts as the production one.
func flowStatus(draft, prod store.Doc) string {
	if prod == nil {
		return FlowDraftOnly
	}
	if draft == nil {
		return FlowDeployed
	}
	a, errA := json.Marshal(draft["flowGraph"])
	b, errB := json.Marshal(prod["flowGraph"])
	if errA != nil || errB != nil || !bytes.Equal(a, b) {
		return FlowChanged
	}
	return FlowDeployed
}

// touchMetadata stamps the flow's metadata with the time of a draft save or
// a deploy (creating it when missing) and records the flow's status.
func (c *Catalog) touchMetadata(ctx context.Context, f *workflow.Flow, stamp, status string) error {
	_, err := c.upsert(ctx, KindFlow, f.ID, 0, false, func() store.Doc {
		meta := store.Doc{"id": f.ID, "created": now(), "lock": false, "type": "collection", "tags": []any{}, "description": f.Description}
		if f.Type != "" {
			meta["type"] = f.Type
		}
		if f.Tags != nil {
			tags := make([]any, len(f.Tags))
			for i, t := range f.Tags {
				tags[i] = t
			}
			meta["tags"] = tags
		}
		return meta
	}, func(meta store.Doc) error {
		name := f.Name
		if name == "" {
			name, _ = meta["name"].(string)
		}
		if name == "" {
			name = f.ID
		}
		meta["name"] = name
		meta[stamp] = now()
		meta["status"] = status
		return nil
	})
	return err
}

// DeleteFlow deletes a flow (metadata, draft, production, history) and the
// rules that run it.
func (c *Catalog) DeleteFlow(ctx context.Context, id string) error {
	if _, err := c.st.GetConfig(ctx, KindFlow, id); err != nil {
		if IsNotFound(err) {
			return fmt.Errorf("flow %q does not exist: %w", id, store.ErrNotFound)
		}
		return err
	}
	if err := c.checkUnlocked(ctx, id); err != nil {
		return err
	}
	rules, err := c.RulesByFlow(ctx, id)
	if err != nil {
		return err
	}
	for _, r := range rules {
		if err := c.st.DeleteConfig(ctx, KindRule, domain.Str(r, "id")); err != nil && !IsNotFound(err) {
			return err
		}
	}
	for _, k := range []string{KindFlowDraft, KindFlowProduction, KindFlowHistory, KindFlow} {
		if err := c.st.DeleteConfig(ctx, k, id); err != nil && !IsNotFound(err) {
			return err
		}
	}
	return c.Refresh(ctx)
}

// Delete removes a document of a kind and refreshes the snapshot.
func (c *Catalog) Delete(ctx context.Context, kind, id string) error {
	if err := c.st.DeleteConfig(ctx, kind, id); err != nil {
		return err
	}
	return c.Refresh(ctx)
}

// Get reads a document.
func (c *Catalog) Get(ctx context.Context, kind, id string) (store.Doc, error) {
	return c.st.GetConfig(ctx, kind, id)
}

// List reads all documents of a kind.
func (c *Catalog) List(ctx context.Context, kind string) ([]store.Doc, error) {
	return c.st.ListConfig(ctx, kind)
}

// ListFlows lists flow metadata, filtered by a text query (name and
// description) and a tag, sorted by name.
func (c *Catalog) ListFlows(ctx context.Context, query, tag string) ([]store.Doc, error) {
	all, err := c.st.ListConfig(ctx, KindFlow)
	if err != nil {
		return nil, err
	}
	q := strings.ToLower(strings.TrimSpace(query))
	out := []store.Doc{}
	for _, f := range all {
		if q != "" && !strings.Contains(strings.ToLower(domain.Str(f, "name")+" "+domain.Str(f, "description")), q) {
			continue
		}
		if tag != "" && !hasTag(f, tag) {
			continue
		}
		out = append(out, f)
	}
	sort.SliceStable(out, func(i, j int) bool {
		return strings.ToLower(domain.Str(out[i], "name")) < strings.ToLower(domain.Str(out[j], "name"))
	})
	return out, nil
}

func hasTag(d store.Doc, tag string) bool {
	tags, _ := d["tags"].([]any)
	for _, t := range tags {
		if s, _ := t.(string); s == tag {
			return true
		}
	}
	return false
}

// idAndName reads a document's optional "id" and its required "name".
func idAndName(d store.Doc) (id, name string, err error) {
	if id, _, err = strField(d, "id"); err != nil {
		return "", "", err
	}
	if name, _, err = strField(d, "name"); err != nil {
		return "", "", err
	}
	if strings.TrimSpace(name) == "" {
		return "", "", invalid("name", "is required")
	}
	return id, name, nil
}

// enabledAndTags checks a document's "enabled" (default true) and "tags".
func enabledAndTags(d store.Doc) (bool, error) {
	enabled := true
	if v, ok := d["enabled"]; ok && v != nil {
		b, ok := v.(bool)
		if !ok {
			return false, invalid("enabled", "expected true or false")
		}
		enabled = b
	}
	return enabled, checkTags(d)
}

func checkTags(d store.Doc) error {
	v, ok := d["tags"]
	if !ok || v == nil {
		return nil
	}
	l, ok := v.([]any)
	if !ok {
		return invalid("tags", "expected a list of strings")
	}
	for i, t := range l {
		if _, ok := t.(string); !ok {
			return invalid(fmt.Sprintf("tags[%d]", i), "expected a string")
		}
	}
	return nil
}

func copyDoc(d store.Doc) store.Doc {
	out := make(store.Doc, len(d))
	for k, v := range d {
		out[k] = v
	}
	return out
}
