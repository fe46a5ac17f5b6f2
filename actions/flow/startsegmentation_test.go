package flow_test

import (
	"context"
	"strings"
	"testing"

	"github.com/tracflow/tracflow/actions/flow"
	"github.com/tracflow/tracflow/internal/rundata"
	"github.com/tracflow/tracflow/internal/store"
	"github.com/tracflow/tracflow/internal/store/open"
	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/plugintest"
)

func TestStartSegmentation(t *testing.T) {
	st, err := open.Open(context.Background(), "", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Apply(context.Background(), &store.ChangeSet{Profiles: []store.Doc{{"id": "stored", "ids": []any{"old-id"}, "stats": map[string]any{"visits": 7.0}}}}); err != nil {
		t.Fatal(err)
	}
	data := rundata.New(st)
	ev := func() plugin.Event {
		return plugin.Event{"id": "e1", "type": "page-view", "metadata": map[string]any{"profile_less": true}}
	}

	// Outside debug runs: an empty payload, the run's own profile.
	own := plugin.Profile{"id": "own"}
	out := plugintest.Run(t, flow.RegisterStartSegmentation(), plugintest.Case{Config: plugin.Config{"profile_id": "stored"}, Profile: own, Event: ev(), Data: data})
	if got := out.MustPort(t, "payload"); len(got) != 0 || out.State.Profile.ID() != "own" {
		t.Errorf("production run: payload %v, profile %v", got, out.State.Profile.ID())
	}

	// Debug: the configured profile (found by alias too) with an @segmentation event.
	out = plugintest.Run(t, flow.RegisterStartSegmentation(), plugintest.Case{Config: plugin.Config{"profile_id": " old-id "}, Event: ev(), Data: data, Debug: true})
	out.MustPort(t, "payload")
	if out.State.Profile.ID() != "stored" || out.State.Event.Type() != "@segmentation" || out.State.Session.ID() == "" {
		t.Errorf("debug run: profile %v, event %v, session %v", out.State.Profile.ID(), out.State.Event.Type(), out.State.Session)
	}
	if md := out.State.Event["metadata"].(map[string]any); md["profile_less"] != false {
		t.Errorf("event metadata %v", md)
	}

	for _, c := range []struct{ id, log string }{{"", "set the profile id"}, {"missing", `no profile "missing"`}} {
		out = plugintest.Run(t, flow.RegisterStartSegmentation(), plugintest.Case{Config: plugin.Config{"profile_id": c.id}, Event: ev(), Data: data, Debug: true})
		if len(out.Results) != 0 || !strings.Contains(out.LogText(), c.log) {
			t.Errorf("debug without a profile %q: results %v, console %q", c.id, out.Results, out.LogText())
		}
	}
}
