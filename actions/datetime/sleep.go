package datetime

import (
	"context"
	"time"

	"github.com/tracflow/tracflow/plugin"
)

// BlockingSleepLimit is the longest Sleep that holds the flow in the
// request, as Tracardi's does; a longer one is a durable wait: the rest of
// the flow runs later, in a background job.
const BlockingSleepLimit = time.Second

// maxSleep bounds a wait: a year.
const maxSleep = 366 * 24 * time.Hour

var sleepSpec = plugin.NewConfigSpec().
	Group("Delay workflow", "How long the flow waits before the next node.").
	Field(plugin.NewFloatField("wait").Name("Wait").
		Description("Seconds to wait before the next node; a fraction of a second too, e.g. 0.5. "+
			"Up to one second the flow waits in the request; longer, the rest of the flow runs later in the background.").
		Default(1.0).Required().Min(0).Max(maxSleep.Seconds()).Prop("label", "Number of seconds"))

// Sleep waits, then passes its payload on.
type Sleep struct {
	plugin.ActionRunner
	wait time.Duration
}

// SetUp reads the wait.
func (a *Sleep) SetUp(_ context.Context, c plugin.Config) error {
	cfg, err := sleepSpec.Parse(c)
	if err != nil {
		return err
	}
	a.wait = time.Duration(cfg.Float("wait") * float64(time.Second))
	return nil
}

// Run blocks for a short wait; for a longer one it asks the engine to go on
// from here later (plugin.Delay).
func (a *Sleep) Run(ctx context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	out := plugin.Port("payload", payload)
	if a.wait > BlockingSleepLimit {
		return nil, plugin.Delay(a.wait, out)
	}
	if a.wait > 0 {
		t := time.NewTimer(a.wait)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return out, nil
}

// RegisterSleep describes the Sleep plugin.
func RegisterSleep() plugin.Plugin {
	return plugin.Plugin{
		New: func() plugin.Action { return &Sleep{} },
		Spec: plugin.Spec{
			Module: tracardi + "time.sleep_action", ClassName: "SleepAction",
			Inputs: []string{"payload"}, Outputs: []string{"payload"},
			Config: sleepSpec, License: "MIT", Version: "1.0.0", Author: "Tracflow",
		},
		MetaData: plugin.MetaData{
			Name: "Sleep",
			Desc: "Waits a number of seconds, then passes the payload on; a long wait continues the flow later, in the background.",
			Type: "flowNode", Icon: "sleep", Group: []string{"Time"},
			Purpose: []string{"collection", "segmentation"},
			Documentation: &plugin.Documentation{
				Tutorial: "A wait of up to one second holds the flow where it is, as in Tracardi. A longer wait is " +
					"durable: the collector answers at once, the flow's state after this node is saved, and the nodes " +
					"after it run once the time has passed, in a background job, after a restart of the server too and " +
					"on any server sharing the database. When the flow goes on, the profile is read again: the nodes " +
					"after the wait see it as it is then. The flow's response and UX of the later nodes go to no one, " +
					"since the request was answered. Where a flow cannot be resumed (a debug run in the editor), a long " +
					"wait goes on at once and says so in the log.\n\n" +
					"Differences from Tracardi: Tracardi holds the request for the whole wait, whatever its length.",
				Inputs:  map[string]plugin.PortDoc{"payload": {Desc: "Any object."}},
				Outputs: map[string]plugin.PortDoc{"payload": {Desc: "The same payload, after the wait."}},
			},
		},
	}
}
