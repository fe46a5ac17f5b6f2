package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/tracflow/tracflow/actions"
	"github.com/tracflow/tracflow/internal/api"
	"github.com/tracflow/tracflow/internal/registry"
	"github.com/tracflow/tracflow/internal/testenv"
	"github.com/tracflow/tracflow/plugin"
)

// echo is a test plugin: it passes its payload on, and checks its config
// with Validate ({"times": n}, n from 1 to 10, default 1).
type echo struct{ plugin.ActionRunner }

func (a *echo) Run(_ context.Context, p plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	return plugin.Port("payload", p), nil
}

func (a *echo) Validate(_ context.Context, c plugin.Config) (plugin.Config, error) {
	n := 1.0
	if v, ok := c["times"]; ok {
		f, ok := v.(float64)
		if !ok || f < 1 || f > 10 {
			return nil, plugin.FieldErr("times", "expected a number from 1 to 10")
		}
		n = f
	}
	return plugin.Config{"times": n}, nil
}

func testPlugin(module, name string, inputs []string, newAction func() plugin.Action) plugin.Plugin {
	return plugin.Plugin{
		Spec: plugin.Spec{Module: module, ClassName: "Test", Inputs: inputs, Outputs: []string{"payload"},
			Init: plugin.Config{"times": 1}, License: "MIT", Version: "1.0.0"},
		MetaData: plugin.MetaData{Name: name, Desc: "A plugin of the tests.", Group: []string{"Testing"}, Type: "flowNode", Icon: "plugin",
			Documentation: plugin.Documented(plugin.Ports{"payload": "Anything."}, plugin.Ports{"payload": "The input."})},
		New: newAction,
	}
}

// listWithBrokenPlugins is the installed list plus a valid new plugin and
// two broken ones: one with two input ports, one whose register function
// panics.
func listWithBrokenPlugins() []plugin.Installed {
	list := actions.Installed()
	return append(list,
		plugin.Installed{Register: func() plugin.Plugin {
			return testPlugin("test.two_inputs", "Two inputs", []string{"left", "right"}, func() plugin.Action { return &echo{} })
		}},
		plugin.Installed{Register: func() plugin.Plugin { panic("the register function is broken") }},
		plugin.Installed{Register: func() plugin.Plugin {
			return testPlugin("test.echo", "Echo", []string{"payload"}, func() plugin.Action { return &echo{} })
		}},
	)
}

func TestPluginRoutesRoles(t *testing.T) {
	e := testenv.New(t, testenv.Options{})
	toks := roleUsers(t, e)
	checkRoles(t, e, toks, "GET", "/install/plugins", nil, api.RoleAdmin, api.RoleMaintainer)
	checkRoles(t, e, toks, "GET", "/flow/action/plugins", nil, api.AllRoles...)
	checkRoles(t, e, toks, "GET", "/flow/action/plugin/tracflow.stats.increment", nil, api.AllRoles...)
	for _, p := range []string{"enable/yes", "enable/no", "hide/yes", "hide/no"} {
		checkRoles(t, e, toks, "GET", "/flow/action/plugin/no.such.plugin/"+p, nil, api.RoleAdmin, api.RoleMaintainer)
	}
	checkRoles(t, e, toks, "POST", "/plugin/tracflow.stats.increment/config/validate", map[string]any{}, api.RoleAdmin, api.RoleDeveloper)
}

