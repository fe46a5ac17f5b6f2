package data

import (
	"context"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
)

// Delete removes the values at a list of references.
type Delete struct {
	plugin.ActionRunner
	refs []dotpath.Ref
}

var deleteSpec = plugin.NewConfigSpec().
	Field(plugin.NewRefListField("delete").Name("Delete").
		Description("References to delete, e.g. profile@traits.temporary or payload@items.0.").
		Required().Writable().Prop("label", "Path to field"))

// SetUp parses the references.
func (a *Delete) SetUp(_ context.Context, config plugin.Config) error {
	c, err := deleteSpec.Parse(config)
	if err != nil {
		return err
	}
	a.refs = c.Refs("delete")
	return nil
}

// Run deletes the values and passes the payload on.
func (a *Delete) Run(_ context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	s := a.Scope(payload)
	for _, ref := range a.refs {
		if !writable(&a.ActionRunner, ref, "Delete") {
			continue
		}
		if _, ok := s.Lookup(ref); !ok {
			a.Console.Warning("Could not delete %s: it is missing.", ref)
			continue
		}
		if err := s.Delete(ref); err != nil {
			a.Console.Warning("Could not delete %s: %v", ref, err)
		}
	}
	return plugin.Port("payload", payloadOf(s, payload)), nil
}

// RegisterDelete describes the Delete data plugin.
func RegisterDelete() plugin.Plugin {
	return plugin.Plugin{
		New: func() plugin.Action { return &Delete{} },
		Spec: plugin.Spec{
			Module:    "tracflow.data.delete",
			Aliases:   []string{tracardi + "traits.delete_trait_action"},
			ClassName: "DeleteTraitAction",
			Inputs:    []string{"payload"},
			Outputs:   []string{"payload"},
			Config:    deleteSpec,
			License:   "MIT",
			Version:   "1.0.0",
			Author:    "Tracflow",
		},
		MetaData: plugin.MetaData{
			Name:    "Delete data",
			Desc:    "Deletes values from the profile, session, payload or memory.",
			Type:    "flowNode",
			Icon:    "remove",
			Group:   []string{"Data processing"},
			Tags:    []string{"traits", "profile", "delete", "data"},
			Purpose: []string{"collection", "segmentation"},
			Documentation: &plugin.Documentation{
				Tutorial: "Deleting a key removes it from its object; deleting a list index removes the " +
					"element. A missing value, an event reference (events do not change) and a profile " +
					"or session reference on an event without one are skipped with a warning.",
				Inputs:  map[string]plugin.PortDoc{"payload": {Desc: "Any object."}},
				Outputs: map[string]plugin.PortDoc{"payload": {Desc: "The input payload, with any payload@ references deleted."}},
			},
		},
	}
}
