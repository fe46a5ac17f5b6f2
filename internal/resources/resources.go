// Package resources keeps resources: named credentials (a production and a
// test set) that plugins use to reach other systems. Credentials are
// encrypted at rest (see package secrets); plugins read them by resource id
// through plugin.Resources, the test set in debug runs and the production
// set otherwise.
package resources

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/tracflow/tracflow/internal/domain"
	"github.com/tracflow/tracflow/internal/notation"
	"github.com/tracflow/tracflow/internal/secrets"
	"github.com/tracflow/tracflow/internal/store"
	"github.com/tracflow/tracflow/plugin"
)

// Configuration kinds.
const (
	Kind         = "resource"
	KindKeyCheck = "secret-key"
)

// Credential sets.
const (
	Production = "production"
	Test       = "test"
)

// Mask replaces every stored credential value in answers to callers that
// may not see secrets.
const Mask = "***"

// Service stores resources and hands out their credentials.
type Service struct {
	st  store.Store
	box *secrets.Box
	ttl time.Duration
	now func() time.Time

	mu    sync.Mutex
	cache map[string]cached // by resource id
}

type cached struct {
	res *resource
	err error
	at  time.Time
}

// resource is a decrypted resource.
type resource struct {
	doc   store.Doc // without credentials
	creds map[string]map[string]any
}

