package catalog_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"testing"

	"github.com/tracflow/tracflow/actions"
	"github.com/tracflow/tracflow/internal/catalog"
	"github.com/tracflow/tracflow/internal/registry"
	"github.com/tracflow/tracflow/internal/store"
	"github.com/tracflow/tracflow/internal/store/open"
	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/remote"
)

const remoteModule = "example.remote.thing"

func remoteRecord(t *testing.T) store.Doc {
	t.Helper()
	p := remote.Bind(plugin.Plugin{
		Spec:     plugin.Spec{Module: remoteModule, Inputs: []string{"payload"}, Outputs: []string{"out"}, License: "MIT", Init: plugin.Config{}},
		MetaData: plugin.MetaData{Name: "Thing", Documentation: plugin.Documented(nil, plugin.Ports{"out": "x"})},
	}, remote.Target{Resource: plugin.NamedEntity{ID: "svc", Name: "Service"}, Module: remoteModule}, "Service", nil)
	raw, _ := json.Marshal(p)
	var pd map[string]any
	_ = json.Unmarshal(raw, &pd)
	return store.Doc{"id": remoteModule, "plugin": pd, "settings": map[string]any{"enabled": true, "hidden": false}}
}

// TestAFlowWaitingForARemotePluginCompilesOnceItIsStored: an instance that
// loaded a flow before its remote plugin was installed (by another
// instance) compiles it at the next refresh, from the stored record.
func TestAFlowWaitingForARemotePluginCompilesOnceItIsStored(t *testing.T) {
	ctx := context.Background()
	st, err := open.Open(ctx, "", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	reg := registry.NewRegistry()
	if rep := reg.Install(actions.Installed()); len(rep.Error) > 0 {
		t.Fatal(rep.Error)
	}
	cat := catalog.New(st, reg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	flow := map[string]any{"id": "f", "name": "F", "flowGraph": map[string]any{
		"nodes": []any{
			map[string]any{"id": "s", "data": map[string]any{"spec": map[string]any{"module": "tracardi.process_engine.action.v1.flow.start.start_action", "init": map[string]any{}}}},
			map[string]any{"id": "x", "data": map[string]any{"spec": map[string]any{"module": remoteModule, "init": map[string]any{}}}},
		},
		"edges": []any{map[string]any{"id": "e", "source": "s", "sourceHandle": "payload", "target": "x", "targetHandle": "payload"}},
	}}
	if err := st.PutConfig(ctx, catalog.KindFlowProduction, "f", flow); err != nil {
		t.Fatal(err)
	}
	if err := cat.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if cat.Snapshot().FlowErrors["f"] == nil {
		t.Fatal("a flow whose plugin is not installed compiled")
	}
	if err := st.PutConfig(ctx, catalog.KindPlugin, remoteModule, remoteRecord(t)); err != nil {
		t.Fatal(err)
	}
	if err := cat.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if err := cat.Snapshot().FlowErrors["f"]; err != nil || cat.Snapshot().Flows["f"] == nil {
		t.Fatalf("after the plugin was stored: %v", err)
	}
	// Installing the built-ins at start keeps the stored remote plugin;
	// Reinstall Plugins with a list that lacks it removes it.
	if _, err := cat.InstallPlugins(ctx, actions.Installed()); err != nil {
		t.Fatal(err)
	}
	if _, err := cat.Plugin(ctx, remoteModule); err != nil {
		t.Fatalf("start-up install dropped the remote plugin: %v", err)
	}
	if _, err := cat.ReinstallPlugins(ctx, actions.Installed()); err != nil {
		t.Fatal(err)
	}
	if _, err := cat.Plugin(ctx, remoteModule); err == nil {
		t.Fatal("Reinstall Plugins kept a remote plugin no service offers")
	}
	if _, ok := reg.Held(remoteModule); ok {
		t.Error("the registry still holds it")
	}
}

// TestRefreshFollowsStoredRemotePlugins: a remote plugin this process holds
// takes the spec another instance stored, and is forgotten once its record
// is gone.
func TestRefreshFollowsStoredRemotePlugins(t *testing.T) {
	ctx := context.Background()
	st, err := open.Open(ctx, "", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	reg := registry.NewRegistry()
	cat := catalog.New(st, reg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	rec := remoteRecord(t)
	if err := st.PutConfig(ctx, catalog.KindPlugin, remoteModule, rec); err != nil {
		t.Fatal(err)
	}
	if _, ok := reg.Lookup(remoteModule); !ok {
		t.Fatal("the stored remote plugin is not resolved")
	}
	spec := rec["plugin"].(map[string]any)["spec"].(map[string]any)
	spec["outputs"] = []any{"out", "more", "error"}
	docs := rec["plugin"].(map[string]any)["metadata"].(map[string]any)["documentation"].(map[string]any)["outputs"].(map[string]any)
	docs["more"] = map[string]any{"desc": "more"}
	if err := st.PutConfig(ctx, catalog.KindPlugin, remoteModule, rec); err != nil {
		t.Fatal(err)
	}
	if err := cat.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if r, _ := reg.Held(remoteModule); r == nil || len(r.Plugin.Spec.Outputs) != 3 {
		t.Fatalf("after another instance changed the spec: %+v", r)
	}
	if err := st.DeleteConfig(ctx, catalog.KindPlugin, remoteModule); err != nil {
		t.Fatal(err)
	}
	if err := cat.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if _, ok := reg.Held(remoteModule); ok {
		t.Error("a remote plugin whose record is gone is still held")
	}
}
