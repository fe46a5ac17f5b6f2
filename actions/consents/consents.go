// Package consents holds the palette group "Consents": nodes that record
// the consents a profile grants and test them.
//
// A profile's consents are profile["consents"], by consent type id, each
// {"revoke": time or null, "granted": time}: a consent is in force until
// its revoke time (none: until revoked). Consent types are configured in
// the Consents menu; the nodes read them through the run's stored data
// (plugin.ConsentTypes).
package consents

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
)

const tracardi = "tracardi.process_engine.action.v1."

func profileLess(ev plugin.Event) bool {
	md, _ := ev["metadata"].(map[string]any)
	b, _ := md["profile_less"].(bool)
	return b
}

// eventTime is when the event was collected (now when it cannot be read).
func eventTime(ev plugin.Event) time.Time {
	md, _ := ev["metadata"].(map[string]any)
	tm, _ := md["time"].(map[string]any)
	if t, ok := plugin.ParseTime(tm["insert"]); ok {
		return t
	}
	return time.Now().UTC()
}

func timestamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000Z07:00") }

// consentTypes answers the run's consent types reader.
func consentTypes(s *plugin.State) (plugin.ConsentTypes, error) {
	d, err := s.StoredData()
	if err != nil {
		return nil, err
	}
	ct, ok := d.(plugin.ConsentTypes)
	if !ok {
		return nil, errors.New("this run's storage does not keep consent types")
	}
	return ct, nil
}

// AddConsent records the consents an event grants.
type AddConsent struct {
	plugin.ActionRunner
	ref dotpath.Ref
}

var addSpec = plugin.NewConfigSpec().
	Group("Consent data reference", "Where the event keeps the consents the customer granted.").
	Field(plugin.NewRefField("consents").Name("Reference to consents").
		Description("A reference to an object of consent type id: true (granted) or false (refused), "+
			"e.g. event@properties.consents. A bare path reads the event.").
		Required().BareSource("event").Component("forceDotPath", map[string]any{"defaultSourceValue": "event"}))

// SetUp reads the reference.
func (a *AddConsent) SetUp(_ context.Context, config plugin.Config) error {
	c, err := addSpec.Parse(config)
	if err != nil {
		return err
	}
	a.ref = c.Ref("consents")
	return nil
}

// Run grants (and revokes) the consents.
func (a *AddConsent) Run(ctx context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	if a.Profile == nil {
		a.Console.Error("Can not add consents: this event has no profile.")
		return plugin.Port("payload", payload), nil
	}
	x, err := a.Scope(payload).Get(a.ref)
	if err != nil {
		return nil, fmt.Errorf("consents %s: %w", a.ref, err)
	}
	given, ok := x.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("consents %s is %s; expected an object of consent type id: true or false", a.ref, dotpath.TypeName(x))
	}
	types, err := consentTypes(a.State)
	if err != nil {
		return nil, err
	}
	at := eventTime(a.Event)
	held, _ := a.Profile["consents"].(map[string]any)
	if held == nil {
		held = map[string]any{}
		a.Profile["consents"] = held
	}
	for id, v := range given {
		granted, isBool := v.(bool)
		if !isBool {
			a.Console.Warning("Consent %q is %s, not true or false: skipped.", id, dotpath.TypeName(v))
			continue
		}
		if !granted {
			if entry, has := held[id].(map[string]any); has && plugin.ConsentInForce(a.Profile, id, at) {
				entry["revoke"], entry["revoked"] = timestamp(at), timestamp(at)
			}
			continue
		}
		ct, err := types.ConsentType(ctx, id)
		if errors.Is(err, plugin.ErrNotFound) {
			a.Console.Warning("Consent %q was not added: there is no consent type %q.", id, id)
			continue
		}
		if err != nil {
			return nil, err
		}
		var revoke any
		if ct.Revokable {
			if ct.RevokeAfter <= 0 {
				return nil, fmt.Errorf("consent type %q is revokable but has no auto-revoke time: set one in the Consents menu", id)
			}
			revoke = timestamp(at.Add(ct.RevokeAfter))
		}
		held[id] = map[string]any{"revoke": revoke, "granted": timestamp(at)}
	}
	return plugin.Port("payload", payload), nil
}

