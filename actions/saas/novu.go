package saas

import (
	"context"
	"crypto/sha1" //nolint:gosec // Tracardi's subscriber id hashing, not security
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
)

var (
	novuFields = plugin.NewConfigSpec().
			Field(plugin.NewStringField("token").Name("API key").Required().Description("The Novu environment's API key (Settings → API Keys).")).
			Field(plugin.NewStringField("host").Name("API URL").Default("https://api.novu.co").
				Description("Novu's API address: https://eu.api.novu.co for the EU region, your own for a self-hosted Novu, or a stand-in.")).
			Field(plugin.NewDurationField("timeout").Name("Timeout").Default(15).Min(0.001).Max(300).Description("Seconds to wait for an answer."))
	// NovuType is a Novu environment's API key.
	NovuType = plugin.ResourceType{Type: "novu", Name: "Novu", Tags: []string{"token", "novu"},
		Description: "A Novu environment's API URL and API key.", Fields: novuFields}

	novu = &service{name: "Novu", baseURL: "host", auth: bearer("ApiKey", "token"), secrets: []string{"token"}}
)

func init() {
	novu.typ = NovuType
	NovuType.Check = novu.check(call{method: "GET", path: "/v1/environments/me"})
	plugin.RegisterResourceType(NovuType)
}

// NovuTrigger triggers a Novu workflow for the profile.
type NovuTrigger struct {
	base
	workflow, tenant string
	subscriber       dotpath.Value
	email            dotpath.Value
	data             *dotpath.Object
	hash, upsert     bool
}

var novuSpec = plugin.NewConfigSpec().
	Group("Novu notification configuration", "").
	Field(plugin.NewResourceField("source", "novu").Description("The novu resource: the API URL and key.")).
	Field(plugin.NewObjectField("tenant").Name("Novu tenant").Default(map[string]any{"id": "", "name": ""}).Component("autocomplete", map[string]any{"label": "Tenant"}).
		Description("The tenant the notification is sent in, {\"id\", \"name\"}; empty for none.")).
	Field(plugin.NewObjectField("template").Name("Novu message workflow").Default(map[string]any{"id": "", "name": ""}).Component("autocomplete", map[string]any{"label": "Workflow name"}).
		Description("The workflow to trigger, {\"id\": its trigger identifier, \"name\"}.")).
	Field(plugin.NewValueField("subscriber_id").Name("Subscriber ID").Default("profile@id").Component("dotPath", map[string]any{"label": "Subscriber ID"}).
		Description("A reference to the subscriber's id; profile@id by default.")).
	Field(plugin.NewBoolField("upsert_subscriber").Name("Add Profile to Novu if not exists").Default(true).
		Description("Register the profile as a Novu subscriber the first time (remembered in profile@aux.novu.registered).")).
	Field(plugin.NewBoolField("hash").Name("Hash Subscriber ID").Default(false).
		Description("Send the SHA-1 of the subscriber id instead, e.g. when the id is an e-mail address.")).
	Group("E-mail configuration", "").
	Field(plugin.NewValueField("recipient_email").Name("Recipient e-mail address").Default("profile@data.contact.email.main").Component("dotPath", map[string]any{"label": "E-mail address"}).
		Description("A reference to the recipient's e-mail address.")).
	Field(plugin.NewStringField("payload").Name("Data").Default("{}").Component("json", map[string]any{"label": "Data"}).
		Description("A JSON object the workflow's templates can use; its values may be references, e.g. {\"name\": \"profile@data.pii.firstname\"}."))

