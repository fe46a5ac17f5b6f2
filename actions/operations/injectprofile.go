package operations

import (
	"context"
	"errors"
	"fmt"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
)

var injectProfileSpec = plugin.NewConfigSpec().
	Group("Select profile", "").
	Field(plugin.NewEnumField("field",
		plugin.Option{Value: "id", Label: "Id"},
		plugin.Option{Value: "data.contact.email.main", Label: "Main E-mail"},
		plugin.Option{Value: "data.contact.email.business", Label: "Business E-mail"},
		plugin.Option{Value: "data.contact.email.private", Label: "Private E-mail"},
		plugin.Option{Value: "data.contact.phone.main", Label: "Main Phone"},
		plugin.Option{Value: "data.contact.phone.mobile", Label: "Mobile Phone"},
		plugin.Option{Value: "data.contact.phone.business", Label: "Business Phone"},
		plugin.Option{Value: "data.contact.app.twitter", Label: "Twitter handle"}).Name("Profile field").
		Description("The profile field that identifies the profile to load; id also finds a profile by one of its aliases.").
		Default("data.contact.email.main")).
	Field(plugin.NewValueField("value").Name("Value").
		Description("The value the field must have: a reference such as event@properties.email, or a literal.").
		Default("event@properties.email").Required().Component("dotPath", map[string]any{"label": "Value"}))

// InjectProfileByField makes a stored profile, found by a field, the run's
// profile.
type InjectProfileByField struct {
	plugin.ActionRunner
	field string
	value dotpath.Value
}

// SetUp reads the field and the value.
func (a *InjectProfileByField) SetUp(_ context.Context, config plugin.Config) error {
	c, err := injectProfileSpec.Parse(config)
	if err != nil {
		return err
	}
	a.field, a.value = c.String("field"), c.Value("value")
	return nil
}

// Run finds the profile and switches the run to it.
func (a *InjectProfileByField) Run(ctx context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	v, err := a.value.Resolve(a.Scope(payload))
	if err != nil {
		return a.ErrorResult(fmt.Sprintf("Can not read the value %s: %v", a.value, err), "error"), nil
	}
	data, err := a.StoredData()
	if err != nil {
		return nil, err
	}
	found, total, err := data.ProfilesByField(ctx, a.field, v, 2)
	if err != nil {
		return nil, err
	}
	if a.field == "id" && total == 0 {
		return plugin.Port("error", plugin.Payload{"message": "Could not find profile."}), nil
	}
	if total != 1 || len(found) != 1 {
		msg := fmt.Sprintf("Found %d records for %s = %v.", total, a.field, v)
		a.Console.Warning(msg)
		return plugin.Port("error", plugin.Payload{"message": msg}), nil
	}
	p := found[0]
	if p.ID() == "" {
		return nil, errors.New("the stored profile has no id")
	}
	if a.Profile != nil && a.Profile.ID() == p.ID() {
		// The run's own profile: keep it, with what the run changed so far
		// (and its operation flags), rather than the stored copy.
		p = a.Profile
	} else if op, ok := p["operation"].(map[string]any); ok {
		op["new"] = false // a stored profile, not one this run created
	} else {
		p["operation"] = map[string]any{"new": false}
	}
	a.Profile = p
	if a.Event != nil {
		a.Event["profile"] = map[string]any{"id": p.ID()}
		if md, ok := a.Event["metadata"].(map[string]any); ok {
			md["profile_less"] = false
		}
	}
	return plugin.Port("profile", dotpath.DeepCopy(map[string]any(p)).(map[string]any)), nil
}

// RegisterInjectProfileByField describes the Load profile by field plugin.
func RegisterInjectProfileByField() plugin.Plugin {
	return register(def{
		new: func() plugin.Action { return &InjectProfileByField{} }, module: "inject_profile_by_field",
		alias: "internal.inject_profile_by_field.plugin", class: "InjectProfileByField",
		outputs: []string{"profile", "error"}, config: injectProfileSpec,
		name: "Load profile by ...", icon: "profile", tags: []string{"profile", "load", "inject", "replace"},
		desc: "Finds a stored profile by a field (an e-mail, a phone, an id) and makes it the profile of the " +
			"rest of the flow and of the event.",
		manual: "The value is looked up in the chosen profile field; exactly one stored profile must match. " +
			"Later nodes read and write that profile as profile@, and the event is assigned to it. No match, or " +
			"several, go to the error port (several also log a warning); a reference to a missing value goes " +
			"to the error port too, where Tracardi fails the node. Runs without storage stop with a \"no storage " +
			"attached\" error. In /track, the loaded profile's lock is taken (after the request's own, so that two " +
			"requests changing the same profiles cannot lose each other's updates) and the flow's changes to it are " +
			"saved, with the changes made to the request's own profile before this node. When another request holds " +
			"that lock and would have to wait for this request's own, the wait is bounded and the node fails with an " +
			"error saying the profile is being changed.",
		input: "Any object; it can hold the value the reference reads.",
		ports: plugin.Ports{"profile": "The profile loaded, as a JSON object.", "error": "{\"message\": ...} when no single profile matches."},
	})
}
