package location

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
	"github.com/tracflow/tracflow/plugin/geoip/geoiptest"
	"github.com/tracflow/tracflow/plugin/plugintest"
)

func TestDistanceKM(t *testing.T) {
	cases := []struct {
		name                   string
		lat1, lng1, lat2, lng2 float64
		want, tol              float64
	}{
		// Vincenty's own test line (Flinders Peak to Buninyong): 54972.271 m.
		{"Flinders Peak-Buninyong", -(37 + 57/60.0 + 3.72030/3600), 144 + 25/60.0 + 29.52440/3600,
			-(37 + 39/60.0 + 10.15610/3600), 143 + 55/60.0 + 35.38390/3600, 54.972271, 1e-6},
		// geopy's documented geodesic, Newport RI to Cleveland OH: 538.39044536 miles.
		{"Newport-Cleveland", 41.49008, -71.312796, 41.499498, -81.695391, 538.39044536 * 1.609344, 1e-5},
		{"same place", 52.1, 21.0, 52.1, 21.0, 0, 0},
		// Equatorial antipodes: the geodesic runs over a pole, 20003.93 km;
		// the spherical fallback is within 0.5%.
		{"antipodes", 0, 0, 0, 180, 20003.93, 100},
	}
	for _, c := range cases {
		got := distanceKM(c.lat1, c.lng1, c.lat2, c.lng2)
		if math.Abs(got-c.want) > c.tol || math.IsNaN(got) {
			t.Errorf("%s: %v km, want %v ± %v", c.name, got, c.want, c.tol)
		}
	}
}

func TestGeoFence(t *testing.T) {
	warsaw := map[string]any{"lat": 52.2297, "lng": 21.0122}
	cases := []struct {
		name   string
		radius any
		test   map[string]any
		inside bool
	}{
		{"Krakow within 260 km", 260, map[string]any{"lat": "payload@lat", "lng": "payload@lng"}, true},
		{"Krakow outside 250 km", "250", map[string]any{"lat": "payload@lat", "lng": "payload@lng"}, false},
		{"the centre itself", 0, map[string]any{"lat": "52.2297", "lng": 21.0122}, true},
	}
	for _, c := range cases {
		out := plugintest.Run(t, RegisterGeoFence(), plugintest.Case{
			Config:  plugin.Config{"center_coordinate": warsaw, "test_coordinate": c.test, "radius": c.radius},
			Payload: plugin.Payload{"lat": 50.0647, "lng": 19.9450}, // Kraków, 252 km away
		})
		if got := out.MustPort(t, "payload"); got["inside"] != c.inside {
			t.Errorf("%s: %v", c.name, got)
		}
	}
	out := plugintest.Run(t, RegisterGeoFence(), plugintest.Case{
		Config: plugin.Config{"center_coordinate": warsaw, "test_coordinate": map[string]any{"lat": "profile@geo.lat", "lng": 1}, "radius": 1},
	})
	if out.Err == nil || !strings.Contains(out.Err.Error(), "test_coordinate.lat") {
		t.Errorf("missing coordinate: err = %v", out.Err)
	}
	plugintest.SetUpFails(t, RegisterGeoFence(), plugin.Config{"center_coordinate": warsaw, "test_coordinate": warsaw, "radius": "far"}, "radius")
}

func TestGeoDistance(t *testing.T) {
	out := plugintest.Run(t, RegisterGeoDistance(), plugintest.Case{
		Config: plugin.Config{"start_coordinate": map[string]any{"lat": 41.49008, "lng": -71.312796},
			"end_coordinate": map[string]any{"lat": "event@properties.lat", "lng": "event@properties.lng"}},
		Event: plugin.Event{"type": "x", "properties": map[string]any{"lat": "41.499498", "lng": -81.695391}},
	})
	got, _ := out.MustPort(t, "payload")["distance"].(float64)
	if math.Abs(got-866.4554) > 0.001 {
		t.Errorf("distance = %v", got)
	}
	for _, end := range []map[string]any{{"lat": 91, "lng": 0}, {"lat": 0, "lng": "east"}} {
		out := plugintest.Run(t, RegisterGeoDistance(), plugintest.Case{Config: plugin.Config{"start_coordinate": map[string]any{"lat": 0, "lng": 0}, "end_coordinate": end}})
		if out.Err == nil || !strings.Contains(out.Err.Error(), "end_coordinate") {
			t.Errorf("%v: err = %v", end, out.Err)
		}
	}
}

