package datetime

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
)

var todaySpec = plugin.NewConfigSpec().
	Field(plugin.NewValueField("timezone").Name("Path to timezone").
		Description("A reference to the time zone, e.g. session@context.time.tz, or a zone such as Europe/Paris.").
		Default("session@context.time.tz").Prop("label", "Timezone"))

// Today describes the current time, in UTC and in a time zone.
type Today struct {
	plugin.ActionRunner
	clock Clock
	zone  dotpath.Value
}

// SetUp reads the time zone.
func (a *Today) SetUp(_ context.Context, c plugin.Config) error {
	cfg, err := todaySpec.Parse(c)
	if err != nil {
		return err
	}
	a.zone = cfg.Value("timezone")
	return nil
}

// Run sends the time on payload, or the problem with the zone on error.
func (a *Today) Run(_ context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	v, err := a.zone.Resolve(a.Scope(payload))
	if err != nil {
		return a.ErrorResult(fmt.Sprintf("No time zone at %s: %v", a.zone, err), "error"), nil
	}
	loc, err := loadZone(v)
	if err != nil {
		return a.ErrorResult(err.Error(), "error"), nil
	}
	n := now(a.Event, a.clock).UTC()
	return plugin.Port("payload", plugin.Payload{
		"utcTime":   isoformat(n),
		"timestamp": float64(n.UnixMicro()) / 1e6,
		"server":    dayInfo(n),
		"local":     dayInfo(n.In(loc)),
	}), nil
}

func dayInfo(t time.Time) map[string]any {
	wd := (int(t.Weekday())+6)%7 + 1 // ISO: Monday 1 ... Sunday 7
	clock := t.Format("15:04:05")
	if us := t.Nanosecond() / 1000; us != 0 {
		clock += fmt.Sprintf(".%06d", us)
	}
	return map[string]any{
		"dayOfWeek": strings.ToLower(t.Weekday().String()),
		"day":       t.Day(),
		"month":     int(t.Month()),
		"year":      t.Year(),
		"week":      wd,
		"hour":      t.Hour(),
		"minute":    t.Minute(),
		"second":    t.Second(),
		"ms":        t.Nanosecond() / 1000,
		"time":      clock,
		"fold":      0,
		"iso":       isoformat(t),
		"timezone":  t.Location().String(),
	}
}

// RegisterToday describes the Today plugin.
func RegisterToday() plugin.Plugin { return registerToday(time.Now) }

func registerToday(clock Clock) plugin.Plugin {
	return plugin.Plugin{
		New: func() plugin.Action { return &Today{clock: clock} },
		Spec: plugin.Spec{
			Module: tracardi + "time.today_action", ClassName: "TodayAction",
			Inputs: []string{"payload"}, Outputs: []string{"payload", "error"},
			Config: todaySpec, License: "MIT", Version: "1.0.0", Author: "Tracflow",
		},
		MetaData: plugin.MetaData{
			Name: "Today",
			Desc: "Returns the current date and time (day of the week, day, month, year, hour...) in UTC and in a time zone.",
			Type: "flowNode", Icon: "today", Group: []string{"Time"},
			Purpose: []string{"collection", "segmentation"},
			Documentation: &plugin.Documentation{
				Tutorial: "The current time is the time the event was collected. \"server\" describes it in UTC, " +
					"\"local\" in the time zone: {\"dayOfWeek\": \"monday\", \"day\", \"month\", \"year\", \"week\" " +
					"(ISO day of the week, 1 for Monday), \"hour\", \"minute\", \"second\", \"ms\" (microseconds), " +
					"\"time\", \"fold\", \"iso\", \"timezone\"}.\n\n" +
					"Differences from Tracardi: \"server\" is UTC rather than the server's own zone; a missing or " +
					"unknown time zone goes to the error port (Tracardi sends a message on payload or fails).",
				Inputs: map[string]plugin.PortDoc{"payload": {Desc: "Any object; the time zone may be in it (payload@...)."}},
				Outputs: map[string]plugin.PortDoc{
					"payload": {Desc: "{\"utcTime\", \"timestamp\", \"server\": {...}, \"local\": {...}}."},
					"error":   {Desc: "{\"message\": ...} when the time zone is missing or unknown."},
				},
			},
		},
	}
}

// Weekdays tells whether today is a weekend day.
type Weekdays struct {
	plugin.ActionRunner
	clock Clock
}

// Run sends the day on date.
func (a *Weekdays) Run(_ context.Context, _ plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	n := now(a.Event, a.clock).UTC()
	day := (int(n.Weekday())+6)%7 + 1
	return plugin.Port("date", plugin.Payload{"today": n.Weekday().String(), "weekend": day > 5, "day_number": day}), nil
}

// RegisterWeekdays describes the weekend check plugin.
func RegisterWeekdays() plugin.Plugin { return registerWeekdays(time.Now) }

func registerWeekdays(clock Clock) plugin.Plugin {
	return plugin.Plugin{
		New: func() plugin.Action { return &Weekdays{clock: clock} },
		Spec: plugin.Spec{
			Module: tracardi + "weekdays_checker_action", ClassName: "WeekDaysChecker",
			Inputs: []string{"payload"}, Outputs: []string{"date"},
			License: "MIT", Version: "1.0.0", Author: "Tracflow",
		},
		MetaData: plugin.MetaData{
			Name: "If its a weekend",
			Desc: "Returns today's day of the week and whether it is a weekend day.",
			Type: "flowNode", Icon: "calendar", Group: []string{"Time"},
			Purpose: []string{"collection", "segmentation"},
			Documentation: &plugin.Documentation{
				Tutorial: "Today is the UTC date of the time the event was collected. Saturday and Sunday are the weekend.\n\n" +
					"Differences from Tracardi: the day is taken in UTC rather than in the server's zone.",
				Inputs: map[string]plugin.PortDoc{"payload": {Desc: "Any object (not used)."}},
				Outputs: map[string]plugin.PortDoc{
					"date": {Desc: "{\"today\": \"Saturday\", \"weekend\": true, \"day_number\": 6}; day_number is 1 for Monday to 7 for Sunday."},
				},
			},
		},
	}
}
