package api_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/tracflow/tracflow/internal/store/storetest"
	"github.com/tracflow/tracflow/internal/testenv"
)

// TestConfigReachesASecondInstance: two servers on one PostgreSQL database,
// as two processes behind a load balancer. Sources, rules and flows made or
// changed on one reach the other within a second (docs/server.md).
func TestConfigReachesASecondInstance(t *testing.T) {
	dsn := storetest.PostgresDSN(t) // skips (loudly) without a server
	dir := t.TempDir()              // one secret key for both, as TRACFLOW_SECRET_KEY would be
	a := testenv.New(t, testenv.Options{DSN: dsn, DataDir: dir})
	b := testenv.New(t, testenv.Options{DSN: dsn, DataDir: dir})
	track := func(e *testenv.Env) *testenv.Response {
		return e.Do("POST", "/track", "", map[string]any{"source": map[string]any{"id": "web"}, "profile": map[string]any{"id": "p1"},
			"events": []any{map[string]any{"type": "page-view"}}})
	}
	// within polls b until ok holds, for at most a second and a half.
	within := func(what string, ok func(r *testenv.Response) bool) {
		t.Helper()
		var r *testenv.Response
		for deadline := time.Now().Add(1500 * time.Millisecond); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			if r = track(b); ok(r) {
				return
			}
		}
		t.Fatalf("%s did not reach the second instance within a second: %d %s", what, r.Status, r.Raw)
	}
	if r := track(b); r.Status != http.StatusUnauthorized {
		t.Fatalf("before the source exists: %d %s", r.Status, r.Raw)
	}
	a.Setup("web", testenv.CounterFlow("count", "stats.views", "views"), "page-view")
	within("a new source, rule and flow", func(r *testenv.Response) bool {
		return r.Status == http.StatusOK && r.At("response.views.value") != nil
	})
	// A new production version of the flow.
	a.Admin("POST", "/flow/production", flowDoc(t, testenv.CounterFlow("count", "stats.clicks", "clicks"))).MustOK(t)
	within("a redeployed flow", func(r *testenv.Response) bool {
		return r.Status == http.StatusOK && r.At("response.clicks.value") != nil
	})
	// A disabled source.
	a.Admin("GET", "/event-source/web/enable/no", nil).MustOK(t)
	within("a disabled source", func(r *testenv.Response) bool { return r.Status == http.StatusUnauthorized })
}
