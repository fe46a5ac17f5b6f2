package storetest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tracflow/tracflow/internal/store"
)

// queryTests check Select and Histogram (store.Querier).
var queryTests = []struct {
	name string
	f    func(t *testing.T, st store.Store)
}{
	{"SelectAll", testSelectAll},
	{"SelectFilter", testSelectFilter},
	{"SelectFilterPaths", testSelectFilterPaths},
	{"SelectSortByDocument", testSelectSortByDocument},
	{"SelectEqualAndRange", testSelectEqualAndRange},
	{"SelectProfilesAndSessions", testSelectProfilesAndSessions},
	{"SelectBadQueries", testSelectBadQueries},
	{"SelectAfter", testSelectAfter},
	{"Histogram", testHistogram},
}

// qbase is the insert time of the query fixtures' first event.
var qbase = time.Date(2024, 6, 1, 10, 0, 0, 0, time.UTC)

// queryFixture stores 12 events, e00..e11, one every 10 minutes from qbase:
// types cycle page-view, purchase, login; properties.value is i*10 except
// that e03 has none and e07 has a string; two events share an insert time.
func queryFixture(t *testing.T, st store.Store) {
	t.Helper()
	types := []string{"page-view", "purchase", "login"}
	var evs []store.Doc
	for i := 0; i < 12; i++ {
		at := qbase.Add(time.Duration(i) * 10 * time.Minute)
		if i == 5 {
			at = qbase.Add(40 * time.Minute) // same time as e04
		}
		ev := eventDoc(fmt.Sprintf("e%02d", i), types[i%3], fmt.Sprintf("p%d", i%2), "s1", at.Format(time.RFC3339Nano))
		props := ev["properties"].(map[string]any)
		props["value"] = float64(i * 10)
		props["items"] = []any{map[string]any{"sku": fmt.Sprintf("sku-%d", i%4)}}
		props["first name"] = []string{"Ann", "Bob"}[i%2]
		props["a.b"] = i % 2
		props[`say "hi"`] = i
		switch i {
		case 3:
			delete(props, "value")
		case 7:
			props["value"] = "seventy"
		}
		if i == 11 {
			ev["source"] = map[string]any{"id": "src-2"}
		}
		evs = append(evs, ev)
	}
	apply(t, st, &store.ChangeSet{Events: evs})
}

func sel(t *testing.T, st store.Store, q *store.Query) *store.Page {
	t.Helper()
	p, err := st.Select(ctx(t), q)
	if err != nil {
		t.Fatalf("Select: %v", err)
	}
	return p
}

func wantIDs(t *testing.T, what string, p *store.Page, total int, want ...string) {
	t.Helper()
	got := ids(p.Docs)
	if p.Total != total || strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("%s: total %d, ids %v; want total %d, ids %v", what, p.Total, got, total, want)
	}
}

// always is a filter that keeps everything: it forces the scan path, which
// must agree with the database's own sort and paging.
var always = &store.Filter{Fields: [][]string{{"type"}}, Match: func(store.Doc) bool { return true }}

func testSelectAll(t *testing.T, st store.Store) {
	queryFixture(t, st)
	for _, f := range []*store.Filter{nil, always} {
		name := "database"
		if f != nil {
			name = "scan"
		}
		// Default order: newest first, equal times by id, descending.
		p := sel(t, st, &store.Query{Kind: store.KindEvent, Filter: f, Limit: 5})
		wantIDs(t, name+" newest first", p, 12, "e11", "e10", "e09", "e08", "e07")
		p = sel(t, st, &store.Query{Kind: store.KindEvent, Filter: f, Limit: 3, Offset: 6})
		wantIDs(t, name+" third page", p, 12, "e05", "e04", "e03")
		p = sel(t, st, &store.Query{Kind: store.KindEvent, Filter: f, Sort: []store.Sort{{Field: []string{"metadata", "time", "insert"}}}, Limit: 6})
		wantIDs(t, name+" oldest first", p, 12, "e00", "e01", "e02", "e03", "e04", "e05")
		p = sel(t, st, &store.Query{Kind: store.KindEvent, Filter: f, Offset: 100, Limit: 10})
		wantIDs(t, name+" past the end", p, 12)
		p = sel(t, st, &store.Query{Kind: store.KindEvent, Filter: f, Offset: 10})
		wantIDs(t, name+" no limit", p, 12, "e01", "e00")
		// By a text column, then time.
		p = sel(t, st, &store.Query{Kind: store.KindEvent, Filter: f, Limit: 5, Sort: []store.Sort{
			{Field: []string{"type"}}, {Field: []string{"metadata", "time", "insert"}, Desc: true}}})
		wantIDs(t, name+" by type", p, 12, "e11", "e08", "e05", "e02", "e09")
		same(t, name+" whole document", p.Docs[0], st2doc(t, st, "e11"))
	}
	p := sel(t, st, &store.Query{Kind: store.KindSession})
	wantIDs(t, "no sessions", p, 0)
	if p.Docs == nil {
		t.Error("Docs is nil for no result; want an empty list (it is answered as JSON)")
	}
}

