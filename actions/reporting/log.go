package reporting

import (
	"context"

	"github.com/tracflow/tracflow/actions/internal/scope"
	"github.com/tracflow/tracflow/internal/notation"
	"github.com/tracflow/tracflow/plugin"
)

// Log writes a message, rendered from a template, to the flow's console and
// passes its payload on.
type Log struct {
	plugin.ActionRunner
	level string
	tpl   *notation.Template
	scope scope.Scope
}

type logConfig struct {
	Type    string `json:"type"`
	Message string `json:"message"`
}

// SetUp checks the level and compiles the message template.
func (a *Log) SetUp(_ context.Context, config plugin.Config) error {
	c := logConfig{Type: "warning"}
	if err := plugin.Decode(config, &c); err != nil {
		return err
	}
	switch c.Type {
	case "debug", "info", "warning", "error":
	default:
		return plugin.FieldErr("type", "%q is not a message type; use debug, info, warning or error", c.Type)
	}
	tpl, err := notation.CompileTemplate(c.Message)
	if err != nil {
		return plugin.FieldErr("message", "%v", err)
	}
	a.level, a.tpl = c.Type, tpl
	return nil
}

// Run logs the message.
func (a *Log) Run(_ context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	msg := a.tpl.Render(a.scope.For(&a.ActionRunner, payload))
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
			Init:      plugin.Config{"type": "warning", "message": "<log-message>"},
			Form: &plugin.Form{Groups: []plugin.FormGroup{{
				Name: "Log message",
				Fields: []plugin.FormField{
					{
						ID:          "type",
						Name:        "Message type",
						Description: "How serious the message is. Warnings and errors mark the event in the event log.",
						Component: plugin.FormComponent{Type: "select", Props: map[string]any{
							"label": "Type", "initValue": "warning",
							"items": map[string]any{"debug": "Debug", "info": "Info", "warning": "Warning", "error": "Error"},
						}},
						Required: true,
					},
					{
						ID:   "message",
						Name: "Message",
						Description: "The text to log. It may hold {{ references }}, e.g. " +
							"Visit of {{ profile@id }} from {{ event@source.id }}.",
						Component: plugin.FormComponent{Type: "textarea", Props: map[string]any{"label": "Message"}},
					},
				},
			}}},
			License: "MIT",
			Version: "1.0.0",
			Author:  "Tracflow",
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
