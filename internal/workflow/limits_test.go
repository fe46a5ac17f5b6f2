package workflow

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// diamonds builds start → d0, then k diamonds: d(i) splits into a(i) and
// b(i), which both lead to d(i+1). d(k) runs 2^k times. With join, every
// d(i) after the first is a join node, which runs once per branch but
// emits once: the runs stay linear, the payload doubles per diamond.
func diamonds(k int, join bool) *Flow {
	nodes := []string{"start:start", "d0:count"}
	edges := []string{"start.payload>d0"}
	for i := 0; i < k; i++ {
		mod := "count"
		if join {
			mod = "join"
		}
		nodes = append(nodes, fmt.Sprintf("a%d:count", i), fmt.Sprintf("b%d:count", i), fmt.Sprintf("d%d:%s", i+1, mod))
		src := "out"
		if join && i > 0 {
			src = "payload"
		}
		edges = append(edges, fmt.Sprintf("d%d.%s>a%d", i, src, i), fmt.Sprintf("d%d.%s>b%d", i, src, i),
			fmt.Sprintf("a%d.out>d%d", i, i+1), fmt.Sprintf("b%d.out>d%d", i, i+1))
	}
	return graph(nodes, edges)
}

func TestDiamondsStopAtTheNodeRunBound(t *testing.T) {
	c := mustCompile(t, diamonds(22, false))
	for _, debug := range []bool{false, true} {
		out := c.Run(context.Background(), Input{Debug: debug})
		if !out.Stopped || len(out.Errors) != 1 {
			t.Fatalf("debug %v: stopped %v, errors %v; want one error", debug, out.Stopped, out.Errors)
		}
		msg := out.Errors[0].Message
		if !strings.Contains(msg, "10000 times") || !strings.Contains(msg, NodeRunsSetting) {
			t.Errorf("debug %v: error %q should name the bound and its setting", debug, msg)
		}
		if out.NodeRuns != DefaultMaxNodeRuns {
			t.Errorf("debug %v: NodeRuns = %d, want %d", debug, out.NodeRuns, DefaultMaxNodeRuns)
		}
		if debug && (len(out.Debug.Flow.Error) != 1 || !strings.Contains(out.Debug.Flow.Error[0], NodeRunsSetting)) {
			t.Errorf("debug info errors: %v", out.Debug.Flow.Error)
		}
	}
	// A setting lowers the bound; runs of earlier flows of the event count.
	out := c.Run(context.Background(), Input{Limits: Limits{MaxNodeRuns: 50}, NodeRunsBefore: 45})
	if !out.Stopped || len(out.Errors) != 1 || !strings.Contains(out.Errors[0].Message, "50 times") || out.NodeRuns != 50 {
		t.Errorf("bound of 50 with 45 runs before: stopped %v, runs %d, errors %v", out.Stopped, out.NodeRuns, out.Errors)
	}
}

func TestSmallDiamondsRun(t *testing.T) {
	c := mustCompile(t, diamonds(3, false))
	out := c.Run(context.Background(), Input{Debug: true})
	if out.Stopped || len(out.Errors) > 0 {
		t.Fatalf("stopped %v: %v", out.Stopped, out.Errors)
	}
	if got := calls(out, "d3"); got != 8 {
		t.Errorf("d3 ran %d times, want 8", got)
	}
	// start, d0, then per diamond i: a(i) and b(i) 2^i times each, d(i+1) 2^(i+1).
	if want := 1 + 1 + (2 + 2) + (4 + 4) + (8 + 8); out.NodeRuns != want {
		t.Errorf("NodeRuns = %d, want %d", out.NodeRuns, want)
	}
}

// TestJoinedDiamondsStopAtThePayloadBound: joins keep the runs linear, but
// every join doubles the payload; copying it for the next split would
// take 2^40 bytes.
func TestJoinedDiamondsStopAtThePayloadBound(t *testing.T) {
	c := mustCompile(t, diamonds(40, true))
	for _, debug := range []bool{false, true} {
		out := c.Run(context.Background(), Input{Debug: debug, Limits: Limits{MaxPayloadBytes: 1 << 20}})
		if !out.Stopped || len(out.Errors) != 1 {
			t.Fatalf("debug %v: stopped %v, errors %v", debug, out.Stopped, out.Errors)
		}
		if msg := out.Errors[0].Message; !strings.Contains(msg, "1048576 bytes") || !strings.Contains(msg, PayloadBytesSetting) {
			t.Errorf("debug %v: error %q should name the bound and its setting", debug, msg)
		}
		if out.NodeRuns > 200 {
			t.Errorf("debug %v: %d node runs; joins should keep them linear", debug, out.NodeRuns)
		}
	}
	// A few joined diamonds stay far below the default bound.
	out := mustCompile(t, diamonds(3, true)).Run(context.Background(), Input{})
	if out.Stopped || len(out.Errors) > 0 {
		t.Errorf("3 joined diamonds: %v", out.Errors)
	}
}

func TestWarningsNameTheNodeWhereRunsMultiply(t *testing.T) {
	if w := mustCompile(t, diamonds(6, false)).Warnings(); len(w) != 0 {
		t.Errorf("6 diamonds (64 runs): warnings %v", w)
	}
	w := mustCompile(t, diamonds(10, false)).Warnings()
	// d7 runs 128 times: the first node past 100.
	if len(w) != 1 || w[0].NodeID != "d7" || !strings.Contains(w[0].Message, "128 times") {
		t.Fatalf("10 diamonds: warnings %v, want one naming d7 (128 runs)", w)
	}
	// Counts saturate rather than overflow.
	c := mustCompile(t, diamonds(70, false))
	if w := c.Warnings(); len(w) != 1 || w[0].NodeID != "d7" {
		t.Errorf("70 diamonds: %v", w)
	}
	if runs := c.worstRuns(); runs[len(runs)-1] != 1<<62 {
		t.Errorf("70 diamonds: the last node's worst case is %d, want the ceiling", runs[len(runs)-1])
	}
	// Joins emit once: no multiplication.
	if w := mustCompile(t, diamonds(20, true)).Warnings(); len(w) != 0 {
		t.Errorf("joined diamonds: warnings %v", w)
	}
}
