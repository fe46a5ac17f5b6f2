package datetime

import (
	"context"
	"fmt"
	"time"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
)

// currentSource is the source value that names the current event's source.
const currentSource = "@current-source"

// maxPostpone bounds how far ahead an event is scheduled: a year.
const maxPostpone = 366 * 24 * time.Hour

var schedulerSpec = plugin.NewConfigSpec().
	Group("Scheduled event settings", "Schedules an event of the given type and properties for the current profile and "+
		"session; the flow goes on at once.").
	Field(plugin.NewResourceField("resource", "schedule").Name("Scheduler service").
		Description("Not needed: Tracflow schedules events itself, durably, in its own job queue. A scheduler resource "+
			"chosen in Tracardi is accepted and not used.")).
	Field(plugin.NewIntField("postpone").Name("Schedule event").
		Description("Seconds from now when the event is collected (at least 5).").
		Default(60).Required().Min(5).Max(maxPostpone.Seconds()).Prop("label", "delay in seconds")).
	Group("Event settings", "").
	Field(plugin.NewAnyField("source").Name("Inbound traffic").
		Description("The event source the event comes through: {\"id\": \"...\"} or its id; "+currentSource+
			" (the default) is the current event's source.").
		Default(map[string]any{"id": currentSource, "name": currentSource}).Component("json", nil).
		Check(func(v any) error {
			if plugin.ResourceID(v) == "" {
				return fmt.Errorf(`expected {"id": "..."} or a source id`)
			}
			return nil
		})).
	Field(plugin.NewStringField("event_type").Name("Event type").Description("The scheduled event's type.").Required()).
	Field(plugin.NewJSONField("properties").Name("Properties").
		Description("The event's properties, an object; its values may be references (profile@id), read now.").
		Default(map[string]any{}).ObjectOnly())

// Scheduler is Tracardi's Schedule event: it schedules an event to be
// collected later for the current profile and session.
type Scheduler struct {
	plugin.ActionRunner
	postpone  time.Duration
	source    string
	eventType string
	props     *dotpath.Object
}

// SetUp reads the configuration.
func (a *Scheduler) SetUp(_ context.Context, c plugin.Config) error {
	cfg, err := schedulerSpec.Parse(c)
	if err != nil {
		return err
	}
	a.postpone = time.Duration(cfg.Int("postpone")) * time.Second
	a.source = plugin.ResourceID(cfg.Any("source"))
	a.eventType = cfg.String("event_type")
	if a.props, err = dotpath.CompileObject(cfg.Any("properties"), true); err != nil {
		return fmt.Errorf("properties: %w", err)
	}
	return nil
}

// Run schedules the event and answers on response, or on error.
func (a *Scheduler) Run(ctx context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	fail := func(err error) (plugin.Results, error) {
		a.Console.Error("%v", err)
		return plugin.Port("error", plugin.Payload{"error": err.Error(), "payload": payload}), nil
	}
	v, err := a.props.Apply(a.Scope(payload))
	if err != nil {
		return fail(fmt.Errorf("properties: %w", err))
	}
	props, _ := v.(map[string]any)
	e := plugin.ScheduledEvent{At: time.Now().Add(a.postpone), SourceID: a.source, Type: a.eventType, Properties: props}
	if ev := a.Event; ev != nil {
		if e.SourceID == currentSource {
			e.SourceID = plugin.ResourceID(ev["source"])
		}
		e.Context, _ = ev["context"].(map[string]any)
	}
	if e.SourceID == currentSource || e.SourceID == "" {
		return fail(fmt.Errorf("the event has no source to schedule through: choose one"))
	}
	if a.Profile != nil {
		e.ProfileID = a.Profile.ID()
	}
	if a.Session != nil {
		e.SessionID = a.Session.ID()
	}
	at := e.At.UTC().Format(time.RFC3339)
	sched, ok := a.Data.(plugin.EventScheduler)
	if !ok {
		if a.Debug {
			a.Console.Log("Debug run: a %s event would be scheduled for %s.", e.Type, at)
			return plugin.Port("response", plugin.Payload{"response": map[string]any{"id": "", "time": at, "scheduled": false}, "payload": payload}), nil
		}
		return fail(fmt.Errorf("events can be scheduled only by flows the collector runs"))
	}
	id, err := sched.ScheduleEvent(ctx, e)
	if err != nil {
		return fail(fmt.Errorf("scheduling the %s event: %w", e.Type, err))
	}
	a.Console.Log("Scheduled event %s for %s.", id, at)
	return plugin.Port("response", plugin.Payload{"response": map[string]any{"id": id, "time": at, "scheduled": true}, "payload": payload}), nil
}

// RegisterScheduler describes the Schedule event plugin.
func RegisterScheduler() plugin.Plugin {
	return plugin.Plugin{
		New: func() plugin.Action { return &Scheduler{} },
		Spec: plugin.Spec{
			Module: tracardi + "pro.scheduler.plugin", ClassName: "SchedulerPlugin",
			Aliases: []string{tracardi + "pro.scheduler.registry"},
			Inputs:  []string{"payload"}, Outputs: []string{"response", "error"},
			Config: schedulerSpec, License: "MIT", Version: "1.0.0", Author: "Tracflow",
		},
		MetaData: plugin.MetaData{
			Name: "Schedule event",
			Desc: "Schedules an event for the current profile, to be collected after a number of seconds.",
			Type: "flowNode", Icon: "calendar", Group: []string{"Time"},
			Tags:    []string{"scheduler", "postpone", "delay", "event"},
			Purpose: []string{"collection", "segmentation"},
			Documentation: &plugin.Documentation{
				Tutorial: "The event is stored durably in the job queue and collected after `postpone` seconds through the " +
					"chosen event source (the current one by default), for the current profile and session, with the " +
					"current event's context: its rules and flows run then, on any server sharing the database, after a " +
					"restart too. The properties' references are read now, when the event is scheduled. The flow goes on " +
					"at once. In a debug run nothing is scheduled; the console says what would have been.\n\n" +
					"Differences from Tracardi: Tracardi's commercial edition sends the event through a separate scheduler " +
					"service, chosen as a resource; Tracflow needs no resource and ignores one that is set.",
				Inputs: map[string]plugin.PortDoc{"payload": {Desc: "Any object."}},
				Outputs: map[string]plugin.PortDoc{
					"response": {Desc: "{\"response\": {\"id\": the scheduled event's id, \"time\": when it is collected, \"scheduled\": true}, \"payload\": the input}."},
					"error":    {Desc: "{\"error\": why it could not be scheduled, \"payload\": the input}."},
				},
			},
		},
	}
}
