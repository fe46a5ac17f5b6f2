package operations

import (
	"context"
	"fmt"
	"strings"

	"github.com/tracflow/tracflow/plugin"
)

var collectSpec = plugin.NewConfigSpec().
	Group("Collection", "").
	Field(plugin.NewStringField("name").Name("Name of the collection").
		Description("The key of the flow's memory the payloads are collected under (spaces become _), "+
			"read later as memory@<name>.").Initial(nil).Required().Prop("label", "Name")).
	Field(plugin.NewEnumField("type",
		plugin.Option{Value: "list", Label: "List"},
		plugin.Option{Value: "dict", Label: "Dictionary"}).Name("Type of collection").
		Description("list appends every payload; dict keeps each payload under the name of the edge it came " +
			"along, so every incoming edge needs a name.").Default("list"))

// MemoryCollect collects the payloads that reach it in the flow's memory.
type MemoryCollect struct {
	plugin.ActionRunner
	name string
	dict bool
}

// SetUp reads the name and the type.
func (a *MemoryCollect) SetUp(_ context.Context, config plugin.Config) error {
	c, err := collectSpec.Parse(config)
	if err != nil {
		return err
	}
	a.name = strings.ReplaceAll(strings.TrimSpace(c.String("name")), " ", "_")
	if a.name == "" {
		return plugin.FieldErr("name", "is empty: name the memory key to collect into")
	}
	a.dict = c.String("type") == "dict"
	return nil
}

// Run adds the payload to the collection and passes it on.
func (a *MemoryCollect) Run(_ context.Context, payload plugin.Payload, in *plugin.Edge) (plugin.Results, error) {
	if a.Memory == nil {
		a.Memory = map[string]any{}
	}
	cur, exists := a.Memory[a.name]
	if a.dict {
		m, ok := cur.(map[string]any)
		if exists && !ok {
			return nil, fmt.Errorf("memory has key %s and it is not an object", a.name)
		}
		if in == nil || in.Name == "" {
			id := ""
			if in != nil {
				id = in.ID
			}
			return nil, fmt.Errorf("edge %q has no name: a dictionary collection keeps each payload under the name of its edge; name the edge", id)
		}
		if !ok {
			m = map[string]any{}
			a.Memory[a.name] = m
		}
		m[strings.ReplaceAll(in.Name, " ", "-")] = payload
	} else {
		l, ok := cur.([]any)
		if exists && !ok {
			return nil, fmt.Errorf("memory has key %s and it is not a list", a.name)
		}
		a.Memory[a.name] = append(l, payload)
	}
	return plugin.Port("payload", payload), nil
}

// RegisterMemoryCollect describes the Payload collector plugin.
func RegisterMemoryCollect() plugin.Plugin {
	return register(def{
		new: func() plugin.Action { return &MemoryCollect{} }, module: "memory_collect", alias: "memory.collect.plugin",
		class: "PayloadMemoryCollector", outputs: []string{"payload"}, config: collectSpec,
		name: "Payload collector", desc: "Collects the payloads that reach it in the flow's memory.", icon: "array",
		tags: []string{"memory", "join"},
		manual: "Connect several branches to this node: each payload that arrives is appended to the list " +
			"memory@<name> (type list), or stored in the object memory@<name> under the name of the edge it " +
			"came along, spaces turned to - (type dict). Later nodes of the same run read the collection. " +
			"A memory key that already holds a value of the other kind, or an unnamed edge with type dict, " +
			"stops the flow with an error.",
		input: "Any object to collect.",
		ports: plugin.Ports{"payload": "The input payload, unchanged."},
	})
}
