// Package geoip reads MaxMind GeoLite2/GeoIP2 City databases (.mmdb): the
// one reader the GeoIp service plugin, other plugins and the collector's session
// enrichment use.
package geoip

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"

	"github.com/oschwald/maxminddb-golang/v2"
)

// DatabaseEnv names the environment variable holding the path of the City
// database the server and the GeoIp plugin read by default.
const DatabaseEnv = "TRACFLOW_GEOIP_DB"

// ErrNotFound is an address the database has no record of.
var ErrNotFound = errors.New("the address is not in the GeoIP database")

// DB is an open City database, safe for concurrent lookups.
type DB struct {
	r    *maxminddb.Reader
	path string
}

// Open opens the City database at path.
func Open(path string) (*DB, error) {
	r, err := maxminddb.Open(path)
	if err != nil {
		return nil, fmt.Errorf("can not open the GeoIP database %s: %w", path, err)
	}
	return &DB{r: r, path: path}, nil
}

// Path is the file the database was opened from.
func (d *DB) Path() string { return d.path }

// Close closes the database.
func (d *DB) Close() error { return d.r.Close() }

// cityRecord is the part of a City database record that is reported.
type cityRecord struct {
	City struct {
		Names map[string]string `maxminddb:"names"`
	} `maxminddb:"city"`
	Country struct {
		ISOCode string            `maxminddb:"iso_code"`
		Names   map[string]string `maxminddb:"names"`
	} `maxminddb:"country"`
	Subdivisions []struct {
		Names map[string]string `maxminddb:"names"`
	} `maxminddb:"subdivisions"`
	Postal struct {
		Code string `maxminddb:"code"`
	} `maxminddb:"postal"`
	Location struct {
		Latitude  *float64 `maxminddb:"latitude"`
		Longitude *float64 `maxminddb:"longitude"`
		TimeZone  string   `maxminddb:"time_zone"`
	} `maxminddb:"location"`
}

// Location is what a City database knows of an address, in Tracardi's
// shape of a geo location ({"city", "country": {"name", "code"}, "county",
// "postal", "latitude", "longitude", "location": [longitude, latitude]});
// unknown parts are nil. TimeZone is the IANA zone, "" when unknown.
type Location struct {
	Fields   map[string]any
	TimeZone string
}

// Lookup finds addr (ErrNotFound when the database has no record of it).
// Names are the English ones.
func (d *DB) Lookup(addr netip.Addr) (Location, error) {
	addr = addr.Unmap()
	res := d.r.Lookup(addr)
	if err := res.Err(); err != nil {
		return Location{}, fmt.Errorf("GeoIP lookup of %s: %w", addr, err)
	}
	if !res.Found() {
		return Location{}, fmt.Errorf("%w: %s", ErrNotFound, addr)
	}
	var rec cityRecord
	if err := res.Decode(&rec); err != nil {
		return Location{}, fmt.Errorf("GeoIP record of %s: %w", addr, err)
	}
	var county string
	if n := len(rec.Subdivisions); n > 0 {
		county = rec.Subdivisions[n-1].Names["en"] // the most specific
	}
	out := map[string]any{
		"city":      orNil(rec.City.Names["en"]),
		"country":   map[string]any{"name": orNil(rec.Country.Names["en"]), "code": orNil(rec.Country.ISOCode)},
		"county":    orNil(county),
		"postal":    orNil(rec.Postal.Code),
		"latitude":  nil,
		"longitude": nil,
		"location":  nil,
	}
	if lat, lng := rec.Location.Latitude, rec.Location.Longitude; lat != nil && lng != nil {
		out["latitude"], out["longitude"] = *lat, *lng
		out["location"] = []any{*lng, *lat}
	}
	return Location{Fields: out, TimeZone: rec.Location.TimeZone}, nil
}

func orNil(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// ParseAddr reads an address; of a list such as X-Forwarded-For's
// "client, proxy1, proxy2" it takes the first (the client).
func ParseAddr(s string) (netip.Addr, error) {
	first, _, _ := strings.Cut(s, ",")
	first = strings.TrimSpace(first)
	addr, err := netip.ParseAddr(first)
	if err != nil {
		return netip.Addr{}, fmt.Errorf("%q is not an IP address", first)
	}
	return addr.Unmap(), nil
}
