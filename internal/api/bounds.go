package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sort"
	"strings"

	"github.com/tracflow/tracflow/internal/tracking"
)

// Bounds of hostile input that are not about body size: ids, NUL
// characters, slow bodies.

// pathParams lists the {name} wildcards of a route pattern's path.
func pathParams(path string) []string {
	var out []string
	for {
		i := strings.IndexByte(path, '{')
		if i < 0 {
			return out
		}
		j := strings.IndexByte(path[i:], '}')
		if j < 0 {
			return out
		}
		name := strings.TrimSuffix(path[i+1:i+j], "...")
		out = append(out, name)
		path = path[i+j+1:]
	}
}

// checkPathValues answers 422 naming the first path value that is too long
// for an id or holds a NUL character.
func checkPathValues(r *http.Request, names []string) error {
	for _, name := range names {
		if err := tracking.CheckID(name, r.PathValue(name)); err != nil {
			return err
		}
	}
	return nil
}

// checkDocIDs checks the ids a configuration document names at its top
// level (its id, a user's email) as ids are checked everywhere.
func checkDocIDs(d map[string]any) error {
	for _, k := range []string{"id", "email"} {
		if s, ok := d[k].(string); ok {
			if err := tracking.CheckID(k, s); err != nil {
				return err
			}
		}
	}
	return nil
}

// escapedNUL is how JSON writes the NUL character; a raw NUL byte is not
// valid JSON at all.
var escapedNUL = []byte(`\u0000`)

// checkNUL answers 422 naming the field of a JSON body whose key or string
// holds the NUL character, which the databases' text columns cannot hold.
// Bodies without the escape (nearly all) cost one byte scan.
func checkNUL(body []byte) error {
	if !bytes.Contains(body, escapedNUL) {
		return nil
	}
	var v any
	if json.Unmarshal(body, &v) != nil {
		return nil // the caller reports the JSON error
	}
	if field, ok := nulField(v, ""); ok {
		if field == "" {
			field = "(body)"
		}
		return invalid(fieldErr(field, "must not contain the NUL character (\\u0000)"))
	}
	return nil
}

// nulField finds a key or string holding NUL in a decoded JSON value and
// answers its path, e.g. events[0].properties.name.
func nulField(v any, path string) (string, bool) {
	switch x := v.(type) {
	case string:
		return path, strings.IndexByte(x, 0) >= 0
	case []any:
		for i, e := range x {
			if p, ok := nulField(e, fmt.Sprintf("%s[%d]", path, i)); ok {
				return p, true
			}
		}
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys) // the same answer every time
		for _, k := range keys {
			p := k
			if path != "" {
				p = path + "." + k
			}
			if strings.IndexByte(k, 0) >= 0 {
				return p, true
			}
			if p, ok := nulField(x[k], p); ok {
				return p, true
			}
		}
	}
	return "", false
}

// bodyReadError turns the failure to read a request body into the client's
// error it is: 408 when the client sent it too slowly for the server's read
// timeout, 400 when it ended before its declared length. Anything else
// (413 included) is returned as it is.
func bodyReadError(err error) error {
	var ne net.Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &ne) && ne.Timeout():
		return &Error{Status: http.StatusRequestTimeout, Detail: "the request body came too slowly: it was not complete within the server's read timeout"}
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errorf(http.StatusBadRequest, "the request body ended before its declared length")
	}
	return err
}

// clientBodyFault tells whether a body read failed because of how the
// client sent it (too slowly, or shorter than declared).
func clientBodyFault(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout() || errors.Is(err, io.ErrUnexpectedEOF)
}

// readBody reads a request body bounded by MaxBody, with read failures
// answered as bodyReadError says.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	r.Body = http.MaxBytesReader(w, r.Body, s.opt.MaxBody)
	b, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, bodyReadError(err)
	}
	return b, nil
}
