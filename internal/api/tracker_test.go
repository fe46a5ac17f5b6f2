package api_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tracflow/tracflow/internal/api"
	"github.com/tracflow/tracflow/internal/testenv"
	"github.com/tracflow/tracflow/web/tracker"
)

func getScript(t *testing.T, url, enc string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Origin", "https://shop.example.com")
	if enc != "" {
		req.Header.Set("Accept-Encoding", enc)
	}
	resp, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

// TestTrackerScript: /tracker/tracflow.js is served from the binary with
// or without --tracker-dir, as JavaScript, gzipped when accepted, with CORS;
// /tracker/liliput.min.js (the name Tracardi's snippet loads) is the same
// script unless the tracker folder has a file of that name.
func TestTrackerScript(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "other.js"), []byte("console.log('other')"), 0o644); err != nil {
		t.Fatal(err)
	}
	for name, e := range map[string]*testenv.Env{
		"no tracker dir":   testenv.New(t, testenv.Options{}),
		"with tracker dir": testenv.New(t, testenv.Options{API: api.Options{TrackerDir: dir}}),
	} {
		for _, p := range []string{"/tracker/tracflow.js", "/tracker/liliput.min.js"} {
			resp, body := getScript(t, e.URL+p, "")
			if resp.StatusCode != 200 || !bytes.Equal(body, tracker.Script) {
				t.Errorf("%s, %s: %d, %d bytes", name, p, resp.StatusCode, len(body))
				continue
			}
			if ct := resp.Header.Get("Content-Type"); ct != "text/javascript; charset=utf-8" {
				t.Errorf("%s, %s: Content-Type %q", name, p, ct)
			}
			if resp.Header.Get("Access-Control-Allow-Origin") == "" || resp.Header.Get("Cache-Control") == "" {
				t.Errorf("%s, %s: headers %v", name, p, resp.Header)
			}
			resp, body = getScript(t, e.URL+p, "gzip")
			if resp.Header.Get("Content-Encoding") != "gzip" || !strings.Contains(strings.Join(resp.Header.Values("Vary"), ","), "Accept-Encoding") {
				t.Fatalf("%s, %s with gzip: %v", name, p, resp.Header)
			}
			zr, err := gzip.NewReader(bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			if plain, _ := io.ReadAll(zr); !bytes.Equal(plain, tracker.Script) {
				t.Errorf("%s, %s: the gzipped script does not inflate to tracflow.js", name, p)
			}
		}
	}
	// The tracker folder's other files are still served beside it.
	e := testenv.New(t, testenv.Options{API: api.Options{TrackerDir: dir}})
	if resp, body := getScript(t, e.URL+"/tracker/other.js", ""); resp.StatusCode != 200 || string(body) != "console.log('other')" {
		t.Errorf("other.js: %d %q", resp.StatusCode, body)
	}
}
