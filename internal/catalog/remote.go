package catalog

import (
	"context"
	"encoding/json"
	"time"

	"github.com/tracflow/tracflow/internal/store"
	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/remote"
)

// resolveTimeout bounds the storage read of a remote plugin's record.
const resolveTimeout = 5 * time.Second

func isRemote(p *plugin.Plugin) bool { return p.Spec.Microservice != nil }

func recordIsRemote(d store.Doc) bool {
	pd, _ := d["plugin"].(map[string]any)
	sp, _ := pd["spec"].(map[string]any)
	_, ok := sp["microservice"].(map[string]any)
	return ok
}

// resolveRemote finds a remote plugin's record in storage, for the
// registry's Lookup: a flow naming a remote plugin this process has not
// installed (another instance pressed Reinstall Plugins) compiles with the
// stored record, bound to its plugin service.
func (c *Catalog) resolveRemote(name string) (plugin.Plugin, bool) {
	ctx, cancel := context.WithTimeout(context.Background(), resolveTimeout)
	defer cancel()
	d, err := c.st.GetConfig(ctx, KindPlugin, name)
	if err != nil || !recordIsRemote(d) {
		return plugin.Plugin{}, false
	}
	p, err := RemotePlugin(d, c.remoteCredentials)
	return p, err == nil
}

// remoteCredentials gives the production credentials SetRemoteCredentials
// was given.
func (c *Catalog) remoteCredentials(ctx context.Context, id string) (map[string]any, error) {
	f, _ := c.remoteCreds.Load().(remote.CredentialsFunc)
	if f == nil {
		return nil, plugin.ErrNoResources
	}
	return f(ctx, id)
}

// SetRemoteCredentials sets where remote plugins resolved from storage
// read their service's production credentials outside flow runs (to check
// configurations); runs use the run's credential set.
func (c *Catalog) SetRemoteCredentials(creds remote.CredentialsFunc) {
	c.remoteCreds.Store(creds)
}

// syncRemote brings the remote plugins this process holds in line with
// storage, where another instance's Reinstall Plugins may have changed
// them: a plugin whose record changed is bound again, one whose record is
// gone is forgotten. It runs with every refresh (under c.reload).
func (c *Catalog) syncRemote(ctx context.Context) error {
	recs, err := c.st.ListConfig(ctx, KindPlugin)
	if err != nil {
		return err
	}
	if c.remoteSeen == nil {
		c.remoteSeen = map[string]string{}
	}
	stored := map[string]bool{}
	for _, d := range recs {
		if !recordIsRemote(d) {
			continue
		}
		id, _ := d["id"].(string)
		stored[id] = true
		raw, _ := json.Marshal(d["plugin"])
		live, held := c.reg.Held(id)
		if !held || !isRemote(&live.Plugin) {
			c.remoteSeen[id] = string(raw)
			continue
		}
		if prev, ok := c.remoteSeen[id]; ok && prev == string(raw) {
			continue
		}
		c.remoteSeen[id] = string(raw)
		if p, err := RemotePlugin(d, c.remoteCredentials); err == nil {
			if err := c.reg.Put(p, plugin.TestData{}); err != nil {
				c.log.Warn("remote plugin not updated", "plugin", id, "err", err)
			}
		}
	}
	for _, r := range c.reg.List() {
		if isRemote(&r.Plugin) && !stored[r.ID()] {
			c.reg.Remove(r.ID())
			delete(c.remoteSeen, r.ID())
		}
	}
	return nil
}

// RemotePlugin binds a stored remote plugin record to its service.
func RemotePlugin(d store.Doc, creds remote.CredentialsFunc) (plugin.Plugin, error) {
	raw, err := json.Marshal(d["plugin"])
	if err != nil {
		return plugin.Plugin{}, err
	}
	var p plugin.Plugin
	if err := json.Unmarshal(raw, &p); err != nil {
		return plugin.Plugin{}, err
	}
	return remote.Rebind(p, creds)
}

// RemoteRecords returns the stored records of the remote plugins served
// through the resource resourceID.
func (c *Catalog) RemoteRecords(ctx context.Context, resourceID string) ([]store.Doc, error) {
	all, err := c.st.ListConfig(ctx, KindPlugin)
	if err != nil {
		return nil, err
	}
	var out []store.Doc
	for _, d := range all {
		if !recordIsRemote(d) {
			continue
		}
		pd, _ := d["plugin"].(map[string]any)
		sp, _ := pd["spec"].(map[string]any)
		ms, _ := sp["microservice"].(map[string]any)
		srv, _ := ms["server"].(map[string]any)
		res, _ := srv["resource"].(map[string]any)
		if id, _ := res["id"].(string); id == resourceID {
			out = append(out, d)
		}
	}
	return out, nil
}
