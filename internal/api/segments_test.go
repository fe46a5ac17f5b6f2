package api_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tracflow/tracflow/internal/store"
	"github.com/tracflow/tracflow/internal/store/storetest"
	"github.com/tracflow/tracflow/internal/testenv"
)

func trackView(t *testing.T, e *testenv.Env, src, profile string) map[string]any {
	t.Helper()
	body := map[string]any{"source": map[string]any{"id": src}, "events": []any{map[string]any{"type": "page-view"}}}
	if profile != "" {
		body["profile"] = map[string]any{"id": profile}
	}
	return e.Do("POST", "/track", "", body).MustOK(t).Obj()
}

func eventTypes(t *testing.T, e *testenv.Env, pid string) []string {
	t.Helper()
	out := e.Admin("GET", "/profile/"+pid+"/events?limit=100", nil).MustOK(t).Obj()
	var types []string
	for _, ev := range out["result"].([]any) {
		types = append(types, ev.(map[string]any)["type"].(string))
	}
	return types
}

func count(list []string, s string) int {
	n := 0
	for _, x := range list {
		if x == s {
			n++
		}
	}
	return n
}

// TestSegmentAfterTheEventThatSatisfiesIt: a segment's condition puts the
// profile in the segment after the event that makes it true, in the same
// request, and fires segment-entered (whose rule runs); a condition that
// stops holding takes it out and fires segment-left.
func TestSegmentAfterTheEventThatSatisfiesIt(t *testing.T) {
	onEachBackend(t, func(t *testing.T, e *testenv.Env) {
		src := e.Setup("s1", testenv.CounterFlow("count", "stats.counters.views", "views"), "page-view")
		e.Setup("s1", testenv.FlowJSON("greet", []testenv.Node{
			{ID: "start", Module: testenv.Start},
			{ID: "answer", Module: testenv.AddResponse, Init: map[string]any{"key": "entered", "body": map[string]any{"segment": "event@properties.segment"}}},
		}, "start.payload>answer"), "segment-entered")
		seg := e.Admin("POST", "/segment", map[string]any{"name": "Frequent viewers", "condition": "stats.counters.views >= 2"}).MustOK(t).Obj()
		if seg["id"] != "frequent-viewers" {
			t.Fatalf("segment id = %v, want the name's machine name", seg["id"])
		}

		first := trackView(t, e, src, "")
		pid := first["profile"].(map[string]any)["id"].(string)
		if _, ok := first["response"].(map[string]any)["entered"]; ok {
			t.Fatalf("entered after one view: %v", first["response"])
		}
		second := trackView(t, e, src, pid)
		entered, _ := second["response"].(map[string]any)["entered"].(map[string]any)
		if entered["segment"] != "frequent-viewers" {
			t.Fatalf("the segment-entered rule did not run in the request that entered the segment: response %v", second["response"])
		}
		p := e.Admin("GET", "/profile/"+pid, nil).MustOK(t).Obj()
		if segs, _ := p["segments"].([]any); len(segs) != 1 || segs[0] != "frequent-viewers" {
			t.Fatalf("profile segments = %v", p["segments"])
		}
		if tm := p["metadata"].(map[string]any)["time"].(map[string]any); tm["segmentation"] == nil {
			t.Error("metadata.time.segmentation not set")
		}
		types := eventTypes(t, e, pid)
		if count(types, "segment-entered") != 1 || count(types, "page-view") != 2 {
			t.Fatalf("stored events %v: want 2 page-views and 1 segment-entered", types)
		}
		// A third view: still in, no new event.
		trackView(t, e, src, pid)
		if n := count(eventTypes(t, e, pid), "segment-entered"); n != 1 {
			t.Fatalf("segment-entered fired %d times, want once", n)
		}
		size := e.Admin("GET", "/segment/frequent-viewers/count", nil).MustOK(t).Obj()
		if size["total"] != 1.0 {
			t.Fatalf("count = %v", size)
		}

		// Raise the bar: the next event takes the profile out.
		seg["condition"] = "stats.counters.views >= 10"
		e.Admin("POST", "/segment", seg).MustOK(t)
		waitConfig(t, e)
		trackView(t, e, src, pid)
		if n := count(eventTypes(t, e, pid), "segment-left"); n != 1 {
			t.Fatalf("segment-left fired %d times, want once", n)
		}
		p = e.Admin("GET", "/profile/"+pid, nil).MustOK(t).Obj()
		if segs, _ := p["segments"].([]any); len(segs) != 0 {
			t.Fatalf("profile segments = %v after leaving", p["segments"])
		}
	})
}

