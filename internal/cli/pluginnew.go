package cli

import (
	"bytes"
	"embed"
	"errors"
	"flag"
	"fmt"
	"go/format"
	"go/token"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"text/template"

	"github.com/tracflow/tracflow/internal/buildinfo"
)

//go:embed skeleton/*.tmpl
var skeletonFS embed.FS

// tracflowModule is the module path a plugin module requires.
const tracflowModule = "github.com/tracflow/tracflow"

func pluginNewCommand() *command {
	return &command{
		name:  "plugin new",
		usage: "NAME [--dir DIR] [--module PATH] [--replace CHECKOUT]",
		short: "write a plugin skeleton with its test and a main.go for a tracflow binary with it",
		long: `Writes a new Go module in DIR (default ./NAME) holding a plugin package
NAME: NAME.go (the action and its config spec, one field), register.go (its
register function: ports, names, docs), installed.go (its installed list with
a test config), NAME_test.go (its tests) and cmd/tracflow/main.go (a tracflow
binary with the built-in plugins and this one). NAME is a lower-case Go
package name. The folder must not exist yet.

The module requires github.com/tracflow/tracflow. With --replace it comes from
a local checkout of Tracflow (a replace directive, with the checkout's
requirements and go.sum: the first build downloads nothing); otherwise a
release build requires its own version, and a development build leaves the
require to "go get github.com/tracflow/tracflow". See docs/plugins.md.`,
		flags: func(fs *flag.FlagSet) runFunc {
			dir := fs.String("dir", "", "the folder to create (default ./NAME)")
			mod := fs.String("module", "", "the new module's path (default example.com/NAME)")
			replace := fs.String("replace", "", "a local checkout of Tracflow to build against (a replace directive)")
			return func(e *env, args []string) error {
				if len(args) != 1 {
					return &usageError{msg: "plugin new: give one NAME, e.g. tracflow plugin new greet", help: commandHelp(pluginNewCommand())}
				}
				return e.pluginNew(pluginNewOptions{Name: args[0], Dir: *dir, Module: *mod, Replace: *replace})
			}
		},
	}
}

type pluginNewOptions struct {
	Name, Dir, Module, Replace string
}

// skeletonData fills the skeleton's templates.
type skeletonData struct {
	Name, Title, Module string
	Alias               bool   // the module's last element is not NAME
	GoVersion           string // of the go directive
	Require, Replace    string
	// Indirect are the checkout's own requirements ("path version"), so
	// that the module builds without a network.
	Indirect []string
}

var packageName = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// reservedNames would clash with the identifiers the skeleton imports or is.
var reservedNames = map[string]bool{
	"main": true, "plugin": true, "plugintest": true, "actions": true, "tracflowcmd": true,
	"context": true, "errors": true, "testing": true,
}

// checkPluginName says what is wrong with NAME as the plugin's package name.
func checkPluginName(name string) error {
	switch {
	case name == "":
		return errors.New("the name is empty")
	case len(name) > 64:
		return fmt.Errorf("name %q is longer than 64 characters", name)
	case !packageName.MatchString(name):
		return fmt.Errorf("name %q is not a Go package name: use lower-case letters, digits and _, starting with a letter (e.g. greet)", name)
	case token.IsKeyword(name):
		return fmt.Errorf("name %q is a Go keyword", name)
	case reservedNames[name]:
		return fmt.Errorf("name %q is taken by a package the plugin imports; choose another", name)
	}
	return nil
}

