package reporting

import (
	"context"
	"errors"
	"strings"

	"github.com/tracflow/tracflow/plugin"
)

const defaultMessage = "Flow stopped due to error."

// Throw fails with its configured message, which stops the flow.
type Throw struct {
	err error
}

var throwSpec = plugin.NewConfigSpec().
	Field(plugin.NewStringField("message").Name("Error message").
		Description("The error the flow stops with; it shows in the flow's errors and log.").
		Default(defaultMessage).Prop("label", "Message"))

// SetUp reads the message.
func (a *Throw) SetUp(_ context.Context, config plugin.Config) error {
	c, err := throwSpec.Parse(config)
	if err != nil {
		return err
	}
	msg := c.String("message")
	if strings.TrimSpace(msg) == "" {
		msg = defaultMessage
	}
	a.err = errors.New(msg)
	return nil
}

// Run fails.
func (a *Throw) Run(context.Context, plugin.Payload, *plugin.Edge) (plugin.Results, error) {
	if a.err == nil {
		return nil, errors.New(defaultMessage) //nolint:staticcheck // Tracardi's own message, a sentence shown to users
	}
	return nil, a.err
}

// RegisterThrow describes the Throw error plugin.
func RegisterThrow() plugin.Plugin {
	return plugin.Plugin{
		New: func() plugin.Action { return &Throw{} },
		Spec: plugin.Spec{
			Module:    "tracflow.errors.throw",
			Aliases:   []string{tracardi + "raise_error_action"},
			ClassName: "RaiseErrorAction",
			Inputs:    []string{"payload"},
			Outputs:   []string{},
			Config:    throwSpec,
			License:   "MIT",
			Version:   "1.0.0",
			Author:    "Tracflow",
		},
		MetaData: plugin.MetaData{
			Name:    "Throw error",
			Desc:    "Stops the workflow with an error.",
			Type:    "flowNode",
			Icon:    "error",
			Group:   []string{"Error reporting"},
			Tags:    []string{"error", "stop"},
			Purpose: []string{"collection", "segmentation"},
			Documentation: &plugin.Documentation{
				Tutorial: "When a payload arrives the node fails with the configured message (an empty " +
					"message becomes \"" + defaultMessage + "\"). The flow stops; changes made by earlier " +
					"nodes stay.",
				Inputs:  map[string]plugin.PortDoc{"payload": {Desc: "Any object; its arrival raises the error."}},
				Outputs: map[string]plugin.PortDoc{},
			},
		},
	}
}