// waitConfig refreshes the catalog so that the tracker sees a change at once.
func waitConfig(t *testing.T, e *testenv.Env) {
	t.Helper()
	if err := e.Catalog.Refresh(t.Context()); err != nil {
		t.Fatal(err)
	}
}

func TestSegmentBadInput(t *testing.T) {
	e := testenv.New(t, testenv.Options{})
	cases := []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"condition": "stats.visits > 1"}, "name"},
		{map[string]any{"name": "x", "condition": "stats.visits >"}, "condition"},
		{map[string]any{"name": "x", "condition": ""}, "condition"},
		{map[string]any{"name": "x", "condition": `event@type == "a"`}, "condition"},
		{map[string]any{"name": "x", "condition": "stats.visits > 1", "event_type": "page-view"}, "event_type"},
		{map[string]any{"name": "x", "condition": "stats.visits > 1", "enabled": "yes"}, "enabled"},
		{map[string]any{"name": "x", "id": "a b", "condition": "stats.visits > 1"}, "id"},
	}
	for _, c := range cases {
		r := e.Admin("POST", "/segment", c.body)
		if r.Status != 422 || !strings.Contains(string(r.Raw), `"field":"`+c.field+`"`) {
			t.Errorf("%v: %d %s; want 422 naming %s", c.body, r.Status, r.Raw, c.field)
		}
	}
	if n := len(e.Admin("GET", "/segments", nil).MustOK(t).Obj()["result"].([]any)); n != 0 {
		t.Errorf("%d segments stored from bad input", n)
	}
	if r := e.Admin("GET", "/segment/nope/count", nil); r.Status != 404 {
		t.Errorf("count of a missing segment: %d", r.Status)
	}
	if r := e.Admin("GET", "/segment/nope/export?format=xml", nil); r.Status != 404 {
		t.Errorf("export of a missing segment: %d", r.Status)
	}
}

// storeProfiles writes n profiles p0000.. with stats.visits = i and
// segments given.
func storeProfiles(t *testing.T, st store.Store, n int, segments func(i int) []any) {
	t.Helper()
	var docs []store.Doc
	for i := range n {
		docs = append(docs, store.Doc{"id": fmt.Sprintf("p%04d", i), "stats": map[string]any{"visits": float64(i)},
			"segments": segments(i), "data": map[string]any{"contact": map[string]any{"email": map[string]any{"main": fmt.Sprintf("u%d@example.com", i)}}},
			"metadata": map[string]any{"time": map[string]any{"insert": "2025-01-01T00:00:00Z"}}})
		if len(docs) == 200 || i == n-1 {
			if err := st.Apply(t.Context(), &store.ChangeSet{Profiles: docs}); err != nil {
				t.Fatal(err)
			}
			docs = nil
		}
	}
}

func get(t *testing.T, e *testenv.Env, path string) (string, http.Header) {
	t.Helper()
	req, _ := http.NewRequest("GET", e.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+e.Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %s", path, resp.StatusCode, b)
	}
	return string(b), resp.Header
}

