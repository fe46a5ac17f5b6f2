package io_test

import (
	"context"
	"strings"
	"testing"

	"github.com/tracflow/tracflow/actions/io"
	"github.com/tracflow/tracflow/internal/catalog"
	"github.com/tracflow/tracflow/internal/rundata"
	"github.com/tracflow/tracflow/internal/store"
	"github.com/tracflow/tracflow/internal/store/open"
	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/plugintest"
)

func TestEventSource(t *testing.T) {
	st, err := open.Open(context.Background(), "", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.PutConfig(context.Background(), catalog.KindSource, "web", store.Doc{"id": "web", "name": "Web site", "type": []any{"rest"}, "enabled": true}); err != nil {
		t.Fatal(err)
	}
	data := rundata.New(st)
	out := plugintest.Run(t, io.RegisterEventSource(), plugintest.Case{Event: plugin.Event{"id": "e", "source": map[string]any{"id": "web"}}, Data: data})
	if got := out.MustPort(t, "source"); got["name"] != "Web site" || got["id"] != "web" {
		t.Errorf("source = %v", got)
	}
	for _, c := range []struct {
		event plugin.Event
		data  plugin.Data
		msg   string
	}{
		{plugin.Event{"source": map[string]any{"id": "gone"}}, data, "Source `gone` does not exist."},
		{plugin.Event{}, data, "names no source"},
		{plugin.Event{"source": map[string]any{"id": "web"}}, nil, "no storage attached"},
	} {
		out := plugintest.Run(t, io.RegisterEventSource(), plugintest.Case{Event: c.event, Data: c.data})
		if msg, _ := out.MustPort(t, "error")["message"].(string); !strings.Contains(msg, c.msg) {
			t.Errorf("%v: %q, want %q", c.event, msg, c.msg)
		}
	}
}
