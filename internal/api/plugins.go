package api

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/tracflow/tracflow/internal/domain"
	"github.com/tracflow/tracflow/internal/notation"
	"github.com/tracflow/tracflow/internal/registry"
	"github.com/tracflow/tracflow/internal/store"
	"github.com/tracflow/tracflow/plugin"
)

// maintainers look after the installed plugins.
var maintainers = []string{RoleAdmin, RoleMaintainer}

func (s *Server) pluginRoutes() []Route {
	rt := []Route{
		{Method: "GET", Path: "/install/plugins", Tag: "plugins", Summary: "Reinstall Plugins: install the installed-plugins list; answers {registered, error} (a broken plugin does not stop the others; settings are kept)", Roles: maintainers, Answer: jsonAnswer("Reinstall"), handle: s.handleReinstall},
		{Method: "GET", Path: "/flow/action/plugins", Tag: "plugins", Summary: "The editor's palette: installed plugins grouped by group (?query= matches name, description, group; ?all=true includes hidden ones)", Roles: anyRole, Query: []Param{queryParam, {Name: "all", Type: "boolean", Description: "true: include hidden plugins."}}, Answer: jsonAnswer("Palette"), handle: s.handlePalette},
		{Method: "GET", Path: "/flow/action/plugin/{id}", Tag: "plugins", Summary: "An installed plugin's record: {id, plugin: {start, debug, spec, metadata}, settings: {enabled, hidden}}", Roles: anyRole, Answer: jsonAnswer("Plugin"), handle: s.handleGetPlugin},
		{Method: "POST", Path: "/plugin/{id}/config/validate", Tag: "plugins", Summary: "Validate a node configuration (the body) for a plugin: 200 {config} normalised, or 422 {errors: [{field, message}]}", Roles: builders, Answer: jsonAnswer("ValidatedConfig"), handle: s.handleValidateConfig},
	}
	for _, v := range []struct {
		state string
		on    bool
	}{{"yes", true}, {"no", false}} {
		rt = append(rt,
			Route{Method: "GET", Path: "/flow/action/plugin/{id}/enable/" + v.state, Tag: "plugins", Roles: maintainers,
				Summary: map[bool]string{true: "Enable a plugin", false: "Disable a plugin: flows using it no longer deploy"}[v.on],
				Answer:  jsonAnswer("Plugin"), handle: s.pluginSetting("enabled", v.on)},
			Route{Method: "GET", Path: "/flow/action/plugin/{id}/hide/" + v.state, Tag: "plugins", Roles: maintainers,
				Summary: map[bool]string{true: "Hide a plugin from the palette", false: "Show a hidden plugin in the palette again"}[v.on],
				Answer:  jsonAnswer("Plugin"), handle: s.pluginSetting("hidden", v.on)})
	}
	return rt
}

func (s *Server) handleReinstall(w http.ResponseWriter, r *http.Request) error {
	if s.opt.Installed == nil {
		return &Error{Status: http.StatusServiceUnavailable, Detail: "this server was started without a plugin list: nothing to install"}
	}
	rep, err := s.cat.InstallPlugins(r.Context(), s.opt.Installed())
	if err != nil {
		return err
	}
	for _, x := range rep.Error {
		s.log.Warn("plugin not installed", "module", x.Module, "reason", x.Reason)
	}
	writeJSON(w, http.StatusOK, rep)
	return nil
}

func (s *Server) handlePalette(w http.ResponseWriter, r *http.Request) error {
	all, err := boolQuery(r, "all")
	if err != nil {
		return err
	}
	q := strings.ToLower(strings.TrimSpace(r.URL.Query().Get("query")))
	recs, err := s.cat.Plugins(r.Context())
	if err != nil {
		return err
	}
	grouped := map[string][]store.Doc{}
	total := 0
	for _, rec := range recs {
		if hidden, _ := dig(rec, "settings", "hidden").(bool); hidden && !all {
			continue
		}
		md, _ := dig(rec, "plugin", "metadata").(map[string]any)
		groups := stringList(md["group"])
		if q != "" && !paletteMatch(md, groups, q) {
			continue
		}
		total++
		if len(groups) == 0 {
			groups = []string{"General"}
		}
		for _, g := range groups {
			grouped[g] = append(grouped[g], rec)
		}
	}
	for _, list := range grouped {
		sort.SliceStable(list, func(i, j int) bool {
			return strings.ToLower(domain.Str(list[i], "plugin", "metadata", "name")) < strings.ToLower(domain.Str(list[j], "plugin", "metadata", "name"))
		})
	}
	writeJSON(w, http.StatusOK, map[string]any{"total": total, "grouped": grouped})
	return nil
}

func paletteMatch(md map[string]any, groups []string, q string) bool {
	text := []string{fmt.Sprint(md["name"]), fmt.Sprint(md["desc"])}
	text = append(text, groups...)
	text = append(text, stringList(md["keywords"])...)
	return strings.Contains(strings.ToLower(strings.Join(text, "\x00")), q)
}

// dig reads a value at a path of object keys (nil when absent).
func dig(v any, path ...string) any {
	for _, k := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

func stringList(v any) []string {
	l, _ := v.([]any)
	out := make([]string, 0, len(l))
	for _, x := range l {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func (s *Server) handleGetPlugin(w http.ResponseWriter, r *http.Request) error {
	rec, err := s.cat.Plugin(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rec)
	return nil
}

func (s *Server) pluginSetting(key string, value bool) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		rec, err := s.cat.SetPluginSetting(r.Context(), r.PathValue("id"), key, value)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, rec)
		return nil
	}
}

func (s *Server) handleValidateConfig(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	reg, ok := s.reg.Lookup(id)
	if !ok {
		return fmt.Errorf("plugin %q is not installed: %w", id, store.ErrNotFound)
	}
	cfg, err := s.readDoc(w, r)
	if err != nil {
		return err
	}
	norm, err := validateConfig(r.Context(), reg, cfg)
	if err != nil {
		return plugin.AsFieldErrors(err)
	}
	writeJSON(w, http.StatusOK, map[string]any{"config": norm})
	return nil
}

// validateConfig checks a node configuration the way deploying a flow
// would: with the action's Validate when it has one, otherwise by setting
// up (and closing) a fresh instance. It returns the normalised
// configuration: the plugin's defaults with the given values over them,
// or what Validate answers.
func validateConfig(ctx context.Context, reg *registry.Registered, cfg plugin.Config) (norm plugin.Config, err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("plugin %s panicked while checking the configuration: %v", reg.Plugin.Spec.Module, v)
		}
	}()
	a := reg.Plugin.New()
	if a == nil {
		return nil, fmt.Errorf("plugin %s constructed no action", reg.Plugin.Spec.Module)
	}
	if v, ok := a.(plugin.Validator); ok {
		out, err := v.Validate(ctx, notation.DeepCopy(cfg).(map[string]any))
		if err != nil {
			return nil, err
		}
		if out == nil {
			out = cfg
		}
		return out, nil
	}
	if su, ok := a.(plugin.SetUpper); ok {
		err := su.SetUp(ctx, notation.DeepCopy(cfg).(map[string]any))
		if c, ok := a.(plugin.Closer); ok {
			_ = c.Close(ctx)
		}
		if err != nil {
			return nil, err
		}
	}
	norm = plugin.Config{}
	for k, v := range reg.Plugin.Spec.Init {
		norm[k] = notation.DeepCopy(v)
	}
	for k, v := range cfg {
		norm[k] = v
	}
	return norm, nil
}
