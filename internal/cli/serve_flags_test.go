package cli

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

func TestServeRefusesBadLogFlags(t *testing.T) {
	for _, args := range [][]string{{"--log-level", "loud"}, {"--log-format", "xml"}} {
		code, _, stderr := run(t, append([]string{"serve", "--data", t.TempDir()}, args...)...)
		if code == 0 || !strings.Contains(stderr, args[0]) {
			t.Errorf("serve %v: exit %d, stderr %q; want a usage error naming %s", args, code, stderr, args[0])
		}
	}
}

func TestServeRefusesBadFlowLimits(t *testing.T) {
	for _, args := range [][]string{{"--max-node-runs", "0"}, {"--max-node-runs", "many"}, {"--max-flow-bytes", "-1"}} {
		code, _, stderr := run(t, append([]string{"serve", "--data", t.TempDir()}, args...)...)
		if code == 0 || !strings.Contains(stderr, args[0]) {
			t.Errorf("serve %v: exit %d, stderr %q; want a usage error naming %s", args, code, stderr, args[0])
		}
	}
	lim, err := parseFlowLimits(500, "2MiB")
	if err != nil || lim.MaxNodeRuns != 500 || lim.MaxPayloadBytes != 2<<20 {
		t.Errorf("parseFlowLimits: %+v %v", lim, err)
	}
}

// TestServeUsageErrorsWithJSONLogs: with JSON logs a refused setting is one
// JSON error record, and still exit 2.
func TestServeUsageErrorsWithJSONLogs(t *testing.T) {
	code, out, stderr := run(t, "serve", "--data", t.TempDir(), "--log-format", "json", "--max-body", "huge", "--addr", "127.0.0.1:0")
	var rec map[string]any
	if code != 2 || out != "" || strings.Count(strings.TrimSpace(stderr), "\n") != 0 || json.Unmarshal([]byte(stderr), &rec) != nil ||
		rec["level"] != "ERROR" || !strings.Contains(fmt.Sprint(rec["msg"]), "--max-body") {
		t.Errorf("exit %d, stderr %q; want 2 and one JSON error record naming --max-body", code, stderr)
	}
}

func TestServeRefusesBadCacheAndVisitFlags(t *testing.T) {
	for _, args := range [][]string{{"--cache-size", "lots"}, {"--cache-size", "0"}, {"--visit-timeout", "0s"}, {"--visit-timeout", "-5m"}} {
		code, _, stderr := run(t, append([]string{"serve", "--data", t.TempDir(), "--addr", "127.0.0.1:0"}, args...)...)
		if code == 0 || !strings.Contains(stderr, args[0]) {
			t.Errorf("serve %v: exit %d, stderr %q; want a usage error naming %s", args, code, stderr, args[0])
		}
	}
	t.Setenv("TRACFLOW_VISIT_TIMEOUT", "soon")
	code, _, stderr := run(t, "serve", "--data", t.TempDir(), "--addr", "127.0.0.1:0")
	if code == 0 || !strings.Contains(strings.ToLower(stderr), "visit") {
		t.Errorf("serve with TRACFLOW_VISIT_TIMEOUT=soon: exit %d, stderr %q; want an error naming the setting", code, stderr)
	}
}
