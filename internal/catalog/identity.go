package catalog

import (
	"context"
	"sort"
	"strings"

	"github.com/tracflow/tracflow/internal/domain"
	"github.com/tracflow/tracflow/internal/eventmap"
	"github.com/tracflow/tracflow/internal/store"
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
	maps, err := c.st.ListConfig(ctx, KindEventMapping)
	if err != nil {
		return nil, err
	}
	sortByName(maps)
	for _, d := range maps {
		if en, ok := d["enabled"].(bool); ok && !en {
			continue
		}
		m, _, errs := eventmap.ParseMapping(d)
		if len(errs) > 0 {
			c.log.Warn("event mapping is invalid; skipped", "id", domain.Str(d, "id"), "err", errs)
			continue
		}
		id.Mappings[m.EventType] = append(id.Mappings[m.EventType], m)
	}
	points, err := c.st.ListConfig(ctx, KindIdentificationPoint)
	if err != nil {
		return nil, err
	}
	sortByName(points)
	for _, d := range points {
		if en, ok := d["enabled"].(bool); ok && !en {
			continue
		}
		p, _, errs := eventmap.ParsePoint(d)
		if len(errs) > 0 {
			c.log.Warn("identification point is invalid; skipped", "id", domain.Str(d, "id"), "err", errs)
			continue
		}
		id.Points[p.EventType] = append(id.Points[p.EventType], p)
	}
	return id, nil
}

func sortByName(l []store.Doc) {
	key := func(d store.Doc) string { return strings.ToLower(domain.Str(d, "name")) + "\x00" + domain.Str(d, "id") }
	sort.SliceStable(l, func(i, j int) bool { return key(l[i]) < key(l[j]) })
}

// SaveEventMapping validates and stores an event→profile mapping: {id?,
// name, description, event_type: {id, name}, enabled, tags,
// event_to_profile: [{event, profile, op}]} (see eventmap.ParseMapping).
func (c *Catalog) SaveEventMapping(ctx context.Context, d store.Doc) (store.Doc, error) {
	if d == nil {
		return nil, invalid("(body)", "expected an event mapping object")
	}
	id, name, err := idAndName(d)
	if err != nil {
		return nil, err
	}
	enabled, err := enabledAndTags(d)
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
	if d == nil {
		return nil, invalid("(body)", "expected an identification point object")
	}
	id, name, err := idAndName(d)
	if err != nil {
		return nil, err
	}
	enabled, err := enabledAndTags(d)
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