func TestGeoIP(t *testing.T) {
	db := geoiptest.CityDB(t)
	warsaw := plugin.Payload{
		"city": "Warsaw", "country": map[string]any{"name": "Poland", "code": "PL"}, "county": "Warsaw County",
		"postal": "00-001", "latitude": 52.2297, "longitude": 21.0122, "location": []any{21.0122, 52.2297},
	}
	cases := []struct {
		name string
		ip   any
		want plugin.Payload
	}{
		{"IPv4", "89.64.12.34", warsaw},
		{"forwarded list", " 89.64.1.1, 10.0.0.1", warsaw},
		{"IPv4-mapped", "::ffff:89.64.1.1", warsaw},
		{"IPv6, country only", "2a02:a0ff::1", plugin.Payload{"city": nil, "country": map[string]any{"name": "Germany", "code": "DE"},
			"county": nil, "postal": nil, "latitude": nil, "longitude": nil, "location": nil}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			profile := plugin.Profile{"id": "p"}
			out := plugintest.Run(t, RegisterGeoIP(), plugintest.Case{
				Config:  plugin.Config{"source": map[string]any{"id": nil, "name": nil}, "database": db, "ip": "event@request.headers.x-forwarded-for", "add_to_profile": true},
				Event:   plugin.Event{"type": "x", "request": map[string]any{"headers": map[string]any{"x-forwarded-for": c.ip}}},
				Profile: profile,
			})
			got := out.MustPort(t, "location")
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("location = %#v\nwant %#v", got, c.want)
			}
			geo := dotpath.At(profile, "data.devices.last.geo")
			if !reflect.DeepEqual(geo, map[string]any(c.want)) {
				t.Errorf("profile geo = %v", geo)
			}
			if out.State.ProfileFlag() != plugin.SaveForced {
				t.Error("profile not marked for update")
			}
		})
	}
	for ip, msg := range map[any]string{"192.0.2.1": "not in the GeoIP database", "not-an-ip": "not an IP address", 5.0: "must be text"} {
		out := plugintest.Run(t, RegisterGeoIP(), plugintest.Case{
			Config: plugin.Config{"database": db, "ip": "payload@ip"}, Payload: plugin.Payload{"ip": ip},
		})
		got := out.MustPort(t, "error")
		if e, _ := got["error"].(string); !strings.Contains(e, msg) || got["payload"].(plugin.Payload)["ip"] != ip {
			t.Errorf("%v: error = %v", ip, got)
		}
	}
	plugintest.SetUpFails(t, RegisterGeoIP(), plugin.Config{"database": db + ".missing", "ip": "1.2.3.4"}, "database")
}

func TestGeoIPDatabaseFromEnvAndResource(t *testing.T) {
	db := geoiptest.CityDB(t)
	notDB := filepath.Join(t.TempDir(), "not.mmdb")
	if err := os.WriteFile(notDB, []byte("not a database"), 0o600); err != nil {
		t.Fatal(err)
	}
	res := resources{"geo": {"database": db}, "tracardi": {"accountId": 123.0, "license": "test"}}
	cases := []struct {
		name   string
		env    string
		source any
		res    plugin.Resources
		want   string // the city, or a part of the error
	}{
		// Tracardi's test config: a resource that names no database, no env:
		// the set-up passes, the run says what is missing.
		{"tracardi test config", "", map[string]any{"id": "1", "name": "Some value"}, nil, "resource 1: no resources are available here"},
		{"nothing", "", nil, nil, DatabaseEnv},
		{"env", db, nil, nil, "Warsaw"},
		{"resource", "", map[string]any{"id": "geo"}, res, "Warsaw"},
		{"resource without a database, env", db, map[string]any{"id": "tracardi"}, res, "Warsaw"},
		{"resource without a database, no env", "", map[string]any{"id": "tracardi"}, res, "names no database file"},
		{"missing resource", "", map[string]any{"id": "gone"}, res, "resource gone: no such resource"},
		{"resource not an mmdb", "", map[string]any{"id": "bad"}, resources{"bad": {"database": notDB}}, "can not open"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv(DatabaseEnv, c.env)
			config := plugin.Config{"ip": "89.64.0.1"}
			if c.source != nil {
				config["source"] = c.source
			}
			out := plugintest.Run(t, RegisterGeoIP(), plugintest.Case{Config: config, Resources: c.res})
			if c.want == "Warsaw" {
				if got := out.MustPort(t, "location"); got["city"] != "Warsaw" {
					t.Errorf("location = %v", got)
				}
				return
			}
			if e, _ := out.MustPort(t, "error")["error"].(string); !strings.Contains(e, c.want) {
				t.Errorf("error = %q, want %q", e, c.want)
			}
		})
	}
}

type resources map[string]map[string]any

func (r resources) Credentials(_ context.Context, id string) (map[string]any, error) {
	c, ok := r[id]
	if !ok {
		return nil, errors.New("no such resource")
	}
	return c, nil
}
