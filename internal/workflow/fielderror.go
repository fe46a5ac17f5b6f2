package workflow

import "github.com/tracflow/tracflow/plugin"

// FieldError is the compile error as Tracflow's one field-error type: its
// Field is the place in the flow, "nodes.<node id>" or "edges.<edge id>",
// followed by the config field when there is one.
func (e CompileError) FieldError() plugin.FieldError {
	field := e.Field
	switch {
	case e.NodeID != "":
		field = placeField("nodes."+e.NodeID, e.Field)
	case e.EdgeID != "":
		field = placeField("edges."+e.EdgeID, e.Field)
	}
	return plugin.FieldError{Field: field, Message: e.Message}
}

func placeField(place, field string) string {
	if field == "" {
		return place
	}
	return place + "." + field
}

// Unwrap lets errors.As find the plugin.FieldError a CompileError is.
func (e CompileError) Unwrap() error { return e.FieldError() }

// As lets errors.As find the errors as plugin.FieldErrors (every one) or a
// plugin.FieldError (the first).
func (es CompileErrors) As(target any) bool {
	if len(es) == 0 {
		return false
	}
	switch t := target.(type) {
	case *plugin.FieldErrors:
		out := make(plugin.FieldErrors, len(es))
		for i, e := range es {
			out[i] = e.FieldError()
		}
		*t = out
		return true
	case *plugin.FieldError:
		*t = es[0].FieldError()
		return true
	}
	return false
}
