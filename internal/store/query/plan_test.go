package query

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/tracflow/tracflow/internal/store"
)

func TestExtractor(t *testing.T) {
	doc := []byte(` { "id" : "e1", "type":"purchase", "a":{"b":{"c":[1,{"x":"}"}], "d":"q\"uote"}, "n": -1.5e3, "t":true, "z":null},
		"say \"hi\"": 7, "e\u0301": "accent", "list": [ {"k": 1}, "]", [ ] ], "empty": {}, "last": false }`)
	paths := [][]string{
		{"type"}, {"a", "b", "c"}, {"a", "b", "d"}, {"a", "n"}, {"a", "t"}, {"a", "z"}, {`say "hi"`}, {"e\u0301"},
		{"list"}, {"empty"}, {"last"}, {"missing"}, {"a", "missing"}, {"type", "deeper"}, {"empty", "x"},
	}
	want := []string{`"purchase"`, `[1,{"x":"}"}]`, `"q\"uote"`, `-1.5e3`, `true`, `null`, `7`, `"accent"`,
		`[ {"k": 1}, "]", [ ] ]`, `{}`, `false`, ``, ``, ``, ``}
	x := NewExtractor(paths)
	out := make([][]byte, len(paths))
	if err := x.Extract(doc, out); err != nil {
		t.Fatal(err)
	}
	for i, p := range paths {
		if string(out[i]) != want[i] || (want[i] == "") != (out[i] == nil) {
			t.Errorf("%q = %q, want %q", p, out[i], want[i])
		}
	}
	for _, bad := range []string{``, `[]`, `{`, `{"a"}`, `{"a":}`, `{"a":1,}`, `{"a":"x}`, `{"a":[1,2}`, `{"a":1 "b":2}`, `{"a":{"b":1}`} {
		if err := x.Extract([]byte(bad), out); err == nil {
			t.Errorf("Extract(%q) accepted malformed JSON", bad)
		}
	}
}

// TestExtractorAgreesWithDecoding compares the extractor with a full decode
// on generated documents.
func TestExtractorAgreesWithDecoding(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	keys := []string{"a", "b", "c d", `q"`, "é", "0"}
	var gen func(depth int) any
	gen = func(depth int) any {
		switch n := r.IntN(8); {
		case n == 0:
			return nil
		case n == 1:
			return r.IntN(2) == 0
		case n == 2:
			return r.Float64() * 100
		case n == 3:
			return keys[r.IntN(len(keys))] + "}\\,"
		case n == 4 && depth < 4:
			l := []any{}
			for i := r.IntN(3); i > 0; i-- {
				l = append(l, gen(depth+1))
			}
			return l
		case depth < 4:
			m := map[string]any{}
			for i := r.IntN(4); i > 0; i-- {
				m[keys[r.IntN(len(keys))]] = gen(depth + 1)
			}
			return m
		}
		return "leaf"
	}
	var paths [][]string
	for _, a := range keys[:5] {
		for _, b := range keys[:5] {
			paths = append(paths, []string{"x", a, b})
		}
		paths = append(paths, []string{"y", a})
	}
	x := NewExtractor(paths)
	out := make([][]byte, len(paths))
	for i := 0; i < 500; i++ {
		d := map[string]any{"x": gen(0), "y": gen(0)}
		raw, _ := json.Marshal(d)
		if err := x.Extract(raw, out); err != nil {
			t.Fatalf("%s: %v", raw, err)
		}
		for j, p := range paths {
			want, ok := walk(d, p)
			if !ok {
				if out[j] != nil {
					t.Fatalf("%s: %q = %s, want nothing", raw, p, out[j])
				}
				continue
			}
			if _, isList := d[p[0]].([]any); isList {
				continue // the extractor does not index lists; Extractable cuts such paths
			}
			got, err := decode(out[j])
			wantJSON, _ := json.Marshal(want)
			var wantV any
			json.Unmarshal(wantJSON, &wantV)
			if err != nil || !reflect.DeepEqual(got, wantV) {
				t.Fatalf("%s: %q = %s (%v), want %s", raw, p, out[j], err, wantJSON)
			}
		}
	}
}

func TestDecode(t *testing.T) {
	for _, s := range []string{`"a"`, `"a\"b"`, `"\u00e9"`, `""`, `true`, `false`, `null`, `0`, `-1.5e3`, `12`, `[1,"a"]`, `{"a":{}}`} {
		got, err := decode([]byte(s))
		var want any
		json.Unmarshal([]byte(s), &want)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("decode(%s) = %#v, %v; want %#v", s, got, err, want)
		}
	}
	for _, s := range []string{``, `"a`, `tru`, `1.2.3`} {
		if _, err := decode([]byte(s)); err == nil {
			t.Errorf("decode(%q) accepted it", s)
		}
	}
}

