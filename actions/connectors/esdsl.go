package connectors

import (
	"fmt"
	"sort"
	"strings"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
)

// A subset of Elasticsearch's query DSL, evaluated on stored records (the
// Query data plugin): match_all, match_none, term, terms, match,
// match_phrase, prefix, range, exists, ids and bool (must, filter, should,
// must_not, minimum_should_match). Field names are dot paths in the
// record; a ".keyword" suffix is ignored. A field that holds a list
// matches when one of its items does.

// matcher tests one record.
type matcher func(rec map[string]any) bool

// maxDSLDepth bounds how deep bool queries nest.
const maxDSLDepth = 32

// compileDSL compiles a query clause ({"term": {...}}) at path (for errors).
func compileDSL(v any, path string, depth int) (matcher, error) {
	if depth > maxDSLDepth {
		return nil, fmt.Errorf("%s: queries nest deeper than %d levels", path, maxDSLDepth)
	}
	q, ok := v.(map[string]any)
	if !ok || len(q) != 1 {
		return nil, fmt.Errorf("%s: expected an object with one query type, e.g. {\"match_all\": {}}", path)
	}
	for typ, body := range q {
		at := path + "." + typ
		switch typ {
		case "match_all":
			return func(map[string]any) bool { return true }, nil
		case "match_none":
			return func(map[string]any) bool { return false }, nil
		case "bool":
			return compileBool(body, at, depth)
		case "ids":
			b, _ := body.(map[string]any)
			vals, ok := b["values"].([]any)
			if !ok {
				return nil, fmt.Errorf("%s: expected {\"values\": [ids]}", at)
			}
			return func(rec map[string]any) bool { return anyEqual(rec["id"], vals) }, nil
		case "exists":
			b, _ := body.(map[string]any)
			f, _ := b["field"].(string)
			if f == "" {
				return nil, fmt.Errorf("%s: expected {\"field\": \"name\"}", at)
			}
			return func(rec map[string]any) bool {
				v, ok := lookup(rec, f)
				return ok && v != nil && !(isList(v) && len(v.([]any)) == 0)
			}, nil
		case "term", "terms", "match", "match_phrase", "prefix", "range":
			return compileField(typ, body, at)
		default:
			return nil, fmt.Errorf("%s: query type %q is not supported here (supported: match_all, match_none, term, terms, match, match_phrase, prefix, range, exists, ids, bool)", path, typ)
		}
	}
	return nil, nil // not reached
}

func isList(v any) bool { _, ok := v.([]any); return ok }

func compileBool(body any, at string, depth int) (matcher, error) {
	b, ok := body.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s: expected an object", at)
	}
	clauses := map[string][]matcher{}
	minShould := -1
	for k, v := range b {
		switch k {
		case "must", "filter", "should", "must_not":
			list, ok := v.([]any)
			if !ok {
				list = []any{v}
			}
			for i, c := range list {
				m, err := compileDSL(c, fmt.Sprintf("%s.%s[%d]", at, k, i), depth+1)
				if err != nil {
					return nil, err
				}
				clauses[k] = append(clauses[k], m)
			}
		case "minimum_should_match":
			n, ok := dotpath.ToFloat(v)
			if !ok || n < 0 {
				return nil, fmt.Errorf("%s.minimum_should_match: expected a whole number", at)
			}
			minShould = int(n)
		case "boost", "_name":
		default:
			return nil, fmt.Errorf("%s: %q is not a bool clause (must, filter, should, must_not, minimum_should_match)", at, k)
		}
	}
	must := append(clauses["must"], clauses["filter"]...)
	should, not := clauses["should"], clauses["must_not"]
	if minShould < 0 {
		minShould = 0
		if len(must) == 0 && len(should) > 0 {
			minShould = 1 // Elasticsearch's default without must or filter
		}
	}
	return func(rec map[string]any) bool {
		for _, m := range must {
			if !m(rec) {
				return false
			}
		}
		for _, m := range not {
			if m(rec) {
				return false
			}
		}
		n := 0
		for _, m := range should {
			if m(rec) {
				n++
			}
		}
		return n >= minShould
	}, nil
}

// compileField compiles the query types that name one field.
func compileField(typ string, body any, at string) (matcher, error) {
	b, ok := body.(map[string]any)
	if !ok || len(b) != 1 {
		return nil, fmt.Errorf("%s: expected {\"field\": ...} with one field", at)
	}
	for field, arg := range b {
		f := strings.TrimSuffix(field, ".keyword")
		at := at + "." + field
		// {"field": {"value": v}} and {"field": {"query": v}} forms
		if o, ok := arg.(map[string]any); ok && typ != "range" {
			if v, ok := o["value"]; ok {
				arg = v
			} else if v, ok := o["query"]; ok {
				arg = v
			} else {
				return nil, fmt.Errorf("%s: expected a value, or {\"value\": ...}", at)
			}
		}
		var test func(v any) bool
		switch typ {
		case "term":
			want := arg
			test = func(v any) bool { return sameValue(v, want) }
		case "terms":
			list, ok := arg.([]any)
			if !ok {
				return nil, fmt.Errorf("%s: expected a list of values", at)
			}
			test = func(v any) bool { return anyEqual(v, list) }
		case "match":
			words := strings.Fields(strings.ToLower(dotpath.Stringify(arg)))
			test = func(v any) bool {
				s, ok := v.(string)
				if !ok {
					return sameValue(v, arg)
				}
				have := map[string]bool{}
				for _, w := range strings.FieldsFunc(strings.ToLower(s), notWordChar) {
					have[strings.Trim(w, ".")] = true
				}
				for _, w := range words {
					if have[strings.Trim(w, ".,;:!?\"'()")] {
						return true
					}
				}
				return false
			}
		case "match_phrase":
			want := strings.ToLower(dotpath.Stringify(arg))
			test = func(v any) bool {
				s, ok := v.(string)
				return ok && strings.Contains(strings.ToLower(s), want)
			}
		case "prefix":
			want := dotpath.Stringify(arg)
			test = func(v any) bool {
				s, ok := v.(string)
				return ok && strings.HasPrefix(s, want)
			}
		case "range":
			r, err := compileRange(arg, at)
			if err != nil {
				return nil, err
			}
			test = r
		}
		return func(rec map[string]any) bool {
			v, ok := lookup(rec, f)
			if !ok {
				return false
			}
			if l, ok := v.([]any); ok {
				for _, x := range l {
					if test(x) {
						return true
					}
				}
				return false
			}
			return test(v)
		}, nil
	}
	return nil, nil // not reached
}

