package assets_test

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/tracflow/tracflow/internal/assets"
)

var script = []byte(strings.Repeat("console.log('a line of the app');\n", 200))

func server(t *testing.T) *httptest.Server {
	files := assets.New(fstest.MapFS{
		"assets/app-1a2b.js": {Data: script},
		"logo.png":           {Data: []byte("\x89PNG\r\n\x1a\n" + strings.Repeat("x", 2000))},
		"tiny.css":           {Data: []byte("a{}")},
	})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := files.ServeFile(w, r, strings.TrimPrefix(r.URL.Path, "/")); errors.Is(err, fs.ErrNotExist) {
			http.Error(w, "not found", 404)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// get asks without the transport's own gzip handling, so the test sees the
// bytes as sent.
func get(t *testing.T, url string, header map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

// TestGzipWhenAccepted: a client that accepts gzip gets the gzipped form,
// which inflates to the file; one that does not gets the file as is; both
// answers say Vary: Accept-Encoding and carry different ETags.
func TestGzipWhenAccepted(t *testing.T) {
	srv := server(t)
	resp, body := get(t, srv.URL+"/assets/app-1a2b.js", map[string]string{"Accept-Encoding": "gzip, deflate, br"})
	if resp.StatusCode != 200 || resp.Header.Get("Content-Encoding") != "gzip" || resp.Header.Get("Vary") != "Accept-Encoding" {
		t.Fatalf("gzip answer: %d %v", resp.StatusCode, resp.Header)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "text/javascript; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	if resp.ContentLength != int64(len(body)) {
		t.Errorf("Content-Length %d for a body of %d bytes", resp.ContentLength, len(body))
	}
	if len(body) >= len(script)/4 {
		t.Errorf("gzipped body is %d bytes for %d", len(body), len(script))
	}
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := io.ReadAll(zr)
	if !bytes.Equal(plain, script) {
		t.Fatal("the gzipped body does not inflate to the file")
	}
	gzTag := resp.Header.Get("ETag")
	body0 := body

	resp, body = get(t, srv.URL+"/assets/app-1a2b.js", nil)
	if resp.Header.Get("Content-Encoding") != "" || !bytes.Equal(body, script) || resp.Header.Get("Vary") != "Accept-Encoding" {
		t.Fatalf("plain answer: %v, %d bytes", resp.Header, len(body))
	}
	rawTag := resp.Header.Get("ETag")
	if rawTag == "" || gzTag == "" || rawTag == gzTag {
		t.Errorf("ETags: plain %q, gzip %q; want two different ones", rawTag, gzTag)
	}
	// A range of the gzip form is not cut: the whole body comes.
	if resp, b := get(t, srv.URL+"/assets/app-1a2b.js", map[string]string{"Accept-Encoding": "gzip", "Range": "bytes=0-9"}); resp.StatusCode != 200 || !bytes.Equal(b, body0) {
		t.Errorf("Range on the gzip form: %d, %d bytes", resp.StatusCode, len(b))
	}
	// gzip;q=0 refuses it.
	if resp, _ := get(t, srv.URL+"/assets/app-1a2b.js", map[string]string{"Accept-Encoding": "gzip;q=0, *"}); resp.Header.Get("Content-Encoding") != "" {
		t.Error("gzip;q=0 still got gzip")
	}
	// Revalidation: each form's ETag gives 304.
	if resp, _ := get(t, srv.URL+"/assets/app-1a2b.js", map[string]string{"Accept-Encoding": "gzip", "If-None-Match": gzTag}); resp.StatusCode != 304 {
		t.Errorf("If-None-Match with the gzip ETag: %d", resp.StatusCode)
	}
	if resp, _ := get(t, srv.URL+"/assets/app-1a2b.js", map[string]string{"If-None-Match": rawTag}); resp.StatusCode != 304 {
		t.Errorf("If-None-Match with the plain ETag: %d", resp.StatusCode)
	}
}

// TestNotCompressed: images are sent as they are, without Vary; a tiny text
// file that gzip would grow is sent plain.
func TestNotCompressed(t *testing.T) {
	srv := server(t)
	resp, _ := get(t, srv.URL+"/logo.png", map[string]string{"Accept-Encoding": "gzip"})
	if resp.Header.Get("Content-Encoding") != "" || resp.Header.Get("Vary") != "" || resp.Header.Get("Content-Type") != "image/png" {
		t.Errorf("png: %v", resp.Header)
	}
	resp, body := get(t, srv.URL+"/tiny.css", map[string]string{"Accept-Encoding": "gzip"})
	if resp.Header.Get("Content-Encoding") != "" || string(body) != "a{}" {
		t.Errorf("tiny.css: %v %q", resp.Header, body)
	}
	if resp, _ := get(t, srv.URL+"/missing.js", nil); resp.StatusCode != 404 {
		t.Errorf("missing file: %d", resp.StatusCode)
	}
}

func TestAcceptsGzip(t *testing.T) {
	for h, want := range map[string]bool{
		"":                    false,
		"gzip":                true,
		"GZIP":                true,
		"deflate, gzip;q=1.0": true,
		"br":                  false,
		"gzip;q=0":            false,
		"*":                   true,
		"*;q=0":               false,
		"gzip;q=0, *":         false,
		"x-gzip":              true,
		"identity":            false,
	} {
		if got := assets.AcceptsGzip(h); got != want {
			t.Errorf("AcceptsGzip(%q) = %v, want %v", h, got, want)
		}
	}
}
