package reporting

import (
	"context"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
)

// Log writes a message, rendered from a template, to the flow's console and
// passes its payload on.
type Log struct {
	plugin.ActionRunner
	level string
	tpl   *dotpath.Template
}

var logSpec = plugin.NewConfigSpec().
	Group("Log message", "").
	Field(plugin.NewEnumField("type",
		plugin.Option{Value: "debug", Label: "Debug"},
		plugin.Option{Value: "info", Label: "Info"},
		plugin.Option{Value: "warning", Label: "Warning"},
		plugin.Option{Value: "error", Label: "Error"}).Name("Message type").
		Description("How serious the message is. Warnings and errors mark the event in the event log.").
		Default("warning").Required().
		Component("select", map[string]any{"label": "Type", "initValue": "warning"})).
	Field(plugin.NewTemplateField("message").Name("Message").
		Description("The text to log. It may hold {{ references }}, e.g. "+
			"Visit of {{ profile@id }} from {{ event@source.id }}.").
		Default("<log-message>").Prop("label", "Message"))

// SetUp checks the level and compiles the message template.
func (a *Log) SetUp(_ context.Context, config plugin.Config) error {
	c, err := logSpec.Parse(config)
	if err != nil {
		return err
	}
	a.level, a.tpl = c.String("type"), c.Template("message")
	return nil
}

// Run logs the message.
func (a *Log) Run(_ context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	msg := a.tpl.Render(a.Scope(payload))
	switch a.level {
	case "debug":
		a.Console.Debug("%s", msg)
	case "info":
		a.Console.Log("%s", msg)
	case "error":
		a.Console.Error("%s", msg)
	default:
		a.Console.Warning("%s", msg)
	}
	return plugin.Port("payload", payload), nil
}

// RegisterLog describes the Log message plugin.
func RegisterLog() plugin.Plugin {
	return plugin.Plugin{
		New: func() plugin.Action { return &Log{} },
		Spec: plugin.Spec{
			Module:    "tracflow.errors.log",
			Aliases:   []string{tracardi + "log_action"},
			ClassName: "LogAction",
			Inputs:    []string{"payload"},
			Outputs:   []string{"payload"},
			Config:    logSpec,
			License:   "MIT",
			Version:   "1.0.0",
			Author:    "Tracflow",
		},
		MetaData: plugin.MetaData{
			Name:    "Log message",
			Desc:    "Writes a message to the flow's log.",
			Type:    "flowNode",
			Icon:    "error",
			Group:   []string{"Error reporting"},
			Tags:    []string{"log", "console", "debug"},
			Purpose: []string{"collection", "segmentation"},
			Documentation: &plugin.Documentation{
				Tutorial: "The message is a text template: {{ source@path }} placeholders are replaced by " +
					"the values they point to (objects and lists as JSON; missing values as nothing).",
				Inputs:  map[string]plugin.PortDoc{"payload": {Desc: "Any object; templates can read it as payload@..."}},
				Outputs: map[string]plugin.PortDoc{"payload": {Desc: "The input payload, unchanged."}},
			},
		},
	}
}
