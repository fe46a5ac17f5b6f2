package location

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"strings"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
	"github.com/tracflow/tracflow/plugin/geoip"
)

// DatabaseEnv names the environment variable holding the path of the
// GeoLite2/GeoIP2 City database the GeoIP plugin reads when neither its
// config nor its resource names one.
const DatabaseEnv = geoip.DatabaseEnv

var geoIPSpec = plugin.NewConfigSpec().
	Field(plugin.NewObjectField("source").Name("GeoIP database resource").
		Description("A geo-locator resource whose credentials name the database file as {\"database\": \"/path/GeoLite2-City.mmdb\"}. Optional when the database field or "+DatabaseEnv+" names the file.").
		Default(map[string]any{"id": nil, "name": nil}).
		Component("resource", map[string]any{"label": "resource", "tag": "geo-locator"})).
	Field(plugin.NewStringField("database").Name("Database file").
		Description("The path of a MaxMind GeoLite2 or GeoIP2 City database (.mmdb) on the server. Empty: the resource's, or " + DatabaseEnv + ".")).
	Field(plugin.NewValueField("ip").Name("Path to ip").
		Description("A reference to the IP address, e.g. event@request.headers.x-forwarded-for, or an address itself.").
		Default("event@request.headers.x-forwarded-for").Prop("label", "IP address")).
	Field(plugin.NewBoolField("add_to_profile").Name("Add location to profile").
		Description("Also store the location as the profile's last device location (profile@data.devices.last.geo).").
		Default(false).Prop("label", "Add to profile"))

// GeoIP finds where an IP address is, in a MaxMind City database.
type GeoIP struct {
	plugin.ActionRunner
	ip       dotpath.Value
	resource string
	toProf   bool
	// db is the open database; for a resource's database it is opened at
	// the first run (resources are read at run time).
	db     *geoip.DB
	dbPath string
	dbErr  error
}

// SetUp reads the config and opens the database it (or the environment)
// names.
func (a *GeoIP) SetUp(_ context.Context, c plugin.Config) error {
	cfg, err := geoIPSpec.Parse(c)
	if err != nil {
		return err
	}
	a.ip, a.toProf = cfg.Value("ip"), cfg.Bool("add_to_profile")
	if id, ok := cfg.Object("source")["id"].(string); ok {
		a.resource = strings.TrimSpace(id)
	}
	if path := strings.TrimSpace(cfg.String("database")); path != "" {
		db, err := geoip.Open(path)
		if err != nil {
			return plugin.FieldErr("database", "%v", err)
		}
		a.db, a.dbPath = db, path
		return nil
	}
	if a.resource == "" {
		if path := os.Getenv(DatabaseEnv); path != "" {
			db, err := geoip.Open(path)
			if err != nil {
				return fmt.Errorf("%s: %w", DatabaseEnv, err)
			}
			a.db, a.dbPath = db, path
		}
	}
	return nil
}

// Close closes the database.
func (a *GeoIP) Close(context.Context) error {
	if a.db != nil {
		return a.db.Close()
	}
	return nil
}

// database returns the open database, opening at the first run the one
// the resource's credentials name or, failing that, the one DatabaseEnv
// names (so flows imported from Tracardi, whose resource holds web service
// credentials, work with a server-wide file).
func (a *GeoIP) database(ctx context.Context) (*geoip.DB, error) {
	if a.db != nil || a.dbErr != nil {
		return a.db, a.dbErr
	}
	path, why := "", ""
	if a.resource != "" {
		switch creds, err := a.resourceCredentials(ctx); {
		case err != nil:
			why = fmt.Sprintf("resource %s: %v", a.resource, err)
		default:
			path, _ = creds["database"].(string)
			if path == "" {
				path, _ = creds["path"].(string)
			}
			if path == "" {
				why = fmt.Sprintf("resource %s names no database file (its credentials need {\"database\": \"/path/GeoLite2-City.mmdb\"})", a.resource)
			}
		}
	}
	if path == "" {
		path = os.Getenv(DatabaseEnv)
	}
	if path == "" {
		if why == "" {
			why = "no GeoIP database"
		}
		return nil, errors.New(why + "; set the plugin's database field, a geo-locator resource's database, or " + DatabaseEnv)
	}
	db, err := geoip.Open(path)
	if err != nil {
		a.dbErr = err
		return nil, a.dbErr
	}
	a.db, a.dbPath = db, path
	return db, nil
}

