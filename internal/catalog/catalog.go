// Package catalog keeps Tracflow's configuration: event sources, rules and
// flows (draft, production and the production history), stored as
// configuration documents, and a cached, compiled snapshot of what the
// collector needs: sources by id, rules by source and event type, and the
// compiled production flows.
package catalog

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tracflow/tracflow/internal/domain"
	"github.com/tracflow/tracflow/internal/registry"
	"github.com/tracflow/tracflow/internal/store"
	"github.com/tracflow/tracflow/internal/workflow"
	"github.com/tracflow/tracflow/plugin"
)

// Kinds of configuration documents.
const (
	KindSource         = "event-source"
	KindRule           = "rule"
	KindFlow           = "flow" // metadata
	KindFlowDraft      = "flow-draft"
	KindFlowProduction = "flow-production"
	KindFlowHistory    = "flow-history"
)

// Catalog reads and writes configuration and serves the compiled snapshot.
type Catalog struct {
	st       store.Store
	reg      *registry.Registry
	log      *slog.Logger
	interval time.Duration

	snap    atomic.Pointer[Snapshot]
	reload  sync.Mutex // one reload at a time
	install sync.Mutex // one plugin install (or settings change) at a time
	stop    chan struct{}
	done    chan struct{}
}

// Snapshot is what the collector reads on every request. It is immutable.
type Snapshot struct {
	Version int64
	Sources map[string]store.Doc
	rules   map[string][]Rule
	Flows   map[string]*workflow.Compiled
	// FlowErrors holds production flows that no longer compile (e.g. a
	// plugin was removed), by flow id.
	FlowErrors map[string]error
	flowSrc    map[string][]byte
	// Identity holds the event mappings and identification points.
	Identity *Identity
}

// Rule is a trigger rule: events of a type from a source run a flow.
type Rule struct {
	ID        string
	Name      string
	EventType string
	SourceID  string
	FlowID    string
	FlowName  string
}

// Rules returns the enabled rules for events of eventType from sourceID, in
// a deterministic order (by name, then id).
func (s *Snapshot) Rules(sourceID, eventType string) []Rule {
	return s.rules[sourceID+"\x00"+eventType]
}

// New returns a catalog over st. Call Start to load the first snapshot and
// keep it fresh, and Close to stop.
func New(st store.Store, reg *registry.Registry, log *slog.Logger) *Catalog {
	if log == nil {
		log = slog.Default()
	}
	return &Catalog{st: st, reg: reg, log: log, interval: time.Second}
}

// Registry returns the plugin registry flows are compiled against.
func (c *Catalog) Registry() *registry.Registry { return c.reg }

// Start loads the snapshot and polls the store's config version every
// second, so changes made by other processes sharing the database show up.
func (c *Catalog) Start(ctx context.Context) error {
	if err := c.Refresh(ctx); err != nil {
		return err
	}
	c.stop = make(chan struct{})
	c.done = make(chan struct{})
	go func() {
		defer close(c.done)
		t := time.NewTicker(c.interval)
		defer t.Stop()
		for {
			select {
			case <-c.stop:
				return
			case <-t.C:
				cur := c.snap.Load()
				v, err := c.st.ConfigVersion(context.Background())
				if err != nil {
					c.log.Warn("config version poll failed", "err", err)
					continue
				}
				if cur == nil || v != cur.Version {
					if err := c.Refresh(context.Background()); err != nil {
						c.log.Warn("config reload failed", "err", err)
					}
				}
			}
		}
	}()
	return nil
}

// Close stops polling and releases the compiled flows.
func (c *Catalog) Close() {
	if c.stop != nil {
		close(c.stop)
		<-c.done
		c.stop = nil
	}
	if s := c.snap.Load(); s != nil {
		for _, f := range s.Flows {
			f.Close(context.Background())
		}
	}
}

// Snapshot returns the current snapshot.
func (c *Catalog) Snapshot() *Snapshot {
	return c.snap.Load()
}

// Refresh reloads the snapshot now. Flows whose production document did not
// change keep their compiled form (and their set-up plugin instances).
func (c *Catalog) Refresh(ctx context.Context) error {
	c.reload.Lock()
	defer c.reload.Unlock()
	v, err := c.st.ConfigVersion(ctx)
	if err != nil {
		return err
	}
	old := c.snap.Load()
	s := &Snapshot{Version: v, Sources: map[string]store.Doc{}, rules: map[string][]Rule{},
		Flows: map[string]*workflow.Compiled{}, FlowErrors: map[string]error{}, flowSrc: map[string][]byte{}}
	sources, err := c.st.ListConfig(ctx, KindSource)
	if err != nil {
		return err
	}
	for _, d := range sources {
		s.Sources[domain.Str(d, "id")] = d
	}
	prods, err := c.st.ListConfig(ctx, KindFlowProduction)
	if err != nil {
		return err
	}
	for _, d := range prods {
		id := domain.Str(d, "id")
		raw, _ := json.Marshal(d)
		s.flowSrc[id] = raw
		if old != nil && bytes.Equal(old.flowSrc[id], raw) {
			if f, ok := old.Flows[id]; ok {
				s.Flows[id] = f
				continue
			}
			if e, ok := old.FlowErrors[id]; ok {
				s.FlowErrors[id] = e
				continue
			}
		}
		f, err := c.compile(ctx, raw)
		if err != nil {
			s.FlowErrors[id] = err
			c.log.Warn("production flow does not compile", "flow", id, "err", err)
			continue
		}
		s.Flows[id] = f
	}
	if s.Identity, err = c.loadIdentity(ctx); err != nil {
		return err
	}
	rules, err := c.st.ListConfig(ctx, KindRule)
	if err != nil {
		return err
	}
	for _, d := range rules {
		if en, ok := d["enabled"].(bool); ok && !en {
			continue
		}
		r := Rule{ID: domain.Str(d, "id"), Name: domain.Str(d, "name"), EventType: domain.Str(d, "event_type", "id"),
			SourceID: domain.Str(d, "source", "id"), FlowID: domain.Str(d, "flow", "id"), FlowName: domain.Str(d, "flow", "name")}
		key := r.SourceID + "\x00" + r.EventType
		s.rules[key] = append(s.rules[key], r)
	}
	for _, list := range s.rules {
		sort.Slice(list, func(i, j int) bool {
			if list[i].Name != list[j].Name {
				return list[i].Name < list[j].Name
			}
			return list[i].ID < list[j].ID
		})
	}
	c.snap.Store(s)
	if old != nil {
		for id, f := range old.Flows {
			if s.Flows[id] != f {
				f.Close(context.Background())
			}
		}
	}
	return nil
}

func (c *Catalog) compile(ctx context.Context, raw []byte) (*workflow.Compiled, error) {
	f, err := workflow.ParseFlow(raw)
	if err != nil {
		return nil, err
	}
	return workflow.Compile(ctx, f, c.reg)
}

func invalid(field, msg string) error {
	return plugin.FieldErrors{{Field: field, Message: msg}}
}

// ErrNotFound is returned (wrapped) for missing documents.
var ErrNotFound = store.ErrNotFound

// IsNotFound reports whether err is a missing document.
func IsNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }

func now() string { return domain.Timestamp(time.Now()) }

func strField(d store.Doc, key string) (string, bool, error) {
	v, ok := d[key]
	if !ok || v == nil {
		return "", false, nil
	}
	s, isStr := v.(string)
	if !isStr {
		return "", true, invalid(key, fmt.Sprintf("expected a string, got %T", v))
	}
	return s, true, nil
}
