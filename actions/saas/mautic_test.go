package saas

import (
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/plugintest"
)

func TestMautic(t *testing.T) {
	var tokens atomic.Int32
	srv := startStandIn(t, func(r *http.Request, body string) (int, string) {
		if r.URL.Path == "/slow/api/contacts/1" {
			time.Sleep(500 * time.Millisecond)
		}
		r.URL.Path = strings.TrimPrefix(r.URL.Path, "/slow")
		if r.URL.Path == "/oauth/v2/token" {
			f, _ := url.ParseQuery(body)
			if f.Get("client_id") != "pub-1" || f.Get("client_secret") != "priv-secret-1" || f.Get("grant_type") != "client_credentials" {
				return 401, `{"errors":[{"message":"invalid_client"}]}`
			}
			n := tokens.Add(1)
			return 200, `{"access_token":"tok-` + string(rune('0'+n)) + `","expires_in":3600,"token_type":"bearer"}`
		}
		if r.Header.Get("Authorization") != "Bearer tok-"+string(rune('0'+tokens.Load())) {
			return 401, `{"errors":[{"code":401,"message":"The access token provided is invalid."}]}`
		}
		switch {
		case r.URL.Path == "/api/contacts/new":
			return 201, `{"contact":{"id":47,"fields":{"all":{"email":"ann@example.org"}}}}`
		case r.URL.Path == "/api/contacts/47":
			return 200, `{"contact":{"id":47}}`
		case r.URL.Path == "/api/contacts/404":
			return 404, `{"errors":[{"code":404,"message":"Item was not found."}]}`
		case r.URL.Path == "/api/contacts" && r.URL.Query().Get("search") == "email:ann@example.org":
			return 200, `{"total":"1","contacts":{"47":{"id":47}}}`
		case r.URL.Path == "/api/contacts":
			return 200, `{"total":0,"contacts":[]}`
		case strings.HasPrefix(r.URL.Path, "/api/contacts/47/points/"), strings.HasPrefix(r.URL.Path, "/api/segments/3/contact/47/"):
			return 200, `{"success":1}`
		}
		return 500, `{"errors":[{"message":"server error"}]}`
	})
	resources := creds{
		"m":    {"api_url": srv.URL, "public_key": "pub-1", "private_key": "priv-secret-1"},
		"bad":  {"api_url": srv.URL, "public_key": "pub-1", "private_key": "wrong-secret"},
		"slow": {"api_url": srv.URL + "/slow", "public_key": "pub-1", "private_key": "priv-secret-1", "timeout": 0.2},
	}
	profile := plugin.Profile{"id": "p1", "data": map[string]any{"contact": map[string]any{"email": map[string]any{"main": "ann@example.org"}},
		"pii": map[string]any{"firstname": "Ann"}}, "traits": map[string]any{"tags": []any{"vip", "eu"}, "mautic": 47}}

	out := plugintest.Run(t, RegisterMauticAddContact(), plugintest.Case{Profile: profile, Resources: resources, Config: plugin.Config{
		"source": res("m"), "email": "profile@data.contact.email.main", "overwrite_with_blank": true,
		"additional_mapping": map[string]any{"firstname": "profile@data.pii.firstname", "tags": "profile@traits.tags"}}})
	if v := out.MustPort(t, "response"); v["contact"].(map[string]any)["id"] != 47.0 {
		t.Fatalf("response %v", v)
	}
	got := srv.last(t)
	form, _ := url.ParseQuery(got.Body)
	if got.Method != "POST" || got.Path != "/api/contacts/new" || got.Auth != "Bearer tok-1" || got.Type != "application/x-www-form-urlencoded" ||
		form.Get("email") != "ann@example.org" || form.Get("firstname") != "Ann" || form.Get("tags") != "vip,eu" || form.Get("overwriteWithBlank") != "true" {
		t.Fatalf("Mautic received %+v", got)
	}

	byID := plugintest.Run(t, RegisterMauticFetchByID(), plugintest.Case{Profile: profile, Resources: resources,
		Config: plugin.Config{"source": res("m"), "contact_id": "profile@traits.mautic"}})
	if v := byID.MustPort(t, "response"); v["contact"] == nil || srv.last(t).Path != "/api/contacts/47" {
		t.Fatalf("response %v, request %+v", v, srv.last(t))
	}
	if tokens.Load() != 1 {
		t.Errorf("the token was asked for %d times, want once", tokens.Load())
	}

	byEmail := plugintest.Run(t, RegisterMauticFetchByEmail(), plugintest.Case{Profile: profile, Resources: resources,
		Config: plugin.Config{"source": res("m"), "contact_email": "profile@data.contact.email.main"}})
	if v := byEmail.MustPort(t, "response"); v["contact"].(map[string]any)["id"] != 47.0 || srv.last(t).Query != "search=email%3Aann%40example.org" {
		t.Fatalf("response %v, request %+v", v, srv.last(t))
	}
	none := plugintest.Run(t, RegisterMauticFetchByEmail(), plugintest.Case{Resources: resources,
		Config: plugin.Config{"source": res("m"), "contact_email": "nobody@example.org"}})
	if v := none.MustPort(t, "error"); !strings.Contains(v["message"].(string), "no contact with the e-mail address nobody@example.org") {
		t.Fatalf("error %v", v)
	}

	for _, c := range []struct {
		p    plugin.Plugin
		cfg  plugin.Config
		path string
	}{
		{RegisterMauticEditPoints(), plugin.Config{"action": "add", "contact_id": "profile@traits.mautic", "points": 5}, "/api/contacts/47/points/plus/5"},
		{RegisterMauticEditPoints(), plugin.Config{"action": "subtract", "contact_id": "47", "points": "2"}, "/api/contacts/47/points/minus/2"},
		{RegisterMauticSegment(), plugin.Config{"action": "add", "contact_id": "profile@traits.mautic", "segment": "3"}, "/api/segments/3/contact/47/add"},
		{RegisterMauticSegment(), plugin.Config{"action": "remove", "contact_id": "47", "segment": "3"}, "/api/segments/3/contact/47/remove"},
	} {
		c.cfg["source"] = res("m")
		o := plugintest.Run(t, c.p, plugintest.Case{Profile: profile, Resources: resources, Config: c.cfg, Payload: plugin.Payload{"in": 1}})
		if v := o.MustPort(t, "success"); v["in"] != 1 || srv.last(t).Path != c.path || srv.last(t).Method != "POST" {
			t.Fatalf("%s: success %v, request %+v", c.path, v, srv.last(t))
		}
	}

	// A token the server no longer takes is renewed and the call sent again.
	tokens.Add(1)
	byID = plugintest.Run(t, RegisterMauticFetchByID(), plugintest.Case{Resources: resources, Config: plugin.Config{"source": res("m"), "contact_id": "47"}})
	byID.MustPort(t, "response")
	if all := srv.all(); all[len(all)-2].Path != "/oauth/v2/token" || srv.last(t).Auth != "Bearer tok-3" {
		t.Fatalf("no new token after a 401: %+v", all[len(all)-3:])
	}

	// Failures: 404, refused credentials, no answer in time.
	if v := plugintest.Run(t, RegisterMauticFetchByID(), plugintest.Case{Resources: resources, Config: plugin.Config{"source": res("m"), "contact_id": "404"}}).
		MustPort(t, "error"); v["status"] != 404 || !strings.Contains(v["body"].(string), "Item was not found") {
		t.Fatalf("error %v", v)
	}
	bad := plugintest.Run(t, RegisterMauticFetchByID(), plugintest.Case{Resources: resources, Config: plugin.Config{"source": res("bad"), "contact_id": "47"}})
	if v := bad.MustPort(t, "error"); v["status"] != 401 || !strings.Contains(v["message"].(string), "access token") || strings.Contains(bad.LogText(), "wrong-secret") {
		t.Fatalf("error %v", v)
	}
	start := time.Now()
	if v := plugintest.Run(t, RegisterMauticFetchByID(), plugintest.Case{Resources: resources, Config: plugin.Config{"source": res("slow"), "contact_id": "1"}}).
		MustPort(t, "error"); !strings.Contains(v["message"].(string), "no answer within") || time.Since(start) > 2*time.Second {
		t.Fatalf("error %v after %s", v, time.Since(start))
	}

	plugintest.SetUpFails(t, RegisterMauticEditPoints(), plugin.Config{"action": "add", "contact_id": "1", "points": "many"}, "points")
	plugintest.SetUpFails(t, RegisterMauticSegment(), plugin.Config{"action": "move", "contact_id": "1", "segment": "1"}, "action")
}
