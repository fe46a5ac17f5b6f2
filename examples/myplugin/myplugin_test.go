package myplugin

import (
	"testing"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/plugintest"
)

func TestMyEvent(t *testing.T) {
	out := plugintest.Run(t, Register(), plugintest.Case{
		Event:   plugin.Event{"type": "my-event"},
		Payload: plugin.Payload{"hello": "world"},
	})
	got := out.MustPort(t, "MyEvent")
	if got["hello"] != "world" {
		t.Errorf("MyEvent got %v, want the input payload", got)
	}
	if _, fired := out.Port("NotMyEvent"); fired {
		t.Error("NotMyEvent fired too")
	}
}

func TestNotMyEvent(t *testing.T) {
	out := plugintest.Run(t, Register(), plugintest.Case{
		Event:   plugin.Event{"type": "page-view"},
		Payload: plugin.Payload{"hello": "world"},
	})
	if got := out.MustPort(t, "NotMyEvent"); len(got) != 0 {
		t.Errorf("NotMyEvent got %v, want {}", got)
	}
}

func TestInstalled(t *testing.T) {
	plugintest.Conformance(t, Installed())
}
