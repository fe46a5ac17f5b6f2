package tracking_test

import (
	"testing"

	"github.com/tracflow/tracflow/internal/testenv"
)

// memoryFlow writes the event's value to the shared memory (no Redis
// resource: the server's own), reads it back and answers it.
const memoryFlow = `{"id": "mem", "name": "Memory", "flowGraph": {
	"nodes": [
		{"id": "start", "data": {"spec": {"module": "tracardi.process_engine.action.v1.flow.start.start_action"}}},
		{"id": "write", "data": {"spec": {"module": "tracardi.process_engine.action.v1.operations.write_to_memory.plugin",
			"init": {"key": "last-value", "value": "event@properties.value", "ttl": 60}}}},
		{"id": "read", "data": {"spec": {"module": "tracardi.process_engine.action.v1.operations.read_from_memory.plugin",
			"init": {"key": "last-value"}}}},
		{"id": "answer", "data": {"spec": {"module": "tracardi.process_engine.action.v1.internal.add_response.plugin",
			"init": {"key": "memory", "body": "{\"value\": \"payload@value\"}"}}}}
	],
	"edges": [
		{"id": "e1", "source": "start", "sourceHandle": "payload", "target": "write", "targetHandle": "payload"},
		{"id": "e2", "source": "write", "sourceHandle": "success", "target": "read", "targetHandle": "payload"},
		{"id": "e3", "source": "read", "sourceHandle": "success", "target": "answer", "targetHandle": "payload"}
	]}}`

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
