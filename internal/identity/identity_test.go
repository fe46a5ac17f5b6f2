package identity

import (
	"reflect"
	"strings"
	"testing"
)

func profile(id, insert, update string, extra map[string]any) map[string]any {
	p := map[string]any{"id": id, "ids": []any{},
		"metadata": map[string]any{"time": map[string]any{"insert": insert, "create": insert, "update": update,
			"visit": map[string]any{"count": 1.0, "current": update, "last": nil, "session": "s-" + id, "activity": update}}},
		"stats": map[string]any{"visits": 1.0, "views": 2.0, "counters": map[string]any{"buy": 1.0}},
	}
	for k, v := range extra {
		p[k] = v
	}
	return p
}

func TestMergeLosesNothing(t *testing.T) {
	phone := profile("phone", "2026-01-01T00:00:00.000000Z", "2026-01-02T00:00:00.000000Z", map[string]any{
		"ids":       []any{"old-phone"},
		"traits":    map[string]any{"device": "phone", "name": "Ann", "tags": []any{"a"}},
		"segments":  []any{"mobile"},
		"interests": map[string]any{"shoes": 2.0},
		"consents":  map[string]any{"marketing": map[string]any{"revoke": nil}},
		"data":      map[string]any{"contact": map[string]any{"email": map[string]any{"main": "ann@example.com"}}},
	})
	laptop := profile("laptop", "2026-01-03T00:00:00.000000Z", "2026-01-04T00:00:00.000000Z", map[string]any{
		"traits":    map[string]any{"browser": "firefox", "name": "Anne", "tags": []any{"b", "a"}, "empty": ""},
		"segments":  []any{"desktop", "mobile"},
		"interests": map[string]any{"shoes": 1.0, "hats": 1.0},
		"consents":  map[string]any{"analytics": map[string]any{"revoke": nil}},
		"stats":     map[string]any{"visits": 3.0, "views": 5.0, "counters": map[string]any{"buy": 2.0, "sell": 1.0}},
	})
	list := []map[string]any{laptop, phone}
	Order(list)
	if list[0]["id"] != "phone" {
		t.Fatalf("survivor %v: want the oldest profile", list[0]["id"])
	}
	m := Merge(list)
	if m["id"] != "phone" {
		t.Errorf("id %v", m["id"])
	}
	if got := m["ids"]; !reflect.DeepEqual(got, []any{"old-phone", "laptop"}) {
		t.Errorf("ids %v: want every id and alias of both", got)
	}
	tr := m["traits"].(map[string]any)
	if tr["device"] != "phone" || tr["browser"] != "firefox" {
		t.Errorf("traits %v: a trait of one profile was lost", tr)
	}
	if tr["name"] != "Anne" {
		t.Errorf("name %v: want the value of the profile updated last", tr["name"])
	}
	if !reflect.DeepEqual(tr["tags"], []any{"a", "b"}) {
		t.Errorf("tags %v: lists are united", tr["tags"])
	}
	st := m["stats"].(map[string]any)
	if st["visits"] != 4.0 || st["views"] != 7.0 || st["counters"].(map[string]any)["buy"] != 3.0 || st["counters"].(map[string]any)["sell"] != 1.0 {
		t.Errorf("stats %v: want sums", st)
	}
	if in := m["interests"].(map[string]any); in["shoes"] != 3.0 || in["hats"] != 1.0 {
		t.Errorf("interests %v", in)
	}
	if !reflect.DeepEqual(m["segments"], []any{"mobile", "desktop"}) {
		t.Errorf("segments %v", m["segments"])
	}
	if c := m["consents"].(map[string]any); len(c) != 2 {
		t.Errorf("consents %v: want both", c)
	}
	if e := m["data"].(map[string]any)["contact"].(map[string]any)["email"].(map[string]any)["main"]; e != "ann@example.com" {
		t.Errorf("email %v", e)
	}
	tm := m["metadata"].(map[string]any)["time"].(map[string]any)
	if tm["insert"] != "2026-01-01T00:00:00.000000Z" || tm["update"] != "2026-01-04T00:00:00.000000Z" {
		t.Errorf("times %v", tm)
	}
	v := tm["visit"].(map[string]any)
	if v["count"] != 2.0 || v["current"] != "2026-01-04T00:00:00.000000Z" || v["last"] != "2026-01-02T00:00:00.000000Z" || v["session"] != "s-laptop" {
		t.Errorf("visit %v", v)
	}
	conf := m["metadata"].(map[string]any)["merge"].(map[string]any)["conflicts"].([]any)
	if len(conf) != 1 || conf[0].(map[string]any)["field"] != "traits.name" || conf[0].(map[string]any)["value"] != "Ann" {
		t.Errorf("conflicts %v: want the losing name recorded", conf)
	}
	// The inputs are left as they were.
	if phone["traits"].(map[string]any)["name"] != "Ann" || len(phone["ids"].([]any)) != 1 {
		t.Errorf("Merge changed its input: %v", phone)
	}
}

func TestKeyIDs(t *testing.T) {
	p := map[string]any{"id": "p", "ids": []any{},
		"data":   map[string]any{"contact": map[string]any{"email": map[string]any{"main": " Ann@Example.com "}, "phone": map[string]any{"mobile": "+48 600"}}},
		"traits": map[string]any{"crm": "42", "shop": "7"}}
	ids := KeyIDs(p, [][]string{{"profile@traits.crm", "traits.shop"}, {"traits.missing"}, {"data.contact.email.main"}})
	if len(ids) != 3 {
		t.Fatalf("ids %v: want emm-, pho- and one key of two fields", ids)
	}
	if ids[0] != HashID("emm-", "ann@example.com") || !strings.HasPrefix(ids[0], "emm-") {
		t.Errorf("e-mail id %q: e-mails are trimmed and lower-cased", ids[0])
	}
	if !strings.HasPrefix(ids[1], "pho-") || !strings.HasPrefix(ids[2], "mrg-") {
		t.Errorf("ids %v", ids)
	}
	if same := KeyIDs(map[string]any{"traits": map[string]any{"shop": "7", "crm": "42"}}, [][]string{{"traits.shop", "traits.crm"}}); len(same) != 1 || same[0] != ids[2] {
		t.Errorf("a key's id must not depend on the order of its fields: %v vs %v", same, ids[2])
	}
	p["ids"] = []any{ids[0]}
	if miss := Missing(p, ids); len(miss) != 2 || miss[0] != ids[1] {
		t.Errorf("missing %v", miss)
	}
}