func TestReinstallRegistersEveryPluginAndKeepsSettings(t *testing.T) {
	e := testenv.New(t, testenv.Options{})
	r := e.Admin("GET", "/install/plugins", nil).MustOK(t)
	var rep registry.InstallReport
	if err := json.Unmarshal(r.Raw, &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Error) != 0 || len(rep.Registered) != len(actions.Installed()) {
		t.Fatalf("reinstall: %s", r.Raw)
	}
	if rep.Registered[0] != "tracflow.flow.start" {
		t.Errorf("registered is not in the list's order: %v", rep.Registered)
	}
	e.Admin("GET", "/flow/action/plugin/tracflow.stats.decrement/enable/no", nil).MustOK(t)
	e.Admin("GET", "/flow/action/plugin/tracflow.errors.log/hide/yes", nil).MustOK(t)
	e.Admin("GET", "/install/plugins", nil).MustOK(t)
	dec := e.Admin("GET", "/flow/action/plugin/tracflow.stats.decrement", nil).MustOK(t).Obj()
	if s := obj(dec, "settings"); s["enabled"] != false || s["hidden"] != false {
		t.Errorf("decrement settings after reinstall: %v", s)
	}
	log := e.Admin("GET", "/flow/action/plugin/tracflow.errors.log", nil).MustOK(t).Obj()
	if s := obj(log, "settings"); s["enabled"] != true || s["hidden"] != true {
		t.Errorf("log settings after reinstall: %v", s)
	}
}

func TestReinstallReportsBrokenPluginsAndRegistersTheOthers(t *testing.T) {
	e := testenv.New(t, testenv.Options{API: api.Options{Installed: listWithBrokenPlugins}})
	toks := roleUsers(t, e)
	r := e.Do("GET", "/install/plugins", toks[api.RoleMaintainer], nil).MustOK(t)
	var rep registry.InstallReport
	if err := json.Unmarshal(r.Raw, &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Error) != 2 {
		t.Fatalf("want 2 errors: %s", r.Raw)
	}
	if rep.Error[0].Module != "test.two_inputs" || !strings.Contains(rep.Error[0].Reason, "input ports") {
		t.Errorf("two-input plugin: %+v", rep.Error[0])
	}
	if !strings.Contains(rep.Error[1].Reason, "panicked") || rep.Error[1].Module == "" {
		t.Errorf("panicking plugin: %+v", rep.Error[1])
	}
	if len(rep.Registered) != len(actions.Installed())+1 || !slices.Contains(rep.Registered, "test.echo") {
		t.Fatalf("registered: %v", rep.Registered)
	}
	// The new plugin is in the palette and runs in flows; the broken ones
	// are nowhere.
	pal := e.Admin("GET", "/flow/action/plugins?query=echo", nil).MustOK(t).Obj()
	if pal["total"] != 1.0 || len(obj(pal, "grouped")["Testing"].([]any)) != 1 {
		t.Errorf("palette for echo: %v", pal)
	}
	wantError(t, e.Admin("GET", "/flow/action/plugin/test.two_inputs", nil), http.StatusNotFound, "")
	flow := testenv.FlowJSON("echoes", []testenv.Node{{ID: "start", Module: testenv.Start}, {ID: "echo", Module: "test.echo"}}, "start.payload>echo")
	e.Admin("POST", "/flow/production", json.RawMessage(flow)).MustOK(t)
}