func st2doc(t *testing.T, st store.Store, id string) store.Doc {
	t.Helper()
	d, err := st.Event(ctx(t), id)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func testSelectFilter(t *testing.T, st store.Store) {
	queryFixture(t, st)
	var seen []store.Doc
	f := &store.Filter{
		Fields: [][]string{{"type"}, {"properties", "value"}},
		Match: func(d store.Doc) bool {
			seen = append(seen, d)
			props, _ := d["properties"].(map[string]any)
			v, ok := props["value"].(float64)
			return d["type"] == "purchase" && ok && v >= 40
		},
	}
	p := sel(t, st, &store.Query{Kind: store.KindEvent, Filter: f, Limit: 2})
	wantIDs(t, "purchases of 40 or more", p, 2, "e10", "e04")
	if len(seen) != 12 {
		t.Fatalf("Match saw %d records, want 12", len(seen))
	}
	withValue := 0
	for _, d := range seen {
		if _, ok := d["type"].(string); !ok {
			t.Fatalf("Match got %v: the type it reads is missing", d)
		}
		// A field the record lacks is missing (not null) in the document.
		if props, ok := d["properties"].(map[string]any); ok {
			if _, has := props["value"]; has {
				withValue++
			}
		}
	}
	if withValue != 11 {
		t.Fatalf("%d partial documents hold properties.value; want 11 (all but e03)", withValue)
	}
	// Sorted by the document's value; the page holds whole documents.
	p = sel(t, st, &store.Query{Kind: store.KindEvent, Filter: f, Sort: []store.Sort{{Field: []string{"properties", "value"}}}})
	wantIDs(t, "by value", p, 2, "e04", "e10")
	if p.Docs[0]["source"] == nil || p.Docs[0]["session"] == nil {
		t.Errorf("page document is not whole: %v", p.Docs[0])
	}
}

func testSelectFilterPaths(t *testing.T, st store.Store) {
	queryFixture(t, st)
	c := ctx(t)
	cases := []struct {
		path  []string
		match func(v any) bool
		want  []string
	}{
		// A list index: the database returns the list, the rest is walked in Go.
		{[]string{"properties", "items", "0", "sku"}, func(v any) bool { return v == "sku-1" }, []string{"e09", "e05", "e01"}},
		{[]string{"properties", "first name"}, func(v any) bool { return v == "Bob" }, []string{"e11", "e09", "e07", "e05", "e03", "e01"}},
		{[]string{"properties", "a.b"}, func(v any) bool { return v == 0.0 }, []string{"e10", "e08", "e06", "e04", "e02", "e00"}},
		{[]string{"properties", `say "hi"`}, func(v any) bool { return v == 3.0 }, []string{"e03"}},
		{[]string{}, func(v any) bool { return v.(map[string]any)["id"] == "e02" }, []string{"e02"}},
		{[]string{"nothing", "here"}, func(v any) bool { return true }, nil},
	}
	for _, tc := range cases {
		path := tc.path
		f := &store.Filter{Fields: [][]string{path}, Match: func(d store.Doc) bool {
			v, ok := walkDoc(d, path)
			return ok && tc.match(v)
		}}
		p, err := st.Select(c, &store.Query{Kind: store.KindEvent, Filter: f})
		if err != nil {
			t.Fatalf("%q: %v", path, err)
		}
		wantIDs(t, fmt.Sprintf("%q", path), p, len(tc.want), tc.want...)
	}
}

func walkDoc(d store.Doc, path []string) (any, bool) {
	var cur any = map[string]any(d)
	for _, seg := range path {
		switch c := cur.(type) {
		case map[string]any:
			v, ok := c[seg]
			if !ok {
				return nil, false
			}
			cur = v
		case []any:
			var i int
			if _, err := fmt.Sscan(seg, &i); err != nil || i < 0 || i >= len(c) {
				return nil, false
			}
			cur = c[i]
		default:
			return nil, false
		}
	}
	return cur, true
}

func testSelectSortByDocument(t *testing.T, st store.Store) {
	queryFixture(t, st)
	value := []string{"properties", "value"}
	// Numbers ascending, then the string, and the missing value last.
	p := sel(t, st, &store.Query{Kind: store.KindEvent, Sort: []store.Sort{{Field: value}}})
	wantIDs(t, "value ascending", p, 12, "e00", "e01", "e02", "e04", "e05", "e06", "e08", "e09", "e10", "e11", "e07", "e03")
	// Descending: the string first, then numbers, missing still last.
	p = sel(t, st, &store.Query{Kind: store.KindEvent, Sort: []store.Sort{{Field: value, Desc: true}}, Limit: 4})
	wantIDs(t, "value descending", p, 12, "e07", "e11", "e10", "e09")
	// Ties by id in the direction of the first key; the page is cut by a
	// top-k that must agree with a full sort at any offset.
	sku := []string{"properties", "items", "0", "sku"}
	full := sel(t, st, &store.Query{Kind: store.KindEvent, Sort: []store.Sort{{Field: sku, Desc: true}}})
	wantIDs(t, "by sku", full, 12, "e11", "e07", "e03", "e10", "e06", "e02", "e09", "e05", "e01", "e08", "e04", "e00")
	for off := 0; off < 12; off += 5 {
		p = sel(t, st, &store.Query{Kind: store.KindEvent, Sort: []store.Sort{{Field: sku, Desc: true}}, Limit: 5, Offset: off})
		want := ids(full.Docs)[off:min(off+5, 12)]
		wantIDs(t, fmt.Sprintf("by sku from %d", off), p, 12, want...)
	}
}

func testSelectEqualAndRange(t *testing.T, st store.Store) {
	queryFixture(t, st)
	p := sel(t, st, &store.Query{Kind: store.KindEvent, Equal: []store.Equal{{Field: "type", Values: []string{"purchase", "login"}}}, Limit: 3})
	wantIDs(t, "purchase or login", p, 8, "e11", "e10", "e08")
	p = sel(t, st, &store.Query{Kind: store.KindEvent, Equal: []store.Equal{
		{Field: "type", Values: []string{"purchase"}}, {Field: "source.id", Values: []string{"src-1"}}, {Field: "profile.id", Values: []string{"p0"}}}})
	wantIDs(t, "purchases of p0 from src-1", p, 2, "e10", "e04")
	p = sel(t, st, &store.Query{Kind: store.KindEvent, Equal: []store.Equal{{Field: "type", Values: []string{""}}}})
	wantIDs(t, "empty type", p, 0)
	// From is inclusive, To exclusive.
	from, to := qbase.Add(20*time.Minute), qbase.Add(50*time.Minute)
	for _, f := range []*store.Filter{nil, always} {
		p = sel(t, st, &store.Query{Kind: store.KindEvent, From: from, To: to, Filter: f})
		wantIDs(t, "range", p, 4, "e05", "e04", "e03", "e02")
		p = sel(t, st, &store.Query{Kind: store.KindEvent, From: to, Filter: f})
		wantIDs(t, "from only", p, 6, "e11", "e10", "e09", "e08", "e07", "e06")
		p = sel(t, st, &store.Query{Kind: store.KindEvent, To: from, Filter: f, Equal: []store.Equal{{Field: "metadata.status", Values: []string{"processed"}}}})
		wantIDs(t, "to only", p, 2, "e01", "e00")
	}
}

func testSelectProfilesAndSessions(t *testing.T, st store.Store) {
	var ps []store.Doc
	for i := 0; i < 4; i++ {
		p := profileDoc(fmt.Sprintf("p%d", i))
		p["metadata"] = map[string]any{"time": map[string]any{
			"insert": qbase.Add(time.Duration(i) * time.Hour).Format(time.RFC3339),
			"update": qbase.Add(time.Duration(10-i) * time.Hour).Format(time.RFC3339)}}
		p["traits"] = map[string]any{"plan": []string{"free", "pro"}[i%2]}
		ps = append(ps, p)
	}
	apply(t, st, &store.ChangeSet{Profiles: ps, Sessions: []store.Doc{
		sessionDoc("s1", "p1", qbase.Format(time.RFC3339)),
		sessionDoc("s2", "p1", qbase.Add(time.Hour).Format(time.RFC3339)),
		sessionDoc("s3", "p2", qbase.Add(2*time.Hour).Format(time.RFC3339)),
	}})
	p := sel(t, st, &store.Query{Kind: store.KindProfile})
	wantIDs(t, "profiles newest first", p, 4, "p3", "p2", "p1", "p0")
	p = sel(t, st, &store.Query{Kind: store.KindProfile, Sort: []store.Sort{{Field: []string{"metadata", "time", "update"}, Desc: true}}})
	wantIDs(t, "profiles by update", p, 4, "p0", "p1", "p2", "p3")
	pro := &store.Filter{Fields: [][]string{{"traits", "plan"}}, Match: func(d store.Doc) bool {
		return d["traits"].(map[string]any)["plan"] == "pro"
	}}
	p = sel(t, st, &store.Query{Kind: store.KindProfile, Filter: pro, Sort: []store.Sort{{Field: []string{"id"}}}})
	wantIDs(t, "pro profiles", p, 2, "p1", "p3")
	p = sel(t, st, &store.Query{Kind: store.KindSession, Equal: []store.Equal{{Field: "profile.id", Values: []string{"p1"}}}})
	wantIDs(t, "sessions of p1", p, 2, "s2", "s1")
	p = sel(t, st, &store.Query{Kind: store.KindSession, From: qbase.Add(time.Hour)})
	wantIDs(t, "sessions since", p, 2, "s3", "s2")
}

func testSelectBadQueries(t *testing.T, st store.Store) {
	c := ctx(t)
	bad := []struct {
		q    store.Query
		want string
	}{
		{store.Query{Kind: "user"}, "kind"},
		{store.Query{Kind: store.KindProfile, Equal: []store.Equal{{Field: "type", Values: []string{"x"}}}}, "type"},
		{store.Query{Kind: store.KindEvent, Equal: []store.Equal{{Field: "metadata.time.insert", Values: []string{"x"}}}}, "metadata.time.insert"},
		{store.Query{Kind: store.KindEvent, Filter: &store.Filter{}}, "Match"},
		{store.Query{Kind: store.KindEvent, Sort: []store.Sort{{}}}, "sort"},
	}
	for _, tc := range bad {
		if _, err := st.Select(c, &tc.q); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Select(%+v) = %v; want an error naming %q", tc.q, err, tc.want)
		}
	}
	if _, err := st.Histogram(c, &store.Query{Kind: store.KindEvent}, 0); err == nil {
		t.Error("Histogram with width 0 succeeded")
	}
}