// New returns the service. It checks that box holds the key the database's
// credentials were encrypted with (remembering the key on first use), so a
// changed or lost key is found at start, not when a flow needs a password.
func New(ctx context.Context, st store.Store, box *secrets.Box) (*Service, error) {
	s := &Service{st: st, box: box, ttl: 2 * time.Second, now: time.Now, cache: map[string]cached{}}
	if err := s.checkKey(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

const checkText = "tracflow secret key check"

func (s *Service) checkKey(ctx context.Context) error {
	d, err := s.st.GetConfig(ctx, KindKeyCheck, "check")
	if errors.Is(err, store.ErrNotFound) {
		return s.st.PutConfig(ctx, KindKeyCheck, "check", store.Doc{"id": "check", "key_id": s.box.KeyID(),
			"sealed": s.box.Seal([]byte(checkText), []byte("key-check")), "created": domain.Timestamp(time.Now())})
	}
	if err != nil {
		return err
	}
	pt, err := s.box.Open(domain.Str(d, "sealed"), []byte("key-check"))
	if err != nil || string(pt) != checkText {
		return fmt.Errorf("the secret key (id %s) is not the one this database's credentials were encrypted with (id %s): "+
			"start with the original %s or key file (%s in the data folder)", s.box.KeyID(), domain.Str(d, "key_id"), secrets.EnvVar, secrets.KeyFile)
	}
	return nil
}

func aad(id, set string) []byte { return []byte("resource:" + id + ":" + set) }

func invalid(field, msg string) error {
	return plugin.FieldErrors{{Field: field, Message: msg}}
}

// Save validates and stores a resource: {id?, name, type, description?,
// credentials: {production: {}, test: {}}, tags, enabled}. When it updates
// a resource, a credential set left out keeps its stored values, and a value
// equal to the mask ("***") keeps the stored value at that place, so a
// resource read with masked credentials can be edited and saved back. It
// answers the stored resource with its credentials in clear.
func (s *Service) Save(ctx context.Context, d store.Doc) (store.Doc, error) {
	id, err := optString(d, "id")
	if err != nil {
		return nil, err
	}
	name, err := optString(d, "name")
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(name) == "" {
		return nil, invalid("name", "is required")
	}
	typ, err := optString(d, "type")
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(typ) == "" {
		return nil, invalid("type", "is required: the kind of system, e.g. \"smtp-server\" or \"api-key\"")
	}
	desc, err := optString(d, "description")
	if err != nil {
		return nil, err
	}
	enabled := true
	if v, ok := d["enabled"]; ok && v != nil {
		b, ok := v.(bool)
		if !ok {
			return nil, invalid("enabled", "expected true or false")
		}
		enabled = b
	}
	tags := []any{}
	if v, ok := d["tags"]; ok && v != nil {
		l, ok := v.([]any)
		if !ok {
			return nil, invalid("tags", "expected a list of strings")
		}
		for i, t := range l {
			if _, ok := t.(string); !ok {
				return nil, invalid(fmt.Sprintf("tags[%d]", i), "expected a string")
			}
		}
		tags = l
	}
	given := map[string]map[string]any{}
	if v, ok := d["credentials"]; ok && v != nil {
		c, ok := v.(map[string]any)
		if !ok {
			return nil, invalid("credentials", "expected an object: {\"production\": {...}, \"test\": {...}}")
		}
		for k, sv := range c {
			if k != Production && k != Test {
				return nil, invalid("credentials."+k, "unknown credential set; use \"production\" and \"test\"")
			}
			if sv == nil {
				continue
			}
			m, ok := sv.(map[string]any)
			if !ok {
				return nil, invalid("credentials."+k, "expected an object of settings, e.g. {\"api_key\": \"...\"}")
			}
			given[k] = m
		}
	}
	want, has := store.Expected(d)
	var old *resource
	if id == "" {
		id = domain.NewID()
	} else {
		old, err = s.load(ctx, id)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
	}
	if has {
		// Saved from version want: the masked credentials it keeps are
		// those of that version, or the save is refused.
		have := int64(0)
		if old != nil {
			have = store.Version(old.doc)
		}
		if have != want {
			return nil, &store.StaleError{Kind: Kind, ID: id, Want: want, Have: have}
		}
	}
	creds := map[string]map[string]any{}
	for _, set := range []string{Production, Test} {
		var prev map[string]any
		if old != nil {
			prev = old.creds[set]
		}
		g, ok := given[set]
		if !ok {
			if prev == nil {
				prev = map[string]any{}
			}
			creds[set] = prev
			continue
		}
		v, err := unmask(g, prev, "credentials."+set)
		if err != nil {
			return nil, err
		}
		creds[set] = v
	}
	doc := store.Doc{"id": id, "name": name, "type": typ, "description": desc, "tags": tags, "enabled": enabled}
	for k, v := range d {
		if _, known := doc[k]; !known && k != "credentials" && k != "credentials_sealed" && k != "key_id" && k != "version" {
			doc[k] = v // keep fields this version does not know (e.g. Tracardi's)
		}
	}
	if old != nil {
		if ts := domain.Str(old.doc, "timestamp"); ts != "" {
			doc["timestamp"] = ts
		}
	}
	if _, ok := doc["timestamp"]; !ok {
		doc["timestamp"] = domain.Timestamp(s.now())
	}
	stored := copyDoc(doc)
	sealed := map[string]any{}
	for set, c := range creds {
		raw, err := json.Marshal(c)
		if err != nil {
			return nil, invalid("credentials."+set, err.Error())
		}
		sealed[set] = s.box.Seal(raw, aad(id, set))
	}
	stored["credentials_sealed"] = sealed
	stored["key_id"] = s.box.KeyID()
	v, err := s.st.PutConfigIf(ctx, Kind, id, stored, want)
	if err != nil {
		return nil, err
	}
	doc["version"] = float64(v)
	s.forget(id)
	return withCredentials(doc, creds), nil
}

// unmask returns given with every Mask value replaced by the value at the
// same place in prev. Masks only keep a set as it is: a set with masked
// values and changed ones is refused, so nobody who cannot read a password
// can send it elsewhere by changing, say, the host next to it.
func unmask(given, prev map[string]any, path string) (map[string]any, error) {
	var u unmasking
	out := u.value(given, prev, path).(map[string]any)
	if len(u.orphan) > 0 {
		return nil, invalid(u.orphan[0], fmt.Sprintf("%q stands for a stored value, but none is stored here: send the value itself", Mask))
	}
	if len(u.masked) > 0 && len(u.changed) > 0 {
		sort.Strings(u.changed)
		return nil, invalid(u.changed[0], fmt.Sprintf("changed while other values of the set are masked (%q): to change credentials, send all their values", Mask))
	}
	return out, nil
}

type unmasking struct{ masked, changed, orphan []string }

func (u *unmasking) value(given, prev any, path string) any {
	switch g := given.(type) {
	case map[string]any:
		pm, _ := prev.(map[string]any)
		out := make(map[string]any, len(g))
		for k, v := range g {
			var pv any
			if pm != nil {
				pv = pm[k]
			}
			out[k] = u.value(v, pv, path+"."+k)
		}
		for k := range pm {
			if _, ok := g[k]; !ok {
				u.changed = append(u.changed, path+"."+k)
			}
		}
		return out
	case string:
		if g == Mask {
			u.masked = append(u.masked, path)
			if prev == nil {
				u.orphan = append(u.orphan, path)
			}
			return prev
		}
	}
	if !sameJSON(given, prev) {
		u.changed = append(u.changed, path)
	}
	return given
}

func sameJSON(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

// Get returns a resource; reveal says whether its credentials are answered
// in clear or masked.
func (s *Service) Get(ctx context.Context, id string, reveal bool) (store.Doc, error) {
	r, err := s.load(ctx, id)
	if err != nil {
		return nil, err
	}
	return present(r, reveal), nil
}

// List returns the resources, sorted by name, optionally only those with a
// tag.
func (s *Service) List(ctx context.Context, tag string, reveal bool) ([]store.Doc, error) {
	all, err := s.st.ListConfig(ctx, Kind)
	if err != nil {
		return nil, err
	}
	out := []store.Doc{}
	for _, d := range all {
		if tag != "" && !hasTag(d, tag) {
			continue
		}
		r, err := s.decode(d)
		if err != nil {
			return nil, err
		}
		out = append(out, present(r, reveal))
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := strings.ToLower(domain.Str(out[i], "name")), strings.ToLower(domain.Str(out[j], "name"))
		if a != b {
			return a < b
		}
		return domain.Str(out[i], "id") < domain.Str(out[j], "id")
	})
	return out, nil
}

// Delete removes a resource.
func (s *Service) Delete(ctx context.Context, id string) error {
	if err := s.st.DeleteConfig(ctx, Kind, id); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("resource %q does not exist: %w", id, store.ErrNotFound)
		}
		return err
	}
	s.forget(id)
	return nil
}

