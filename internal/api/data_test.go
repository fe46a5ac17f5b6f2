package api_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tracflow/tracflow/internal/store"
	"github.com/tracflow/tracflow/internal/store/storetest"
	"github.com/tracflow/tracflow/internal/testenv"
)

// onEachBackend runs f on SQLite, and on PostgreSQL when TRACFLOW_TEST_PG
// is set.
func onEachBackend(t *testing.T, f func(t *testing.T, e *testenv.Env)) {
	t.Run("sqlite", func(t *testing.T) { f(t, testenv.New(t, testenv.Options{})) })
	t.Run("postgres", func(t *testing.T) {
		f(t, testenv.New(t, testenv.Options{DSN: storetest.PostgresDSN(t)}))
	})
}

// dataT0 is when the fixture's first event was inserted.
var dataT0 = time.Date(2024, 6, 1, 10, 0, 0, 0, time.UTC)

// dataFixture stores 3 profiles (p1 pro, p2 free, p3 without a plan), 2
// sessions of p1 and 6 events of p1, one every 25 minutes from dataT0:
// page-view, purchase (value 10), page-view, purchase (value 30), login,
// page-view.
func dataFixture(t *testing.T, e *testenv.Env) {
	t.Helper()
	at := func(min int) string { return dataT0.Add(time.Duration(min) * time.Minute).Format(time.RFC3339) }
	profile := func(id string, traits map[string]any, insert int) store.Doc {
		return store.Doc{"id": id, "traits": traits, "stats": map[string]any{"visits": 1},
			"metadata": map[string]any{"time": map[string]any{"insert": at(insert), "update": at(insert + 60)}}}
	}
	cs := &store.ChangeSet{
		Profiles: []store.Doc{
			profile("p1", map[string]any{"plan": "pro", "age": 41}, 0),
			profile("p2", map[string]any{"plan": "free", "age": 20}, 10),
			profile("p3", map[string]any{}, 20),
		},
		Sessions: []store.Doc{
			{"id": "s1", "profile": map[string]any{"id": "p1"}, "metadata": map[string]any{"time": map[string]any{"insert": at(0)}, "channel": "web"}},
			{"id": "s2", "profile": map[string]any{"id": "p1"}, "metadata": map[string]any{"time": map[string]any{"insert": at(100)}, "channel": "app"}},
		},
	}
	types := []string{"page-view", "purchase", "page-view", "purchase", "login", "page-view"}
	for i, typ := range types {
		ev := store.Doc{"id": fmt.Sprintf("e%d", i), "type": typ, "profile": map[string]any{"id": "p1"},
			"session": map[string]any{"id": "s1"}, "source": map[string]any{"id": "web"},
			"properties": map[string]any{}, "metadata": map[string]any{"time": map[string]any{"insert": at(25 * i)}, "status": "processed"}}
		if typ == "purchase" {
			ev["properties"] = map[string]any{"value": float64(10 + 10*i - 10)}
		}
		cs.Events = append(cs.Events, ev)
	}
	if err := e.Store.Apply(context.Background(), cs); err != nil {
		t.Fatal(err)
	}
}

func resultIDs(r *testenv.Response) string {
	var ids []string
	list, _ := r.Obj()["result"].([]any)
	for _, x := range list {
		m, _ := x.(map[string]any)
		id, _ := m["id"].(string)
		ids = append(ids, id)
	}
	return strings.Join(ids, " ")
}

