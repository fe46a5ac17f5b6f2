package workflow

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tracflow/tracflow/plugin"
)

// waiter asks the flow to go on later with its payload on "out".
type waiter struct{ plugin.ActionRunner }

func (a *waiter) Run(ctx context.Context, p plugin.Payload, in *plugin.Edge) (plugin.Results, error) {
	return nil, plugin.Delay(time.Hour, plugin.Port("out", p))
}

// waitFlow: start -> set a -> wait -> set b, and start -> set c beside.
func waitFlow(t *testing.T) *Compiled {
	t.Helper()
	reg := testRegistry(t)
	if err := reg.Add(testPlugin("wait", false, []string{"payload"}, []string{"out"}, func() plugin.Action { return &waiter{} }), plugin.TestData{}); err != nil {
		t.Fatal(err)
	}
	f := graph([]string{"s:start", `a:set:{"key":"a","value":1}`, "w:wait", `b:set:{"key":"b","value":2}`, `c:set:{"key":"c","value":3}`},
		[]string{"s.payload>a", "a.out>w", "w.out>b", "s.payload>c"})
	c, err := Compile(context.Background(), f, reg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
}

func newProfile() plugin.Profile {
	return plugin.Profile{"id": "p1", "traits": map[string]any{}}
}

func TestWaitIsRecordedAndTheRestDoesNotRun(t *testing.T) {
	c := waitFlow(t)
	out := c.Run(context.Background(), Input{Profile: newProfile(), Event: plugin.Event{"type": "x"}, Delays: true})
	if len(out.Errors) > 0 {
		t.Fatalf("errors %v", out.Errors)
	}
	tr := out.Profile.Traits()
	if tr["a"] != 1.0 || tr["c"] != 3.0 || tr["b"] != nil {
		t.Fatalf("traits %v: a and c set before the wait, b after it", tr)
	}
	if len(out.Waits) != 1 {
		t.Fatalf("waits %v", out.Waits)
	}
	w := out.Waits[0]
	if w.NodeID != "w" || time.Until(w.Until) < 59*time.Minute || len(w.Results) != 1 || w.Results[0].Port != "out" || w.Results[0].Value["a"] != 1.0 {
		t.Fatalf("wait %+v", w)
	}
}

func TestResumeRunsOnlyTheNodesAfterTheWait(t *testing.T) {
	c := waitFlow(t)
	mem := map[string]any{"kept": true}
	out := c.Run(context.Background(), Input{Profile: newProfile(), Event: plugin.Event{"type": "x"}, Memory: mem, Delays: true,
		Resume: &Resume{NodeID: "w", Results: plugin.Port("out", plugin.Payload{"a": 1})}})
	if len(out.Errors) > 0 || out.Stopped {
		t.Fatalf("errors %v", out.Errors)
	}
	tr := out.Profile.Traits()
	if tr["b"] != 2.0 || tr["a"] != nil || tr["c"] != nil {
		t.Fatalf("traits %v: only b runs after the wait", tr)
	}
	if !out.ProfileUpdated || out.Memory["kept"] != true || len(out.Waits) != 0 {
		t.Fatalf("updated %v memory %v waits %v", out.ProfileUpdated, out.Memory, out.Waits)
	}

	out = c.Run(context.Background(), Input{Profile: newProfile(), Resume: &Resume{NodeID: "gone", Results: plugin.Port("out", plugin.Payload{})}})
	if len(out.Errors) != 1 || !out.Stopped || !strings.Contains(out.Errors[0].Message, "gone") || len(out.Profile.Traits()) != 0 {
		t.Fatalf("resume at a node not in the flow: %+v", out)
	}
	if !strings.Contains(out.Errors[0].Message, ErrResumeNode.Error()) {
		t.Fatalf("error %q", out.Errors[0].Message)
	}
	out = c.Run(context.Background(), Input{Profile: newProfile(), Resume: &Resume{NodeID: "w", Results: plugin.Port("nope", plugin.Payload{})}})
	if len(out.Errors) != 1 || !strings.Contains(out.Errors[0].Message, `port "nope"`) {
		t.Fatalf("resume with a port the node lacks: %+v", out.Errors)
	}
}

// A run whose caller cannot resume (a debug run) goes on at once.
func TestWaitWithoutResumeGoesOnAtOnce(t *testing.T) {
	c := waitFlow(t)
	out := c.Run(context.Background(), Input{Profile: newProfile(), Event: plugin.Event{"type": "x"}})
	tr := out.Profile.Traits()
	if tr["a"] != 1.0 || tr["b"] != 2.0 || tr["c"] != 3.0 || len(out.Waits) != 0 || len(out.Errors) != 0 {
		t.Fatalf("traits %v waits %v errors %v", tr, out.Waits, out.Errors)
	}
	found := false
	for _, l := range out.Logs {
		if l.NodeID == "w" && strings.Contains(l.Message, "went on at once") {
			found = true
		}
	}
	if !found {
		t.Fatalf("no log of the wait: %v", out.Logs)
	}
	var de *plugin.DelayError
	if !errors.As(plugin.Delay(time.Second, nil), &de) {
		t.Fatal("Delay is not a *DelayError")
	}
}
