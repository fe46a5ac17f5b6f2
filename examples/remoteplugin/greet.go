// Package remoteplugin is an example plugin service: the Greet plugin,
// served over HTTP by plugin/remote next to the guide's example plugin
// (cmd/tracflow-plugin-service). Tracflow installs its plugins when a
// microservice resource points at it and Reinstall Plugins is pressed
// (docs/remote-plugins.md).
package remoteplugin

import (
	"context"
	"fmt"

	"github.com/tracflow/tracflow/examples/myplugin"
	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
)

// Module is the Greet plugin's module name.
const Module = "example.remote.greet"

var greetSpec = plugin.NewConfigSpec().
	Field(plugin.NewValueField("name").Name("Name").Default("profile@traits.name").Required().
		Description("Who to greet: a reference (profile@traits.name) or a text.")).
	Field(plugin.NewStringField("greeting").Name("Greeting").Default("Hello").Required().
		Description("The word the greeting starts with."))

// Greet greets the customer: it answers {"message": "<greeting>, <name>!"}
// on the greeted port, marks the profile with traits.greeted = true and
// counts greetings in the run's memory.
type Greet struct {
	plugin.ActionRunner
	name     dotpath.Value
	greeting string
}

// SetUp reads the configuration.
func (g *Greet) SetUp(_ context.Context, config plugin.Config) error {
	c, err := greetSpec.Parse(config)
	if err != nil {
		return err
	}
	g.name, g.greeting = c.Value("name"), c.String("greeting")
	return nil
}

// Run greets.
func (g *Greet) Run(_ context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	v, err := g.name.Resolve(g.Scope(payload))
	if err != nil || v == nil || v == "" {
		return nil, fmt.Errorf("nobody to greet: %s is empty", g.name)
	}
	msg := fmt.Sprintf("%s, %v!", g.greeting, v)
	if g.Profile != nil {
		g.Profile.Traits()["greeted"] = true
	}
	n, _ := g.Memory["greetings"].(float64)
	g.Memory["greetings"] = n + 1
	g.Console.Log("greeted %v", v)
	return plugin.Port("greeted", plugin.Payload{"message": msg}), nil
}

// RegisterGreet describes the Greet plugin.
func RegisterGreet() plugin.Plugin {
	return plugin.Plugin{
		Spec: plugin.Spec{
			Module: Module, ClassName: "Greet", Version: "1.0.0", License: "MIT", Author: "Tracflow",
			Inputs: []string{"payload"}, Outputs: []string{"greeted"},
			Config: greetSpec,
		},
		MetaData: plugin.MetaData{
			Name: "Greet (remote)", Desc: "Greets the customer by name, from a plugin service.",
			Group: []string{"Remote examples"}, Icon: "plugin", Type: "flowNode",
			Documentation: plugin.Documented(
				plugin.Ports{"payload": "Any payload."},
				plugin.Ports{"greeted": "{\"message\": \"Hello, Ann!\"}."}),
		},
		New: func() plugin.Action { return &Greet{} },
	}
}

// Installed is the service's plugin list: Greet, and the guide's example
// plugin, which runs remotely unchanged.
func Installed() []plugin.Installed {
	return append([]plugin.Installed{{Register: RegisterGreet, Test: plugin.TestData{Init: plugin.Config{"name": "Ann"}}}},
		myplugin.Installed()...)
}
