package catalog

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/tracflow/tracflow/internal/domain"
	"github.com/tracflow/tracflow/internal/registry"
	"github.com/tracflow/tracflow/internal/store"
	"github.com/tracflow/tracflow/internal/workflow"
	"github.com/tracflow/tracflow/plugin"
)

// KindPlugin is the kind of installed-plugin records: {id, plugin: {start,
// debug, spec, metadata}, settings: {enabled, hidden}}. They feed the
// editor's palette and keep each plugin's settings across reinstalls.
const KindPlugin = "plugin"

// InstallPlugins installs a list of plugins (Reinstall Plugins): each
// plugin's register function is called and its record checked; the
// plugins that pass are written to storage, keeping the enabled and hidden
// settings they had, and added to the registry flows compile against when it
// does not have them yet. One broken plugin does not stop the others: it is
// reported in the answer's Error list. Stored records of plugins that
// neither this list nor the registry provides any more are removed, so the
// palette offers only plugins that can run. Stored remote plugins (records
// with spec.microservice) are kept; remote plugins in the list replace
// their earlier versions, but never a built-in.
func (c *Catalog) InstallPlugins(ctx context.Context, list []plugin.Installed) (registry.InstallReport, error) {
	return c.installList(ctx, list, false)
}

// ReinstallPlugins is InstallPlugins for a list that holds the plugins of
// every plugin service (Reinstall Plugins): stored remote plugins the list
// no longer holds are removed too. InstallPlugins, which a server runs at
// start with its built-ins, keeps them.
func (c *Catalog) ReinstallPlugins(ctx context.Context, list []plugin.Installed) (registry.InstallReport, error) {
	return c.installList(ctx, list, true)
}

func (c *Catalog) installList(ctx context.Context, list []plugin.Installed, pruneRemote bool) (registry.InstallReport, error) {
	c.install.Lock()
	defer c.install.Unlock()
	fresh := registry.NewRegistry()
	rep := fresh.Install(list)
	registered := rep.Registered[:0:0]
	for _, r := range fresh.List() {
		id := r.ID()
		if live, ok := c.reg.Held(id); !ok {
			if err := c.reg.Add(r.Plugin, r.Test); err != nil {
				rep.Error = append(rep.Error, registry.InstallError{Module: r.Plugin.Spec.Module, Reason: err.Error()})
				continue
			}
		} else if isRemote(&r.Plugin) {
			// A plugin service may change its plugins' specs: the new one
			// replaces the old, but never a built-in.
			if !isRemote(&live.Plugin) {
				rep.Error = append(rep.Error, registry.InstallError{Module: r.Plugin.Spec.Module,
					Reason: fmt.Sprintf("a remote plugin cannot take the module name of the built-in plugin %q", live.ID())})
				continue
			}
			if err := c.reg.Put(r.Plugin, r.Test); err != nil {
				rep.Error = append(rep.Error, registry.InstallError{Module: r.Plugin.Spec.Module, Reason: err.Error()})
				continue
			}
		} else if live.ID() != id {
			rep.Error = append(rep.Error, registry.InstallError{Module: r.Plugin.Spec.Module,
				Reason: fmt.Sprintf("its id %q is already the module name of plugin %q", id, live.ID())})
			continue
		}
		registered = append(registered, id)
	}
	// Keep the order of the list.
	order := map[string]int{}
	for i, id := range rep.Registered {
		order[id] = i
	}
	sort.SliceStable(registered, func(i, j int) bool { return order[registered[i]] < order[registered[j]] })
	rep.Registered = registered

	stored, err := c.st.ListConfig(ctx, KindPlugin)
	if err != nil {
		return rep, err
	}
	old := map[string]store.Doc{}
	for _, d := range stored {
		old[domain.Str(d, "id")] = d
	}
	keep := map[string]bool{}
	for _, id := range registered {
		r, _ := fresh.Lookup(id)
		settings := map[string]any{"enabled": true, "hidden": false}
		if o, ok := old[id]; ok {
			if s, ok := o["settings"].(map[string]any); ok {
				for _, k := range []string{"enabled", "hidden"} {
					if b, ok := s[k].(bool); ok {
						settings[k] = b
					}
				}
			}
		}
		rec, err := pluginRecord(id, &r.Plugin, settings)
		if err != nil {
			return rep, err
		}
		if err := c.st.PutConfig(ctx, KindPlugin, id, rec); err != nil {
			return rep, err
		}
		keep[id] = true
	}
	for id, d := range old {
		if keep[id] {
			continue
		}
		if recordIsRemote(d) {
			if !pruneRemote {
				continue
			}
			// A remote plugin its service no longer offers (or whose
			// service is gone) leaves the palette and the registry.
			c.reg.Remove(id)
		} else if _, ok := c.reg.Held(id); ok {
			continue
		}
		if err := c.st.DeleteConfig(ctx, KindPlugin, id); err != nil && !IsNotFound(err) {
			return rep, err
		}
	}
	return rep, nil
}

func pluginRecord(id string, p *plugin.Plugin, settings map[string]any) (store.Doc, error) {
	raw, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("plugin %s: %w", id, err)
	}
	var pd map[string]any
	if err := json.Unmarshal(raw, &pd); err != nil {
		return nil, err
	}
	return store.Doc{"id": id, "plugin": pd, "settings": settings}, nil
}

