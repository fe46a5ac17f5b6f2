// Package registry holds the installed plugins of a Tracflow process: it
// installs a list of register functions (refusing broken ones with a reason)
// and looks plugins up by module name, alias or id. It is host machinery:
// plugins never call it.
package registry

import (
	"fmt"
	"reflect"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/tracflow/tracflow/plugin"
)

// InstallError says why a plugin was not installed.
type InstallError struct {
	Module string `json:"module"`
	Reason string `json:"reason"`
}

// InstallReport is the answer of an install: what was registered and what
// was refused.
type InstallReport struct {
	Registered []string       `json:"registered"`
	Error      []InstallError `json:"error"`
}

// Registered is an installed plugin.
type Registered struct {
	Plugin plugin.Plugin
	Test   plugin.TestData
}

// ID is the plugin's id.
func (r *Registered) ID() string { return r.Plugin.Spec.PluginID() }

// Registry holds the installed plugins, by id and by every module name they
// answer to. It is safe for concurrent use.
type Registry struct {
	mu     sync.RWMutex
	byID   map[string]*Registered
	byName map[string]*Registered // module names and aliases

	resolver func(name string) (plugin.Plugin, bool)
}

// SetResolver sets where Lookup looks for a plugin it does not hold: the
// server resolves remote plugins from storage this way, so a plugin another
// instance installed runs here too. What the resolver finds is added.
func (r *Registry) SetResolver(f func(name string) (plugin.Plugin, bool)) {
	r.mu.Lock()
	r.resolver = f
	r.mu.Unlock()
}

// Put registers p in place of the plugin with the same id, if any (remote
// plugins whose service changed their spec). A module name held by another
// plugin is refused.
func (r *Registry) Put(p plugin.Plugin, test plugin.TestData) error {
	p = plugin.Complete(p)
	if err := Check(&p); err != nil {
		return err
	}
	id := p.Spec.PluginID()
	names := append([]string{p.Spec.Module}, p.Spec.Aliases...)
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, n := range names {
		if other, dup := r.byName[n]; dup && other.ID() != id {
			return fmt.Errorf("module name %q is already taken by plugin %q", n, other.ID())
		}
	}
	r.removeLocked(id)
	reg := &Registered{Plugin: p, Test: test}
	r.byID[id] = reg
	for _, n := range names {
		r.byName[n] = reg
	}
	return nil
}

// Remove unregisters the plugin with that id (flows compiled before keep
// their instances).
func (r *Registry) Remove(id string) {
	r.mu.Lock()
	r.removeLocked(id)
	r.mu.Unlock()
}

func (r *Registry) removeLocked(id string) {
	old, ok := r.byID[id]
	if !ok {
		return
	}
	delete(r.byID, id)
	for n, x := range r.byName {
		if x == old {
			delete(r.byName, n)
		}
	}
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{byID: map[string]*Registered{}, byName: map[string]*Registered{}}
}

// Install registers every entry of list and reports, per plugin, whether it
// was registered or why not. One broken plugin does not stop the others.
func (r *Registry) Install(list []plugin.Installed) InstallReport {
	rep := InstallReport{Registered: []string{}, Error: []InstallError{}}
	for _, in := range list {
		p, err := callRegister(in.Register)
		if err == nil {
			err = r.Add(p, in.Test)
		}
		if err != nil {
			mod := p.Spec.Module
			if mod == "" {
				mod = funcName(in.Register)
			}
			rep.Error = append(rep.Error, InstallError{Module: mod, Reason: err.Error()})
			continue
		}
		rep.Registered = append(rep.Registered, p.Spec.PluginID())
	}
	return rep
}

func callRegister(f func() plugin.Plugin) (p plugin.Plugin, err error) {
	if f == nil {
		return p, fmt.Errorf("no register function")
	}
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("register function panicked: %v", v)
		}
	}()
	return f(), nil
}

func funcName(f any) string {
	if f == nil {
		return "<nil>"
	}
	fn := runtime.FuncForPC(reflect.ValueOf(f).Pointer())
	if fn == nil {
		return "<unknown>"
	}
	return fn.Name()
}