func testHistogram(t *testing.T, st store.Store) {
	queryFixture(t, st)
	c := ctx(t)
	b := func(min, n int) store.Bucket {
		return store.Bucket{Start: qbase.Add(time.Duration(min) * time.Minute), Count: n}
	}
	purchases := &store.Filter{Fields: [][]string{{"type"}}, Match: func(d store.Doc) bool { return d["type"] == "purchase" }}
	cases := []struct {
		name  string
		q     store.Query
		width time.Duration
		want  []store.Bucket
	}{
		{"half hours", store.Query{Kind: store.KindEvent}, 30 * time.Minute, []store.Bucket{b(0, 3), b(30, 3), b(60, 3), b(90, 3)}},
		{"half hours, scanned", store.Query{Kind: store.KindEvent, Filter: always}, 30 * time.Minute, []store.Bucket{b(0, 3), b(30, 3), b(60, 3), b(90, 3)}},
		{"hours in range", store.Query{Kind: store.KindEvent, From: qbase.Add(30 * time.Minute), To: qbase.Add(70 * time.Minute)}, time.Hour, []store.Bucket{b(0, 3), b(60, 1)}},
		{"purchases per hour", store.Query{Kind: store.KindEvent, Filter: purchases}, time.Hour, []store.Bucket{b(0, 2), b(60, 2)}},
		{"logins per day", store.Query{Kind: store.KindEvent, Equal: []store.Equal{{Field: "type", Values: []string{"login"}}}}, 24 * time.Hour,
			[]store.Bucket{{Start: time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC), Count: 4}}},
		{"nothing", store.Query{Kind: store.KindSession}, time.Minute, []store.Bucket{}},
	}
	for _, tc := range cases {
		got, err := st.Histogram(c, &tc.q, tc.width)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if !sameBuckets(got, tc.want) {
			t.Errorf("%s:\n got %v\nwant %v", tc.name, got, tc.want)
		}
		for _, bk := range got {
			if bk.Start.Location() != time.UTC {
				t.Errorf("%s: bucket start %v is not in UTC", tc.name, bk.Start)
			}
		}
	}
}

