package datetime

import (
	"context"
	"fmt"
	"time"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
)

var dayNightSpec = plugin.NewConfigSpec().
	Field(plugin.NewValueField("latitude").Name("Latitude").
		Description("A reference to the latitude, e.g. profile@data.devices.last.geo.latitude, or the latitude itself (-90 to 90).").
		Default("profile@data.devices.last.geo.latitude")).
	Field(plugin.NewValueField("longitude").Name("Longitude").
		Description("A reference to the longitude, e.g. profile@data.devices.last.geo.longitude, or the longitude itself (-180 to 180).").
		Default("profile@data.devices.last.geo.longitude"))

// DayNight splits the flow on whether the sun is up at a place.
type DayNight struct {
	plugin.ActionRunner
	clock    Clock
	lat, lng dotpath.Value
}

// SetUp reads where the coordinates are.
func (a *DayNight) SetUp(_ context.Context, c plugin.Config) error {
	cfg, err := dayNightSpec.Parse(c)
	if err != nil {
		return err
	}
	a.lat, a.lng = cfg.Value("latitude"), cfg.Value("longitude")
	return nil
}

func coordinate(v dotpath.Value, s *dotpath.Scope, what string, limit float64) (float64, error) {
	x, err := v.Resolve(s)
	if err != nil {
		return 0, fmt.Errorf("no %s at %s", what, v)
	}
	if str, ok := x.(string); ok {
		x = dotpath.Cast(str)
	}
	f, ok := dotpath.ToFloat(x)
	if !ok || x == nil {
		return 0, fmt.Errorf("the %s at %s is not a number: it is %s", what, v, dotpath.TypeName(x))
	}
	if f < -limit || f > limit {
		return 0, fmt.Errorf("the %s %v is out of range (-%v to %v)", what, f, limit, limit)
	}
	return f, nil
}

// Run sends the payload on day or night; without coordinates a message
// goes on error.
func (a *DayNight) Run(_ context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	s := a.Scope(payload)
	lat, err := coordinate(a.lat, s, "latitude", 90)
	if err != nil {
		return a.ErrorResult("No location available: "+err.Error()+".", "error"), nil
	}
	lng, err := coordinate(a.lng, s, "longitude", 180)
	if err != nil {
		return a.ErrorResult("No location available: "+err.Error()+".", "error"), nil
	}
	if isDay(now(a.Event, a.clock), lat, lng) {
		return plugin.Port("day", payload), nil
	}
	return plugin.Port("night", payload), nil
}

// RegisterDayNight describes the Day/Night plugin.
func RegisterDayNight() plugin.Plugin { return registerDayNight(time.Now) }

func registerDayNight(clock Clock) plugin.Plugin {
	return plugin.Plugin{
		New: func() plugin.Action { return &DayNight{clock: clock} },
		Spec: plugin.Spec{
			Module: tracardi + "time.day_night.plugin", ClassName: "DayNightAction",
			Inputs: []string{"payload"}, Outputs: []string{"day", "night", "error"},
			Config: dayNightSpec, License: "MIT", Version: "1.0.0", Author: "Tracflow",
		},
		MetaData: plugin.MetaData{
			Name: "Day/Night",
			Desc: "Splits the flow on whether it is day or night at a latitude and longitude.",
			Type: "flowNode", Icon: "dark-light", Group: []string{"Time"},
			Tags: []string{"condition"}, Purpose: []string{"collection", "segmentation"},
			Documentation: &plugin.Documentation{
				Tutorial: "Sunrise and sunset are computed with NOAA's solar equations (about a minute of error " +
					"away from the poles) for the time the event was collected. Where the sun does not set (polar " +
					"day) it is day; where it does not rise (polar night) it is night. Coordinates may be numbers " +
					"or numbers as text.\n\n" +
					"Differences from Tracardi: Tracardi passes the latitude and longitude swapped to its sun " +
					"calculation; here each is used as what it is. A latitude or longitude of 0 is a place " +
					"(Tracardi treats it as missing).",
				Inputs: map[string]plugin.PortDoc{"payload": {Desc: "Any object; the coordinates may be in it (payload@...)."}},
				Outputs: map[string]plugin.PortDoc{
					"day":   {Desc: "The input payload, when the sun is up at the place."},
					"night": {Desc: "The input payload, when the sun is down at the place."},
					"error": {Desc: "{\"message\": ...} when the latitude or longitude is missing or not a number."},
				},
			},
		},
	}
}
