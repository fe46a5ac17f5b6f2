package eventmap

import (
	"reflect"
	"strings"
	"testing"
)

func TestApplyOperations(t *testing.T) {
	ev := map[string]any{"properties": map[string]any{"email": "ann@example.com", "value": 12.5, "tag": "a",
		"tags": []any{"b", "a"}, "blank": "", "obj": map[string]any{"main": "x@example.com"}}}
	profile := map[string]any{"traits": map[string]any{"tags": []any{"a"}, "kept": "old", "plain": "text"},
		"data": map[string]any{"metrics": map[string]any{"ltv": 10.0}}}
	cases := []struct {
		c       Copy
		path    []string
		want    any
		changed bool
	}{
		{Copy{Event: "properties.email", Profile: "data.contact.email.main", Op: OpEqual}, []string{"data", "contact", "email", "main"}, "ann@example.com", true},
		{Copy{Event: "event@properties.email", Profile: "profile@traits.email", Op: OpEqual}, []string{"traits", "email"}, "ann@example.com", true},
		{Copy{Event: "properties.email", Profile: "traits.kept", Op: OpIfNotExists}, []string{"traits", "kept"}, "old", false},
		{Copy{Event: "properties.tags", Profile: "traits.tags", Op: OpAppend}, []string{"traits", "tags"}, []any{"a", "b"}, true},
		{Copy{Event: "properties.tag", Profile: "traits.tags", Op: OpAppend}, []string{"traits", "tags"}, []any{"a", "b"}, false},
		{Copy{Event: "properties.value", Profile: "data.metrics.ltv", Op: OpAdd}, []string{"data", "metrics", "ltv"}, 22.5, true},
		{Copy{Profile: "data.metrics.orders", Op: OpIncrement}, []string{"data", "metrics", "orders"}, 1.0, true},
		{Copy{Event: "properties.blank", Profile: "traits.blank", Op: OpEqual}, []string{"traits", "blank"}, nil, false},
		{Copy{Event: "properties.missing", Profile: "traits.missing", Op: OpEqual}, []string{"traits", "missing"}, nil, false},
		{Copy{Event: "properties.obj", Profile: "traits.plainonly", Op: OpEqual, Plain: true}, []string{"traits", "plainonly"}, nil, false},
		{Copy{Event: "properties.email", Profile: "traits.plain.deeper", Op: OpEqual}, []string{"traits", "plain"}, "text", false},
		{Copy{Profile: "traits.kept", Op: OpDelete}, []string{"traits", "kept"}, nil, true},
	}
	for _, c := range cases {
		t.Run(c.c.Op+" "+c.c.Profile, func(t *testing.T) {
			if got := Apply(ev, profile, []Copy{c.c}); got != c.changed {
				t.Errorf("changed %v, want %v", got, c.changed)
			}
			v, _ := get(profile, c.path)
			if !reflect.DeepEqual(v, c.want) {
				t.Errorf("%v = %#v, want %#v", c.path, v, c.want)
			}
		})
	}
	if ev["properties"].(map[string]any)["tags"].([]any)[0] != "b" {
		t.Error("Apply changed the event")
	}
}

func TestBuiltInSignInCopiesTheEmail(t *testing.T) {
	p := map[string]any{}
	Apply(map[string]any{"properties": map[string]any{"email": "ann@example.com", "phone": "+48 600"}}, p, BuiltIn["sign-in"].Copies)
	c := p["data"].(map[string]any)["contact"].(map[string]any)
	if c["email"].(map[string]any)["main"] != "ann@example.com" || c["phone"].(map[string]any)["mobile"] != "+48 600" {
		t.Errorf("contact %v", c)
	}
	p = map[string]any{}
	Apply(map[string]any{"properties": map[string]any{"email": map[string]any{"main": "a@x.io", "business": "b@x.io"}}}, p, BuiltIn["sign-in"].Copies)
	e := p["data"].(map[string]any)["contact"].(map[string]any)["email"].(map[string]any)
	if e["main"] != "a@x.io" || e["business"] != "b@x.io" {
		t.Errorf("email %v: Tracardi's nested form", e)
	}
}

func TestParseMappingAndPointErrors(t *testing.T) {
	_, norm, errs := ParseMapping(map[string]any{"event_type": map[string]any{"id": "x"}, "event_to_profile": []any{
		map[string]any{"event": map[string]any{"value": "properties.a", "ref": true}, "profile": "traits.a", "op": "equals"},
		map[string]any{"event": "session@x", "profile": "ids", "op": "nope"},
		map[string]any{"profile": "traits.n", "op": "increment"},
		"bad",
	}})
	fields := map[string]bool{}
	for _, e := range errs {
		fields[e.Field] = true
	}
	for _, f := range []string{"event_to_profile[1].op", "event_to_profile[3]"} {
		if !fields[f] {
			t.Errorf("no error for %s: %v", f, errs)
		}
	}
	_, _, errs = ParseMapping(map[string]any{"event_type": map[string]any{"id": "x"}, "event_to_profile": []any{
		map[string]any{"event": "session@x", "profile": "ids.0"}}})
	if len(errs) != 2 || !strings.Contains(errs.Error(), "must point into the event") || !strings.Contains(errs.Error(), "kept by the server") {
		t.Errorf("errors %v", errs)
	}
	if c := norm[0].(map[string]any); c["event"] != "properties.a" || c["op"] != OpEqual {
		t.Errorf("normalised %v", c)
	}
	if len(fields) == 0 || fields["event_to_profile[2].event"] {
		t.Errorf("increment needs no event path: %v", errs)
	}
	big := make([]any, MaxCopies+1)
	if _, _, errs := ParseMapping(map[string]any{"event_type": map[string]any{"id": "x"}, "event_to_profile": big}); len(errs) != 1 || errs[0].Field != "event_to_profile" {
		t.Errorf("too many copies: %v", errs)
	}
	p, _, errs := ParsePoint(map[string]any{"event_type": map[string]any{"id": "identify"},
		"fields": []any{map[string]any{"event_property": "properties.email", "profile_trait": "profile@data.contact.email.main"}}})
	if len(errs) != 0 || !reflect.DeepEqual(p.Key(), []string{"data.contact.email.main"}) {
		t.Errorf("point %v %v", p, errs)
	}
	if p.Matches(map[string]any{"properties": map[string]any{"email": ""}}) || !p.Matches(map[string]any{"properties": map[string]any{"email": "a@b.c"}}) {
		t.Error("Matches")
	}
	if _, _, errs := ParsePoint(map[string]any{}); len(errs) != 2 {
		t.Errorf("empty point: %v", errs)
	}
}
