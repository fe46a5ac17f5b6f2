package datetime

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
)

var timeDelaySpec = plugin.NewConfigSpec().
	Group("Time delay", "Adds a number of seconds to a date, or subtracts it.").
	Field(plugin.NewValueField("reference_date").Name("Reference date").
		Description("A reference to the date, e.g. profile@metadata.time.insert, or a date itself, or now.").
		Initial("profile@metadata.time.insert").Prop("label", "Date")).
	Field(plugin.NewEnumField("sign", plugin.Option{Value: "+", Label: "Add"}, plugin.Option{Value: "-", Label: "Subtract"}).
		Name("Operation").Description("Whether the delay is added to the date or subtracted from it.").
		Default("+").Required()).
	Field(plugin.NewStringField("delay").Name("A delay in seconds").
		Description("The number of seconds to add or subtract, a whole number, e.g. 60.").
		Default("60").Required().Pattern(`^\s*[0-9]+\s*$`, "The delay must be a whole number of seconds, e.g. 60."))

// TimeDelay moves a date by a number of seconds.
type TimeDelay struct {
	plugin.ActionRunner
	clock Clock
	ref   dotpath.Value
	delay time.Duration
}

// SetUp reads the date, the operation and the delay.
func (a *TimeDelay) SetUp(_ context.Context, c plugin.Config) error {
	cfg, err := timeDelaySpec.Parse(c)
	if err != nil {
		return err
	}
	n, err := strconv.ParseInt(strings.TrimSpace(cfg.String("delay")), 10, 64)
	if err != nil || n > int64(100*365*24*3600) {
		return plugin.FieldErr("delay", "The delay must be a whole number of seconds, at most 100 years.")
	}
	a.delay = time.Duration(n) * time.Second
	if cfg.String("sign") == "-" {
		a.delay = -a.delay
	}
	a.ref = cfg.Value("reference_date")
	return nil
}

// Run sends the moved date on the date port, or the problem on error.
func (a *TimeDelay) Run(_ context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	if a.ref.String() == "" {
		return a.ErrorResult("The reference date is not set; give a reference such as profile@metadata.time.insert.", "error"), nil
	}
	v, err := a.ref.Resolve(a.Scope(payload))
	if err != nil {
		return a.ErrorResult(fmt.Sprintf("Reference date %s: %v", a.ref, err), "error"), nil
	}
	t, err := parseDate(v, now(a.Event, a.clock))
	if err != nil {
		return a.ErrorResult(fmt.Sprintf("Reference date %s: %v", a.ref, err), "error"), nil
	}
	return plugin.Port("date", plugin.Payload{"date": isoformat(t.Add(a.delay))}), nil
}

// RegisterTimeDelay describes the Time delay plugin.
func RegisterTimeDelay() plugin.Plugin { return registerTimeDelay(time.Now) }

func registerTimeDelay(clock Clock) plugin.Plugin {
	return plugin.Plugin{
		New: func() plugin.Action { return &TimeDelay{clock: clock} },
		Spec: plugin.Spec{
			Module: tracardi + "time.time_delay.plugin", ClassName: "TimeDelay",
			Inputs: []string{"payload"}, Outputs: []string{"date", "error"},
			Config: timeDelaySpec, License: "MIT", Version: "1.0.0", Author: "Tracflow",
		},
		MetaData: plugin.MetaData{
			Name: "Time delay",
			Desc: "Returns a date moved by a number of seconds, forward or back.",
			Type: "flowNode", Icon: "time", Group: []string{"Time"},
			Purpose: []string{"collection", "segmentation"},
			Documentation: &plugin.Documentation{
				Tutorial: "The date may be ISO 8601 text (other common formats are read too), a number of " +
					"seconds since 1970, or now (the time the event was collected). A date without a time zone " +
					"is UTC; the moved date keeps the offset the date had. The answer is {\"date\": \"2024-03-14T15:10:26+00:00\"}.\n\n" +
					"Differences from Tracardi: a date without a time zone is read as UTC rather than left naive.",
				Inputs: map[string]plugin.PortDoc{"payload": {Desc: "Any object; the date may be in it (payload@...)."}},
				Outputs: map[string]plugin.PortDoc{
					"date":  {Desc: "{\"date\": ...}: the moved date as ISO 8601 text."},
					"error": {Desc: "{\"message\": ...} when the date is missing or cannot be read."},
				},
			},
		},
	}
}