func sameBuckets(a, b []store.Bucket) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !a[i].Start.Equal(b[i].Start) || a[i].Count != b[i].Count {
			return false
		}
	}
	return true
}

// BenchmarkSelect measures queries over n events: the database's own count
// and page, a filter run in Go on values the database extracts, the same
// narrowed by an indexed column, and a histogram with a filter.
func BenchmarkSelect(b *testing.B, open BenchOpenFunc) {
	const n = 100_000
	st := open(b)
	defer st.Close()
	c := context.Background()
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	types := []string{"page-view", "purchase", "login", "add-to-cart"}
	for i := 0; i < n; {
		var evs []store.Doc
		for j := 0; j < 2000 && i < n; j, i = j+1, i+1 {
			at := start.Add(time.Duration(i) * 10 * time.Second).Format(time.RFC3339Nano)
			ev := eventDoc(fmt.Sprintf("e%06d", i), types[i%4], fmt.Sprintf("p%d", i%1000), fmt.Sprintf("s%d", i%3000), at)
			ev["properties"] = map[string]any{"url": fmt.Sprintf("https://example.com/page/%d", i), "value": float64(i % 500),
				"items": []any{map[string]any{"sku": "a"}, map[string]any{"sku": "b"}}}
			ev["context"] = map[string]any{"page": map[string]any{"title": "A page title of a usual length", "referer": map[string]any{"host": "example.org"}},
				"browser": map[string]any{"local": map[string]any{"userAgent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36", "language": "en-US"}}}
			evs = append(evs, ev)
		}
		if err := st.Apply(c, &store.ChangeSet{Events: evs}); err != nil {
			b.Fatal(err)
		}
	}
	valueOver := func(d store.Doc) bool {
		v, _ := d["properties"].(map[string]any)["value"].(float64)
		return v > 400
	}
	filter := &store.Filter{Fields: [][]string{{"properties", "value"}}, Match: valueOver}
	cases := []struct {
		name  string
		q     store.Query
		total int
	}{
		{"all", store.Query{Kind: store.KindEvent, Limit: 20}, n},
		{"equal", store.Query{Kind: store.KindEvent, Limit: 20, Equal: []store.Equal{{Field: "type", Values: []string{"purchase"}}}}, n / 4},
		{"filter", store.Query{Kind: store.KindEvent, Limit: 20, Filter: filter}, n * 99 / 500},
		{"filter-sorted", store.Query{Kind: store.KindEvent, Limit: 20, Filter: filter, Sort: []store.Sort{{Field: []string{"properties", "url"}}}}, n * 99 / 500},
		{"equal+filter", store.Query{Kind: store.KindEvent, Limit: 20, Filter: filter, Equal: []store.Equal{{Field: "type", Values: []string{"purchase"}}}}, n / 500 * 25},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				p, err := st.Select(c, &tc.q)
				if err != nil {
					b.Fatal(err)
				}
				if p.Total != tc.total || len(p.Docs) != 20 {
					b.Fatalf("total %d, %d docs; want %d, 20", p.Total, len(p.Docs), tc.total)
				}
			}
		})
	}
	b.Run("histogram-filter", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := st.Histogram(c, &store.Query{Kind: store.KindEvent, Filter: filter}, time.Hour); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("histogram", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := st.Histogram(c, &store.Query{Kind: store.KindEvent}, time.Hour); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// testSelectAfter pages by id with Query.After (keyset paging), on the
// database's path and on the scan path.
func testSelectAfter(t *testing.T, st store.Store) {
	queryFixture(t, st)
	byID := []store.Sort{{Field: []string{"id"}}}
	for _, f := range []*store.Filter{nil, always} {
		name := "database"
		if f != nil {
			name = "scan"
		}
		var got []string
		after := ""
		for range 10 {
			p := sel(t, st, &store.Query{Kind: store.KindEvent, Filter: f, Sort: byID, Limit: 5, After: after})
			if len(p.Docs) == 0 {
				break
			}
			for _, d := range p.Docs {
				got = append(got, d["id"].(string))
			}
			after = got[len(got)-1]
		}
		want := "e00 e01 e02 e03 e04 e05 e06 e07 e08 e09 e10 e11"
		if strings.Join(got, " ") != want {
			t.Errorf("%s: pages by After give %v, want %s", name, got, want)
		}
		p := sel(t, st, &store.Query{Kind: store.KindEvent, Filter: f, Sort: byID, Limit: 2, After: "e09"})
		wantIDs(t, name+" after e09", p, 2, "e10", "e11")
	}
}