// SetUp reads the config.
func (a *NovuTrigger) SetUp(_ context.Context, config plugin.Config) error {
	c, err := novuSpec.Parse(config)
	if err != nil {
		return err
	}
	a.resource = plugin.ResourceID(c.Object("source"))
	a.workflow, a.tenant = strings.TrimSpace(plugin.ResourceID(c.Object("template"))), plugin.ResourceID(c.Object("tenant"))
	a.subscriber, a.email, a.hash, a.upsert = c.Value("subscriber_id"), c.Value("recipient_email"), c.Bool("hash"), c.Bool("upsert_subscriber")
	var data any
	src := c.String("payload")
	if strings.TrimSpace(src) == "" {
		src = "{}"
	}
	if err := json.Unmarshal([]byte(src), &data); err != nil {
		return plugin.FieldErrors{{Field: "payload", Message: "not JSON: " + err.Error()}}
	}
	if _, ok := data.(map[string]any); !ok {
		return plugin.FieldErrors{{Field: "payload", Message: "must be a JSON object, e.g. {\"name\": \"profile@data.pii.firstname\"}"}}
	}
	if a.data, err = dotpath.CompileObject(data, true); err != nil {
		return plugin.FieldErrors{{Field: "payload", Message: err.Error()}}
	}
	return nil
}

var novuRegistered = dotpath.MustRef("profile@aux.novu.registered")

// Run registers the subscriber when needed (POST /v1/subscribers) and
// triggers the workflow (POST /v1/events/trigger).
func (a *NovuTrigger) Run(ctx context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	if a.Profile == nil {
		return a.failf("Novu needs a profile: this event has none")
	}
	if a.workflow == "" {
		return a.failf("template: choose the Novu workflow to trigger")
	}
	sc := a.Scope(payload)
	id, err := resolveText(a.subscriber, sc, "subscriber_id")
	if err != nil {
		return a.fail(err)
	}
	if a.hash {
		h := sha1.Sum([]byte(id)) //nolint:gosec // an id, not security
		id = hex.EncodeToString(h[:])
	}
	email, err := resolveText(a.email, sc, "recipient_email")
	if err != nil {
		return a.fail(fmt.Errorf("the profile has no e-mail address, so Novu cannot send to it (%w)", err))
	}
	data, err := a.data.Apply(sc)
	if err != nil {
		return a.fail(fmt.Errorf("payload: %w", err))
	}
	if reg, _ := sc.Get(novuRegistered); a.upsert && reg != true {
		a.Console.Log("Registering Novu subscriber %s.", id)
		sub := map[string]any{"subscriberId": id, "email": email, "firstName": lookup(a.Profile, "data", "pii", "firstname"),
			"lastName": lookup(a.Profile, "data", "pii", "lastname"), "phone": lookup(a.Profile, "data", "contact", "phone", "main")}
		if _, fail := a.send(ctx, novu, call{method: "POST", path: "/v1/subscribers", json: sub}); fail != nil {
			return fail, nil
		}
		if err := sc.Set(novuRegistered, true); err == nil {
			a.UpdateProfile()
		}
	}
	body := map[string]any{"name": a.workflow, "to": map[string]any{"subscriberId": id, "email": email}, "payload": data}
	if a.tenant != "" {
		body["tenant"] = a.tenant
	}
	res, fail := a.send(ctx, novu, call{method: "POST", path: "/v1/events/trigger", json: body})
	if fail != nil {
		return fail, nil
	}
	return plugin.Port("response", plugin.Payload{"status": res.Status, "content": res.Content()}), nil
}

// RegisterNovuTrigger describes Novu's Trigger message.
func RegisterNovuTrigger() plugin.Plugin {
	return register(meta{module: "novu.trigger", class: "NovuTriggerAction", name: "Trigger message",
		desc: "Triggers a Novu workflow that sends the profile a notification.", brand: "Novu", group: "Novu", icon: "entity", resource: "novu",
		tags: []string{"email", "chat", "sms", "novu"}, spec: novuSpec, aliases: []string{tracardi + "novu.trigger.registry"},
		new: func() plugin.Action { return &NovuTrigger{} },
		tutorial: "The profile is registered as a subscriber (with its name and phone) the first time, and the profile remembers it. " +
			"Differences from Tracardi: the subscriber is registered on the resource's host too (Tracardi always used api.novu.co), and the tenant, when chosen, is sent.",
		ports: map[string]string{"response": "{\"status\", \"content\": Novu's answer, e.g. {\"data\": {\"acknowledged\": true, \"transactionId\"}}}."}})
}