// Plugin returns an installed plugin's record, by id, module name or alias.
func (c *Catalog) Plugin(ctx context.Context, id string) (store.Doc, error) {
	d, err := c.st.GetConfig(ctx, KindPlugin, id)
	if IsNotFound(err) {
		if r, ok := c.reg.Lookup(id); ok && r.ID() != id {
			d, err = c.st.GetConfig(ctx, KindPlugin, r.ID())
		}
	}
	if IsNotFound(err) {
		return nil, fmt.Errorf("plugin %q is not installed (press Reinstall Plugins: GET /install/plugins): %w", id, store.ErrNotFound)
	}
	return d, err
}

// Plugins returns the installed plugins' records, sorted by name.
func (c *Catalog) Plugins(ctx context.Context) ([]store.Doc, error) {
	all, err := c.st.ListConfig(ctx, KindPlugin)
	if err != nil {
		return nil, err
	}
	sort.SliceStable(all, func(i, j int) bool {
		a, b := strings.ToLower(domain.Str(all[i], "plugin", "metadata", "name")), strings.ToLower(domain.Str(all[j], "plugin", "metadata", "name"))
		if a != b {
			return a < b
		}
		return domain.Str(all[i], "id") < domain.Str(all[j], "id")
	})
	return all, nil
}

// SetPluginSetting sets a plugin's "enabled" or "hidden" setting and
// returns its record.
func (c *Catalog) SetPluginSetting(ctx context.Context, id, key string, value bool) (store.Doc, error) {
	if key != "enabled" && key != "hidden" {
		return nil, fmt.Errorf("unknown plugin setting %q", key)
	}
	c.install.Lock()
	defer c.install.Unlock()
	d, err := c.Plugin(ctx, id)
	if err != nil {
		return nil, err
	}
	s, _ := d["settings"].(map[string]any)
	if s == nil {
		s = map[string]any{"enabled": true, "hidden": false}
	}
	s[key] = value
	d["settings"] = s
	if err := c.st.PutConfig(ctx, KindPlugin, domain.Str(d, "id"), d); err != nil {
		return nil, err
	}
	return d, nil
}

// DisabledNodes reports the nodes of f whose plugin is disabled, as compile
// errors naming each node.
func (c *Catalog) DisabledNodes(ctx context.Context, f *workflow.Flow) (workflow.CompileErrors, error) {
	if f.FlowGraph == nil || len(f.FlowGraph.Nodes) == 0 {
		return nil, nil
	}
	recs, err := c.st.ListConfig(ctx, KindPlugin)
	if err != nil {
		return nil, err
	}
	disabled := map[string]store.Doc{}
	for _, d := range recs {
		if s, ok := d["settings"].(map[string]any); ok {
			if en, ok := s["enabled"].(bool); ok && !en {
				disabled[domain.Str(d, "id")] = d
			}
		}
	}
	if len(disabled) == 0 {
		return nil, nil
	}
	var errs workflow.CompileErrors
	for _, n := range f.FlowGraph.Nodes {
		var nd struct {
			Spec struct {
				Module string `json:"module"`
			} `json:"spec"`
		}
		if json.Unmarshal(n.Data, &nd) != nil || nd.Spec.Module == "" {
			continue
		}
		r, ok := c.reg.Lookup(nd.Spec.Module)
		if !ok {
			continue // Compile reports unknown plugins
		}
		if d, off := disabled[r.ID()]; off {
			errs = append(errs, workflow.CompileError{NodeID: n.ID, Field: "data.spec.module",
				Message: fmt.Sprintf("plugin %q (%s) is disabled; enable it (GET /flow/action/plugin/%s/enable/yes) or remove the node",
					domain.Str(d, "plugin", "metadata", "name"), r.ID(), r.ID())})
		}
	}
	return errs, nil
}

// LockedError is a change refused because the flow is locked. It is a
// store.ErrConflict (HTTP 409).
type LockedError struct{ FlowID string }

func (e *LockedError) Error() string {
	return fmt.Sprintf("flow %q is locked: unlock it first (GET /flow/%s/lock/no)", e.FlowID, e.FlowID)
}

// Is makes a LockedError match store.ErrConflict.
func (e *LockedError) Is(target error) bool { return target == store.ErrConflict }

// checkUnlocked refuses changes to a locked flow.
func (c *Catalog) checkUnlocked(ctx context.Context, id string) error {
	meta, err := c.st.GetConfig(ctx, KindFlow, id)
	if IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if locked, _ := meta["lock"].(bool); locked {
		return &LockedError{FlowID: id}
	}
	return nil
}

// SetLock locks or unlocks a flow and returns its metadata. A locked flow
// refuses draft saves, deploys, restores, imports and deletion.
func (c *Catalog) SetLock(ctx context.Context, id string, lock bool) (store.Doc, error) {
	meta, err := store.UpdateConfig(ctx, c.st, KindFlow, id, func(meta store.Doc) error {
		meta["lock"] = lock
		return nil
	})
	if IsNotFound(err) {
		return nil, fmt.Errorf("flow %q does not exist: %w", id, store.ErrNotFound)
	}
	return meta, err
}
