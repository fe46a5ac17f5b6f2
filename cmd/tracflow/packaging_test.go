package main

import (
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// The packaging files live at the top of the repository.
const root = "../.."

func readRoot(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestStaticBuild builds the binary as the Dockerfile does (the same
// script: CGO_ENABLED=0, -trimpath, the version by -ldflags) and checks that
// it is statically linked and says its version.
func TestStaticBuild(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("checks a Linux ELF binary")
	}
	if testing.Short() {
		t.Skip("builds the binary from scratch")
	}
	out := filepath.Join(t.TempDir(), "tracflow")
	build := exec.Command("sh", filepath.Join(root, "scripts/build-static.sh"))
	build.Env = append(os.Environ(), "OUT="+out, "VERSION=v0.0.0-packaging", "COMMIT=0123abc", "DATE=2026-01-02T03:04:05Z")
	if b, err := build.CombinedOutput(); err != nil {
		t.Fatalf("scripts/build-static.sh: %v\n%s", err, b)
	}
	f, err := elf.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP || p.Type == elf.PT_DYNAMIC {
			t.Errorf("the binary is dynamically linked (program header %v)", p.Type)
		}
	}
	if libs, _ := f.ImportedLibraries(); len(libs) > 0 {
		t.Errorf("the binary needs shared libraries: %v", libs)
	}
	v, err := exec.Command(out, "version").CombinedOutput()
	if err != nil {
		t.Fatalf("version: %v\n%s", err, v)
	}
	for _, want := range []string{"tracflow v0.0.0-packaging", "0123abc", "2026-01-02T03:04:05Z", runtime.Version()} {
		if !strings.Contains(string(v), want) {
			t.Errorf("version output lacks %q:\n%s", want, v)
		}
	}
	// -trimpath: no path of this machine in the binary.
	if wd, _ := os.Getwd(); wd != "" {
		b, _ := os.ReadFile(out)
		if strings.Contains(string(b), filepath.Dir(filepath.Dir(wd))) {
			t.Errorf("the binary holds the build folder's path %s", filepath.Dir(filepath.Dir(wd)))
		}
	}
}

// TestDockerfile: the image builds with the checked script and runs
// non-root, listening on every interface, with its data on a volume.
func TestDockerfile(t *testing.T) {
	d := string(readRoot(t, "Dockerfile"))
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`(?m)^FROM golang:\$\{GO_VERSION\}\S* AS build$`),
		regexp.MustCompile(`(?m)^RUN .*\./scripts/build-static\.sh`),
		regexp.MustCompile(`(?m)^FROM gcr\.io/distroless/static\S*$`),
		regexp.MustCompile(`(?m)TRACFLOW_ADDR=0\.0\.0\.0:8686`),
		regexp.MustCompile(`(?m)TRACFLOW_DATA=/data`),
		regexp.MustCompile(`(?m)^VOLUME \["/data"\]$`),
		regexp.MustCompile(`(?m)^USER 65532:65532$`),
		regexp.MustCompile(`(?m)^HEALTHCHECK .*\n?.*"healthcheck"`),
	} {
		if !want.MatchString(d) {
			t.Errorf("Dockerfile lacks %s", want)
		}
	}
	if m := regexp.MustCompile(`(?m)^ARG GO_VERSION=(\S+)$`).FindStringSubmatch(d); m == nil || !strings.Contains(string(readRoot(t, "go.mod")), "\ngo "+m[1]+".") {
		t.Errorf("the Dockerfile's Go version %v is not go.mod's", m)
	}
}

// TestGoModAsksForAGoRelease: go.mod names a Go release (1.26.0), not a
// patch release, so that older patch toolchains build the module.
func TestGoModAsksForAGoRelease(t *testing.T) {
	m := regexp.MustCompile(`(?m)^go (\d+)\.(\d+)\.(\d+)$`).FindStringSubmatch(string(readRoot(t, "go.mod")))
	if m == nil || m[3] != "0" {
		t.Errorf("go.mod's go line: %v, want go X.Y.0", m)
	}
}

