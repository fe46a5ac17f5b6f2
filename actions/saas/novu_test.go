package saas

import (
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/plugintest"
)

func TestNovu(t *testing.T) {
	srv := startStandIn(t, func(r *http.Request, body string) (int, string) {
		if r.Header.Get("Authorization") != "ApiKey novu-key-1" {
			return 401, `{"statusCode":401,"message":"API Key not found"}`
		}
		switch r.URL.Path {
		case "/v1/subscribers":
			return 201, `{"data":{"_id":"s1","subscriberId":"x"}}`
		case "/v1/events/trigger":
			var in map[string]any
			_ = json.Unmarshal([]byte(body), &in)
			if in["name"] == "missing" {
				return 422, `{"statusCode":422,"message":"workflow_not_found"}`
			}
			return 201, `{"data":{"acknowledged":true,"status":"processed","transactionId":"tx-1"}}`
		}
		return 404, `{}`
	})
	resources := creds{"novu": {"token": "novu-key-1", "host": srv.URL}, "bad": {"token": "novu-key-2", "host": srv.URL}}
	newProfile := func() plugin.Profile {
		return plugin.Profile{"id": "p-1", "data": map[string]any{"pii": map[string]any{"firstname": "Ann", "lastname": "Lee"},
			"contact": map[string]any{"email": map[string]any{"main": "ann@example.org"}, "phone": map[string]any{"main": "+48 600"}}}}
	}
	cfg := plugin.Config{"source": res("novu"), "template": map[string]any{"id": "order-shipped", "name": "Order shipped"},
		"subscriber_id": "profile@id", "recipient_email": "profile@data.contact.email.main", "payload": `{"name": "profile@data.pii.firstname", "order": "payload@order"}`,
		"hash": false, "upsert_subscriber": true, "tenant": map[string]any{"id": "", "name": ""}}
	profile := newProfile()
	out := plugintest.Run(t, RegisterNovuTrigger(), plugintest.Case{Config: cfg, Profile: profile, Resources: resources, Payload: plugin.Payload{"order": "A-7"}})
	if v := out.MustPort(t, "response"); v["status"] != 201 || v["content"].(map[string]any)["data"].(map[string]any)["transactionId"] != "tx-1" {
		t.Fatalf("response %v", v)
	}
	all := srv.all()
	if len(all) != 2 || all[0].Path != "/v1/subscribers" ||
		all[0].Body != `{"email":"ann@example.org","firstName":"Ann","lastName":"Lee","phone":"+48 600","subscriberId":"p-1"}` ||
		all[1].Body != `{"name":"order-shipped","payload":{"name":"Ann","order":"A-7"},"to":{"email":"ann@example.org","subscriberId":"p-1"}}` {
		t.Fatalf("Novu received %+v", all)
	}
	if out.State.Profile["aux"].(map[string]any)["novu"].(map[string]any)["registered"] != true || out.State.ProfileFlag() != 1 {
		t.Fatalf("profile %v", out.State.Profile)
	}
	// A registered profile is not registered again; hashing and a tenant.
	sum := sha1.Sum([]byte("p-1"))
	hashed := hex.EncodeToString(sum[:])
	cfg["hash"], cfg["tenant"] = true, map[string]any{"id": "acme", "name": "Acme"}
	plugintest.Run(t, RegisterNovuTrigger(), plugintest.Case{Config: cfg, Profile: out.State.Profile, Resources: resources}).MustPort(t, "response")
	if all := srv.all(); len(all) != 3 || !strings.Contains(all[2].Body, `"subscriberId":"`+hashed+`"`) || !strings.Contains(all[2].Body, `"tenant":"acme"`) {
		t.Fatalf("Novu received %+v", all[2:])
	}
	cfg["template"] = map[string]any{"id": "missing", "name": "x"}
	if v := plugintest.Run(t, RegisterNovuTrigger(), plugintest.Case{Config: cfg, Profile: out.State.Profile, Resources: resources}).MustPort(t, "error"); v["status"] != 422 {
		t.Fatalf("error %v", v)
	}
	cfg["source"] = res("bad")
	bad := plugintest.Run(t, RegisterNovuTrigger(), plugintest.Case{Config: cfg, Profile: newProfile(), Resources: resources})
	if v := bad.MustPort(t, "error"); v["status"] != 401 || strings.Contains(bad.LogText(), "novu-key-2") {
		t.Fatalf("error %v", v)
	}
	noMail := newProfile()
	delete(noMail, "data")
	if v := plugintest.Run(t, RegisterNovuTrigger(), plugintest.Case{Config: cfg, Profile: noMail, Resources: resources}).MustPort(t, "error"); !strings.Contains(v["message"].(string), "no e-mail") {
		t.Fatalf("error %v", v)
	}
	// Tracardi's test config: no workflow chosen; sets up, fails clearly.
	empty := plugin.Config{"payload": "{}", "recipient_email": "profile@data.contact.email.main", "source": res("novu"), "subscriber_id": "profile@id",
		"template": map[string]any{"id": "", "name": ""}}
	if v := plugintest.Run(t, RegisterNovuTrigger(), plugintest.Case{Config: empty, Profile: newProfile(), Resources: resources}).MustPort(t, "error"); !strings.Contains(v["message"].(string), "workflow") {
		t.Fatalf("error %v", v)
	}
	plugintest.SetUpFails(t, RegisterNovuTrigger(), plugin.Config{"source": res("novu"), "payload": "[1]"}, "payload")
}

// Tracardi registers Novu under a second module name, its registry's.
func TestNovuRegistryAlias(t *testing.T) {
	want := "tracardi.process_engine.action.v1.connectors.novu.trigger.registry"
	for _, a := range RegisterNovuTrigger().Spec.Aliases {
		if a == want {
			return
		}
	}
	t.Fatalf("aliases %v lack %s", RegisterNovuTrigger().Spec.Aliases, want)
}
