package datetime

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/plugintest"
)

func TestSleep(t *testing.T) {
	in := plugin.Payload{"cart": "c-1"}
	cases := []struct {
		name    string
		wait    any
		durable bool
		min     time.Duration
	}{
		{name: "no wait", wait: 0},
		{name: "a short wait blocks", wait: 0.2, min: 200 * time.Millisecond},
		{name: "one second blocks", wait: 1, min: time.Second},
		{name: "longer is durable", wait: 2, durable: true},
		{name: "a day is durable", wait: 86400, durable: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			start := time.Now()
			out := plugintest.Run(t, RegisterSleep(), plugintest.Case{Config: plugin.Config{"wait": c.wait}, Payload: in})
			took := time.Since(start)
			var de *plugin.DelayError
			if c.durable {
				if !errors.As(out.Err, &de) || took > 100*time.Millisecond {
					t.Fatalf("a wait of %v s: want a DelayError at once, got %v after %v", c.wait, out.Err, took)
				}
				want := time.Duration(c.wait.(int)) * time.Second
				if d := time.Until(de.Until); d > want || d < want-time.Second {
					t.Fatalf("goes on in %v, want %v", d, want)
				}
				if len(de.Results) != 1 || de.Results[0].Port != "payload" || de.Results[0].Value["cart"] != "c-1" {
					t.Fatalf("results %v", de.Results)
				}
				return
			}
			if out.Err != nil || took < c.min {
				t.Fatalf("err %v after %v, want the payload after %v", out.Err, took, c.min)
			}
			if p := out.MustPort(t, "payload"); p["cart"] != "c-1" {
				t.Fatalf("payload %v", p)
			}
		})
	}
}

func TestSleepConfig(t *testing.T) {
	for _, bad := range []any{-1, "soon", 400 * 24 * 3600} {
		if _, err := plugintest.SetUp(context.Background(), RegisterSleep(), plugin.Config{"wait": bad}); err == nil || !strings.Contains(err.Error(), "wait") {
			t.Errorf("wait %v: error %v, want one about wait", bad, err)
		}
	}
	// A short wait ends early when the run is cancelled.
	a, err := plugintest.SetUp(context.Background(), RegisterSleep(), plugin.Config{"wait": 1})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := a.Run(ctx, plugin.Payload{}, nil); !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 500*time.Millisecond {
		t.Fatalf("cancelled sleep: %v after %v", err, time.Since(start))
	}
}