func TestPalette(t *testing.T) {
	e := testenv.New(t, testenv.Options{})
	toks := roleUsers(t, e)
	r := e.Do("GET", "/flow/action/plugins", toks[api.RoleMarketer], nil).MustOK(t)
	pal := r.Obj()
	if pal["total"] != float64(len(actions.Installed())) {
		t.Errorf("total %v, want %d", pal["total"], len(actions.Installed()))
	}
	// The Stats group holds the counters (among others), ordered by name.
	stats, _ := obj(pal, "grouped")["Stats"].([]any)
	var first map[string]any
	dec, inc := -1, -1
	for i, entry := range stats {
		switch m := entry.(map[string]any); m["id"] {
		case "tracflow.stats.decrement":
			first, dec = m, i
		case "tracflow.stats.increment":
			inc = i
		}
	}
	if dec < 0 || inc < dec {
		t.Errorf("Stats group: decrement at %d, increment at %d, want both, by name", dec, inc)
	}
	if first == nil {
		t.Fatalf("Stats group: %v", obj(pal, "grouped"))
	}
	if first["id"] != "tracflow.stats.decrement" || obj(first, "plugin", "spec")["module"] == nil ||
		obj(first, "plugin", "metadata")["name"] != "Decrement counter" || obj(first, "settings")["enabled"] != true {
		t.Errorf("palette entry: %v", first)
	}
	if _, ok := obj(first, "plugin")["start"]; !ok {
		t.Errorf("palette entry has no plugin.start: %v", first)
	}
	for q, want := range map[string]string{"INCREMENT": "tracflow.stats.increment", "error reporting": "tracflow.errors.throw", "no-such-thing": ""} {
		p := e.Admin("GET", "/flow/action/plugins?query="+strings.ReplaceAll(q, " ", "%20"), nil).MustOK(t).Obj()
		ids := paletteIDs(p)
		if want == "" {
			if p["total"] != 0.0 || len(ids) != 0 {
				t.Errorf("query %q: %v", q, p)
			}
		} else if !slices.Contains(ids, want) {
			t.Errorf("query %q: %v, want %s among them", q, ids, want)
		}
	}
	e.Admin("GET", "/flow/action/plugin/tracflow.stats.increment/hide/yes", nil).MustOK(t)
	if ids := paletteIDs(e.Admin("GET", "/flow/action/plugins", nil).MustOK(t).Obj()); slices.Contains(ids, "tracflow.stats.increment") {
		t.Error("a hidden plugin is in the palette")
	}
	if ids := paletteIDs(e.Admin("GET", "/flow/action/plugins?all=true", nil).MustOK(t).Obj()); !slices.Contains(ids, "tracflow.stats.increment") {
		t.Error("?all=true leaves out the hidden plugin")
	}
	wantError(t, e.Admin("GET", "/flow/action/plugins?all=maybe", nil), http.StatusUnprocessableEntity, "all")
}

func paletteIDs(pal map[string]any) []string {
	var ids []string
	for _, list := range obj(pal, "grouped") {
		for _, x := range list.([]any) {
			ids = append(ids, x.(map[string]any)["id"].(string))
		}
	}
	return ids
}

func TestGetPluginAndSettings(t *testing.T) {
	e := testenv.New(t, testenv.Options{})
	p := e.Admin("GET", "/flow/action/plugin/tracflow.stats.increment", nil).MustOK(t).Obj()
	if p["id"] != "tracflow.stats.increment" || obj(p, "plugin", "spec")["module"] == nil {
		t.Fatalf("plugin: %v", p)
	}
	// By Tracardi's module name too.
	alias := e.Admin("GET", "/flow/action/plugin/tracardi.process_engine.action.v1.increment_action", nil).MustOK(t).Obj()
	if alias["id"] != "tracflow.stats.increment" {
		t.Errorf("by alias: %v", alias)
	}
	wantError(t, e.Admin("GET", "/flow/action/plugin/no.such.plugin", nil), http.StatusNotFound, "")
	wantError(t, e.Admin("GET", "/flow/action/plugin/no.such.plugin/enable/no", nil), http.StatusNotFound, "")
	if r := e.Admin("GET", "/flow/action/plugin/tracflow.stats.increment/enable/maybe", nil); r.Status != http.StatusNotFound {
		t.Errorf("enable/maybe: %d", r.Status)
	}

	// A disabled plugin: flows using it do not deploy, and the error names
	// the node.
	off := e.Admin("GET", "/flow/action/plugin/tracflow.stats.increment/enable/no", nil).MustOK(t).Obj()
	if obj(off, "settings")["enabled"] != false {
		t.Fatalf("after enable/no: %v", off)
	}
	flow := json.RawMessage(testenv.CounterFlow("counts", "stats.counters.n", "n"))
	r := e.Admin("POST", "/flow/production", flow)
	wantError(t, r, http.StatusUnprocessableEntity, "data.spec.module")
	errs := r.Obj()["errors"].([]any)
	if len(errs) != 1 || testenv.At(errs, "0.nodeId") != "inc" || !strings.Contains(r.Obj()["detail"].(string), "disabled") {
		t.Errorf("deploy with a disabled plugin: %s", r.Raw)
	}
	// Debug runs refuse it too.
	wantError(t, e.Admin("POST", "/flow/debug", map[string]any{"flow": flow, "event": map[string]any{"type": "x"}}), http.StatusUnprocessableEntity, "data.spec.module")
	e.Admin("GET", "/flow/action/plugin/tracflow.stats.increment/enable/yes", nil).MustOK(t)
	e.Admin("POST", "/flow/production", flow).MustOK(t)
}