func TestSelect(t *testing.T) {
	onEachBackend(t, func(t *testing.T, e *testenv.Env) {
		dataFixture(t, e)
		cases := []struct {
			path  string
			body  any
			total float64
			ids   string
		}{
			{"/event/select", map[string]any{}, 6, "e5 e4 e3 e2 e1 e0"},
			{"/event/select", nil, 6, "e5 e4 e3 e2 e1 e0"},
			{"/event/select", map[string]any{"where": `type == "purchase"`}, 2, "e3 e1"},
			{"/event/select", map[string]any{"where": `event@type == ["purchase", "login"] AND properties.value > 15`}, 1, "e3"},
			{"/event/select", map[string]any{"where": `properties.value EXISTS`, "sort": []any{map[string]any{"field": "properties.value", "order": "desc"}}}, 2, "e3 e1"},
			{"/event/select", map[string]any{"where": `type == "page-view"`, "limit": 2, "offset": 1}, 3, "e2 e0"},
			{"/event/select", map[string]any{"sort": []any{map[string]any{"field": "type"}, map[string]any{"field": "event@metadata.time.insert", "order": "DESC"}}, "limit": 3}, 6, "e4 e5 e2"},
			{"/event/select", map[string]any{"where": `metadata.time.insert >= "2024-06-01T11:00:00Z"`}, 3, "e5 e4 e3"},
			{"/event/select", map[string]any{"where": `metadata.time.insert > now()`}, 0, ""},
			{"/event/select", map[string]any{"from": "2024-06-01T11:00:00Z"}, 3, "e5 e4 e3"},
			{"/event/select", map[string]any{"where": `type == "page-view"`, "to": "2024-06-01T11:00:00Z"}, 2, "e2 e0"},
			{"/event/select", map[string]any{"from": "2024-06-01T10:30:00Z", "to": "2024-06-01T11:30:00Z"}, 2, "e3 e2"},
			{"/profile/select", map[string]any{"where": `traits.plan == "pro"`}, 1, "p1"},
			{"/profile/select", map[string]any{"where": `traits.plan NOT EXISTS OR traits.age < 30`, "sort": []any{map[string]any{"field": "id"}}}, 2, "p2 p3"},
			{"/profile/select", map[string]any{"where": "", "sort": []any{map[string]any{"field": "metadata.time.update", "order": "asc"}}}, 3, "p1 p2 p3"},
			{"/session/select", map[string]any{"where": `metadata.channel == "app"`}, 1, "s2"},
			{"/session/select", map[string]any{"where": `profile.id == "p1"`}, 2, "s2 s1"},
			{"/event/select", map[string]any{"where": `source.id == ["", "web"] AND type == "login"`}, 1, "e4"},
			{"/event/select", map[string]any{"where": `source.id == ""`}, 0, ""},
		}
		for _, tc := range cases {
			r := e.Admin("POST", tc.path, tc.body).MustOK(t)
			if got := r.Obj()["total"]; got != tc.total || resultIDs(r) != tc.ids {
				t.Errorf("%s %v: total %v, ids %q; want %v, %q", tc.path, tc.body, got, resultIDs(r), tc.total, tc.ids)
			}
		}
	})
}

// expectFieldError checks a 4xx answer naming a field, whose message
// contains want.
func expectFieldError(t *testing.T, r *testenv.Response, status int, field, want string) {
	t.Helper()
	if r.Status != status {
		t.Errorf("status %d, want %d: %s", r.Status, status, r.Raw)
		return
	}
	if d, _ := r.Obj()["detail"].(string); d == "" {
		t.Errorf("no detail: %s", r.Raw)
	}
	if field == "" {
		return
	}
	errs, _ := r.Obj()["errors"].([]any)
	for _, x := range errs {
		m, _ := x.(map[string]any)
		if m["field"] == field {
			if msg, _ := m["message"].(string); !strings.Contains(msg, want) {
				t.Errorf("%s: message %q does not say %q", field, msg, want)
			}
			return
		}
	}
	t.Errorf("no error names %q: %s", field, r.Raw)
}

