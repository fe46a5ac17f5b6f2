package datetime

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
)

func timeOfDay(v any) error {
	if _, err := parseClock(v.(string)); err != nil {
		return err
	}
	return nil
}

// parseClock reads HH:MM:SS as a duration since midnight.
func parseClock(s string) (time.Duration, error) {
	t, err := time.Parse("15:04:05", strings.TrimSpace(s))
	if err != nil {
		return 0, fmt.Errorf("expected a time of day as HH:MM:SS, e.g. 09:30:00, got %q", s)
	}
	return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute + time.Duration(t.Second())*time.Second, nil
}

var localTimeSpanSpec = plugin.NewConfigSpec().
	Group("Time-span settings", "The span of the day to check the current time against.").
	Field(plugin.NewValueField("timezone").Name("Timezone").
		Description("A time zone, e.g. Europe/Paris, or a reference to one, e.g. session@context.time.tz.").
		Default("session@context.time.tz")).
	Field(plugin.NewStringField("start").Name("Start time").
		Description("The beginning of the span, HH:MM:SS. It must be before the end time.").
		Required().Check(timeOfDay).Prop("label", "Start time")).
	Field(plugin.NewStringField("end").Name("End time").
		Description("The end of the span, HH:MM:SS. It must be after the start time.").
		Required().Check(timeOfDay).Prop("label", "End time"))

// LocalTimeSpan checks whether the local time of day is within a span.
type LocalTimeSpan struct {
	plugin.ActionRunner
	clock      Clock
	zone       dotpath.Value
	start, end time.Duration
}

// SetUp reads the zone and the span.
func (a *LocalTimeSpan) SetUp(_ context.Context, c plugin.Config) error {
	cfg, err := localTimeSpanSpec.Parse(c)
	if err != nil {
		return err
	}
	a.zone = cfg.Value("timezone")
	a.start, _ = parseClock(cfg.String("start"))
	a.end, _ = parseClock(cfg.String("end"))
	return nil
}

// Run sends the payload on in when the local time is strictly between
// start and end, on out otherwise. A missing or unknown zone fails the node.
func (a *LocalTimeSpan) Run(_ context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	v, err := a.zone.Resolve(a.Scope(payload))
	if err != nil {
		return nil, fmt.Errorf("time zone %s: %w", a.zone, err)
	}
	loc, err := loadZone(v)
	if err != nil {
		return nil, fmt.Errorf("time zone %s: %w", a.zone, err)
	}
	t := now(a.Event, a.clock).In(loc)
	tod := time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute + time.Duration(t.Second())*time.Second
	if a.start < tod && tod < a.end {
		return plugin.Port("in", payload), nil
	}
	return plugin.Port("out", payload), nil
}

// RegisterLocalTimeSpan describes the Is time between dates plugin.
func RegisterLocalTimeSpan() plugin.Plugin { return registerLocalTimeSpan(time.Now) }

func registerLocalTimeSpan(clock Clock) plugin.Plugin {
	return plugin.Plugin{
		New: func() plugin.Action { return &LocalTimeSpan{clock: clock} },
		Spec: plugin.Spec{
			Module: tracardi + "time.local_time_span.plugin", ClassName: "LocalTimeSpanAction",
			Inputs: []string{"payload"}, Outputs: []string{"in", "out"},
			Config: localTimeSpanSpec, License: "MIT", Version: "1.0.0", Author: "Tracflow",
		},
		MetaData: plugin.MetaData{
			Name: "Is time between dates",
			Desc: "Checks whether the current local time of day is within a span, e.g. 09:00:00 to 17:00:00.",
			Type: "condNode", Icon: "profiler", Group: []string{"Time"},
			Tags: []string{"condition"}, Purpose: []string{"collection", "segmentation"},
			Documentation: &plugin.Documentation{
				Tutorial: "The current time is the time the event was collected, seen in the time zone, to the second. " +
					"It is in the span when it is after the start and before the end (both excluded). A span whose " +
					"start is after its end never matches. A missing or unknown time zone stops the flow with an error.\n\n" +
					"Differences from Tracardi: a reference to the time zone is read from the event (Tracardi checks " +
					"the value but then uses the reference text as the zone, so only literal zones work there), and " +
					"every zone of the time zone database is accepted, e.g. UTC or America/Argentina/Buenos_Aires.",
				Inputs: map[string]plugin.PortDoc{"payload": {Desc: "Any object; the time zone may be in it (payload@...)."}},
				Outputs: map[string]plugin.PortDoc{
					"in":  {Desc: "The input payload, when the local time is within the span."},
					"out": {Desc: "The input payload, when the local time is outside the span."},
				},
			},
		},
	}
}