func (s *Service) load(ctx context.Context, id string) (*resource, error) {
	d, err := s.st.GetConfig(ctx, Kind, id)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, fmt.Errorf("resource %q does not exist: %w", id, store.ErrNotFound)
		}
		return nil, err
	}
	return s.decode(d)
}

func (s *Service) decode(d store.Doc) (*resource, error) {
	id := domain.Str(d, "id")
	r := &resource{doc: store.Doc{}, creds: map[string]map[string]any{Production: {}, Test: {}}}
	for k, v := range d {
		if k != "credentials_sealed" && k != "key_id" && k != "credentials" {
			r.doc[k] = v
		}
	}
	sealed, _ := d["credentials_sealed"].(map[string]any)
	for set, v := range sealed {
		str, _ := v.(string)
		pt, err := s.box.Open(str, aad(id, set))
		if err != nil {
			return nil, fmt.Errorf("credentials %s of resource %q: %w", set, id, err)
		}
		var m map[string]any
		if err := json.Unmarshal(pt, &m); err != nil {
			return nil, fmt.Errorf("credentials %s of resource %q: %w", set, id, err)
		}
		if m == nil {
			m = map[string]any{}
		}
		r.creds[set] = m
	}
	return r, nil
}

func present(r *resource, reveal bool) store.Doc {
	if reveal {
		return withCredentials(r.doc, r.creds)
	}
	masked := map[string]map[string]any{}
	for set, c := range r.creds {
		masked[set] = maskValue(c).(map[string]any)
	}
	return withCredentials(r.doc, masked)
}

func withCredentials(doc store.Doc, creds map[string]map[string]any) store.Doc {
	out := copyDoc(doc)
	c := map[string]any{}
	for _, set := range []string{Production, Test} {
		m := creds[set]
		if m == nil {
			m = map[string]any{}
		}
		c[set] = m
	}
	out["credentials"] = c
	return out
}

// maskValue keeps the shape of credentials (their keys) and hides every
// value.
func maskValue(v any) any {
	if m, ok := v.(map[string]any); ok {
		out := make(map[string]any, len(m))
		for k, x := range m {
			out[k] = maskValue(x)
		}
		return out
	}
	return Mask
}

// Credentials returns a credential set of an enabled resource. Results are
// cached for a moment, as flows may ask on every run.
func (s *Service) Credentials(ctx context.Context, id, set string) (map[string]any, error) {
	now := s.now()
	s.mu.Lock()
	c, ok := s.cache[id]
	s.mu.Unlock()
	if !ok || now.Sub(c.at) > s.ttl {
		r, err := s.load(ctx, id)
		c = cached{res: r, err: err, at: now}
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, err // not cached: may be passing
		}
		s.mu.Lock()
		s.cache[id] = c
		s.mu.Unlock()
	}
	if c.err != nil {
		return nil, c.err
	}
	if en, ok := c.res.doc["enabled"].(bool); ok && !en {
		return nil, fmt.Errorf("resource %q (%s) is disabled", id, domain.Str(c.res.doc, "name"))
	}
	return deepCopy(c.res.creds[set]), nil
}

func (s *Service) forget(id string) {
	s.mu.Lock()
	delete(s.cache, id)
	s.mu.Unlock()
}

// ForRuns returns the plugin.Resources of flow runs: test credentials when
// test is true (debug runs), production credentials otherwise.
func (s *Service) ForRuns(test bool) plugin.Resources {
	set := Production
	if test {
		set = Test
	}
	return runResources{s: s, set: set}
}

type runResources struct {
	s   *Service
	set string
}

func (r runResources) Credentials(ctx context.Context, id string) (map[string]any, error) {
	return r.s.Credentials(ctx, id, r.set)
}

func optString(d store.Doc, key string) (string, error) {
	v, ok := d[key]
	if !ok || v == nil {
		return "", nil
	}
	s, ok := v.(string)
	if !ok {
		return "", invalid(key, fmt.Sprintf("expected a string, got %s", notation.TypeName(v)))
	}
	return s, nil
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

func copyDoc(d store.Doc) store.Doc {
	out := make(store.Doc, len(d))
	for k, v := range d {
		out[k] = v
	}
	return out
}

func deepCopy(m map[string]any) map[string]any {
	b, _ := json.Marshal(m)
	var out map[string]any
	_ = json.Unmarshal(b, &out)
	if out == nil {
		out = map[string]any{}
	}
	return out
}
