package api_test

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/tracflow/tracflow/internal/api"
	"github.com/tracflow/tracflow/internal/testenv"
)

func flowDoc(t *testing.T, js string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(js), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestFlowRoutesRoles(t *testing.T) {
	e := testenv.New(t, testenv.Options{})
	toks := roleUsers(t, e)
	readers := []string{api.RoleAdmin, api.RoleDeveloper, api.RoleMarketer}
	// Marketers build, debug and deploy workflows in the editor.
	editors := []string{api.RoleAdmin, api.RoleDeveloper, api.RoleMarketer}
	for _, p := range []string{"/flow/metadata/none", "/flow/draft/none", "/flow/production/none", "/flows", "/rules/by_flow/none"} {
		checkRoles(t, e, toks, "GET", p, nil, readers...)
	}
	checkRoles(t, e, toks, "POST", "/flow/metadata", map[string]any{}, editors...)
	checkRoles(t, e, toks, "GET", "/flow/production/none/restore", nil, editors...)
	checkRoles(t, e, toks, "DELETE", "/flow/none", nil, editors...)
	checkRoles(t, e, toks, "GET", "/flow/none/lock/yes", nil, editors...)
	checkRoles(t, e, toks, "GET", "/flow/none/lock/no", nil, editors...)
	checkRoles(t, e, toks, "POST", "/flow/import", map[string]any{}, editors...)
	checkRoles(t, e, toks, "POST", "/flow/debug", map[string]any{}, editors...)
}

func TestFlowMetadataDraftProductionAndList(t *testing.T) {
	e := testenv.New(t, testenv.Options{})
	meta := e.Admin("POST", "/flow/metadata", map[string]any{"name": "Welcome", "description": "Greets people", "tags": []any{"onboarding"}}).MustOK(t).Obj()
	id, _ := meta["id"].(string)
	if id == "" || meta["lock"] != false {
		t.Fatalf("metadata: %v", meta)
	}
	if m := e.Admin("GET", "/flow/metadata/"+id, nil).MustOK(t).Obj(); m["name"] != "Welcome" || m["description"] != "Greets people" {
		t.Errorf("metadata read back: %v", m)
	}
	// A new flow has an empty draft and no production version.
	d := e.Admin("GET", "/flow/draft/"+id, nil).MustOK(t).Obj()
	if d["id"] != id || len(obj(d, "flowGraph")["nodes"].([]any)) != 0 {
		t.Errorf("empty draft: %v", d)
	}
	wantError(t, e.Admin("GET", "/flow/production/"+id, nil), http.StatusNotFound, "")

	flow := flowDoc(t, testenv.CounterFlow(id, "stats.counters.n", "n"))
	flow["name"] = "Welcome"
	e.Admin("POST", "/flow/draft", flow).MustOK(t)
	if d := e.Admin("GET", "/flow/draft/"+id, nil).MustOK(t).Obj(); len(obj(d, "flowGraph")["nodes"].([]any)) != 3 {
		t.Errorf("saved draft: %v", d)
	}
	e.Admin("POST", "/flow/production", flow).MustOK(t)
	if p := e.Admin("GET", "/flow/production/"+id, nil).MustOK(t).Obj(); len(obj(p, "flowGraph")["nodes"].([]any)) != 3 {
		t.Errorf("production: %v", p)
	}

	for _, n := range []string{"Alpha", "beta", "Gamma"} {
		e.Admin("POST", "/flow/metadata", map[string]any{"id": strings.ToLower(n), "name": n, "tags": []any{"greek"}}).MustOK(t)
	}
	all := e.Admin("GET", "/flows", nil).MustOK(t).Obj()
	if all["total"] != 4.0 {
		t.Fatalf("flows: %v", all)
	}
	names := []string{}
	for _, f := range all["result"].([]any) {
		names = append(names, f.(map[string]any)["name"].(string))
	}
	if strings.Join(names, ",") != "Alpha,beta,Gamma,Welcome" {
		t.Errorf("flows by name: %v", names)
	}
	if r := e.Admin("GET", "/flows?tag=greek&limit=2&offset=1", nil).MustOK(t).Obj(); r["total"] != 3.0 || len(r["result"].([]any)) != 2 || testenv.At(r, "result.0.name") != "beta" {
		t.Errorf("flows?tag=greek&limit=2&offset=1: %v", r)
	}
	if r := e.Admin("GET", "/flows?query=GREETS", nil).MustOK(t).Obj(); r["total"] != 1.0 {
		t.Errorf("flows?query=GREETS: %v", r)
	}
	wantError(t, e.Admin("GET", "/flows?offset=-1", nil), http.StatusUnprocessableEntity, "offset")

	wantError(t, e.Admin("POST", "/flow/metadata", map[string]any{"description": "no name"}), http.StatusUnprocessableEntity, "name")
	wantError(t, e.Admin("POST", "/flow/metadata", map[string]any{"name": "x", "tags": "one"}), http.StatusUnprocessableEntity, "tags")
	wantError(t, e.Admin("POST", "/flow/metadata", map[string]any{"name": 3}), http.StatusUnprocessableEntity, "name")
	for _, p := range []string{"/flow/metadata/none", "/flow/draft/none", "/flow/production/none", "/rules/by_flow/none", "/flow/production/none/restore"} {
		wantError(t, e.Admin("GET", p, nil), http.StatusNotFound, "")
	}
	wantError(t, e.Admin("DELETE", "/flow/none", nil), http.StatusNotFound, "")
	wantError(t, e.Admin("GET", "/flow/none/lock/yes", nil), http.StatusNotFound, "")
}

func TestRestorePreviousProduction(t *testing.T) {
	e := testenv.New(t, testenv.Options{})
	v1 := flowDoc(t, testenv.CounterFlow("f", "stats.counters.a", "a"))
	v2 := flowDoc(t, testenv.CounterFlow("f", "stats.counters.b", "b"))
	e.Admin("POST", "/flow/production", v1).MustOK(t)
	wantError(t, e.Admin("GET", "/flow/production/f/restore", nil), http.StatusNotFound, "")
	e.Admin("POST", "/flow/production", v2).MustOK(t)
	r := e.Admin("GET", "/flow/production/f/restore", nil).MustOK(t)
	if !strings.Contains(string(r.Raw), "stats.counters.a") {
		t.Fatalf("restored: %s", r.Raw)
	}
	if p := e.Admin("GET", "/flow/production/f", nil).MustOK(t); !strings.Contains(string(p.Raw), "stats.counters.a") {
		t.Errorf("production after restore: %s", p.Raw)
	}
	wantError(t, e.Admin("GET", "/flow/production/f/restore", nil), http.StatusNotFound, "")
}

func TestLockedFlowRefusesChanges(t *testing.T) {
	e := testenv.New(t, testenv.Options{})
	flow := flowDoc(t, testenv.CounterFlow("f", "stats.counters.a", "a"))
	e.Admin("POST", "/flow/production", flow).MustOK(t)
	e.Admin("POST", "/flow/production", flow).MustOK(t)
	if m := e.Admin("GET", "/flow/f/lock/yes", nil).MustOK(t).Obj(); m["lock"] != true {
		t.Fatalf("lock: %v", m)
	}
	if d := e.Admin("GET", "/flow/draft/f", nil).MustOK(t).Obj(); d["lock"] != true {
		t.Errorf("the draft does not say it is locked: %v", d["lock"])
	}
	for _, c := range []struct{ method, path string }{
		{"POST", "/flow/draft"}, {"POST", "/flow/production"}, {"GET", "/flow/production/f/restore"}, {"DELETE", "/flow/f"}, {"POST", "/flow/import"},
	} {
		var body any
		if c.method == "POST" {
			body = flow
		}
		r := e.Admin(c.method, c.path, body)
		wantError(t, r, http.StatusConflict, "")
		if !strings.Contains(r.Obj()["detail"].(string), "locked") {
			t.Errorf("%s %s: the detail does not say the flow is locked: %s", c.method, c.path, r.Raw)
		}
	}
	e.Admin("GET", "/flow/f/lock/no", nil).MustOK(t)
	e.Admin("POST", "/flow/draft", flow).MustOK(t)
	e.Admin("GET", "/flow/production/f/restore", nil).MustOK(t)
}

func TestDeleteFlowDeletesItsRules(t *testing.T) {
	e := testenv.New(t, testenv.Options{})
	e.Setup("web", testenv.CounterFlow("f", "stats.counters.a", "a"), "page-view")
	e.Setup("web", testenv.CounterFlow("g", "stats.counters.b", "b"), "page-view")
	rules := e.Admin("GET", "/rules/by_flow/f", nil).MustOK(t).Obj()
	if rules["total"] != 1.0 {
		t.Fatalf("rules by flow: %v", rules)
	}
	ruleID := testenv.At(rules, "result.0.id").(string)
	if r := e.Admin("DELETE", "/flow/f", nil).MustOK(t).Obj(); r["rules_deleted"] != 1.0 {
		t.Errorf("delete: %v", r)
	}
	wantError(t, e.Admin("GET", "/rule/"+ruleID, nil), http.StatusNotFound, "")
	wantError(t, e.Admin("GET", "/flow/metadata/f", nil), http.StatusNotFound, "")
	wantError(t, e.Admin("GET", "/flow/production/f", nil), http.StatusNotFound, "")
	if r := e.Admin("GET", "/rules", nil).MustOK(t).Obj(); r["total"] != 1.0 {
		t.Errorf("the other flow's rule is gone too: %v", r)
	}
	// Events still flow through the other rule.
	r := e.Do("POST", "/track", "", trackBody("web", "", "", "page-view")).MustOK(t)
	if _, ok := obj(r.Body, "response")["a"]; ok {
		t.Errorf("the deleted flow still ran: %s", r.Raw)
	}
	if _, ok := obj(r.Body, "response")["b"]; !ok {
		t.Errorf("the other flow did not run: %s", r.Raw)
	}
}

func TestImportTracardiFlow(t *testing.T) {
	e := testenv.New(t, testenv.Options{})
	raw, err := os.ReadFile("testdata/tracardi-export.json")
	if err != nil {
		t.Fatal(err)
	}
	const id = "0d6b4b5c-7f1e-4a51-9d0e-3c2a1f6e9b10"
	r := e.Admin("POST", "/flow/import", raw).MustOK(t)
	out := r.Obj()
	if out["id"] != id || out["imported"] != true {
		t.Fatalf("import: %s", r.Raw)
	}
	warns, _ := out["warnings"].([]any)
	if len(warns) != 1 {
		t.Fatalf("want one warning (the unknown mail plugin): %s", r.Raw)
	}
	w := warns[0].(map[string]any)
	if w["nodeId"] != "a1f3c2e4-0000-4000-8000-000000000003" || !strings.Contains(w["module"].(string), "acme_mailer") || !strings.Contains(w["message"].(string), "not installed") {
		t.Errorf("warning: %v", w)
	}
	d := e.Admin("GET", "/flow/draft/"+id, nil).MustOK(t).Obj()
	if len(obj(d, "flowGraph")["nodes"].([]any)) != 3 {
		t.Errorf("imported draft: %v", d)
	}
	m := e.Admin("GET", "/flow/metadata/"+id, nil).MustOK(t).Obj()
	if m["name"] != "Welcome new visitors" || len(m["tags"].([]any)) != 1 || m["tags"].([]any)[0] != "Onboarding" || m["description"] == "" {
		t.Errorf("imported metadata: %v", m)
	}
	// It does not deploy until the unknown node goes; without it, it does.
	wantError(t, e.Admin("POST", "/flow/production", d), http.StatusUnprocessableEntity, "data.spec.module")
	g := obj(d, "flowGraph")
	g["nodes"] = g["nodes"].([]any)[:2]
	g["edges"] = g["edges"].([]any)[:1]
	e.Admin("POST", "/flow/production", d).MustOK(t)

	// Tracardi's stored record: the flow base64-encoded and gzipped.
	var flow map[string]any
	json.Unmarshal(raw, &flow)
	flow["id"] = "from-record"
	g = flow["flowGraph"].(map[string]any)
	g["nodes"] = g["nodes"].([]any)[:2]
	g["edges"] = g["edges"].([]any)[:1]
	fj, _ := json.Marshal(flow)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(fj)
	zw.Close()
	record := map[string]any{"id": "from-record", "name": "From a record", "projects": []any{"General"}, "type": "collection",
		"draft": base64.StdEncoding.EncodeToString(gz.Bytes()), "production": "", "backup": "", "lock": false}
	r = e.Admin("POST", "/flow/import", record).MustOK(t)
	if r.Obj()["id"] != "from-record" || len(r.Obj()["warnings"].([]any)) != 0 {
		t.Fatalf("import a record: %s", r.Raw)
	}
	// The record's draft as an object (Tracardi 0.9).
	record = map[string]any{"id": "record-09", "name": "0.9 record", "type": "collection", "draft": flow}
	if r := e.Admin("POST", "/flow/import", record).MustOK(t); r.Obj()["id"] != "record-09" {
		t.Errorf("import of a 0.9 record: %s", r.Raw)
	}

	wantError(t, e.Admin("POST", "/flow/import", []any{flow}), http.StatusUnprocessableEntity, "(body)")
	wantError(t, e.Admin("POST", "/flow/import", map[string]any{"name": "no graph"}), http.StatusUnprocessableEntity, "flowGraph")
	wantError(t, e.Admin("POST", "/flow/import", map[string]any{"draft": "!!not base64"}), http.StatusUnprocessableEntity, "draft")
	wantError(t, e.Admin("POST", "/flow/import", map[string]any{"flowGraph": "nodes"}), http.StatusUnprocessableEntity, "(body)")
	wantError(t, e.Admin("POST", "/flow/import", "not json"), http.StatusBadRequest, "")
}

// TestImportDecompressionBomb: a Tracardi record whose draft is base64 of a
// gzip bomb (64 MiB of zeros) is refused with 413 naming the field, and the
// server allocates a bounded amount of memory for it.
func TestImportDecompressionBomb(t *testing.T) {
	e := testenv.New(t, testenv.Options{})
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	zeros := make([]byte, 1<<20)
	for range 64 {
		zw.Write(zeros)
	}
	zw.Close()
	for _, field := range []string{"draft", "production"} {
		record := map[string]any{"id": "bomb", "name": "Bomb", "type": "collection", field: base64.StdEncoding.EncodeToString(gz.Bytes())}
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		r := e.Admin("POST", "/flow/import", record)
		runtime.ReadMemStats(&after)
		wantError(t, r, http.StatusRequestEntityTooLarge, field)
		// The body limit is 1 MiB, so inflating stops after 4 MiB; reading
		// the whole bomb would allocate 64 MiB and more.
		if got := after.TotalAlloc - before.TotalAlloc; got > 32<<20 {
			t.Errorf("%s: the import allocated %d MiB; want a bounded amount", field, got>>20)
		}
	}
	if r := e.Admin("GET", "/flow/metadata/bomb", nil); r.Status != http.StatusNotFound {
		t.Errorf("the bomb was imported: %d %s", r.Status, r.Raw)
	}
}

// The flow list and the draft say whether the draft is deployed, differs
// from production, or was never deployed; a restore and a save back to the
// production graph update it.
func TestFlowStatus(t *testing.T) {
	e := testenv.New(t, testenv.Options{})
	status := func(want, when string) {
		t.Helper()
		var got any
		for _, f := range e.Admin("GET", "/flows", nil).MustOK(t).Obj()["result"].([]any) {
			if f.(map[string]any)["id"] == "f" {
				got = f.(map[string]any)["status"]
			}
		}
		if got != want {
			t.Errorf("%s: the list says %v, want %s", when, got, want)
		}
		if d := e.Admin("GET", "/flow/draft/f", nil).MustOK(t).Obj(); d["status"] != want {
			t.Errorf("%s: the draft says %v, want %s", when, d["status"], want)
		}
	}
	v1 := flowDoc(t, testenv.CounterFlow("f", "stats.counters.a", "a"))
	v2 := flowDoc(t, testenv.CounterFlow("f", "stats.counters.b", "b"))
	e.Admin("POST", "/flow/draft", v1).MustOK(t)
	status("draft", "a saved draft")
	e.Admin("POST", "/flow/production", v1).MustOK(t)
	status("deployed", "deployed")
	e.Admin("POST", "/flow/draft", v2).MustOK(t)
	status("changed", "a changed draft")
	e.Admin("POST", "/flow/draft", v1).MustOK(t)
	status("deployed", "the draft saved back as production has it")
	e.Admin("POST", "/flow/draft", v2).MustOK(t)
	e.Admin("POST", "/flow/production", v2).MustOK(t)
	status("deployed", "the changed draft deployed")
	e.Admin("GET", "/flow/production/f/restore", nil).MustOK(t)
	status("changed", "the previous version restored")
}

// TestTwentyRestores: production keeps the last 20 versions it replaced,
// so restore steps back 20 times, newest first, and the 21st says there is
// nothing left.
func TestTwentyRestores(t *testing.T) {
	e := testenv.New(t, testenv.Options{})
	for i := range 22 {
		e.Admin("POST", "/flow/production", flowDoc(t, testenv.CounterFlow("f", fmt.Sprintf("stats.counters.v%d", i), "n"))).MustOK(t)
	}
	// Production is v21; the history holds v1 to v20 (v0 fell off).
	for i := 20; i >= 1; i-- {
		r := e.Admin("GET", "/flow/production/f/restore", nil).MustOK(t)
		if want := fmt.Sprintf("stats.counters.v%d\"", i); !strings.Contains(string(r.Raw), want) {
			t.Fatalf("restore %d: want v%d back: %s", 21-i, i, r.Raw)
		}
	}
	wantError(t, e.Admin("GET", "/flow/production/f/restore", nil), http.StatusNotFound, "")
	if p := e.Admin("GET", "/flow/production/f", nil).MustOK(t); !strings.Contains(string(p.Raw), "stats.counters.v1\"") {
		t.Errorf("production after 20 restores: %s", p.Raw)
	}
}