// RegisterAddConsent describes the Add consent plugin.
func RegisterAddConsent() plugin.Plugin {
	doc := plugin.Documented(plugin.Ports{"payload": "Any object."}, plugin.Ports{"payload": "The input payload, unchanged."})
	doc.Tutorial = "Reads an object of consent type id: true/false (typically the properties of a consent form's event). " +
		"Each consent granted (true) whose type exists is recorded in profile@consents.<id> as {revoke, granted}: a " +
		"revokable type expires its auto-revoke time after the event, the others never. A consent type that does not " +
		"exist is skipped with a warning. A value that is not an object stops the flow with an error. " +
		"Differences from Tracardi: a consent refused (false) that the profile holds is revoked, dated by the event; " +
		"Tracardi ignored refusals."
	return plugin.Plugin{
		New: func() plugin.Action { return &AddConsent{} },
		Spec: plugin.Spec{
			Module: "tracflow.consents.add", Aliases: []string{tracardi + "consents.add_consent_action.plugin"}, ClassName: "ConsentAdder",
			Inputs: []string{"payload"}, Outputs: []string{"payload"}, Config: addSpec,
			License: "MIT", Version: "1.0.0", Author: "Tracflow",
		},
		MetaData: plugin.MetaData{Name: "Add consent", Desc: "Records the consents the event grants in the profile.", Type: "flowNode",
			Icon: "consent", Group: []string{"Consents"}, Tags: []string{"consent"}, Purpose: []string{"collection"}, Documentation: doc},
	}
}

// RequireConsents sends the payload to true when the profile holds the
// consents (all, or one of them).
type RequireConsents struct {
	plugin.ActionRunner
	ids []string
	all bool
}

var requireSpec = plugin.NewConfigSpec().
	Group("Consent requirements", "").
	Field(plugin.NewListField("consent_ids").Name("IDs of required consents").
		Description("The consent types the profile must hold: a list of {\"id\", \"name\"} (as the editor saves them) or of ids.").
		Component("consentTypes", nil)).
	Field(plugin.NewBoolField("require_all").Name("Require all").
		Description("On: every consent listed must be in force. Off: one of them is enough.").Prop("label", "Require all"))

// SetUp reads the consent ids.
func (a *RequireConsents) SetUp(_ context.Context, config plugin.Config) error {
	c, err := requireSpec.Parse(config)
	if err != nil {
		return err
	}
	a.ids, a.all = c.Strings("consent_ids"), c.Bool("require_all")
	return nil
}

// Run checks the consents at the event's time.
func (a *RequireConsents) Run(ctx context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	if a.Profile == nil || profileLess(a.Event) {
		a.Console.Warning("Can not check consents of a profile-less event.")
		return plugin.Port("false", payload), nil
	}
	if len(a.ids) > 0 {
		types, err := consentTypes(a.State)
		if err != nil {
			return nil, err
		}
		for _, id := range a.ids {
			if _, err := types.ConsentType(ctx, id); err != nil {
				if errors.Is(err, plugin.ErrNotFound) {
					return nil, fmt.Errorf("there is no consent type %q: create it in the Consents menu or remove it from this node", id)
				}
				return nil, err
			}
		}
	}
	at := eventTime(a.Event)
	for _, id := range a.ids {
		in := plugin.ConsentInForce(a.Profile, id, at)
		if a.all && !in {
			return plugin.Port("false", payload), nil
		}
		if !a.all && in {
			return plugin.Port("true", payload), nil
		}
	}
	if a.all {
		return plugin.Port("true", payload), nil
	}
	return plugin.Port("false", payload), nil
}

// RegisterRequireConsents describes the Has consents plugin.
func RegisterRequireConsents() plugin.Plugin {
	doc := plugin.Documented(plugin.Ports{"payload": "Any object."}, plugin.Ports{
		"true": "The input payload, when the consents required are in force.", "false": "The input payload, otherwise."})
	doc.Tutorial = "A consent is in force when profile@consents holds it and its revoke time is empty or after the event's " +
		"time. With require_all every listed consent must be; without, one is enough. An empty list answers true " +
		"with require_all and false without, as in Tracardi. A listed consent type that does not exist stops the flow " +
		"with an error. Differences from Tracardi: expired consents are not deleted from the profile (their dated " +
		"entries are kept), they only do not count."
	return plugin.Plugin{
		New: func() plugin.Action { return &RequireConsents{} },
		Spec: plugin.Spec{
			Module: "tracflow.consents.require", Aliases: []string{tracardi + "consents.require_consents_action.plugin"}, ClassName: "RequireConsentsAction",
			Inputs: []string{"payload"}, Outputs: []string{"true", "false"}, Config: requireSpec,
			License: "MIT", Version: "1.0.0", Author: "Tracflow",
		},
		MetaData: plugin.MetaData{Name: "Has consents", Desc: "Checks whether the profile holds the consents.", Type: "condNode",
			Icon: "consent", Group: []string{"Consents"}, Tags: []string{"condition", "consent"}, Purpose: []string{"collection", "segmentation"}, Documentation: doc},
	}
}
