package tracking_test

import (
	"testing"

	"github.com/tracflow/tracflow/internal/testenv"
)

// memoryFlow writes the event's value to the shared memory (no Redis
// resource: the server's own), reads it back and answers it.
var memoryFlow = testenv.FlowJSON("mem", []testenv.Node{
	{ID: "start", Module: testenv.Start},
	{ID: "write", Module: "tracardi.process_engine.action.v1.operations.write_to_memory.plugin",
		Init: map[string]any{"key": "last-value", "value": "event@properties.value", "ttl": 60}},
	{ID: "read", Module: "tracardi.process_engine.action.v1.operations.read_from_memory.plugin", Init: map[string]any{"key": "last-value"}},
	{ID: "answer", Module: testenv.AddResponse, Init: map[string]any{"key": "memory", "body": `{"value": "payload@value"}`}},
}, "start.payload>write", "write.success>read", "read.success>answer")

// The flows /track runs reach the run data's capabilities (the shared
// memory here) through the request's wrapper around it.
func TestTrackFlowsReachSharedMemory(t *testing.T) {
	e := testenv.New(t, testenv.Options{})
	e.Setup("web", memoryFlow, "note")
	r := e.Do("POST", "/track", "", map[string]any{"source": map[string]any{"id": "web"}, "profile": map[string]any{"id": "p"},
		"events": []any{map[string]any{"type": "note", "properties": map[string]any{"value": "kept"}}}}).MustOK(t)
	if got := r.At("response.memory.value"); got != "kept" {
		t.Fatalf("value read back from the shared memory: %v in %s", got, r.Raw)
	}
}
