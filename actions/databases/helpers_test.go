package databases

import (
	"context"
	"errors"
	"fmt"
	"os"
	"testing"

	"github.com/tracflow/tracflow/plugin/outbound"
)

// creds is a resource store of one credential set per resource id.
type creds map[string]map[string]any

func (c creds) Credentials(_ context.Context, id string) (map[string]any, error) {
	m, ok := c[id]
	if !ok {
		return nil, errors.New("no such resource")
	}
	return m, nil
}

func res(id string) map[string]any { return map[string]any{"id": id, "name": id} }

// allowLoopback lets the test's servers, which listen on 127.0.0.1, be
// reached.
func allowLoopback(t *testing.T) {
	t.Helper()
	prev := outbound.SetAllowLoopback(true)
	t.Cleanup(func() { outbound.SetAllowLoopback(prev) })
}

// serverURL returns the test server named by env, or skips the test with a
// loud line (fails when TRACFLOW_TEST_REQUIRE_SERVICES is set, as in CI).
func serverURL(t *testing.T, env, what string) string {
	t.Helper()
	v := os.Getenv(env)
	if v == "" {
		msg := fmt.Sprintf("!!! SKIPPED: %s is not set, so the %s tests did not run (scripts/test.sh starts one) !!!", env, what)
		if os.Getenv("TRACFLOW_TEST_REQUIRE_SERVICES") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return v
}
