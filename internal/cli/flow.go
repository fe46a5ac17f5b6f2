package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/tracflow/tracflow/internal/domain"
	"github.com/tracflow/tracflow/internal/registry"
	"github.com/tracflow/tracflow/internal/workflow"
	"github.com/tracflow/tracflow/plugin"
)

func (e *env) newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	return fs
}

func (e *env) flowRun(args []string) error {
	fs := e.newFlagSet("flow run")
	eventPath := fs.String("event", "", "the event to run the flow on (JSON file; required)")
	profilePath := fs.String("profile", "", "the profile (JSON file); without it the event is profile-less, as in Tracardi")
	sessionPath := fs.String("session", "", "the session (JSON file); none when absent")
	_ = fs.Bool("profile-less", false, "run without a profile (the default without --profile; kept for scripts)")
	debug := fs.Bool("debug", false, "collect debug info and run debug-only start nodes (Inject)")
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "Usage: tracflow flow run FLOW.json --event EVENT.json [--profile PROFILE.json] [--session SESSION.json] [--debug]")
		fs.PrintDefaults()
	}
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("flow run: give exactly one FLOW.json")
	}
	if *eventPath == "" {
		return usagef("flow run: --event EVENT.json is required")
	}
	reg, _ := Registry()
	c, err := compileFile(pos[0], reg)
	if err != nil {
		return err
	}
	defer c.Close(context.Background())

	now := time.Now()
	ev, err := readObject(*eventPath, "event")
	if err != nil {
		return err
	}
	if t, _ := ev["type"].(string); t == "" {
		return usagef("%s: the event has no \"type\"", *eventPath)
	}
	event := domain.PrepareEvent(plugin.Event(ev), now)

	var profile plugin.Profile
	if *profilePath != "" {
		p, err := readObject(*profilePath, "profile")
		if err != nil {
			return err
		}
		if id, _ := p["id"].(string); id == "" {
			return usagef("%s: the profile has no \"id\"", *profilePath)
		}
		profile = plugin.Profile(p)
	}
	var session plugin.Session
	if *sessionPath != "" {
		s, err := readObject(*sessionPath, "session")
		if err != nil {
			return err
		}
		session = plugin.Session(s)
		event["session"] = map[string]any{"id": session.ID()}
	}
	if profile != nil {
		event["profile"] = map[string]any{"id": profile.ID()}
	}

	out := c.Run(context.Background(), workflow.Input{
		Event: event, Profile: profile, Session: session, Debug: *debug,
	})
	return writeJSON(e, runReport(out, *debug))
}

// runReport is the JSON object `flow run` prints.
func runReport(out *workflow.Output, debug bool) map[string]any {
	console := make([]plugin.Log, 0, len(out.Logs))
	console = append(console, out.Logs...)
	errs := make([]workflow.NodeError, 0, len(out.Errors))
	errs = append(errs, out.Errors...)
	ux := out.UX
	if ux == nil {
		ux = []plugin.UX{}
	}
	rep := map[string]any{
		"profile":        nilIfEmpty(out.Profile),
		"profileUpdated": out.ProfileUpdated,
		"session":        nilIfEmpty(out.Session),
		"event":          out.Event,
		"response":       out.Response,
		"ux":             ux,
		"console":        console,
		"errors":         errs,
	}
	if debug {
		rep["debugInfo"] = out.Debug
	}
	return rep
}

func nilIfEmpty[M ~map[string]any](m M) any {
	if m == nil {
		return nil
	}
	return m
}

func (e *env) flowLint(args []string) error {
	fs := e.newFlagSet("flow lint")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("flow lint: give exactly one FLOW.json")
	}
	reg, _ := Registry()
	b, err := os.ReadFile(pos[0])
	if err != nil {
		return usagef("%v", err)
	}
	f, err := workflow.ParseFlow(b)
	if err != nil {
		return usagef("%s: %v", pos[0], err)
	}
	c, err := workflow.Compile(context.Background(), f, reg)
	if err != nil {
		if ce, ok := err.(workflow.CompileErrors); ok {
			for _, x := range ce {
				fmt.Fprintf(e.stdout, "%s: %s\n", pos[0], x.Error())
			}
			return usagef("%s: %d problem(s)", pos[0], len(ce))
		}
		return usagef("%s: %v", pos[0], err)
	}
	c.Close(context.Background())
	for _, w := range c.Warnings() {
		fmt.Fprintf(e.stdout, "%s: warning: %s\n", pos[0], w.Error())
	}
	fmt.Fprintf(e.stdout, "%s: OK (%d nodes)\n", pos[0], len(c.NodeIDs()))
	return nil
}

func compileFile(path string, reg *registry.Registry) (*workflow.Compiled, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, usagef("%v", err)
	}
	f, err := workflow.ParseFlow(b)
	if err != nil {
		return nil, usagef("%s: %v", path, err)
	}
	c, err := workflow.Compile(context.Background(), f, reg)
	if err != nil {
		return nil, usagef("%s: invalid flow: %v", path, err)
	}
	return c, nil
}

func readObject(path, what string) (map[string]any, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, usagef("%v", err)
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&v); err != nil {
		return nil, usagef("%s: %v", path, workflow.JSONError(what, b, err))
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, usagef("%s: the %s must be a JSON object", path, what)
	}
	return m, nil
}

func writeJSON(e *env, v any) error {
	enc := json.NewEncoder(e.stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
