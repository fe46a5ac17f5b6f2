// Package publicdir serves the files of one folder over HTTP, for folders an
// operator makes public (such as a browser tracker bundle), without ever
// leaving the folder: a path with a segment that starts with "." (dotfiles
// such as .env or .git, and "..") is not found, a symbolic link whose target
// lies outside the folder is not followed (os.Root), and folders are not
// listed.
package publicdir

import (
	"fmt"
	"net/http"
	"os"
	"strings"
)

// Handler serves a folder's files under a URL prefix.
type Handler struct {
	dir    string
	prefix string
}

// New checks that dir can be opened; requests for prefix+NAME are answered
// with dir's file NAME. The folder is opened again for each request, so that
// a folder replaced by a new release (renamed, or a link switched) is served
// at once.
func New(dir, prefix string) (*Handler, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("public folder: %w", err)
	}
	root.Close()
	return &Handler{dir: dir, prefix: prefix}, nil
}

// Allowed reports whether name, a slash-separated path relative to the
// folder, may be served: not empty, and no segment empty or starting with a
// dot.
func Allowed(name string) bool {
	if name == "" {
		return false
	}
	for seg := range strings.SplitSeq(name, "/") {
		if seg == "" || strings.HasPrefix(seg, ".") || strings.ContainsAny(seg, "\\\x00") {
			return false
		}
	}
	return true
}

// ServeHTTP answers the file named by the request's (decoded) path after the
// prefix, or 404.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name, ok := strings.CutPrefix(r.URL.Path, h.prefix)
	if !ok || !Allowed(name) {
		http.NotFound(w, r)
		return
	}
	root, err := os.OpenRoot(h.dir)
	if err != nil {
		http.Error(w, "the public folder cannot be opened", http.StatusServiceUnavailable)
		return
	}
	defer root.Close()
	// os.Root refuses any name that resolves outside the folder, through
	// ".." or a symbolic link (absolute links too), including links in
	// intermediate folders. Whatever the error, the answer is the same 404.
	f, err := root.Open(name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		http.NotFound(w, r)
		return
	}
	http.ServeContent(w, r, fi.Name(), fi.ModTime(), f)
}