func notWordChar(r rune) bool {
	return !(r == '_' || r == '-' || r == '@' || r == '.' || ('0' <= r && r <= '9') || ('a' <= r && r <= 'z') || r > 127)
}

func compileRange(arg any, at string) (func(any) bool, error) {
	o, ok := arg.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s: expected {\"gte\": ..., \"lt\": ...}", at)
	}
	type bound struct {
		op string
		v  any
	}
	var bounds []bound
	for k, v := range o {
		switch k {
		case "gt", "gte", "lt", "lte":
			bounds = append(bounds, bound{k, v})
		case "format", "time_zone", "boost":
		default:
			return nil, fmt.Errorf("%s: %q is not a range bound (gt, gte, lt, lte)", at, k)
		}
	}
	if len(bounds) == 0 {
		return nil, fmt.Errorf("%s: a range needs gt, gte, lt or lte", at)
	}
	return func(v any) bool {
		for _, b := range bounds {
			c, ok := compare(v, b.v)
			if !ok {
				return false
			}
			switch b.op {
			case "gt":
				ok = c > 0
			case "gte":
				ok = c >= 0
			case "lt":
				ok = c < 0
			case "lte":
				ok = c <= 0
			}
			if !ok {
				return false
			}
		}
		return true
	}, nil
}

// compare orders two numbers, or two strings (ISO dates order as text).
func compare(a, b any) (int, bool) {
	if x, ok := dotpath.ToFloat(a); ok {
		y, ok := dotpath.ToFloat(b)
		if !ok {
			return 0, false
		}
		switch {
		case x < y:
			return -1, true
		case x > y:
			return 1, true
		}
		return 0, true
	}
	x, ok1 := a.(string)
	y, ok2 := b.(string)
	if !ok1 || !ok2 {
		return 0, false
	}
	return strings.Compare(x, y), true
}

func sameValue(v, want any) bool {
	if x, ok := dotpath.ToFloat(v); ok {
		y, ok := dotpath.ToFloat(want)
		return ok && x == y
	}
	switch v.(type) {
	case string, bool:
		return v == want
	}
	return v == nil && want == nil
}

func anyEqual(v any, list []any) bool {
	for _, w := range list {
		if sameValue(v, w) {
			return true
		}
	}
	return false
}

func lookup(rec map[string]any, path string) (any, bool) {
	var cur any = rec
	for _, k := range strings.Split(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[k]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// searchBody is a search request body read for Search: the query, the
// page (from, size) and the sort.
type searchBody struct {
	match matcher
	from  int
	size  int
	sort  []plugin.RecordSort
}

// compileSearch reads a search body: {"query", "size", "from", "sort"}.
func compileSearch(body map[string]any) (*searchBody, error) {
	sb := &searchBody{size: 20}
	keys := make([]string, 0, len(body))
	for k := range body {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := body[k]
		switch k {
		case "query":
			m, err := compileDSL(v, "query", 0)
			if err != nil {
				return nil, err
			}
			sb.match = m
		case "size", "from":
			n, ok := dotpath.ToFloat(v)
			if !ok || n < 0 || n != float64(int(n)) {
				return nil, fmt.Errorf("%s: expected a whole number", k)
			}
			if k == "size" {
				sb.size = int(n)
			} else {
				sb.from = int(n)
			}
		case "sort":
			s, err := compileSort(v)
			if err != nil {
				return nil, err
			}
			sb.sort = s
		case "track_total_hits", "_source", "timeout":
		default:
			return nil, fmt.Errorf("%q is not supported in a search of Tracflow's records (use query, size, from, sort)", k)
		}
	}
	return sb, nil
}

func compileSort(v any) ([]plugin.RecordSort, error) {
	list, ok := v.([]any)
	if !ok {
		list = []any{v}
	}
	var out []plugin.RecordSort
	for i, s := range list {
		switch x := s.(type) {
		case string:
			out = append(out, plugin.RecordSort{Field: strings.TrimSuffix(x, ".keyword")})
		case map[string]any:
			for f, o := range x {
				order := dotpath.Stringify(o)
				if m, ok := o.(map[string]any); ok {
					order = dotpath.Stringify(m["order"])
				}
				if order != "asc" && order != "desc" {
					return nil, fmt.Errorf("sort[%d].%s: order is asc or desc", i, f)
				}
				out = append(out, plugin.RecordSort{Field: strings.TrimSuffix(f, ".keyword"), Desc: order == "desc"})
			}
		default:
			return nil, fmt.Errorf("sort[%d]: expected a field name or {\"field\": {\"order\": \"desc\"}}", i)
		}
	}
	return out, nil
}
