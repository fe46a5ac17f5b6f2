package cli

import (
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

func TestServeRefusesBadCacheAndVisitFlags(t *testing.T) {
	for _, args := range [][]string{{"--cache-size", "lots"}, {"--cache-size", "0"}, {"--visit-timeout", "0s"}, {"--visit-timeout", "-5m"}} {
		code, _, stderr := run(t, append([]string{"serve", "--data", t.TempDir()}, args...)...)
		if code == 0 || !strings.Contains(stderr, args[0]) {
			t.Errorf("serve %v: exit %d, stderr %q; want a usage error naming %s", args, code, stderr, args[0])
		}
	}
	t.Setenv("TRACFLOW_VISIT_TIMEOUT", "soon")
	code, _, stderr := run(t, "serve", "--data", t.TempDir())
	if code == 0 || !strings.Contains(stderr, "TRACFLOW_VISIT_TIMEOUT") {
		t.Errorf("serve with TRACFLOW_VISIT_TIMEOUT=soon: exit %d, stderr %q; want a usage error naming it", code, stderr)
	}
}
