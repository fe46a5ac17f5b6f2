package cli

import (
	"io/fs"
	"net/http"
	"strings"

	"github.com/tracflow/tracflow/internal/assets"
	"github.com/tracflow/tracflow/web"
)

// guiCSP is the web GUI's Content-Security-Policy: its own scripts, styles,
// fonts and API only, no inline script or style element, no plugins, no
// framing. Styles React sets through the DOM (element.style) are not inline
// styles in CSP's sense and need no 'unsafe-inline'; the favicon is a data:
// URL.
const guiCSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
	"connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// staticHandler serves the embedded web GUI. The app routes with "#/..."
// fragments, so only real files exist: any other path is a JSON 404, like the
// API's.
func staticHandler() http.Handler {
	dist, err := fs.Sub(web.Dist, "dist")
	if err != nil {
		return nil
	}
	if _, err := fs.Stat(dist, "index.html"); err != nil {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			w.Write([]byte(`{"detail":"the web GUI is not built into this binary"}` + "\n"))
		})
	}
	// Text files go out gzipped to clients that accept it.
	files := assets.New(dist)
	notFound := func(w http.ResponseWriter) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		w.Write([]byte(`{"detail":"not found"}` + "\n"))
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", guiCSP)
		p := strings.TrimPrefix(r.URL.Path, "/")
		if p == "" {
			p = "index.html"
		}
		if !files.Exists(p) {
			notFound(w)
			return
		}
		if strings.HasPrefix(p, "assets/") {
			// Vite names these files by a hash of their content.
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			// index.html names the current assets: revalidate it (ETag).
			w.Header().Set("Cache-Control", "no-cache")
		}
		if err := files.ServeFile(w, r, p); err != nil {
			w.Header().Del("Cache-Control")
			notFound(w)
		}
	})
}
