package data

import (
	"context"
	"fmt"

	"github.com/tracflow/tracflow/actions/internal/conf"
	"github.com/tracflow/tracflow/actions/internal/scope"
	"github.com/tracflow/tracflow/internal/notation"
	"github.com/tracflow/tracflow/plugin"
)

// Delete removes the values at a list of references.
type Delete struct {
	plugin.ActionRunner
	refs  []notation.Ref
	scope scope.Scope
}

type deleteConfig struct {
	Delete []string `json:"delete"`
}

// SetUp parses the references.
func (a *Delete) SetUp(_ context.Context, config plugin.Config) error {
	var c deleteConfig
	if err := plugin.Decode(config, &c); err != nil {
		return err
	}
	if len(c.Delete) == 0 {
		return plugin.FieldErr("delete", "is empty; list the references to delete, e.g. [\"profile@traits.temp\"]")
	}
	a.refs = a.refs[:0]
	for i, s := range c.Delete {
		ref, err := conf.Target(fmt.Sprintf("delete.%d", i), s, false)
		if err != nil {
			return err
		}
		a.refs = append(a.refs, ref)
	}
	return nil
}

// Run deletes the values and passes the payload on.
func (a *Delete) Run(_ context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	s := a.scope.For(&a.ActionRunner, payload)
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
			Init:      plugin.Config{"delete": []any{}},
			Form: &plugin.Form{Groups: []plugin.FormGroup{{
				Fields: []plugin.FormField{{
					ID:          "delete",
					Name:        "Delete",
					Description: "References to delete, e.g. profile@traits.temporary or payload@items.0.",
					Component:   plugin.FormComponent{Type: "listOfDotPaths", Props: map[string]any{"label": "Path to field"}},
					Required:    true,
				}},
			}}},
			License: "MIT",
			Version: "1.0.0",
			Author:  "Tracflow",
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
