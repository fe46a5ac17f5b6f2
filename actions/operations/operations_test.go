package operations_test

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/tracflow/tracflow/actions/operations"
	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
	"github.com/tracflow/tracflow/plugin/plugintest"
)

// join sets Join up with config, runs it once per input (as the engine
// does) and returns what JoinOutput makes of the joined object.
func join(t *testing.T, config plugin.Config, profile plugin.Profile, joined plugin.Payload) (plugin.Payload, error) {
	t.Helper()
	ctx := context.Background()
	p := operations.RegisterJoin()
	a, err := plugintest.SetUp(ctx, p, config)
	if err != nil {
		t.Fatalf("set up: %v", err)
	}
	for _, in := range joined {
		m, _ := in.(map[string]any)
		out := plugintest.RunAction(ctx, p, a, plugintest.Case{Config: config, Payload: m, Profile: profile})
		if got := out.MustPort(t, "payload"); !reflect.DeepEqual(got, m) && m != nil {
			t.Fatalf("run passed %v on, want its input %v", got, m)
		}
	}
	j, ok := a.(plugin.Joiner)
	if !ok {
		t.Fatal("Join does not implement plugin.Joiner")
	}
	return j.JoinOutput("payload", joined)
}

func TestJoin(t *testing.T) {
	joined := func() plugin.Payload {
		return plugin.Payload{
			"left":  map[string]any{"a": 1.0},
			"right": map[string]any{"b": map[string]any{"c": "x"}},
			"void":  nil,
		}
	}
	cases := []struct {
		name   string
		config plugin.Config
		want   plugin.Payload
	}{
		{"default: joined as is", nil, joined()},
		{"empty reshape text", plugin.Config{"reshape": "", "default": true, "type": "dict"}, joined()},
		{"list type behaves as dict", plugin.Config{"reshape": "{}", "type": "list"}, joined()},
		{"reshape as JSON text", plugin.Config{"reshape": `{"a": "payload@left.a", "c": "payload@right.b.c", "gone": "payload@nope", "opt?": "payload@nope", "p": "profile@id"}`},
			plugin.Payload{"a": 1.0, "c": "x", "gone": nil, "p": "p1"}},
		{"reshape as object", plugin.Config{"reshape": map[string]any{"all": "payload@..."}},
			plugin.Payload{"all": map[string]any(joined())}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := join(t, c.config, plugin.Profile{"id": "p1"}, joined())
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
}

func TestJoinStrictMissing(t *testing.T) {
	_, err := join(t, plugin.Config{"reshape": `{"a": "payload@nope.a"}`, "default": false}, nil, plugin.Payload{"x": map[string]any{}})
	if !errors.Is(err, dotpath.ErrMissing) {
		t.Fatalf("err = %v, want a missing-value error", err)
	}
	got, err := join(t, plugin.Config{"reshape": `{"p": "profile@id"}`, "default": true}, nil, plugin.Payload{"x": map[string]any{}})
	if err != nil || got["p"] != nil {
		t.Fatalf("profile-less join reshape: %v, %v", got, err)
	}
}

func TestJoinReshapeMustGiveObject(t *testing.T) {
	_, err := join(t, plugin.Config{"reshape": `"payload@x.list"`}, nil, plugin.Payload{"x": map[string]any{"list": []any{1.0}}})
	if err == nil {
		t.Fatal("a reshape that gives a list must fail")
	}
}

func TestJoinConfigErrors(t *testing.T) {
	p := operations.RegisterJoin()
	plugintest.SetUpFails(t, p, plugin.Config{"type": "set"}, "type")
	plugintest.SetUpFails(t, p, plugin.Config{"reshape": "{nope"}, "reshape")
	plugintest.SetUpFails(t, p, plugin.Config{"reshape": "[1, 2]"}, "reshape")
	plugintest.SetUpFails(t, p, plugin.Config{"reshape": `{"a": "profile@a..b"}`}, "reshape")
	plugintest.SetUpFails(t, p, plugin.Config{"default": "yes"}, "default")
}

func TestUpdateProfile(t *testing.T) {
	p := operations.RegisterUpdateProfile()
	out := plugintest.Run(t, p, plugintest.Case{Profile: plugin.Profile{"id": "p1"}})
	if out.Err != nil || len(out.Results) != 0 {
		t.Fatalf("results %v, err %v; want none", out.Results, out.Err)
	}
	if out.State.ProfileFlag() != plugin.SaveForced {
		t.Errorf("profile flag = %v, want forced (update)", out.State.ProfileFlag())
	}
	out = plugintest.Run(t, p, plugintest.Case{})
	if out.Err != nil || out.State.ProfileFlag() != plugin.SaveIfChanged || len(out.Logs()) != 1 || out.Logs()[0].Level != "warning" {
		t.Fatalf("profile-less: err %v, flag %v, logs %v; want a warning only", out.Err, out.State.ProfileFlag(), out.Logs())
	}
}

func TestDiscardProfileUpdate(t *testing.T) {
	p := operations.RegisterDiscardProfileUpdate()
	out := plugintest.Run(t, p, plugintest.Case{Profile: plugin.Profile{"id": "p1"}, Payload: plugin.Payload{"a": 1}})
	if got := out.MustPort(t, "payload"); got["a"] != 1 {
		t.Errorf("payload = %v", got)
	}
	if out.State.ProfileFlag() != plugin.SaveDiscarded {
		t.Errorf("profile flag = %v, want discarded", out.State.ProfileFlag())
	}
	out = plugintest.Run(t, p, plugintest.Case{})
	out.MustPort(t, "payload")
	if len(out.Logs()) != 1 || out.Logs()[0].Level != "warning" {
		t.Fatalf("profile-less: logs %v, want one warning", out.Logs())
	}
}