func (a *GeoIP) resourceCredentials(ctx context.Context) (map[string]any, error) {
	if a.Resources == nil {
		return nil, errors.New("no resources are available here")
	}
	return a.Resources.Credentials(ctx, a.resource)
}

// parseIP reads an address; of a list such as X-Forwarded-For's
// "client, proxy1, proxy2" it takes the first (the client).
func parseIP(v any) (netip.Addr, error) {
	s, ok := v.(string)
	if !ok {
		return netip.Addr{}, fmt.Errorf("the IP address must be text, got %s", dotpath.TypeName(v))
	}
	return geoip.ParseAddr(s)
}

func (a *GeoIP) fail(payload plugin.Payload, err error) plugin.Results {
	a.Console.Error("%v", err)
	return plugin.Port("error", plugin.Payload{"payload": payload, "error": err.Error()})
}

// Run looks the address up and sends the location, or the problem on error.
func (a *GeoIP) Run(ctx context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	v, err := a.ip.Resolve(a.Scope(payload))
	if err != nil {
		return a.fail(payload, fmt.Errorf("IP address %s: %w", a.ip, err)), nil
	}
	addr, err := parseIP(v)
	if err != nil {
		return a.fail(payload, err), nil
	}
	db, err := a.database(ctx)
	if err != nil {
		return a.fail(payload, err), nil
	}
	loc, err := db.Lookup(addr)
	if err != nil {
		return a.fail(payload, err), nil
	}
	out := plugin.Payload(loc.Fields)
	if a.toProf {
		if a.Profile == nil {
			a.Console.Warning("Location not added to the profile: this event has no profile.")
		} else {
			if err := a.Scope(payload).Set(dotpath.MustRef("profile@data.devices.last.geo"), dotpath.DeepCopy(map[string]any(out))); err != nil {
				return a.fail(payload, err), nil
			}
			a.UpdateProfile()
		}
	}
	return plugin.Port("location", out), nil
}

// RegisterGeoIP describes the GeoIP plugin.
func RegisterGeoIP() plugin.Plugin {
	return plugin.Plugin{
		New: func() plugin.Action { return &GeoIP{} },
		Spec: plugin.Spec{
			Module: tracardi + "connectors.maxmind.geoip.plugin", ClassName: "GeoIPAction",
			Inputs: []string{"payload"}, Outputs: []string{"location", "error"},
			Config: geoIPSpec, License: "MIT", Version: "1.0.0", Author: "Tracflow",
		},
		MetaData: plugin.MetaData{
			Name: "GeoIp service", Brand: "MaxMind",
			Desc: "Finds the country, city, postal code and coordinates of an IP address.",
			Type: "flowNode", Icon: "location", Group: []string{"Location"},
			Purpose: []string{"collection", "segmentation"},
			Documentation: &plugin.Documentation{
				Tutorial: "The address is looked up in a MaxMind GeoLite2 or GeoIP2 City database file on the server " +
					"(download GeoLite2-City.mmdb from MaxMind with a free account, and keep it updated, e.g. with " +
					"geoipupdate). The file is, in order: the plugin's database field, the database named by the " +
					"selected geo-locator resource's credentials ({\"database\": \"/path/GeoLite2-City.mmdb\"}), or " +
					"the " + DatabaseEnv + " environment variable (also used when the resource names no file, as with a " +
					"resource imported from Tracardi). Of an address list such as X-Forwarded-For's " +
					"\"client, proxy\" the first address is looked up. Names are the English ones.\n\n" +
					"Differences from Tracardi: Tracardi calls MaxMind's web service with the resource's account " +
					"id and licence key; Tracflow reads a local database, so lookups cost no request and no " +
					"query quota. The answer has the same shape.",
				Inputs: map[string]plugin.PortDoc{"payload": {Desc: "Any object; the address may be in it (payload@...)."}},
				Outputs: map[string]plugin.PortDoc{
					"location": {Desc: "{\"city\", \"country\": {\"name\", \"code\"}, \"county\", \"postal\", \"latitude\", \"longitude\", \"location\": [longitude, latitude]}; unknown parts are null."},
					"error":    {Desc: "{\"payload\": the input payload, \"error\": message} when the address is missing, not an address, not in the database, or there is no database."},
				},
			},
		},
	}
}