// TestSegmentListAndExport pages a segment's profiles and exports them as
// CSV and NDJSON across several export pages (over 500 profiles).
func TestSegmentListAndExport(t *testing.T) {
	onEachBackend(t, func(t *testing.T, e *testenv.Env) {
		e.Admin("POST", "/segment", map[string]any{"id": "odd", "name": "Odd", "condition": "stats.visits > 0"}).MustOK(t)
		const n = 1210
		storeProfiles(t, e.Store, n, func(i int) []any {
			if i%2 == 1 {
				return []any{"odd", "other"}
			}
			return []any{}
		})
		want := n / 2
		if got := e.Admin("GET", "/segment/odd/count", nil).MustOK(t).Obj()["total"]; got != float64(want) {
			t.Fatalf("count = %v, want %d", got, want)
		}
		var ids []string
		after := ""
		for range 100 {
			pg := e.Admin("GET", "/segment/odd/profiles?limit=200&after="+after, nil).MustOK(t).Obj()
			for _, d := range pg["result"].([]any) {
				ids = append(ids, d.(map[string]any)["id"].(string))
			}
			if after = pg["next"].(string); after == "" {
				break
			}
		}
		if len(ids) != want || ids[0] != "p0001" || ids[len(ids)-1] != fmt.Sprintf("p%04d", n-1) {
			t.Fatalf("listed %d profiles (%v..); want %d", len(ids), ids[:min(3, len(ids))], want)
		}

		csvText, h := get(t, e, "/segment/odd/export")
		if !strings.HasPrefix(h.Get("Content-Type"), "text/csv") {
			t.Errorf("content type %q", h.Get("Content-Type"))
		}
		lines := strings.Split(strings.TrimSpace(csvText), "\n")
		if len(lines) != want+1 || !strings.HasPrefix(lines[0], "id,email,") || lines[1] != "p0001,u1@example.com,,,1,odd;other,2025-01-01T00:00:00Z," {
			t.Fatalf("CSV: %d lines, head %q, first %q", len(lines), lines[0], lines[1])
		}
		nd, _ := get(t, e, "/segment/odd/export?format=ndjson")
		sc := bufio.NewScanner(strings.NewReader(nd))
		sc.Buffer(nil, 1<<20)
		rows := 0
		for sc.Scan() {
			var d map[string]any
			if err := json.Unmarshal(sc.Bytes(), &d); err != nil {
				t.Fatalf("NDJSON line %d: %v", rows+1, err)
			}
			if d["id"] != fmt.Sprintf("p%04d", 2*rows+1) {
				t.Fatalf("NDJSON line %d is %v", rows+1, d["id"])
			}
			rows++
		}
		if rows != want {
			t.Fatalf("NDJSON rows = %d, want %d", rows, want)
		}
	})
}

