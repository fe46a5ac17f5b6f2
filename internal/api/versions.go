package api

import (
	"errors"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/tracflow/tracflow/internal/store"
	"github.com/tracflow/tracflow/plugin"
)

// Optimistic concurrency: every configuration document (user, flow, flow
// draft, rule, event source, resource) has a version, answered in its
// "version" field and, for a single document, as the ETag header. A change
// sent with the version it was made from (the body's "version" or an
// If-Match header) is refused with 409 when the document changed since; a
// change without one applies to what is stored (last write wins), as
// Tracardi's API clients expect.

// expectedVersion reads the version a change was made from: the body's
// "version" (a whole number) or the If-Match header ("3", as ETag answers
// it, or 3); when both are given they must agree. given is false when
// neither is. The body's "version" is removed from d.
func expectedVersion(r *http.Request, d store.Doc) (version int64, given bool, _ *plugin.FieldError) {
	var body, header int64
	hasBody, hasHeader := false, false
	if v, ok := d["version"]; ok && v != nil {
		hasBody = true
		f, isNum := v.(float64)
		if !isNum || f != math.Trunc(f) || f < 0 || f > 1<<53 {
			fe := fieldErr("version", "expected the whole number the document was read with (its \"version\"), got %v", v)
			return 0, false, &fe
		}
		body = int64(f)
	}
	delete(d, "version")
	if h := strings.TrimSpace(r.Header.Get("If-Match")); h != "" && h != "*" {
		h = strings.Trim(strings.TrimPrefix(h, "W/"), `"`)
		n, err := strconv.ParseInt(h, 10, 64)
		if err != nil || n < 0 {
			fe := fieldErr("If-Match", "expected the document's ETag (its version, e.g. \"3\"), got %q", r.Header.Get("If-Match"))
			return 0, false, &fe
		}
		header, hasHeader = n, true
	}
	if hasBody && hasHeader && body != header {
		fe := fieldErr("version", "is %d but If-Match says %d: send one of them", body, header)
		return 0, false, &fe
	}
	if hasHeader {
		return header, true, nil
	}
	return body, hasBody, nil
}

// versionInto reads the version a change was made from (see
// expectedVersion) into d["version"], where the catalog's and the resource
// service's save functions read it.
func versionInto(r *http.Request, d store.Doc) error {
	v, given, fe := expectedVersion(r, d)
	if fe != nil {
		return invalid(*fe)
	}
	if given {
		d["version"] = float64(v)
	}
	return nil
}

// retryStale runs a read-modify-write that the API makes on its own (not
// from a version a client sent) again when somebody wrote in between.
func retryStale(f func() error) error {
	var err error
	for range 8 {
		if err = f(); !errors.Is(err, store.ErrStale) {
			return err
		}
	}
	return err
}

// setETag answers a document's version as its ETag.
func setETag(w http.ResponseWriter, d store.Doc) {
	if v := store.Version(d); v > 0 {
		w.Header().Set("ETag", `"`+strconv.FormatInt(v, 10)+`"`)
	}
}