func TestSelectBadInput(t *testing.T) {
	e := testenv.New(t, testenv.Options{})
	cases := []struct {
		path   string
		body   any
		status int
		field  string
		want   string
	}{
		{"/profile/select", map[string]any{"where": `traits.plan ==`}, 422, "where", "at 14: expected a value"},
		{"/profile/select", map[string]any{"where": `traits.plan = "pro" AND (`}, 422, "where", "at 25"},
		{"/profile/select", map[string]any{"where": `event@type == "x"`}, 422, "where", "event@type is not part of a profile"},
		{"/event/select", map[string]any{"where": `nowhere@x == 1`}, 422, "where", "unknown source"},
		{"/event/select", map[string]any{"were": `type == "x"`}, 422, "were", "unknown field"},
		{"/event/select", map[string]any{"where": 5}, 422, "where", "expected a string"},
		{"/event/select", map[string]any{"limit": 0}, 422, "limit", "from 1 to 1000"},
		{"/event/select", map[string]any{"from": "yesterday"}, 422, "from", "expected a time such as"},
		{"/session/select", map[string]any{"to": "2024-13-45"}, 422, "to", "expected a time such as"},
		{"/event/select", map[string]any{"limit": 5000}, 422, "limit", "from 1 to 1000"},
		{"/event/select", map[string]any{"limit": "ten"}, 422, "limit", "expected"},
		{"/event/select", map[string]any{"offset": -1}, 422, "offset", "0 or more"},
		{"/event/select", map[string]any{"offset": 99990, "limit": 20}, 422, "offset", "at most 100000"},
		{"/event/select", map[string]any{"sort": []any{map[string]any{"field": "type", "order": "up"}}}, 422, "sort[0].order", "asc or desc"},
		{"/event/select", map[string]any{"sort": []any{map[string]any{"order": "asc"}}}, 422, "sort[0].field", "required"},
		{"/event/select", map[string]any{"sort": []any{map[string]any{"field": "profile@traits.x"}}}, 422, "sort[0].field", "not profile@"},
		{"/event/select", `{"where": `, 400, "", ""},
		{"/event/select", `[1]`, 422, "(body)", "JSON object"},
		{"/event/select/histogram", map[string]any{"interval": "week"}, 422, "interval", "minute, hour or day"},
		{"/event/select/histogram", map[string]any{"from": "yesterday"}, 422, "from", "2024-06-01"},
		{"/event/select/histogram", map[string]any{"from": "2024-06-02", "to": "2024-06-01"}, 422, "to", "later than from"},
		{"/event/select/histogram", map[string]any{"interval": "minute", "from": "2024-01-01", "to": "2024-06-01"}, 422, "interval", "at most 10000"},
		{"/event/select/histogram", map[string]any{"where": `type ==== 1`}, 422, "where", "at "},
		{"/session/select/histogram", map[string]any{"where": `profile@id == 1`}, 422, "where", "not part of a session"},
	}
	for _, tc := range cases {
		r := e.Admin("POST", tc.path, tc.body)
		t.Run(fmt.Sprintf("%s %v", tc.path, tc.body), func(t *testing.T) { expectFieldError(t, r, tc.status, tc.field, tc.want) })
	}
}

func TestHistogram(t *testing.T) {
	onEachBackend(t, func(t *testing.T, e *testenv.Env) {
		dataFixture(t, e)
		r := e.Admin("POST", "/event/select/histogram", map[string]any{"interval": "hour", "from": "2024-06-01T09:00:00Z", "to": "2024-06-01T14:00:00Z"}).MustOK(t)
		var got []string
		for _, b := range r.Obj()["buckets"].([]any) {
			m := b.(map[string]any)
			got = append(got, fmt.Sprintf("%s=%v", strings.TrimSuffix(strings.TrimPrefix(m["time"].(string), "2024-06-01T"), ":00:00Z"), m["count"]))
		}
		// Events at 10:00, 10:25, 10:50, 11:15, 11:40, 12:05.
		if want := "09=0 10=3 11=2 12=1 13=0"; strings.Join(got, " ") != want {
			t.Errorf("buckets %v, want %s", got, want)
		}
		if r.Obj()["total"] != 6.0 || r.Obj()["interval"] != "hour" {
			t.Errorf("answer %s", r.Raw)
		}
		r = e.Admin("POST", "/event/select/histogram", map[string]any{"where": `type == "purchase" OR type == "login"`, "interval": "day", "from": "2024-06-01", "to": "2024-06-02"}).MustOK(t)
		bs := r.Obj()["buckets"].([]any)
		if len(bs) != 1 || testenv.At(bs, "0.count") != 3.0 || testenv.At(bs, "0.time") != "2024-06-01T00:00:00Z" {
			t.Errorf("purchases and logins per day: %s", r.Raw)
		}
		// Without from and to: the last 24 hours, one bucket each (nothing
		// in them: the fixture is in 2024).
		r = e.Admin("POST", "/profile/select/histogram", nil).MustOK(t)
		if bs := r.Obj()["buckets"].([]any); len(bs) != 24 || r.Obj()["total"] != 0.0 {
			t.Errorf("default range: %d buckets: %s", len(bs), r.Raw)
		}
		r = e.Admin("POST", "/session/select/histogram", map[string]any{"interval": "minute", "from": "2024-06-01T10:00:30Z", "to": "2024-06-01T10:02:00Z"}).MustOK(t)
		if bs := r.Obj()["buckets"].([]any); len(bs) != 2 || testenv.At(bs, "0.time") != "2024-06-01T10:00:00Z" || testenv.At(bs, "0.count") != 0.0 {
			t.Errorf("from inside a bucket (s1 at 10:00:00 is before from): %s", r.Raw)
		}
	})
}

