package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/tracflow/tracflow/internal/domain"
	"github.com/tracflow/tracflow/internal/registry"
	"github.com/tracflow/tracflow/internal/workflow"
	"github.com/tracflow/tracflow/plugin"
)

func flowRunCommand() *command {
	return &command{
		name:  "flow run",
		usage: "FLOW.json --event EVENT.json [--profile PROFILE.json] [--session SESSION.json] [--profile-less] [--debug]",
		short: "run a flow on one event, without a server, and print what it did as JSON",
		long: `Runs the flow in FLOW.json (Tracardi's flow format) on the event in EVENT.json, with
the plugins built into this binary, and prints one JSON object: the profile,
session and event as the flow left them, the response, ux, console and errors
(and with --debug the debug info of every node and edge). Nothing is stored.`,
		flags: func(fs *flag.FlagSet) runFunc {
			var o flowRunOptions
			fs.StringVar(&o.eventPath, "event", "", "the event to run the flow on (JSON file; required)")
			fs.StringVar(&o.profilePath, "profile", "", "the profile (JSON file); without it the event is profile-less, as in Tracardi")
			fs.StringVar(&o.sessionPath, "session", "", "the session (JSON file); none when absent")
			fs.BoolVar(&o.profileLess, "profile-less", false, "run without a profile (the default without --profile; kept for scripts)")
			fs.BoolVar(&o.debug, "debug", false, "collect debug info and run debug-only start nodes (Inject)")
			return func(e *env, args []string) error { return e.flowRun(&o, args) }
		},
	}
}

// flowRunOptions are the flags of flow run.
type flowRunOptions struct {
	eventPath, profilePath, sessionPath string
	profileLess, debug                  bool
}

func (e *env) flowRun(o *flowRunOptions, pos []string) error {
	if len(pos) != 1 {
		return usagef("flow run: give exactly one FLOW.json")
	}
	if o.eventPath == "" {
		return usagef("flow run: --event EVENT.json is required")
	}
	reg, _ := e.registry()
	c, err := compileFile(pos[0], reg)
	if err != nil {
		return err
	}
	defer c.Close(context.Background())

	now := time.Now()
	ev, err := readObject(o.eventPath, "event")
	if err != nil {
		return err
	}
	if t, _ := ev["type"].(string); t == "" {
		return usagef("%s: the event has no \"type\"", o.eventPath)
	}
	event := domain.PrepareEvent(plugin.Event(ev), now)

	var profile plugin.Profile
	if o.profilePath != "" {
		p, err := readObject(o.profilePath, "profile")
		if err != nil {
			return err
		}
		if id, _ := p["id"].(string); id == "" {
			return usagef("%s: the profile has no \"id\"", o.profilePath)
		}
		profile = plugin.Profile(p)
	}
	var session plugin.Session
	if o.sessionPath != "" {
		s, err := readObject(o.sessionPath, "session")
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
		Event: event, Profile: profile, Session: session, Debug: o.debug,
	})
	return writeJSON(e, runReport(out, o.debug))
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

func flowLintCommand() *command {
	return &command{
		name:  "flow lint",
		usage: "FLOW.json",
		short: "check a flow: every problem with its node and field",
		long: `Compiles the flow in FLOW.json with the plugins built into this binary, as a
deploy would, and prints every problem with its node and field, or OK.
It exits 2 when the flow has problems.`,
		flags: func(fs *flag.FlagSet) runFunc { return (*env).flowLint },
	}
}

func (e *env) flowLint(pos []string) error {
	if len(pos) != 1 {
		return usagef("flow lint: give exactly one FLOW.json")
	}
	reg, _ := e.registry()
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
		var ce workflow.CompileErrors
		if errors.As(err, &ce) {
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