func TestExtractable(t *testing.T) {
	cases := map[string]string{
		"a.b.c":       "a.b.c",
		"items.0.x":   "items",
		"a.-1":        "a",
		`a.say "x".b`: "a",
		"a..b":        "a",
		"a.b1.c":      "a.b1.c",
	}
	for in, want := range cases {
		if got := strings.Join(Extractable(strings.Split(in, ".")), "."); got != want {
			t.Errorf("Extractable(%s) = %s, want %s", in, got, want)
		}
	}
	got := extractPaths([][]string{{"a", "b"}, {"a"}, {"c", "0", "d"}, {"c", "x"}, {"e"}})
	if fmt.Sprint(got) != "[[a] [c] [e]]" {
		t.Errorf("extractPaths = %v", got)
	}
	if got := extractPaths([][]string{{"a"}, {}}); fmt.Sprint(got) != "[[]]" {
		t.Errorf("extractPaths with the whole document = %v", got)
	}
}

func TestCompareOrder(t *testing.T) {
	vals := []any{nil, false, true, -1.0, int64(2), 3.5, "", "a", "b", []any{}, map[string]any{}}
	for i, a := range vals {
		for j, b := range vals {
			r := compare(a, b, false)
			if (i < j) != (r < 0) || (i == j) != (r == 0) {
				t.Errorf("compare(%v, %v) = %d", a, b, r)
			}
			if rd := compare(a, b, true); rd != -r {
				t.Errorf("compare(%v, %v, desc) = %d, want %d", a, b, rd, -r)
			}
		}
		if compare(a, missing, false) >= 0 || compare(a, missing, true) >= 0 || compare(missing, a, true) <= 0 {
			t.Errorf("%v does not sort before a missing value in both directions", a)
		}
	}
}

// TestTopKAgreesWithSort pages through random rows with the heap and
// compares with a full sort.
func TestTopKAgreesWithSort(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for round := 0; round < 50; round++ {
		desc := r.IntN(2) == 0
		q := &store.Query{Kind: store.KindEvent, Sort: []store.Sort{{Field: []string{"v"}, Desc: desc}}, Limit: 1 + r.IntN(7), Offset: r.IntN(20)}
		q.Filter = &store.Filter{Fields: [][]string{{"v"}}, Match: func(store.Doc) bool { return true }}
		p, err := Compile(q)
		if err != nil {
			t.Fatal(err)
		}
		c := p.Collect()
		var all []item
		for i := 0; i < 30; i++ {
			row := p.NewRow()
			row.ID = fmt.Sprintf("r%02d", r.IntN(100))
			var v any = missing
			if n := r.IntN(6); n > 0 {
				row.JSON[0] = []byte(fmt.Sprint(n))
				v = float64(n)
			}
			if err := c.Add(row); err != nil {
				t.Fatal(err)
			}
			all = append(all, item{id: row.ID, vals: []any{v}})
		}
		slices.SortStableFunc(all, func(a, b item) int {
			if c.less(a, b) {
				return -1
			}
			if c.less(b, a) {
				return 1
			}
			return 0
		})
		var want []string
		for _, it := range all[min(q.Offset, len(all)):min(q.Offset+q.Limit, len(all))] {
			want = append(want, it.id)
		}
		got := c.PageIDs()
		if c.Total != 30 || strings.Join(got, " ") != strings.Join(want, " ") {
			t.Fatalf("round %d (desc %v, limit %d, offset %d): got %v, want %v", round, desc, q.Limit, q.Offset, got, want)
		}
	}
}

func TestFloor(t *testing.T) {
	for _, tc := range []struct{ us, w, want int64 }{{0, 10, 0}, {9, 10, 0}, {10, 10, 10}, {-1, 10, -10}, {-10, 10, -10}, {-11, 10, -20}} {
		if got := Floor(tc.us, tc.w); got != tc.want {
			t.Errorf("Floor(%d, %d) = %d, want %d", tc.us, tc.w, got, tc.want)
		}
	}
}

func BenchmarkExtract(b *testing.B) {
	doc := []byte(`{"id":"e000123","type":"purchase","profile":{"id":"p123"},"session":{"id":"s123"},"source":{"id":"src-1"},"properties":{"url":"https://example.com/page/123","value":123,"items":[{"sku":"a"},{"sku":"b"}]},"context":{"page":{"title":"A page title of a usual length","referer":{"host":"example.org"}},"browser":{"local":{"userAgent":"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36","language":"en-US"}}},"metadata":{"status":"processed","time":{"insert":"2024-01-01T00:20:30Z","create":"2024-01-01T00:20:30Z"}}}`)
	x := NewExtractor([][]string{{"type"}, {"properties", "value"}})
	out := make([][]byte, 2)
	b.SetBytes(int64(len(doc)))
	for i := 0; i < b.N; i++ {
		if err := x.Extract(doc, out); err != nil {
			b.Fatal(err)
		}
	}
}

// TestColumnsMatchTables keeps the lists the API reads in line with the
// tables the backends query.
func TestColumnsMatchTables(t *testing.T) {
	for kind, tb := range tables {
		var cols, text []string
		for f, c := range tb.Columns {
			cols = append(cols, f)
			if !c.Int {
				text = append(text, f)
			}
		}
		slices.Sort(cols)
		slices.Sort(text)
		if got := slices.Sorted(slices.Values(store.Columns(kind))); !slices.Equal(got, cols) {
			t.Errorf("store.Columns(%s) = %v, want %v", kind, got, cols)
		}
		if got := slices.Sorted(slices.Values(store.EqualFields(kind))); !slices.Equal(got, text) {
			t.Errorf("store.EqualFields(%s) = %v, want %v", kind, got, text)
		}
	}
}