func TestComposeFile(t *testing.T) {
	var c struct {
		Services map[string]struct {
			Image       string            `yaml:"image"`
			Build       any               `yaml:"build"`
			Environment map[string]string `yaml:"environment"`
			Healthcheck struct {
				Test []string `yaml:"test"`
			} `yaml:"healthcheck"`
			DependsOn map[string]struct {
				Condition string `yaml:"condition"`
			} `yaml:"depends_on"`
			Ports []string `yaml:"ports"`
		} `yaml:"services"`
		Volumes map[string]any `yaml:"volumes"`
	}
	if err := yaml.Unmarshal(readRoot(t, "compose.yaml"), &c); err != nil {
		t.Fatalf("compose.yaml: %v", err)
	}
	pg, ok := c.Services["postgres"]
	if !ok || !strings.HasPrefix(pg.Image, "postgres:") || len(pg.Healthcheck.Test) == 0 {
		t.Fatalf("no postgres service with a healthcheck: %+v", pg)
	}
	one, two := c.Services["tracflow-1"], c.Services["tracflow-2"]
	for _, name := range []string{"tracflow-1", "tracflow-2"} {
		svc := c.Services[name]
		if svc.Build == nil {
			t.Errorf("%s is not built from the Dockerfile", name)
		}
		for _, k := range []string{"TRACFLOW_DB", "TRACFLOW_SECRET_KEY", "TRACFLOW_ADMIN_PASSWORD"} {
			if _, ok := svc.Environment[k]; !ok {
				t.Errorf("%s: no %s", name, k)
			}
		}
		if !strings.Contains(svc.Environment["TRACFLOW_DB"], "@postgres:5432/") {
			t.Errorf("%s: TRACFLOW_DB %q does not name the postgres service", name, svc.Environment["TRACFLOW_DB"])
		}
		if svc.DependsOn["postgres"].Condition != "service_healthy" {
			t.Errorf("%s does not wait for a healthy postgres", name)
		}
		if !slices.Equal(svc.Healthcheck.Test, []string{"CMD", "/usr/local/bin/tracflow", "healthcheck"}) {
			t.Errorf("%s: healthcheck %v", name, svc.Healthcheck.Test)
		}
	}
	if one.Environment["TRACFLOW_SECRET_KEY"] != two.Environment["TRACFLOW_SECRET_KEY"] || one.Environment["TRACFLOW_DB"] != two.Environment["TRACFLOW_DB"] {
		t.Error("the two instances do not share the database and the secret key")
	}
	if two.DependsOn["tracflow-1"].Condition != "service_healthy" {
		t.Error("tracflow-2 does not wait for tracflow-1 (two first starts would race to create the admin)")
	}
	if slices.Equal(one.Ports, two.Ports) {
		t.Errorf("both instances publish %v", one.Ports)
	}
	// The healthcheck runs a command this binary has.
	if out, err := exec.Command(binary, "healthcheck", "--help").CombinedOutput(); err != nil {
		t.Errorf("tracflow healthcheck --help: %v\n%s", err, out)
	}
}

func TestGoreleaserFile(t *testing.T) {
	var g struct {
		Version int `yaml:"version"`
		Builds  []struct {
			Main    string   `yaml:"main"`
			Binary  string   `yaml:"binary"`
			Env     []string `yaml:"env"`
			Flags   []string `yaml:"flags"`
			Ldflags []string `yaml:"ldflags"`
			Goos    []string `yaml:"goos"`
			Goarch  []string `yaml:"goarch"`
		} `yaml:"builds"`
		Archives []struct {
			Formats []string `yaml:"formats"`
		} `yaml:"archives"`
	}
	if err := yaml.Unmarshal(readRoot(t, ".goreleaser.yaml"), &g); err != nil {
		t.Fatalf(".goreleaser.yaml: %v", err)
	}
	if g.Version != 2 || len(g.Builds) != 1 || len(g.Archives) == 0 {
		t.Fatalf("unexpected shape: %+v", g)
	}
	b := g.Builds[0]
	if b.Main != "./cmd/tracflow" || b.Binary != "tracflow" || !slices.Contains(b.Env, "CGO_ENABLED=0") || !slices.Contains(b.Flags, "-trimpath") {
		t.Errorf("build: %+v", b)
	}
	for _, os := range []string{"linux", "darwin", "windows"} {
		if !slices.Contains(b.Goos, os) {
			t.Errorf("no %s build", os)
		}
	}
	for _, arch := range []string{"amd64", "arm64"} {
		if !slices.Contains(b.Goarch, arch) {
			t.Errorf("no %s build", arch)
		}
	}
	ld := strings.Join(b.Ldflags, " ")
	for _, v := range []string{"Version={{.Version}}", "Commit={{.Commit}}", "Date={{.Date}}"} {
		if !strings.Contains(ld, "-X github.com/tracflow/tracflow/internal/buildinfo."+v) {
			t.Errorf("ldflags do not set buildinfo.%s: %s", v, ld)
		}
	}
	// The script the Dockerfile uses stamps the same variables.
	script := string(readRoot(t, "scripts/build-static.sh"))
	for _, v := range []string{"Version", "Commit", "Date"} {
		if !strings.Contains(script, "$pkg."+v+"=") {
			t.Errorf("scripts/build-static.sh does not set %s", v)
		}
	}
}