func (e *env) pluginNew(o pluginNewOptions) error {
	if err := checkPluginName(o.Name); err != nil {
		return usagef("plugin new: %v", err)
	}
	d := skeletonData{Name: o.Name, Title: strings.ToUpper(o.Name[:1]) + strings.ReplaceAll(o.Name[1:], "_", " "), Module: o.Module}
	if d.Module == "" {
		d.Module = "example.com/" + o.Name
	}
	if err := checkModulePath(d.Module); err != nil {
		return usagef("plugin new: --module: %v", err)
	}
	d.Alias = path.Base(d.Module) != o.Name
	dir := o.Dir
	if dir == "" {
		dir = o.Name
	}
	if _, err := os.Lstat(dir); err == nil {
		return usagef("plugin new: %s already exists; choose another --dir (nothing was written)", dir)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("plugin new: %w", err)
	}

	var goSum []byte
	var requires []string
	d.GoVersion = strings.TrimPrefix(runtime.Version(), "go")
	if o.Replace != "" {
		abs, modPath, goVersion, reqs, sum, err := readCheckout(o.Replace)
		if err != nil {
			return usagef("plugin new: --replace %s: %v", o.Replace, err)
		}
		if modPath != tracflowModule {
			return usagef("plugin new: --replace %s: its go.mod is module %s, not %s", o.Replace, modPath, tracflowModule)
		}
		d.Replace, d.GoVersion, goSum, requires = abs, goVersion, sum, reqs
		d.Require = "v0.0.0-00010101000000-000000000000"
	} else if v := buildinfo.Get().Version; releaseVersion.MatchString(v) {
		d.Require = v
	}
	d.Indirect = requires
	if !goVersionRe.MatchString(d.GoVersion) {
		d.GoVersion = "1.26.0"
	}

	files := []struct{ tmpl, out string }{
		{"go.mod.tmpl", "go.mod"},
		{"plugin.go.tmpl", o.Name + ".go"},
		{"register.go.tmpl", "register.go"},
		{"installed.go.tmpl", "installed.go"},
		{"plugin_test.go.tmpl", o.Name + "_test.go"},
		{"main.go.tmpl", filepath.Join("cmd", "tracflow", "main.go")},
	}
	rendered := map[string][]byte{}
	for _, f := range files {
		b, err := renderSkeleton(f.tmpl, d)
		if err != nil {
			return err
		}
		rendered[f.out] = b
	}
	if goSum != nil {
		rendered["go.sum"] = goSum
	}
	if err := os.MkdirAll(filepath.Dir(filepath.Clean(dir)), 0o755); err != nil {
		return fmt.Errorf("plugin new: %w", err)
	}
	// Mkdir, not MkdirAll: a folder made meanwhile is not written into.
	if err := os.Mkdir(dir, 0o755); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return usagef("plugin new: %s already exists; choose another --dir (nothing was written)", dir)
		}
		return fmt.Errorf("plugin new: %w", err)
	}
	for _, f := range append(files, struct{ tmpl, out string }{"", "go.sum"}) {
		b, ok := rendered[f.out]
		if !ok {
			continue
		}
		p := filepath.Join(dir, f.out)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return fmt.Errorf("plugin new: %w", err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			return fmt.Errorf("plugin new: %w", err)
		}
	}
	fmt.Fprintf(e.stdout, "Wrote the plugin %s in %s (module %s).\n\nNext:\n  cd %s\n", o.Name, dir, d.Module, dir)
	switch {
	case d.Require == "":
		fmt.Fprintf(e.stdout, "  go get %s   # or: tracflow plugin new %s --replace PATH-TO-A-CHECKOUT\n  go mod tidy\n", tracflowModule, o.Name)
	case d.Replace == "":
		fmt.Fprintf(e.stdout, "  go mod tidy\n")
	}
	fmt.Fprintf(e.stdout, "  go test ./...\n  go build -o tracflow ./cmd/tracflow\n  ./tracflow plugins list | grep example.%s\n", o.Name)
	return nil
}

var (
	releaseVersion = regexp.MustCompile(`^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$`)
	goVersionRe    = regexp.MustCompile(`^1\.[0-9]+(\.[0-9]+)?$`)
)

// renderSkeleton fills one template; Go files come out gofmt'ed.
func renderSkeleton(name string, d skeletonData) ([]byte, error) {
	t, err := template.ParseFS(skeletonFS, "skeleton/"+name)
	if err != nil {
		return nil, fmt.Errorf("plugin new: template %s: %w", name, err)
	}
	var b bytes.Buffer
	if err := t.Execute(&b, d); err != nil {
		return nil, fmt.Errorf("plugin new: template %s: %w", name, err)
	}
	if !strings.HasPrefix(name, "go.mod") {
		out, err := format.Source(b.Bytes())
		if err != nil {
			return nil, fmt.Errorf("plugin new: template %s: %w", name, err)
		}
		return out, nil
	}
	return b.Bytes(), nil
}

// readCheckout reads a Tracflow checkout's go.mod (its module path and go
// version) and go.sum, and returns its absolute path.
func readCheckout(dir string) (abs, modPath, goVersion string, requires []string, sum []byte, err error) {
	abs, err = filepath.Abs(dir)
	if err != nil {
		return "", "", "", nil, nil, err
	}
	b, err := os.ReadFile(filepath.Join(abs, "go.mod"))
	if err != nil {
		return "", "", "", nil, nil, fmt.Errorf("no go.mod: %w", err)
	}
	inRequire := false
	for _, line := range strings.Split(string(b), "\n") {
		if i := strings.Index(line, "//"); i >= 0 {
			line = line[:i]
		}
		fields := strings.Fields(line)
		switch {
		case inRequire && len(fields) == 1 && fields[0] == ")":
			inRequire = false
		case inRequire && len(fields) == 2:
			requires = append(requires, fields[0]+" "+fields[1])
		case len(fields) == 2 && fields[0] == "require" && fields[1] == "(":
			inRequire = true
		case len(fields) == 3 && fields[0] == "require":
			requires = append(requires, fields[1]+" "+fields[2])
		case len(fields) == 2 && fields[0] == "module":
			modPath = strings.Trim(fields[1], `"`)
		case len(fields) == 2 && fields[0] == "go":
			goVersion = fields[1]
		}
	}
	if modPath == "" {
		return "", "", "", nil, nil, errors.New("its go.mod names no module")
	}
	sum, err = os.ReadFile(filepath.Join(abs, "go.sum"))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", "", "", nil, nil, err
	}
	return abs, modPath, goVersion, requires, sum, nil
}

var modulePathRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._~-]*(/[A-Za-z0-9._~-]+)*$`)

// checkModulePath says what is wrong with a module path.
func checkModulePath(p string) error {
	switch {
	case len(p) > 200:
		return fmt.Errorf("module path %q is longer than 200 characters", p)
	case !modulePathRe.MatchString(p):
		return fmt.Errorf("%q is not a module path: use letters, digits, . _ ~ - and / between elements, e.g. example.com/greet", p)
	}
	for _, el := range strings.Split(p, "/") {
		if strings.Trim(el, ".") == "" || strings.HasPrefix(el, ".") || strings.HasSuffix(el, ".") {
			return fmt.Errorf("module path %q: element %q may not start or end with a dot", p, el)
		}
	}
	return nil
}
