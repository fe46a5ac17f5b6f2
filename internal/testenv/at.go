package testenv

import "github.com/tracflow/tracflow/plugin/dotpath"

// At returns the value at a dot path in decoded JSON, e.g.
// "response.views.value" or "result[0].properties.total"; nil when the path
// leads nowhere. It is dotpath.At, named here for the tests that already use
// testenv.
func At(v any, path string) any { return dotpath.At(v, path) }

// At returns the value at a path in the answer's body (see At).
func (r *Response) At(path string) any { return At(r.Body, path) }