var timeDifferenceSpec = plugin.NewConfigSpec().
	Group("Time delta", "Calculates the time between two dates.").
	Field(plugin.NewValueField("reference_date").Name("Reference date").
		Description("A reference to the start date, e.g. profile@metadata.time.insert, or a date.").
		Required().Prop("label", "Source")).
	Field(plugin.NewValueField("now").Name("Second date").
		Description("A reference to the end date, a date, or now.").
		Default("now").Required().Prop("label", "Source"))

// TimeDifference measures the time between two dates.
type TimeDifference struct {
	plugin.ActionRunner
	clock    Clock
	from, to dotpath.Value
}

// SetUp reads the two dates.
func (a *TimeDifference) SetUp(_ context.Context, c plugin.Config) error {
	cfg, err := timeDifferenceSpec.Parse(c)
	if err != nil {
		return err
	}
	a.from, a.to = cfg.Value("reference_date"), cfg.Value("now")
	return nil
}

// Run sends the difference (second date minus reference date) on
// time_difference; a date that cannot be read fails the node.
func (a *TimeDifference) Run(_ context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	s := a.Scope(payload)
	n := now(a.Event, a.clock)
	var dates [2]time.Time
	for i, v := range []dotpath.Value{a.from, a.to} {
		x, err := v.Resolve(s)
		if err != nil {
			return nil, fmt.Errorf("date %s: %w", v, err)
		}
		if dates[i], err = parseDate(x, n); err != nil {
			return nil, fmt.Errorf("date %s: %w", v, err)
		}
	}
	return plugin.Port("time_difference", span(dates[1].Sub(dates[0]))), nil
}

// RegisterTimeDifference describes the Time difference plugin.
func RegisterTimeDifference() plugin.Plugin { return registerTimeDifference(time.Now) }

func registerTimeDifference(clock Clock) plugin.Plugin {
	return plugin.Plugin{
		New: func() plugin.Action { return &TimeDifference{clock: clock} },
		Spec: plugin.Spec{
			Module: tracardi + "time.time_difference.plugin", ClassName: "TimeDiffCalculator",
			Inputs: []string{"payload"}, Outputs: []string{"time_difference"},
			Config: timeDifferenceSpec, License: "MIT", Version: "1.0.0", Author: "Tracflow",
		},
		MetaData: plugin.MetaData{
			Name: "Time difference",
			Desc: "Returns the time between two dates in seconds, minutes, hours, days and weeks.",
			Type: "flowNode", Icon: "time", Group: []string{"Time"},
			Purpose: []string{"collection", "segmentation"},
			Documentation: &plugin.Documentation{
				Tutorial: "Each date is a reference, a date (ISO 8601 and other common formats; a time of day " +
					"alone is on the day of now), a number of seconds since 1970, or now (the time the event was " +
					"collected). The difference is the second date minus the reference date, negative when the " +
					"second is earlier. A date that is missing or cannot be read stops the flow with an error.\n\n" +
					"Differences from Tracardi: dates without a time zone are UTC, so they can be compared with now.",
				Inputs: map[string]plugin.PortDoc{"payload": {Desc: "Any object; the dates may be in it (payload@...)."}},
				Outputs: map[string]plugin.PortDoc{
					"time_difference": {Desc: "{\"seconds\", \"minutes\", \"hours\", \"days\", \"weeks\"}: the difference in each unit."},
				},
			},
		},
	}
}
