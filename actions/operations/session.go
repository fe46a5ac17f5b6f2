package operations

import (
	"context"
	"time"

	"github.com/tracflow/tracflow/plugin"
)

// UpdateSession marks the session to be saved when the flow ends.
type UpdateSession struct{ plugin.ActionRunner }

// Run marks the session for saving and stamps its update time.
func (a *UpdateSession) Run(context.Context, plugin.Payload, *plugin.Edge) (plugin.Results, error) {
	if a.Session == nil {
		a.Console.Warning("Can not update session: this event has no session.")
		return nil, nil
	}
	md, ok := a.Session["metadata"].(map[string]any)
	if !ok {
		md = map[string]any{}
		a.Session["metadata"] = md
	}
	tm, ok := md["time"].(map[string]any)
	if !ok {
		tm = map[string]any{}
		md["time"] = tm
	}
	tm["update"] = time.Now().UTC().Format("2006-01-02T15:04:05.000000Z07:00")
	a.ActionRunner.UpdateSession()
	return nil, nil
}

// RegisterUpdateSession describes the Update session plugin.
func RegisterUpdateSession() plugin.Plugin {
	return register(def{
		new: func() plugin.Action { return &UpdateSession{} }, module: "update_session", alias: "operations.update_session_action",
		class: "UpdateSessionAction", outputs: []string{},
		name: "Update session", desc: "Saves the session when the flow ends, even if nothing changed it.", icon: "store",
		tags: []string{"session", "save"},
		manual: "Sets the session's metadata.time.update to now (UTC) and marks the session to be saved. " +
			"A session the flow changed is saved without this node. On an event without a session it logs a " +
			"warning. The node has no output port: it ends its branch.",
		input: "Any object; its arrival marks the session for saving.",
		ports: plugin.Ports{},
	})
}
