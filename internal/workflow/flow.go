// Package workflow reads flows in Tracardi's format, compiles them against
// the installed plugins and runs them.
package workflow

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// Flow is a workflow in Tracardi's export format.
type Flow struct {
	ID          string         `json:"id"`
	Name        string         `json:"name"`
	Description string         `json:"description,omitempty"`
	Type        string         `json:"type,omitempty"`
	Tags        []string       `json:"tags,omitempty"`
	Lock        bool           `json:"lock,omitempty"`
	Response    map[string]any `json:"response,omitempty"`
	FlowGraph   *Graph         `json:"flowGraph"`
}

// Graph is the flow's graph: React Flow's nodes and edges.
type Graph struct {
	Nodes []Node `json:"nodes"`
	Edges []Edge `json:"edges"`
}

// Node is a node of the graph. Data holds a copy of the plugin record, with
// the node's configuration in data.spec.init.
type Node struct {
	ID       string          `json:"id"`
	Type     string          `json:"type,omitempty"`
	Position Position        `json:"position"`
	Data     json.RawMessage `json:"data"`
}

// Position is a node's place on the canvas.
type Position struct {
	X float64 `json:"x"`
	Y float64 `json:"y"`
}

// Edge joins an output port (sourceHandle) of one node to the input port
// (targetHandle) of another.
type Edge struct {
	ID           string    `json:"id"`
	Source       string    `json:"source"`
	SourceHandle string    `json:"sourceHandle"`
	Target       string    `json:"target"`
	TargetHandle string    `json:"targetHandle"`
	Data         *EdgeData `json:"data,omitempty"`
	Type         string    `json:"type,omitempty"`
}

// EdgeData holds the edge's name (used by Join as the key of its input).
type EdgeData struct {
	Name string `json:"name,omitempty"`
}

// nodeData is what the engine reads from node.data.
type nodeData struct {
	Start    *bool    `json:"start"`
	Debug    *bool    `json:"debug"`
	Spec     nodeSpec `json:"spec"`
	MetaData struct {
		Name string `json:"name"`
	} `json:"metadata"`
}

type nodeSpec struct {
	Module             string         `json:"module"`
	ClassName          string         `json:"className"`
	Inputs             []string       `json:"inputs"`
	Outputs            []string       `json:"outputs"`
	Init               map[string]any `json:"init"`
	Skip               bool           `json:"skip"`
	BlockFlow          bool           `json:"block_flow"`
	OnErrorContinue    bool           `json:"on_error_continue"`
	AppendInputPayload bool           `json:"append_input_payload"`
	JoinInputPayload   bool           `json:"join_input_payload"`
	RunOnce            *runOnceSpec   `json:"run_once"`
}

// runOnceSpec is a node's run_once flag: run only when a watched value (a
// reference, or a condition's result) changed since it last ran for the
// profile.
type runOnceSpec struct {
	Enabled bool   `json:"enabled"`
	Type    string `json:"type"` // value | condition
	Value   string `json:"value"`
	TTL     any    `json:"ttl"` // seconds
}

// ParseFlow decodes a flow from JSON. Errors say where the JSON is wrong.
func ParseFlow(b []byte) (*Flow, error) {
	var f Flow
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&f); err != nil {
		return nil, JSONError("flow", b, err)
	}
	if f.FlowGraph == nil {
		return nil, fmt.Errorf("flow: missing \"flowGraph\" (expected {\"nodes\": [...], \"edges\": [...]})")
	}
	return &f, nil
}

// JSONError turns encoding/json's errors about b into one line that says
// where (line and column, or field) and what; what names the document.
func JSONError(what string, b []byte, err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		line, col := lineCol(b, se.Offset)
		return fmt.Errorf("%s: invalid JSON at line %d, column %d: %w", what, line, col, se)
	case errors.As(err, &te):
		e := te
		line, col := lineCol(b, e.Offset)
		field := e.Field
		if field == "" {
			field = "(top level)"
		}
		return fmt.Errorf("%s: field %s at line %d, column %d: expected %s, got JSON %s", what, field, line, col, e.Type, e.Value)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		line, _ := lineCol(b, int64(len(b)))
		return fmt.Errorf("%s: invalid JSON at line %d: the input ends before the JSON does", what, line)
	}
	if errors.Is(err, io.EOF) {
		return fmt.Errorf("%s: empty input, expected a JSON object", what)
	}
	return fmt.Errorf("%s: %w", what, err)
}

func lineCol(b []byte, off int64) (int, int) {
	if off > int64(len(b)) {
		off = int64(len(b))
	}
	line, col := 1, 1
	for _, c := range b[:off] {
		if c == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return line, col
}
