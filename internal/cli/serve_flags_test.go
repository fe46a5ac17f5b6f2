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

func TestServeRefusesBadFlowLimits(t *testing.T) {
	for _, args := range [][]string{{"--max-node-runs", "0"}, {"--max-node-runs", "many"}, {"--max-flow-bytes", "-1"}} {
		code, _, stderr := run(t, append([]string{"serve", "--data", t.TempDir()}, args...)...)
		if code == 0 || !strings.Contains(stderr, args[0]) {
			t.Errorf("serve %v: exit %d, stderr %q; want a usage error naming %s", args, code, stderr, args[0])
		}
	}
	lim, err := parseFlowLimits("500", "2MiB")
	if err != nil || lim.MaxNodeRuns != 500 || lim.MaxPayloadBytes != 2<<20 {
		t.Errorf("parseFlowLimits: %+v %v", lim, err)
	}
}
