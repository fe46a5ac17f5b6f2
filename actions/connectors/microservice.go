package connectors

import (
	"context"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/outbound"
	"github.com/tracflow/tracflow/plugin/remote"
)

// Microservice runs one plugin of a plugin service by name: the node
// picks the service's resource, the plugin's module name there and the
// plugin's configuration. It is Tracardi's generic microservice node; the
// plugins Reinstall Plugins discovers run as nodes of their own, with
// their own ports and form.
type Microservice struct {
	plugin.ActionRunner
	target remote.Target
	init   plugin.Config
}

var microserviceSpec = plugin.NewConfigSpec().
	Group("Plugin service", "").
	Field(plugin.NewResourceField("resource", "microservice").Name("Plugin service").
		Description("The microservice resource of the plugin service: its URL, token and timeout.")).
	Field(plugin.NewStringField("plugin").Name("Plugin").Default("").
		Description("The module name of the plugin on that service, as its GET /plugins lists it.")).
	Field(plugin.NewObjectField("init").Name("Plugin configuration").Default(map[string]any{}).Component("json", map[string]any{"label": "Configuration"}).
		Description("The configuration sent to the plugin on every run."))

// SetUp reads the configuration; it does not call the service, so the
// flow deploys while the service is down.
func (a *Microservice) SetUp(_ context.Context, config plugin.Config) error {
	c, err := microserviceSpec.Parse(config)
	if err != nil {
		return err
	}
	res, _ := c.Object("resource")["name"].(string)
	a.target = remote.Target{Resource: plugin.NamedEntity{ID: plugin.ResourceID(c.Object("resource")), Name: res}, Module: c.String("plugin")}
	a.init = c.Object("init")
	return nil
}

// Run calls the plugin; a failure, or an answer on a port other than
// response and error, goes to the error port.
func (a *Microservice) Run(ctx context.Context, payload plugin.Payload, in *plugin.Edge) (plugin.Results, error) {
	if a.target.Resource.ID == "" || a.target.Module == "" {
		return a.ErrorResult("no plugin service or plugin selected: choose a Plugin service resource and the plugin's module name", "error"), nil
	}
	res, err := remote.Invoke(ctx, &a.ActionRunner, a.target, a.init, payload, in, nil)
	if err != nil {
		p := outbound.ErrorPayload(err)
		a.Console.Error("%s", p["message"])
		return plugin.Port("error", p), nil
	}
	return res, nil
}

// RegisterMicroservice describes the Microservice plugin.
func RegisterMicroservice() plugin.Plugin {
	return plugin.Plugin{
		New: func() plugin.Action { return &Microservice{} },
		Spec: plugin.Spec{
			Module:    "tracflow.connectors.microservice",
			Aliases:   []string{tracardi + "microservice.plugin"},
			ClassName: "MicroserviceAction",
			Inputs:    []string{"payload"},
			Outputs:   []string{"response", "error"},
			Config:    microserviceSpec,
			License:   "MIT", Version: "1.0.0", Author: "Tracflow",
		},
		MetaData: plugin.MetaData{
			Name:    "Microservice",
			Desc:    "Runs one plugin of a remote plugin service, chosen by its module name.",
			Type:    "flowNode",
			Icon:    "cloud",
			Group:   []string{"Microservices"},
			Tags:    []string{"microservice", "remote", "plugin"},
			Purpose: []string{"collection", "segmentation"},
			Remote:  true,
			Documentation: &plugin.Documentation{
				Tutorial: "A plugin service is a program that serves plugins over HTTP (docs/remote-plugins.md); a " +
					"microservice resource holds its URL, token and timeout. Reinstall Plugins installs every plugin of " +
					"every such service as a node of its own, with its own ports and form: use those. This node runs " +
					"a service's plugin by name, for plugins that answer on the response or error port. Debug runs use " +
					"the resource's test credentials. Differences from Tracardi: the service, plugin and configuration " +
					"are the node's configuration (Tracardi kept them in the node's spec.microservice), and the wire " +
					"format is Tracflow's (docs/remote-plugins.md).",
				Inputs: map[string]plugin.PortDoc{"payload": {Desc: "Any object; it is sent to the plugin as its payload."}},
				Outputs: map[string]plugin.PortDoc{
					"response": {Desc: "What the plugin answered on its response port."},
					"error":    {Desc: "{\"message\"} when the service failed, did not answer in time, or the plugin failed or answered on another port."},
				},
			},
		},
	}
}
