// Package geoiptest writes small MaxMind DB (City) files for tests.
package geoiptest

import (
	"bytes"
	"encoding/binary"
	"math"
	"net/netip"
	"os"
	"path/filepath"
	"sort"
	"testing"
)

// A small writer of MaxMind DB files (format 2.0, as documented at
// maxmind.github.io/MaxMind-DB), enough to build City databases for tests:
// an IPv6 search tree with 24-bit records (IPv4 networks live under
// ::/96, as in MaxMind's databases) and a data section of maps, strings,
// doubles, unsigned integers and arrays.

type mmdbNode struct {
	child [2]*mmdbNode
	data  int
} // data: -1 none, else index

// Network is one network of a test database and its record.
type Network struct {
	Prefix netip.Prefix
	Record map[string]any
}

// Write writes a City database of networks into a temporary folder of t
// and answers its path.
func Write(t testing.TB, networks []Network) string {
	t.Helper()
	root := &mmdbNode{data: -1}
	var data bytes.Buffer
	offsets := make([]int, len(networks))
	for i, n := range networks {
		offsets[i] = data.Len()
		encodeMMDB(&data, n.Record)
		p := n.Prefix
		addr, bits := p.Addr(), p.Bits()
		if addr.Is4() {
			addr, bits = netip.AddrFrom16(addr.As16()), bits+96
			a := addr.As16()
			a[10], a[11] = 0, 0 // ::a.b.c.d, not ::ffff:a.b.c.d
			addr = netip.AddrFrom16(a)
		}
		ip := addr.As16()
		cur := root
		for b := 0; b < bits; b++ {
			bit := (ip[b/8] >> (7 - b%8)) & 1
			if cur.child[bit] == nil {
				cur.child[bit] = &mmdbNode{data: -1}
			}
			cur = cur.child[bit]
		}
		cur.data = i
	}
	// Number the inner nodes breadth first.
	var nodes []*mmdbNode
	index := map[*mmdbNode]int{}
	queue := []*mmdbNode{root}
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		if n.data >= 0 {
			continue
		}
		index[n] = len(nodes)
		nodes = append(nodes, n)
		for _, c := range n.child {
			if c != nil {
				queue = append(queue, c)
			}
		}
	}
	count := len(nodes)
	record := func(c *mmdbNode) int {
		switch {
		case c == nil:
			return count // no data
		case c.data >= 0:
			return count + 16 + offsets[c.data]
		}
		return index[c]
	}
	var out bytes.Buffer
	for _, n := range nodes {
		for _, c := range n.child {
			r := record(c)
			out.Write([]byte{byte(r >> 16), byte(r >> 8), byte(r)})
		}
	}
	out.Write(make([]byte, 16))
	out.Write(data.Bytes())
	out.WriteString("\xab\xcd\xefMaxMind.com")
	encodeMMDB(&out, map[string]any{
		"node_count": uint32(count), "record_size": uint16(24), "ip_version": uint16(6),
		"database_type": "GeoLite2-City", "languages": []any{"en"},
		"binary_format_major_version": uint16(2), "binary_format_minor_version": uint16(0),
		"build_epoch": uint64(1710000000), "description": map[string]any{"en": "Tracflow test City database"},
	})
	path := filepath.Join(t.TempDir(), "City.mmdb")
	if err := os.WriteFile(path, out.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func mmdbControl(w *bytes.Buffer, typ, size int) {
	var ctl byte
	ext := typ > 7
	if !ext {
		ctl = byte(typ) << 5
	}
	var extra []byte
	switch {
	case size < 29:
		ctl |= byte(size)
	case size < 285:
		ctl |= 29
		extra = []byte{byte(size - 29)}
	default:
		ctl |= 30
		s := size - 285
		extra = []byte{byte(s >> 8), byte(s)}
	}
	w.WriteByte(ctl)
	if ext {
		w.WriteByte(byte(typ - 7))
	}
	w.Write(extra)
}

func mmdbUint(w *bytes.Buffer, typ int, v uint64) {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], v)
	i := 0
	for i < 8 && b[i] == 0 {
		i++
	}
	mmdbControl(w, typ, 8-i)
	w.Write(b[i:])
}

func encodeMMDB(w *bytes.Buffer, v any) {
	switch x := v.(type) {
	case string:
		mmdbControl(w, 2, len(x))
		w.WriteString(x)
	case float64:
		mmdbControl(w, 3, 8)
		var b [8]byte
		binary.BigEndian.PutUint64(b[:], math.Float64bits(x))
		w.Write(b[:])
	case uint16:
		mmdbUint(w, 5, uint64(x))
	case uint32:
		mmdbUint(w, 6, uint64(x))
	case uint64:
		mmdbUint(w, 9, x)
	case map[string]any:
		mmdbControl(w, 7, len(x))
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			encodeMMDB(w, k)
			encodeMMDB(w, x[k])
		}
	case []any:
		mmdbControl(w, 11, len(x))
		for _, e := range x {
			encodeMMDB(w, e)
		}
	default:
		panic("mmdb: cannot encode value")
	}
}

// Names is a record part with English (and German) names.
func Names(en string) map[string]any {
	return map[string]any{"names": map[string]any{"en": en, "de": en + "-de"}}
}

// CityDB writes a City database with Warsaw at 89.64.0.0/16, a
// country-only record at 2a02:a000::/24 and a city without coordinates at
// 10.1.0.0/16.
func CityDB(t testing.TB) string {
	warsaw := map[string]any{
		"city":         Names("Warsaw"),
		"country":      map[string]any{"iso_code": "PL", "names": map[string]any{"en": "Poland"}},
		"subdivisions": []any{Names("Mazovia"), Names("Warsaw County")},
		"postal":       map[string]any{"code": "00-001"},
		"location":     map[string]any{"latitude": 52.2297, "longitude": 21.0122, "time_zone": "Europe/Warsaw", "accuracy_radius": uint16(20)},
	}
	return Write(t, []Network{
		{netip.MustParsePrefix("89.64.0.0/16"), warsaw},
		{netip.MustParsePrefix("2a02:a000::/24"), map[string]any{"country": map[string]any{"iso_code": "DE", "names": map[string]any{"en": "Germany"}}}},
		{netip.MustParsePrefix("10.1.0.0/16"), map[string]any{"city": Names("Nowhere")}},
	})
}
