package destinations

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/tracflow/tracflow/internal/store"
)

// Config is where the service reads destinations: the store, or, in a
// delivery process, a Mirror of what the server tells it.
type Config interface {
	ConfigVersion(ctx context.Context) (int64, error)
	GetConfig(ctx context.Context, kind, id string) (store.Doc, error)
	ListConfig(ctx context.Context, kind string) ([]store.Doc, error)
}

// JobQueue is the queue delivery jobs wait in: a queue of their own, so
// that a delivery process (see Mirror) can work them apart from the
// server's other jobs.
const JobQueue = "destinations"

// credentialSet is the set of a resource's credentials deliveries use.
const credentialSet = "production"

// Snapshot is what a delivery process needs of the server's
// configuration: every destination (disabled ones too, so that their jobs
// are cancelled rather than failed), and the credentials of the resources
// they name (or why a resource's cannot be had).
type Snapshot struct {
	Version      int64                     `json:"version"`
	Destinations []store.Doc               `json:"destinations"`
	Credentials  map[string]map[string]any `json:"credentials,omitempty"`
	Unavailable  map[string]string         `json:"unavailable,omitempty"` // resource id: the error
}

// Snapshot reads the destinations and the credentials of their resources.
func (s *Service) Snapshot(ctx context.Context) (Snapshot, error) {
	v, err := s.st.ConfigVersion(ctx)
	if err != nil {
		return Snapshot{}, err
	}
	docs, err := s.st.ListConfig(ctx, Kind)
	if err != nil {
		return Snapshot{}, err
	}
	sn := Snapshot{Version: v, Destinations: docs}
	for _, d := range docs {
		rid, _ := refID(d, "resource")
		if rid == "" || sn.Credentials[rid] != nil || sn.Unavailable[rid] != "" {
			continue
		}
		var cr map[string]any
		if s.creds == nil {
			err = errors.New("resources are not available (no secret key)")
		} else {
			cr, err = s.creds.Credentials(ctx, rid, credentialSet)
		}
		if err != nil {
			if sn.Unavailable == nil {
				sn.Unavailable = map[string]string{}
			}
			sn.Unavailable[rid] = err.Error()
			continue
		}
		if sn.Credentials == nil {
			sn.Credentials = map[string]map[string]any{}
		}
		if cr == nil {
			cr = map[string]any{}
		}
		sn.Credentials[rid] = cr
	}
	return sn, nil
}

// Mirror holds the last Snapshot a delivery process was told, and serves
// it as the service's Config and Credentials.
type Mirror struct {
	cur atomic.Pointer[Snapshot]
}

// NewMirror answers a mirror of an empty configuration.
func NewMirror() *Mirror {
	m := &Mirror{}
	m.cur.Store(&Snapshot{Version: -1})
	return m
}

// Set replaces what the mirror holds.
func (m *Mirror) Set(sn Snapshot) { m.cur.Store(&sn) }

// ConfigVersion implements Config.
func (m *Mirror) ConfigVersion(context.Context) (int64, error) { return m.cur.Load().Version, nil }

// ListConfig implements Config.
func (m *Mirror) ListConfig(_ context.Context, kind string) ([]store.Doc, error) {
	if kind != Kind {
		return nil, nil
	}
	return m.cur.Load().Destinations, nil
}

// GetConfig implements Config.
func (m *Mirror) GetConfig(_ context.Context, kind, id string) (store.Doc, error) {
	if kind == Kind {
		for _, d := range m.cur.Load().Destinations {
			if d["id"] == id {
				return d, nil
			}
		}
	}
	return nil, store.ErrNotFound
}

// Credentials implements Credentials.
func (m *Mirror) Credentials(_ context.Context, id, set string) (map[string]any, error) {
	sn := m.cur.Load()
	if msg, ok := sn.Unavailable[id]; ok {
		return nil, errors.New(msg)
	}
	cr, ok := sn.Credentials[id]
	if !ok || set != credentialSet {
		return nil, fmt.Errorf("resource %q: %w", id, store.ErrNotFound)
	}
	return cr, nil
}
