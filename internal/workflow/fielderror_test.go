package workflow_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/tracflow/tracflow/internal/workflow"
	"github.com/tracflow/tracflow/plugin"
)

// TestCompileErrorsAreFieldErrors: errors.As finds a flow's compile errors
// as the one field-error type, each placed at its node or edge.
func TestCompileErrorsAreFieldErrors(t *testing.T) {
	ces := workflow.CompileErrors{
		{NodeID: "if1", Field: "condition", Message: "is required"},
		{EdgeID: "e2", Message: "joins no port"},
		{Message: "the flow has no start"},
	}
	err := fmt.Errorf("deploy: %w", ces)
	var fes plugin.FieldErrors
	if !errors.As(err, &fes) {
		t.Fatalf("errors.As(%v, *FieldErrors) = false", err)
	}
	want := plugin.FieldErrors{
		{Field: "nodes.if1.condition", Message: "is required"},
		{Field: "edges.e2", Message: "joins no port"},
		{Message: "the flow has no start"},
	}
	if fmt.Sprint(fes) != fmt.Sprint(want) {
		t.Errorf("FieldErrors = %v, want %v", fes, want)
	}
	var fe plugin.FieldError
	if !errors.As(err, &fe) || fe != want[0] {
		t.Errorf("FieldError = %v, want %v", fe, want[0])
	}
	if !errors.As(workflow.CompileError{NodeID: "n"}, &fe) || fe.Field != "nodes.n" {
		t.Errorf("one CompileError as FieldError = %v", fe)
	}
}
