package operations_test

import (
	"strings"
	"testing"

	"github.com/tracflow/tracflow/actions/operations"
	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/plugintest"
)

func TestMergeProfiles(t *testing.T) {
	p := operations.RegisterMergeProfiles()
	t.Run("sets the merge keys", func(t *testing.T) {
		prof := plugin.Profile{"id": "p", "operation": map[string]any{"new": false, "merge": []any{}}}
		out := plugintest.Run(t, p, plugintest.Case{Config: plugin.Config{"mergeBy": []any{"profile@data.contact.email.main", "profile@traits.crmId"}},
			Payload: plugin.Payload{"a": 1.0}, Profile: prof})
		if got := out.MustPort(t, "payload"); got["a"] != 1.0 {
			t.Errorf("payload %v", got)
		}
		keys := out.State.Profile["operation"].(map[string]any)["merge"].([]any)
		if len(keys) != 2 || keys[1] != "profile@traits.crmId" {
			t.Errorf("operation.merge %v: want the keys as written", keys)
		}
	})
	t.Run("profile-less event", func(t *testing.T) {
		out := plugintest.Run(t, p, plugintest.Case{Config: plugin.Config{"mergeBy": []any{"profile@data.contact.email.main"}},
			Payload: plugin.Payload{}, Event: plugin.Event{"id": "e", "metadata": map[string]any{"profile_less": true}}})
		out.MustPort(t, "payload")
		if !strings.Contains(out.LogText(), "profile-less") {
			t.Errorf("console %q: want a warning", out.LogText())
		}
	})
	t.Run("no profile", func(t *testing.T) {
		out := plugintest.Run(t, p, plugintest.Case{Config: plugin.Config{"mergeBy": []any{"profile@data.contact.email.main"}},
			Payload: plugin.Payload{}, Event: plugin.Event{"id": "e"}})
		if msg := out.MustPort(t, "error")["message"]; !strings.Contains(msg.(string), "no profile") {
			t.Errorf("error %v", msg)
		}
	})
	for _, bad := range []plugin.Config{{"mergeBy": []any{}}, {"mergeBy": []any{"event@properties.email"}}, {}} {
		plugintest.SetUpFails(t, p, bad, "mergeBy")
	}
}