// Check returns why a plugin record cannot be installed, or nil.
func Check(p *plugin.Plugin) error {
	s := &p.Spec
	var problems []string
	if s.Config != nil {
		if err := s.Config.Err(); err != nil {
			problems = append(problems, err.Error())
		}
	}
	if s.Module == "" {
		problems = append(problems, "spec.module is empty")
	}
	if p.New == nil {
		problems = append(problems, "no constructor (Plugin.New is nil)")
	}
	if len(s.Inputs) > 1 {
		problems = append(problems, fmt.Sprintf("it has %d input ports (%s); a plugin has at most one", len(s.Inputs), strings.Join(s.Inputs, ", ")))
	}
	if !AllowedLicense(s.License) {
		problems = append(problems, fmt.Sprintf("license %q is not allowed; use MIT or Apache-2.0", s.License))
	}
	if p.MetaData.Name == "" {
		problems = append(problems, "metadata.name is empty")
	}
	seen := map[string]bool{}
	for _, o := range s.Outputs {
		if o == "" {
			problems = append(problems, "an output port has no name")
		}
		if seen[o] {
			problems = append(problems, fmt.Sprintf("output port %q is declared twice", o))
		}
		seen[o] = true
	}
	var undocumented []string
	for _, o := range s.Outputs {
		d := p.MetaData.Documentation
		if d == nil || strings.TrimSpace(d.Outputs[o].Desc) == "" {
			undocumented = append(undocumented, o)
		}
	}
	if len(undocumented) > 0 {
		problems = append(problems, fmt.Sprintf("output port(s) %s not documented in metadata.documentation.outputs", strings.Join(undocumented, ", ")))
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s", strings.Join(problems, "; "))
	}
	return nil
}

// AllowedLicense reports whether a plugin license can be installed: MIT or
// Apache 2.0.
func AllowedLicense(l string) bool {
	switch strings.ToLower(strings.TrimSpace(l)) {
	case "mit", "apache-2.0", "apache 2.0", "apache2", "apache-2":
		return true
	}
	return false
}

// Add registers one plugin after checking it.
func (r *Registry) Add(p plugin.Plugin, test plugin.TestData) error {
	p = plugin.Complete(p)
	if err := Check(&p); err != nil {
		return err
	}
	id := p.Spec.PluginID()
	names := append([]string{p.Spec.Module}, p.Spec.Aliases...)
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, dup := r.byID[id]; dup {
		return fmt.Errorf("duplicate plugin id %q", id)
	}
	for _, n := range names {
		if other, dup := r.byName[n]; dup {
			return fmt.Errorf("module name %q is already taken by plugin %q", n, other.ID())
		}
	}
	reg := &Registered{Plugin: p, Test: test}
	r.byID[id] = reg
	for _, n := range names {
		r.byName[n] = reg
	}
	return nil
}

// Lookup finds a plugin by module name or alias (what flows name in
// node.data.spec.module), or by id.
func (r *Registry) Lookup(name string) (*Registered, bool) {
	r.mu.RLock()
	p, ok := r.byName[name]
	if !ok {
		p, ok = r.byID[name]
	}
	resolve := r.resolver
	r.mu.RUnlock()
	if ok || resolve == nil || name == "" {
		return p, ok
	}
	found, ok := resolve(name)
	if !ok {
		return nil, false
	}
	if err := r.Add(found, plugin.TestData{}); err != nil {
		// Another caller may have added it meanwhile.
		r.mu.RLock()
		p, ok = r.byName[name]
		if !ok {
			p, ok = r.byID[name]
		}
		r.mu.RUnlock()
		return p, ok
	}
	r.mu.RLock()
	p, ok = r.byID[found.Spec.PluginID()]
	r.mu.RUnlock()
	return p, ok
}

// Held reports whether the registry holds a plugin by that name or id,
// without asking the resolver.
func (r *Registry) Held(name string) (*Registered, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if p, ok := r.byName[name]; ok {
		return p, true
	}
	p, ok := r.byID[name]
	return p, ok
}

// List returns the installed plugins ordered by id.
func (r *Registry) List() []*Registered {
	r.mu.RLock()
	out := make([]*Registered, 0, len(r.byID))
	for _, p := range r.byID {
		out = append(out, p)
	}
	r.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool { return out[i].ID() < out[j].ID() })
	return out
}