func TestGetEventSessionAndProfileSessions(t *testing.T) {
	e := testenv.New(t, testenv.Options{})
	dataFixture(t, e)
	if r := e.Admin("GET", "/event/e1", nil).MustOK(t); r.Obj()["type"] != "purchase" {
		t.Errorf("event: %s", r.Raw)
	}
	if r := e.Admin("GET", "/session/s2", nil).MustOK(t); obj2(r.Body, "metadata")["channel"] != "app" {
		t.Errorf("session: %s", r.Raw)
	}
	expectFieldError(t, e.Admin("GET", "/event/nope", nil), 404, "", "")
	expectFieldError(t, e.Admin("GET", "/session/nope", nil), 404, "", "")
	r := e.Admin("GET", "/profile/p1/sessions?limit=1", nil).MustOK(t)
	if r.Obj()["total"] != 2.0 || resultIDs(r) != "s2" {
		t.Errorf("sessions of p1: %s", r.Raw)
	}
	if r := e.Admin("GET", "/profile/p1/sessions?offset=1", nil).MustOK(t); resultIDs(r) != "s1" {
		t.Errorf("second session of p1: %s", r.Raw)
	}
	expectFieldError(t, e.Admin("GET", "/profile/nope/sessions", nil), 404, "", "")
	expectFieldError(t, e.Admin("GET", "/profile/p1/sessions?limit=x", nil), 422, "limit", "whole number")
}

func obj2(v any, path ...string) map[string]any {
	for _, k := range path {
		m, _ := v.(map[string]any)
		v = m[k]
	}
	m, _ := v.(map[string]any)
	return m
}

// TestDeleteProfile deletes a profile that the collector has cached: its
// events and sessions go, and tracking it again starts afresh.
func TestDeleteProfile(t *testing.T) {
	onEachBackend(t, func(t *testing.T, e *testenv.Env) {
		src := e.Setup("web", testenv.CounterFlow("count", "stats.views", "views"), "page-view")
		var pid, sid string
		var eventIDs []string
		for i := 0; i < 3; i++ {
			r := e.Do("POST", "/track", "", trackBody(src, pid, sid, "page-view")).MustOK(t)
			pid = r.At("profile.id").(string)
			sid = r.At("session.id").(string)
		}
		evs := e.Admin("GET", "/profile/"+pid+"/events", nil).MustOK(t)
		for _, x := range evs.Obj()["result"].([]any) {
			eventIDs = append(eventIDs, x.(map[string]any)["id"].(string))
		}
		if len(eventIDs) != 6 { // 3 page views; profile-created, session-opened, visit-started
			t.Fatalf("events before: %s", evs.Raw)
		}
		r := e.Admin("DELETE", "/profile/"+pid, nil).MustOK(t)
		if r.Obj()["events"] != 6.0 || r.Obj()["sessions"] != 1.0 || r.Obj()["id"] != pid {
			t.Errorf("delete answer: %s", r.Raw)
		}
		expectFieldError(t, e.Admin("GET", "/profile/"+pid, nil), 404, "", "")
		expectFieldError(t, e.Admin("GET", "/session/"+sid, nil), 404, "", "")
		for _, id := range eventIDs {
			expectFieldError(t, e.Admin("GET", "/event/"+id, nil), 404, "", "")
		}
		expectFieldError(t, e.Admin("DELETE", "/profile/"+pid, nil), 404, "", "")
		// The tracker's cache forgot them: the same ids start a new profile.
		r = e.Do("POST", "/track", "", trackBody(src, pid, sid, "page-view")).MustOK(t)
		if v := r.At("response.views.value"); v != 1.0 {
			t.Errorf("views after tracking the deleted profile again = %v, want 1", v)
		}
		if n := e.Admin("POST", "/event/select", map[string]any{"where": fmt.Sprintf("profile.id == %q and type == \"page-view\"", pid)}).MustOK(t).Obj()["total"]; n != 1.0 {
			t.Errorf("page views of the new profile = %v, want 1", n)
		}
	})
}

func TestDeleteProfileByAlias(t *testing.T) {
	e := testenv.New(t, testenv.Options{})
	err := e.Store.Apply(context.Background(), &store.ChangeSet{Profiles: []store.Doc{{"id": "main", "ids": []any{"old"}}}})
	if err != nil {
		t.Fatal(err)
	}
	if r := e.Admin("DELETE", "/profile/old", nil).MustOK(t); r.Obj()["id"] != "main" {
		t.Errorf("delete by alias: %s", r.Raw)
	}
	if r := e.Admin("GET", "/profile/main", nil); r.Status != http.StatusNotFound {
		t.Errorf("profile still there: %d", r.Status)
	}
}
