//go:build unix

package publicdir_test

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tracflow/tracflow/internal/publicdir"
)

// folder makes parent/{secret-beside.txt, public/...}: a tracker folder with
// a file, a dotfile, a file under a dot folder, a sub folder, a link that
// stays inside and links that lead out of it (relative, absolute, through an
// intermediate folder). It returns the public folder.
func folder(t *testing.T) string {
	t.Helper()
	parent := t.TempDir()
	pub := filepath.Join(parent, "public")
	write := func(p, s string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	link := func(target, p string) {
		t.Helper()
		if err := os.Symlink(target, p); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(parent, "secret-beside.txt"), "SECRET")
	write(filepath.Join(pub, "tracker.js"), "console.log('tracker')")
	write(filepath.Join(pub, "lib", "helper.js"), "helper()")
	write(filepath.Join(pub, ".env"), "SECRET")
	write(filepath.Join(pub, ".git", "config"), "SECRET")
	write(filepath.Join(pub, "lib", ".hidden.js"), "SECRET")
	link("tracker.js", filepath.Join(pub, "alias.js"))
	link("../secret-beside.txt", filepath.Join(pub, "out.js"))
	link(filepath.Join(parent, "secret-beside.txt"), filepath.Join(pub, "abs-out.js"))
	link("..", filepath.Join(pub, "up"))
	return pub
}

// cases are paths as sent on the wire (not cleaned by a client), and what
// they must answer: the file's text, or "" for 404.
var cases = []struct{ path, want string }{
	{"/tracker/tracker.js", "console.log('tracker')"},
	{"/tracker/lib/helper.js", "helper()"},
	{"/tracker/alias.js", "console.log('tracker')"},
	{"/tracker/.env", ""},
	{"/tracker/%2eenv", ""},
	{"/tracker/.git/config", ""},
	{"/tracker/lib/.hidden.js", ""},
	{"/tracker/out.js", ""},
	{"/tracker/abs-out.js", ""},
	{"/tracker/up/secret-beside.txt", ""},
	{"/tracker/../secret-beside.txt", ""},
	{"/tracker/%2e%2e/secret-beside.txt", ""},
	{"/tracker/%2E%2E/secret-beside.txt", ""},
	{"/tracker/lib/%2e%2e/%2e%2e/secret-beside.txt", ""},
	{"/tracker/lib%2f..%2f..%2fsecret-beside.txt", ""},
	{"/tracker/..%5csecret-beside.txt", ""},
	{"/tracker/lib", ""},
	{"/tracker/lib/", ""},
	{"/tracker/", ""},
	{"/tracker/missing.js", ""},
}

// TestHandlerDirect calls the handler itself with the decoded paths, as no
// router in front would clean them.
func TestHandlerDirect(t *testing.T) {
	h, err := publicdir.New(folder(t), "/tracker/")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		r := httptest.NewRequest("GET", "http://x/", nil)
		r.URL.Path = strings.NewReplacer("%2e", ".", "%2E", ".", "%2f", "/", "%5c", `\`).Replace(c.path)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		check(t, c.path, w.Code, w.Body.String(), c.want)
	}
}

// TestHandlerOverTheWire sends the raw request lines through a real server
// and net/http's router, so that no client cleans the path first.
func TestHandlerOverTheWire(t *testing.T) {
	h, err := publicdir.New(folder(t), "/tracker/")
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /tracker/", h)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	for _, c := range cases {
		conn, err := net.Dial("tcp", srv.Listener.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(conn, "GET "+c.path+" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		conn.Close()
		code := resp.StatusCode
		if (code == http.StatusMovedPermanently || code == http.StatusTemporaryRedirect) && c.want == "" {
			code = http.StatusNotFound // the router cleaned it: not served either
		}
		check(t, c.path, code, string(body), c.want)
	}
}

func check(t *testing.T, path string, code int, body, want string) {
	t.Helper()
	if strings.Contains(body, "SECRET") {
		t.Errorf("%s served a secret: %d %q", path, code, body)
	}
	if want == "" {
		if code != http.StatusNotFound {
			t.Errorf("%s: %d %q, want 404", path, code, body)
		}
		return
	}
	if code != 200 || body != want {
		t.Errorf("%s: %d %q, want 200 %q", path, code, body, want)
	}
}

func TestAllowed(t *testing.T) {
	for name, want := range map[string]bool{
		"a.js": true, "lib/a.js": true, "a..js": true,
		"": false, ".env": false, "..": false, "lib/../a.js": false, "lib//a.js": false, "a/": false, `..\a`: false,
	} {
		if publicdir.Allowed(name) != want {
			t.Errorf("Allowed(%q) = %v, want %v", name, !want, want)
		}
	}
}

func TestNewMissingFolder(t *testing.T) {
	if _, err := publicdir.New(filepath.Join(t.TempDir(), "none"), "/tracker/"); err == nil {
		t.Error("no error for a missing folder")
	}
}
