package location

import (
	"context"
	"fmt"
	"strings"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
)

func coordinateFields(spec *plugin.ConfigSpec, id, what string) *plugin.ConfigSpec {
	return spec.
		Field(plugin.NewValueField(id + ".lat").Name(what + " latitude").
			Description("The latitude in degrees (-90 to 90), or a reference to it, e.g. profile@data.devices.last.geo.latitude.").
			Default(0)).
		Field(plugin.NewValueField(id + ".lng").Name(what + " longitude").
			Description("The longitude in degrees (-180 to 180), or a reference to it, e.g. profile@data.devices.last.geo.longitude.").
			Default(0))
}

// point is a coordinate pair whose parts may be references.
type point struct{ lat, lng dotpath.Value }

func readPoint(cfg *plugin.ParsedConfig, id string) point {
	return point{cfg.Value(id + ".lat"), cfg.Value(id + ".lng")}
}

// resolve reads the coordinates: numbers, or numbers as text.
func (p point) resolve(s *dotpath.Scope, id string) (lat, lng float64, err error) {
	if lat, err = coordinate(p.lat, s, id+".lat", 90); err != nil {
		return 0, 0, err
	}
	if lng, err = coordinate(p.lng, s, id+".lng", 180); err != nil {
		return 0, 0, err
	}
	return lat, lng, nil
}

func coordinate(v dotpath.Value, s *dotpath.Scope, field string, limit float64) (float64, error) {
	x, err := v.Resolve(s)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", field, err)
	}
	if str, ok := x.(string); ok {
		x = dotpath.Cast(strings.TrimSpace(str))
	}
	f, ok := dotpath.ToFloat(x)
	if !ok || x == nil {
		return 0, fmt.Errorf("%s: %s is not a number: it is %s", field, v, dotpath.TypeName(x))
	}
	if f < -limit || f > limit {
		return 0, fmt.Errorf("%s: %v is out of range (-%v to %v)", field, f, limit, limit)
	}
	return f, nil
}

var fenceSpec = coordinateFields(coordinateFields(plugin.NewConfigSpec(), "center_coordinate", "Center"),
	"test_coordinate", "Tested").
	Field(plugin.NewFloatField("radius").Name("Radius").
		Description("The radius of the fence in kilometres.").Default(1).Min(0))

// GeoFence tells whether a place is within a radius of a centre.
type GeoFence struct {
	plugin.ActionRunner
	center, test point
	radius       float64
}

// SetUp reads the centre, the tested place and the radius.
func (a *GeoFence) SetUp(_ context.Context, c plugin.Config) error {
	cfg, err := fenceSpec.Parse(c)
	if err != nil {
		return err
	}
	a.center, a.test, a.radius = readPoint(cfg, "center_coordinate"), readPoint(cfg, "test_coordinate"), cfg.Float("radius")
	return nil
}

// Run sends {"inside": bool}; coordinates that are missing or not numbers
// fail the node.
func (a *GeoFence) Run(_ context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	s := a.Scope(payload)
	lat1, lng1, err := a.center.resolve(s, "center_coordinate")
	if err != nil {
		return nil, err
	}
	lat2, lng2, err := a.test.resolve(s, "test_coordinate")
	if err != nil {
		return nil, err
	}
	return plugin.Port("payload", plugin.Payload{"inside": distanceKM(lat1, lng1, lat2, lng2) <= a.radius}), nil
}

// RegisterGeoFence describes the Geo fence plugin.
func RegisterGeoFence() plugin.Plugin {
	return plugin.Plugin{
		New: func() plugin.Action { return &GeoFence{} },
		Spec: plugin.Spec{
			Module: tracardi + "geo.fence.circular.plugin", ClassName: "CircularGeoFenceAction",
			Inputs: []string{"payload"}, Outputs: []string{"payload"},
			Config: fenceSpec, License: "MIT", Version: "1.0.0", Author: "Tracflow",
		},
		MetaData: plugin.MetaData{
			Name: "Geo fence",
			Desc: "Tells whether a place is within a radius (in kilometres) of a centre.",
			Type: "flowNode", Icon: "geo-fence", Group: []string{"Location"},
			Purpose: []string{"collection", "segmentation"},
			Documentation: &plugin.Documentation{
				Tutorial: "The distance is the geodesic on the WGS-84 ellipsoid (as GPS coordinates are given). " +
					"A place exactly on the circle is inside. Coordinates may be numbers, numbers as text, or " +
					"references; missing or out-of-range coordinates stop the flow with an error naming the field.\n\n" +
					"Differences from Tracardi: the centre may be a reference too.",
				Inputs: map[string]plugin.PortDoc{"payload": {Desc: "Any object; the coordinates may be in it (payload@...)."}},
				Outputs: map[string]plugin.PortDoc{
					"payload": {Desc: "{\"inside\": true} when the tested place is within the radius, {\"inside\": false} otherwise."},
				},
			},
		},
	}
}

var distanceSpec = coordinateFields(coordinateFields(plugin.NewConfigSpec(), "start_coordinate", "Start"),
	"end_coordinate", "End")

// GeoDistance measures the distance between two places.
type GeoDistance struct {
	plugin.ActionRunner
	start, end point
}

// SetUp reads the two places.
func (a *GeoDistance) SetUp(_ context.Context, c plugin.Config) error {
	cfg, err := distanceSpec.Parse(c)
	if err != nil {
		return err
	}
	a.start, a.end = readPoint(cfg, "start_coordinate"), readPoint(cfg, "end_coordinate")
	return nil
}

// Run sends {"distance": km}; coordinates that are missing or not numbers
// fail the node.
func (a *GeoDistance) Run(_ context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	s := a.Scope(payload)
	lat1, lng1, err := a.start.resolve(s, "start_coordinate")
	if err != nil {
		return nil, err
	}
	lat2, lng2, err := a.end.resolve(s, "end_coordinate")
	if err != nil {
		return nil, err
	}
	return plugin.Port("payload", plugin.Payload{"distance": distanceKM(lat1, lng1, lat2, lng2)}), nil
}

// RegisterGeoDistance describes the Geo distance plugin.
func RegisterGeoDistance() plugin.Plugin {
	return plugin.Plugin{
		New: func() plugin.Action { return &GeoDistance{} },
		Spec: plugin.Spec{
			Module: tracardi + "geo.distance.plugin", ClassName: "GeoDistanceAction",
			Inputs: []string{"payload"}, Outputs: []string{"payload"},
			Config: distanceSpec, License: "MIT", Version: "1.0.0", Author: "Tracflow",
		},
		MetaData: plugin.MetaData{
			Name: "Geo distance",
			Desc: "Returns the distance in kilometres between two places.",
			Type: "flowNode", Icon: "path", Group: []string{"Location"},
			Purpose: []string{"collection", "segmentation"},
			Documentation: &plugin.Documentation{
				Tutorial: "The distance is the geodesic on the WGS-84 ellipsoid, in kilometres. Coordinates may be " +
					"numbers, numbers as text, or references; missing or out-of-range coordinates stop the flow with " +
					"an error naming the field.\n\nDifferences from Tracardi: the start may be a reference too.",
				Inputs: map[string]plugin.PortDoc{"payload": {Desc: "Any object; the coordinates may be in it (payload@...)."}},
				Outputs: map[string]plugin.PortDoc{
					"payload": {Desc: "{\"distance\": 1234.5}: the distance in kilometres."},
				},
			},
		},
	}
}
