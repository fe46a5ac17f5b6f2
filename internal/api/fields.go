package api

import (
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/tracflow/tracflow/internal/domain"
	"github.com/tracflow/tracflow/internal/store"

	"github.com/tracflow/tracflow/plugin"
)

// invalid answers 422 with one error per field; the detail names them all.
func invalid(errs ...plugin.FieldError) *Error {
	parts := make([]string, len(errs))
	for i, e := range errs {
		parts[i] = e.Error()
	}
	return &Error{Status: http.StatusUnprocessableEntity, Detail: strings.Join(parts, "; "), Errors: errs}
}

// fieldErr is one field's error.
func fieldErr(field, format string, args ...any) plugin.FieldError {
	return plugin.FieldError{Field: field, Message: fmt.Sprintf(format, args...)}
}

// boolQuery reads an optional boolean query parameter.
func boolQuery(r *http.Request, name string) (bool, error) {
	v := r.URL.Query().Get(name)
	switch strings.ToLower(v) {
	case "", "no", "false", "0", "off":
		return false, nil
	case "yes", "true", "1", "on":
		return true, nil
	}
	return false, invalid(fieldErr(name, "expected true or false, got %q", v))
}

// page returns the slice of list that ?limit= and ?offset= select.
func page[T any](r *http.Request, list []T, def int) ([]T, error) {
	limit, offset, err := paging(r, def)
	if err != nil {
		return nil, err
	}
	if offset >= len(list) {
		return []T{}, nil
	}
	end := min(offset+limit, len(list))
	return list[offset:end], nil
}

// sortDocs orders documents by key, then id.
func sortDocs(docs []store.Doc, key func(store.Doc) string) {
	sort.SliceStable(docs, func(i, j int) bool {
		a, b := key(docs[i]), key(docs[j])
		if a != b {
			return a < b
		}
		return domain.Str(docs[i], "id") < domain.Str(docs[j], "id")
	})
}