func TestValidatePluginConfig(t *testing.T) {
	e := testenv.New(t, testenv.Options{API: api.Options{Installed: listWithBrokenPlugins}})
	e.Admin("GET", "/install/plugins", nil).MustOK(t)
	inc := "/plugin/tracflow.stats.increment/config/validate"

	r := e.Admin("POST", inc, map[string]any{"field": "profile@stats.counters.visits", "increment": 2}).MustOK(t)
	if c := obj(r.Obj(), "config"); c["field"] != "profile@stats.counters.visits" || c["increment"] != 2.0 {
		t.Errorf("normalised config: %s", r.Raw)
	}
	// Keys the plugin does not know are kept (flows from Tracardi carry
	// some); a missing required value is what deploying would refuse.
	r = e.Admin("POST", inc, map[string]any{"field": "profile@stats.counters.visits", "increment": 1, "extra": true}).MustOK(t)
	if c := obj(r.Obj(), "config"); c["extra"] != true {
		t.Errorf("config: %s", r.Raw)
	}
	wantError(t, e.Admin("POST", inc, map[string]any{"field": "profile@stats.counters.visits"}), http.StatusUnprocessableEntity, "increment")
	wantError(t, e.Admin("POST", inc, map[string]any{"field": "profile@stats.counters.visits", "increment": "lots"}), http.StatusUnprocessableEntity, "increment")
	wantError(t, e.Admin("POST", inc, map[string]any{"field": 5, "increment": 1}), http.StatusUnprocessableEntity, "field")
	wantError(t, e.Admin("POST", inc, []any{}), http.StatusUnprocessableEntity, "(body)")
	wantError(t, e.Admin("POST", inc, "{nope"), http.StatusBadRequest, "")
	wantError(t, e.Admin("POST", "/plugin/no.such.plugin/config/validate", map[string]any{}), http.StatusNotFound, "")

	// A plugin with Validate: its normalised config is answered.
	r = e.Admin("POST", "/plugin/test.echo/config/validate", map[string]any{}).MustOK(t)
	if c := obj(r.Obj(), "config"); c["times"] != 1.0 {
		t.Errorf("echo default: %s", r.Raw)
	}
	wantError(t, e.Admin("POST", "/plugin/test.echo/config/validate", map[string]any{"times": 11}), http.StatusUnprocessableEntity, "times")
}

// TestDisabledPluginKeepsProductionRunning: disabling a plugin stops new
// deploys of flows using it, not the flows already in production.
func TestDisabledPluginKeepsProductionRunning(t *testing.T) {
	e := testenv.New(t, testenv.Options{})
	src := e.Setup("web", testenv.CounterFlow("count", "stats.views", "views"), "page-view")
	send := func() *testenv.Response {
		return e.Do("POST", "/track", "", map[string]any{"source": map[string]any{"id": src}, "profile": map[string]any{"id": "p1"},
			"events": []any{map[string]any{"type": "page-view"}}}).MustOK(t)
	}
	if v := send().At("response.views.value"); v != 1.0 {
		t.Fatalf("before disabling: views %v, want 1", v)
	}
	e.Admin("GET", "/flow/action/plugin/tracflow.stats.increment/enable/no", nil).MustOK(t)
	r := send()
	if v := r.At("response.views.value"); v != 2.0 {
		t.Errorf("after disabling the plugin: views %v, want 2 (the production flow still runs): %s", v, r.Raw)
	}
	if errs, _ := r.Obj()["errors"].([]any); len(errs) != 0 {
		t.Errorf("errors after disabling the plugin: %v", errs)
	}
}
