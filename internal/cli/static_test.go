package cli

import (
	"compress/gzip"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/tracflow/tracflow/web"
)

// TestStaticGUIIsGzipped: the embedded GUI's hashed assets go out gzipped
// to browsers that accept it, cached for a year as immutable, and vary on
// Accept-Encoding; index.html is revalidated on every load.
func TestStaticGUIIsGzipped(t *testing.T) {
	js, _ := fs.Glob(web.Dist, "dist/assets/*.js")
	if len(js) == 0 {
		t.Skip("the GUI is not built into this binary")
	}
	asset := strings.TrimPrefix(js[0], "dist")
	srv := httptest.NewServer(staticHandler())
	defer srv.Close()
	tr := &http.Transport{DisableCompression: true}
	get := func(p, enc string) (*http.Response, []byte) {
		req, _ := http.NewRequest("GET", srv.URL+p, nil)
		if enc != "" {
			req.Header.Set("Accept-Encoding", enc)
		}
		resp, err := tr.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, b
	}
	resp, body := get(asset, "gzip, br")
	h := resp.Header
	if resp.StatusCode != 200 || h.Get("Content-Encoding") != "gzip" || h.Get("Vary") != "Accept-Encoding" ||
		h.Get("Cache-Control") != "public, max-age=31536000, immutable" || !strings.HasPrefix(h.Get("Content-Type"), "text/javascript") {
		t.Fatalf("%s: %d %v", asset, resp.StatusCode, h)
	}
	zr, err := gzip.NewReader(strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := io.ReadAll(zr)
	want, _ := fs.ReadFile(web.Dist, js[0])
	if string(plain) != string(want) {
		t.Fatalf("%s inflates to %d bytes, the file has %d", asset, len(plain), len(want))
	}
	resp, body = get(asset, "")
	if resp.Header.Get("Content-Encoding") != "" || string(body) != string(want) {
		t.Errorf("%s without gzip: %v", asset, resp.Header)
	}
	resp, _ = get("/", "gzip")
	if resp.StatusCode != 200 || resp.Header.Get("Cache-Control") != "no-cache" || resp.Header.Get("ETag") == "" ||
		!strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Errorf("/: %d %v", resp.StatusCode, resp.Header)
	}
	if resp, _ := get("/assets/missing.js", "gzip"); resp.StatusCode != 404 || resp.Header.Get("Content-Type") != "application/json" {
		t.Errorf("missing asset: %d %v", resp.StatusCode, resp.Header)
	}
}

// TestGUIContentSecurityPolicy: the GUI is served with a strict policy (no
// inline script or style), and its page holds nothing that policy would
// block. The browser story (e2e) fails on any violation chromium reports.
func TestGUIContentSecurityPolicy(t *testing.T) {
	h := staticHandler()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if rec.Code != 200 {
		t.Skipf("the GUI is not built into this binary: %d", rec.Code)
	}
	csp := rec.Header().Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'self'", "script-src 'self';", "style-src 'self';", "object-src 'none'", "frame-ancestors 'none'"} {
		if !strings.Contains(csp+";", want) {
			t.Errorf("policy %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-") {
		t.Errorf("policy %q allows unsafe sources", csp)
	}
	page, _ := io.ReadAll(rec.Body)
	for _, bad := range []*regexp.Regexp{
		regexp.MustCompile(`<script(?:\s[^>]*)?>\s*[^<\s]`), // a script with a body
		regexp.MustCompile(`<style`),
		regexp.MustCompile(`\sstyle=`),
		regexp.MustCompile(`\son[a-z]+=`),
		regexp.MustCompile(`(?:src|href)="https?://`),
	} {
		if loc := bad.FindIndex(page); loc != nil {
			t.Errorf("index.html holds %q, which the policy blocks", page[loc[0]:min(loc[1]+40, len(page))])
		}
	}
	// Assets carry the policy too (a module script's own fetches obey the
	// page's policy; the header on them costs nothing).
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/index.html", nil))
	if rec.Header().Get("Content-Security-Policy") != csp {
		t.Errorf("index.html served without the policy")
	}
}