// TestSegmentsRefreshJob re-evaluates every stored profile in the
// background, a page at a time, with its progress readable.
func TestSegmentsRefreshJob(t *testing.T) {
	run := func(t *testing.T, o testenv.Options) {
		o.Background, o.SegmentsPageSize = true, 25
		e := testenv.New(t, o)
		const n = 330
		// Every profile starts in "stale" (a segment whose condition holds
		// for none) and in none of "busy".
		storeProfiles(t, e.Store, n, func(int) []any { return []any{"stale", "kept-by-a-plugin"} })
		e.Admin("POST", "/segment", map[string]any{"id": "busy", "name": "Busy", "condition": "stats.visits >= 300"}).MustOK(t)
		e.Admin("POST", "/segment", map[string]any{"id": "stale", "name": "Stale", "condition": "stats.visits < 0"}).MustOK(t)
		if p := e.Admin("GET", "/segments/refresh", nil).MustOK(t).Obj(); p["state"] != "never" {
			t.Fatalf("progress before any run: %v", p)
		}
		r := e.Admin("POST", "/segments/refresh", nil)
		if r.Status != 202 {
			t.Fatalf("refresh: %d %s", r.Status, r.Raw)
		}
		var p map[string]any
		deadline := time.Now().Add(60 * time.Second)
		for {
			p = e.Admin("GET", "/segments/refresh", nil).MustOK(t).Obj()
			if p["state"] == "done" || time.Now().After(deadline) {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		if p["state"] != "done" || p["done"] != float64(n) || p["total"] != float64(n) || p["changed"] != float64(n) {
			t.Fatalf("progress %v: want done, %d of %d, all changed", p, n, n)
		}
		if got := e.Admin("GET", "/segment/busy/count", nil).MustOK(t).Obj()["total"]; got != 30.0 {
			t.Errorf("busy = %v, want 30", got)
		}
		if got := e.Admin("GET", "/segment/stale/count", nil).MustOK(t).Obj()["total"]; got != 0.0 {
			t.Errorf("stale = %v, want 0", got)
		}
		prof := e.Admin("GET", "/profile/p0300", nil).MustOK(t).Obj()
		if s := fmt.Sprint(prof["segments"]); s != "[kept-by-a-plugin busy]" {
			t.Errorf("p0300 segments = %s", s)
		}
	}
	t.Run("sqlite", func(t *testing.T) { run(t, testenv.Options{}) })
	t.Run("postgres", func(t *testing.T) { run(t, testenv.Options{DSN: storetest.PostgresDSN(t)}) })
}

// TestConsentTypesAndProfileConsents: consent types are validated; a
// profile's consents are granted and revoked through the API, the
// revocation dated and kept.
func TestConsentTypesAndProfileConsents(t *testing.T) {
	onEachBackend(t, func(t *testing.T, e *testenv.Env) {
		if r := e.Admin("POST", "/consent-type", map[string]any{"name": "Marketing", "revokable": true}); r.Status != 422 || !strings.Contains(string(r.Raw), "auto_revoke") {
			t.Fatalf("revokable without auto_revoke: %d %s", r.Status, r.Raw)
		}
		if r := e.Admin("POST", "/consent-type", map[string]any{"name": "Marketing", "default_value": "maybe"}); r.Status != 422 || !strings.Contains(string(r.Raw), "default_value") {
			t.Fatalf("bad default: %d %s", r.Status, r.Raw)
		}
		ct := e.Admin("POST", "/consent-type", map[string]any{"name": "Marketing e-mails", "revokable": true, "auto_revoke": "30d"}).MustOK(t).Obj()
		if ct["id"] != "marketing-e-mails" || ct["default_value"] != "deny" {
			t.Fatalf("consent type %v", ct)
		}
		e.Setup("s1", testenv.CounterFlow("count", "stats.counters.views", "views"), "page-view")
		pid := trackView(t, e, "s1", "")["profile"].(map[string]any)["id"].(string)

		if r := e.Admin("POST", "/profile/"+pid+"/consent/nope/grant", nil); r.Status != 422 {
			t.Errorf("grant of an unknown type: %d %s", r.Status, r.Raw)
		}
		if r := e.Admin("POST", "/profile/"+pid+"/consent/marketing-e-mails/revoke", nil); r.Status != 404 {
			t.Errorf("revoke of a consent not held: %d %s", r.Status, r.Raw)
		}
		out := e.Admin("POST", "/profile/"+pid+"/consent/marketing-e-mails/grant", nil).MustOK(t).Obj()
		item := out["result"].([]any)[0].(map[string]any)
		if item["in_force"] != true || item["held"] != true {
			t.Fatalf("after grant: %v", item)
		}
		c := out["consents"].(map[string]any)["marketing-e-mails"].(map[string]any)
		revoke, _ := time.Parse(time.RFC3339, c["revoke"].(string))
		if d := time.Until(revoke); d < 29*24*time.Hour || d > 31*24*time.Hour {
			t.Errorf("revoke %v: want about 30 days from now", c["revoke"])
		}
		// The tracker sees the grant (its cache was told).
		trackView(t, e, "s1", pid)
		out = e.Admin("POST", "/profile/"+pid+"/consent/marketing-e-mails/revoke", nil).MustOK(t).Obj()
		item = out["result"].([]any)[0].(map[string]any)
		c = item["consent"].(map[string]any)
		if item["in_force"] != false || c["revoked"] == nil || c["granted"] == nil {
			t.Fatalf("after revoke: %v", item)
		}
		p := e.Admin("GET", "/profile/"+pid+"/consents", nil).MustOK(t).Obj()
		if fmt.Sprint(p["consents"]) != fmt.Sprint(out["consents"]) {
			t.Errorf("stored consents %v, answered %v", p["consents"], out["consents"])
		}
		if n := p["result"].([]any)[0].(map[string]any)["in_force"]; n != false {
			t.Errorf("revoked consent in force: %v", p)
		}
	})
}

const v1 = "tracardi.process_engine.action.v1."

// TestSegmentationWorkflowAndForce: a segment may name a segmentation
// workflow (a flow started by Start segmentation) that runs with the
// profile after its events and in the re-evaluation; Force segmentation
// evaluates segments limited to other event types.
func TestSegmentationWorkflowAndForce(t *testing.T) {
	run := func(t *testing.T, o testenv.Options) {
		o.Background, o.SegmentsPageSize = true, 7
		e := testenv.New(t, o)
		src := e.Setup("s1", testenv.FlowJSON("count", []testenv.Node{
			{ID: "start", Module: testenv.Start},
			{ID: "inc", Module: testenv.Increment, Init: map[string]any{"field": "profile@stats.counters.views", "increment": 1}},
			{ID: "force", Module: v1 + "segmentation.force.plugin"},
		}, "start.payload>inc", "inc.payload>force"), "page-view")
		wf := testenv.FlowJSON("seg-flow", []testenv.Node{
			{ID: "start", Module: v1 + "flow.start_segmentation.plugin", Init: map[string]any{"profile_id": ""}},
			{ID: "cond", Module: v1 + "segmentation.conditional.plugin", Init: map[string]any{"condition": "profile@stats.counters.views >= 2",
				"true_action": "add", "true_segment": "engaged", "false_action": "remove", "false_segment": "engaged"}},
		}, "start.payload>cond")
		var flow map[string]any
		json.Unmarshal([]byte(wf), &flow)
		e.Admin("POST", "/flow/production", flow).MustOK(t)
		e.Admin("POST", "/segment", map[string]any{"name": "Engaged", "workflow": map[string]any{"id": "seg-flow"}}).MustOK(t)
		// Limited to purchases, but the page-view flow forces segmentation.
		e.Admin("POST", "/segment", map[string]any{"name": "Viewer", "condition": "stats.counters.views >= 1", "event_type": []any{"purchase"}}).MustOK(t)
		waitConfig(t, e)

		pid := trackView(t, e, src, "")["profile"].(map[string]any)["id"].(string)
		p := e.Admin("GET", "/profile/"+pid, nil).MustOK(t).Obj()
		if s := fmt.Sprint(p["segments"]); s != "[viewer]" {
			t.Fatalf("after one view: segments %s, want [viewer] (forced)", s)
		}
		trackView(t, e, src, pid)
		p = e.Admin("GET", "/profile/"+pid, nil).MustOK(t).Obj()
		if s := fmt.Sprint(p["segments"]); s != "[viewer engaged]" {
			t.Fatalf("after two views: segments %s, want [viewer engaged]", s)
		}
		if op := p["operation"].(map[string]any); op["segment"] == true {
			t.Error("operation.segment stored as true")
		}
		if n := count(eventTypes(t, e, pid), "segment-entered"); n != 2 {
			t.Errorf("segment-entered fired %d times, want 2", n)
		}

		// The re-evaluation runs the workflow over stored profiles.
		storeProfiles(t, e.Store, 20, func(int) []any { return []any{} })
		for i := range 20 {
			if err := e.Store.Apply(t.Context(), &store.ChangeSet{Profiles: []store.Doc{{"id": fmt.Sprintf("p%04d", i),
				"stats": map[string]any{"counters": map[string]any{"views": float64(i % 4)}}, "segments": []any{}}}}); err != nil {
				t.Fatal(err)
			}
		}
		e.Admin("POST", "/segments/refresh", nil)
		deadline := time.Now().Add(60 * time.Second)
		for e.Admin("GET", "/segments/refresh", nil).MustOK(t).Obj()["state"] != "done" && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond)
		}
		if got := e.Admin("GET", "/segment/engaged/count", nil).MustOK(t).Obj()["total"]; got != 11.0 {
			t.Errorf("engaged after the re-evaluation = %v, want 10 stored + the tracked one", got)
		}
		if got := e.Admin("GET", "/segment/viewer/count", nil).MustOK(t).Obj()["total"]; got != 16.0 {
			t.Errorf("viewer after the re-evaluation = %v, want 15 stored + the tracked one", got)
		}
	}
	t.Run("sqlite", func(t *testing.T) { run(t, testenv.Options{}) })
	t.Run("postgres", func(t *testing.T) { run(t, testenv.Options{DSN: storetest.PostgresDSN(t)}) })
}
