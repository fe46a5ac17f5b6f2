package catalog

import (
	"context"
	"sort"
	"strings"

	"github.com/tracflow/tracflow/internal/domain"
	"github.com/tracflow/tracflow/internal/eventmap"
	"github.com/tracflow/tracflow/internal/store"
	"github.com/tracflow/tracflow/plugin"
)

// Kinds of the identity configuration documents.
const (
	KindEventMapping        = "event-mapping"
	KindIdentificationPoint = "identification-point"
)

// Unknown-profile settings of an event source (its "unknown_profile"): what
// the collector does with a profile id it does not know.
const (
	UnknownProfileAdopt   = "adopt"   // create the profile with that id (the default)
	UnknownProfileReplace = "replace" // create a profile with a new id
)

// Identity is the event mapping and identification configuration of a
// snapshot.
type Identity struct {
	// Mappings are the enabled user-defined mappings by event type, by
	// name then id.
	Mappings map[string][]eventmap.Mapping
	// Points are the enabled identification points by event type.
	Points map[string][]eventmap.Point
}

// PointsFor answers the identification points for events of eventType from
// sourceID.
func (i *Identity) PointsFor(sourceID, eventType string) []eventmap.Point {
	var out []eventmap.Point
	for _, p := range i.Points[eventType] {
		if p.SourceID == "" || p.SourceID == sourceID {
			out = append(out, p)
		}
	}
	return out
}

func (c *Catalog) loadIdentity(ctx context.Context) (*Identity, error) {
	id := &Identity{Mappings: map[string][]eventmap.Mapping{}, Points: map[string][]eventmap.Point{}}
	err := loadEnabled(ctx, c, KindEventMapping, "event mapping", eventmap.ParseMapping, func(m eventmap.Mapping) {
		id.Mappings[m.EventType] = append(id.Mappings[m.EventType], m)
	})
	if err != nil {
		return nil, err
	}
	err = loadEnabled(ctx, c, KindIdentificationPoint, "identification point", eventmap.ParsePoint, func(p eventmap.Point) {
		id.Points[p.EventType] = append(id.Points[p.EventType], p)
	})
	if err != nil {
		return nil, err
	}
	return id, nil
}

// loadEnabled parses kind's enabled documents, in name order, and hands
// each valid one to add; an invalid one is logged as a what and skipped.
func loadEnabled[T any](ctx context.Context, c *Catalog, kind, what string, parse func(map[string]any) (T, []any, plugin.FieldErrors), add func(T)) error {
	docs, err := c.st.ListConfig(ctx, kind)
	if err != nil {
		return err
	}
	sortByName(docs)
	for _, d := range docs {
		if en, ok := d["enabled"].(bool); ok && !en {
			continue
		}
		v, _, errs := parse(d)
		if len(errs) > 0 {
			c.log.Warn(what+" is invalid; skipped", "id", domain.Str(d, "id"), "err", errs)
			continue
		}
		add(v)
	}
	return nil
}

func sortByName(l []store.Doc) {
	key := func(d store.Doc) string { return strings.ToLower(domain.Str(d, "name")) + "\x00" + domain.Str(d, "id") }
	sort.SliceStable(l, func(i, j int) bool { return key(l[i]) < key(l[j]) })
}

// SaveEventMapping validates and stores an event→profile mapping: {id?,
// name, description, event_type: {id, name}, enabled, tags,
// event_to_profile: [{event, profile, op}]} (see eventmap.ParseMapping).
func (c *Catalog) SaveEventMapping(ctx context.Context, d store.Doc) (store.Doc, error) {
	id, name, enabled, err := identityHead(d, "an event mapping")
	if err != nil {
		return nil, err
	}
	_, norm, errs := eventmap.ParseMapping(d)
	if len(errs) > 0 {
		return nil, errs
	}
	if id == "" {
		id = domain.NewID()
	}
	out := copyDoc(d)
	out["id"], out["name"], out["enabled"], out["event_to_profile"] = id, name, enabled, norm
	out["event_type"] = namedRef(d["event_type"])
	if _, ok := out["tags"]; !ok {
		out["tags"] = []any{}
	}
	if err := c.put(ctx, KindEventMapping, id, out); err != nil {
		return nil, err
	}
	return out, c.Refresh(ctx)
}

// SaveIdentificationPoint validates and stores an identification point:
// {id?, name, description, source: {id, name} (id "" for every source),
// event_type: {id, name}, fields: [{event_property, profile_trait}],
// enabled}. A given source must exist.
func (c *Catalog) SaveIdentificationPoint(ctx context.Context, d store.Doc) (store.Doc, error) {
	id, name, enabled, err := identityHead(d, "an identification point")
	if err != nil {
		return nil, err
	}
	p, norm, errs := eventmap.ParsePoint(d)
	if len(errs) > 0 {
		return nil, errs
	}
	src := map[string]any{"id": "", "name": ""}
	if p.SourceID != "" {
		sd, err := c.st.GetConfig(ctx, KindSource, p.SourceID)
		if IsNotFound(err) {
			return nil, invalid("source.id", "event source \""+p.SourceID+"\" does not exist")
		}
		if err != nil {
			return nil, err
		}
		src = map[string]any{"id": p.SourceID, "name": domain.Str(sd, "name")}
	}
	if id == "" {
		id = domain.NewID()
	}
	out := copyDoc(d)
	out["id"], out["name"], out["enabled"], out["fields"], out["source"] = id, name, enabled, norm, src
	out["event_type"] = namedRef(d["event_type"])
	if _, ok := out["settings"].(map[string]any); !ok {
		out["settings"] = map[string]any{}
	}
	if err := c.put(ctx, KindIdentificationPoint, id, out); err != nil {
		return nil, err
	}
	return out, c.Refresh(ctx)
}

// identityHead checks what an identity document starts with: the body
// itself (what names it), its id (empty for a new one), name, enabled flag
// and tags.
func identityHead(d store.Doc, what string) (id, name string, enabled bool, err error) {
	if d == nil {
		return "", "", false, invalid("(body)", "expected "+what+" object")
	}
	if id, name, err = idAndName(d); err != nil {
		return "", "", false, err
	}
	enabled, err = enabledAndTags(d)
	return id, name, enabled, err
}

func namedRef(v any) map[string]any {
	m, _ := v.(map[string]any)
	id, _ := m["id"].(string)
	name, _ := m["name"].(string)
	if name == "" {
		name = id
	}
	return map[string]any{"id": id, "name": name}
}

// checkUnknownProfile validates an event source's "unknown_profile".
func checkUnknownProfile(d store.Doc) error {
	v, ok := d["unknown_profile"]
	if !ok || v == nil {
		return nil
	}
	if s, _ := v.(string); s != UnknownProfileAdopt && s != UnknownProfileReplace {
		return invalid("unknown_profile", "expected \"adopt\" (create a profile with an unknown id the tracker sends) or \"replace\" (give it a new id)")
	}
	return nil
}
