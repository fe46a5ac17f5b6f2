package cli

import (
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"
)

type pluginRow struct {
	ID      string   `json:"id"`
	Module  string   `json:"module"`
	Aliases []string `json:"aliases,omitempty"`
	Name    string   `json:"name"`
	Group   []string `json:"group"`
	Inputs  []string `json:"inputs"`
	Outputs []string `json:"outputs"`
	Start   bool     `json:"start,omitempty"`
}

func pluginsListCommand() *command {
	return &command{
		name:  "plugins list",
		usage: "[--json]",
		short: "list the plugins built into this binary",
		long:  "Lists the plugins built into this binary: id, name, group, input and output ports.",
		flags: func(fs *flag.FlagSet) runFunc {
			asJSON := fs.Bool("json", false, "print JSON")
			return func(e *env, args []string) error {
				if len(args) > 0 {
					return usagef("plugins list: unexpected argument %q", args[0])
				}
				return e.pluginsList(*asJSON)
			}
		},
	}
}

func (e *env) pluginsList(asJSON bool) error {
	reg, rep := e.registry()
	rows := []pluginRow{}
	for _, r := range reg.List() {
		p := r.Plugin
		rows = append(rows, pluginRow{
			ID: r.ID(), Module: p.Spec.Module, Aliases: p.Spec.Aliases, Name: p.MetaData.Name,
			Group: p.MetaData.Group, Inputs: nonNil(p.Spec.Inputs), Outputs: nonNil(p.Spec.Outputs), Start: p.Start,
		})
	}
	for _, x := range rep.Error {
		fmt.Fprintf(e.stderr, "tracflow: plugin %s not installed: %s\n", x.Module, x.Reason)
	}
	if asJSON {
		return writeJSON(e, rows)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tGROUP\tINPUTS\tOUTPUTS")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.ID, r.Name, strings.Join(r.Group, ", "), dash(r.Inputs), dash(r.Outputs))
	}
	return tw.Flush()
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func dash(s []string) string {
	if len(s) == 0 {
		return "-"
	}
	return strings.Join(s, ", ")
}
