package cli

import (
	"io"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

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
