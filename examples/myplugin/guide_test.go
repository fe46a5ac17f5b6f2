package myplugin_test

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// guidePath is the developer guide this package is the plugin of.
const guidePath = "../../docs/plugins.md"

// guideBlock is a fenced block of the guide marked with a comment on the
// line before its fence: <!-- guide: run -->, <!-- guide: write PATH --> or
// <!-- guide: same PATH -->.
type guideBlock struct {
	action, path, text string
	line               int
}

var guideMarker = regexp.MustCompile(`^<!-- guide: (run|write|same)(?: (\S+))? -->$`)

// guideBlocks extracts the marked blocks of a guide, in order.
func guideBlocks(t *testing.T, file string) []guideBlock {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var blocks []guideBlock
	var cur *guideBlock
	inFence, n := false, 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		n++
		line := sc.Text()
		switch {
		case inFence && line == "```":
			inFence = false
			if cur != nil {
				blocks = append(blocks, *cur)
				cur = nil
			}
		case inFence:
			if cur != nil {
				cur.text += line + "\n"
			}
		case strings.HasPrefix(line, "```"):
			inFence = true
		case strings.HasPrefix(line, "<!-- guide:"):
			m := guideMarker.FindStringSubmatch(line)
			if m == nil {
				t.Fatalf("%s:%d: bad marker %q: want <!-- guide: run -->, <!-- guide: write PATH --> or <!-- guide: same PATH -->", file, n, line)
			}
			if (m[1] == "run") != (m[2] == "") {
				t.Fatalf("%s:%d: %q: run takes no path, write and same take one", file, n, line)
			}
			cur = &guideBlock{action: m[1], path: m[2], line: n}
			// The fence must follow on the next line.
			if !sc.Scan() {
				t.Fatalf("%s:%d: marker at the end of the file", file, n)
			}
			n++
			if !strings.HasPrefix(sc.Text(), "```") {
				t.Fatalf("%s:%d: a marker must be followed by a fenced block, not %q", file, n, sc.Text())
			}
			inFence = true
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if inFence {
		t.Fatalf("%s: a fenced block is not closed", file)
	}
	return blocks
}

// guideScript turns the blocks into one bash script: run blocks as they
// are, written files as here-documents, checked files compared with diff.
func guideScript(t *testing.T, blocks []guideBlock) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("set -euo pipefail\n")
	for _, bl := range blocks {
		const eof = "TRACFLOW_GUIDE_EOF"
		if strings.Contains(bl.text, eof) {
			t.Fatalf("%s:%d: the block contains %s", guidePath, bl.line, eof)
		}
		fmt.Fprintf(&b, "echo '== guide line %d: %s %s' >&2\n", bl.line, bl.action, bl.path)
		switch bl.action {
		case "run":
			b.WriteString(bl.text)
		case "write":
			fmt.Fprintf(&b, "mkdir -p \"$(dirname '%s')\"\ncat > '%s' <<'%s'\n%s%s\n", bl.path, bl.path, eof, bl.text, eof)
		case "same":
			fmt.Fprintf(&b, "diff -u '%s' - <<'%s'\n%s%s\n", bl.path, eof, bl.text, eof)
		}
	}
	return b.String()
}

// TestGuideMatchesTheExample: the files the guide has you write are the
// files of this package, so the example is the guide's result.
func TestGuideMatchesTheExample(t *testing.T) {
	compared := 0
	for _, bl := range guideBlocks(t, guidePath) {
		if bl.action != "write" {
			continue
		}
		want, err := os.ReadFile(bl.path)
		if err != nil {
			t.Errorf("%s:%d: the guide writes %s, which examples/myplugin lacks: %v", guidePath, bl.line, bl.path, err)
			continue
		}
		compared++
		if string(want) != bl.text {
			t.Errorf("%s:%d: the guide's %s differs from examples/myplugin/%s", guidePath, bl.line, bl.path, bl.path)
		}
	}
	if compared < 4 {
		t.Errorf("the guide writes %d files of the example, want its action, register function, installed list and test", compared)
	}
}

// TestGuideRunsAsWritten follows the guide in an empty folder: its marked
// shell blocks run in order, its files are written as shown, against this
// checkout ($TRACFLOW). A guide whose steps drift from the code fails here.
func TestGuideRunsAsWritten(t *testing.T) {
	if testing.Short() {
		t.Skip("builds two tracflow binaries")
	}
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	blocks := guideBlocks(t, guidePath)
	count := map[string]int{}
	for _, bl := range blocks {
		count[bl.action]++
	}
	if count["run"] < 3 || count["write"] < 4 || count["same"] < 1 {
		t.Fatalf("the guide marks %v blocks; are the markers lost?", count)
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cmd := exec.Command("bash", "-c", guideScript(t, blocks))
	cmd.Dir = dir
	// No download: the module needs only what this repository requires.
	cmd.Env = append(os.Environ(), "TRACFLOW="+root, "GOPROXY=off", "GOWORK=off", "GOFLAGS=")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the guide's steps failed: %v\n%s", err, out)
	}
	for _, want := range []string{
		"--- FAIL", // must not appear
		"example.myplugin",
		`"matched": true`,
		"ok  \texample.com/myplugin",
	} {
		has := strings.Contains(string(out), want)
		if want == "--- FAIL" {
			if has {
				t.Errorf("a test failed:\n%s", out)
			}
			continue
		}
		if !has {
			t.Errorf("the guide's output lacks %q:\n%s", want, out)
		}
	}
}
