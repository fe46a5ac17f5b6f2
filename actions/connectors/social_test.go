package connectors

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/plugintest"
	"github.com/tracflow/tracflow/plugin/plugintest/standin"
)

// TestOAuth1Signature checks the signing against the worked example of
// X's developer documentation ("Creating a signature").
func TestOAuth1Signature(t *testing.T) {
	params := map[string]string{
		"status":                 "Hello Ladies + Gentlemen, a signed OAuth request!",
		"include_entities":       "true",
		"oauth_consumer_key":     "xvz1evFS4wEEPTGEFPHBog",
		"oauth_nonce":            "kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg",
		"oauth_signature_method": "HMAC-SHA1",
		"oauth_timestamp":        "1318622958",
		"oauth_token":            "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb",
		"oauth_version":          "1.0",
	}
	got := oauth1Signature("post", "https://api.twitter.com/1.1/statuses/update.json", params,
		"kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw", "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE")
	if got != "hCtSmYh+iHYCEqBWrE7C7hYmtUk=" {
		t.Fatalf("signature %s", got)
	}
}

func TestTweet(t *testing.T) {
	standin.AllowLoopback(t)
	var body string
	var authOK bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		body = string(b)
		// Verify the signature as the service does: from the header's own parameters.
		h := strings.TrimPrefix(r.Header.Get("Authorization"), "OAuth ")
		params := map[string]string{}
		for _, p := range strings.Split(h, ", ") {
			k, v, _ := strings.Cut(p, "=")
			params[k], _ = url.QueryUnescape(strings.Trim(v, `"`))
		}
		sig := params["oauth_signature"]
		delete(params, "oauth_signature")
		authOK = params["oauth_consumer_key"] == "ck" && params["oauth_token"] == "at" &&
			sig == oauth1Signature(r.Method, "http://"+r.Host+r.URL.Path, params, "cs", "ats")
		if !authOK {
			w.WriteHeader(401)
			_, _ = w.Write([]byte(`{"title": "Unauthorized", "status": 401}`))
			return
		}
		w.WriteHeader(201)
		_, _ = w.Write([]byte(`{"data": {"id": "1", "text": "x"}}`))
	}))
	defer srv.Close()
	resources := standin.Creds{"tw": {"api_key": "ck", "api_secret": "cs", "access_token": "at", "access_token_secret": "ats", "base_url": srv.URL},
		"bad": {"api_key": "ck", "api_secret": "wrong-secret", "access_token": "at", "access_token_secret": "ats", "base_url": srv.URL}}
	cfg := plugin.Config{"source": standin.Resource("tw"), "tweet": "Welcome {{profile@traits.handle}}!"}
	v := plugintest.Run(t, RegisterTweet(), plugintest.Case{Config: cfg, Payload: plugin.Payload{"k": 1.0},
		Profile: plugin.Profile{"id": "p", "traits": map[string]any{"handle": "@ann"}}, Resources: resources}).MustPort(t, "response")
	if !authOK || body != `{"text":"Welcome @ann!"}` || v["k"] != 1.0 {
		t.Fatalf("X received %s (signature ok %v), response %v", body, authOK, v)
	}
	cfg["source"] = standin.Resource("bad")
	out := plugintest.Run(t, RegisterTweet(), plugintest.Case{Config: cfg, Resources: resources})
	if v := out.MustPort(t, "error"); v["status"] != 401 || strings.Contains(out.LogText(), "wrong-secret") {
		t.Fatalf("error %v", v)
	}
}

func TestGhost(t *testing.T) {
	standin.AllowLoopback(t)
	secret := "a1b2c3d4e5f60718"
	key, _ := hex.DecodeString(secret)
	var put string
	var labels []any
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Ghost ")
		parts := strings.Split(tok, ".")
		if len(parts) != 3 {
			w.WriteHeader(401)
			return
		}
		mac := hmac.New(sha256.New, key)
		mac.Write([]byte(parts[0] + "." + parts[1]))
		hdr, _ := base64.RawURLEncoding.DecodeString(parts[0])
		pl, _ := base64.RawURLEncoding.DecodeString(parts[1])
		var claims map[string]any
		_ = json.Unmarshal(pl, &claims)
		if base64.RawURLEncoding.EncodeToString(mac.Sum(nil)) != parts[2] ||
			!strings.Contains(string(hdr), `"kid":"key1"`) || claims["aud"] != "/admin/" {
			w.WriteHeader(401)
			_, _ = w.Write([]byte(`{"errors": [{"message": "Invalid token"}]}`))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.Method == "GET" && r.URL.Path == "/ghost/api/admin/members/" && r.URL.Query().Get("filter") == "uuid:u-1":
			b, _ := json.Marshal(map[string]any{"members": []any{map[string]any{"id": "m1", "labels": labels}}})
			_, _ = w.Write(b)
		case r.Method == "PUT" && r.URL.Path == "/ghost/api/admin/members/m1/":
			b, _ := io.ReadAll(r.Body)
			put = string(b)
			_, _ = w.Write([]byte(`{"members": [{"id": "m1"}]}`))
		default:
			_, _ = w.Write([]byte(`{"members": []}`))
		}
	}))
	defer srv.Close()
	resources := standin.Creds{"g": {"api_url": srv.URL, "api_key": "key1:" + secret}}
	cfg := plugin.Config{"resource": standin.Resource("g"), "uuid": "payload@member"}
	profile := plugin.Profile{"id": "p", "segments": []any{"vip", "buyers"}}
	labels = []any{map[string]any{"name": "old"}}
	v := plugintest.Run(t, RegisterGhost(), plugintest.Case{Config: cfg, Payload: plugin.Payload{"member": "u-1"}, Profile: profile, Resources: resources}).MustPort(t, "result")
	if put != `{"members":[{"labels":["buyers","vip"]}]}` || len(v["labels"].([]any)) != 2 {
		t.Fatalf("Ghost got PUT %s, result %v", put, v)
	}
	put = ""
	labels = []any{map[string]any{"name": "vip"}, map[string]any{"name": "buyers"}}
	v = plugintest.Run(t, RegisterGhost(), plugintest.Case{Config: cfg, Payload: plugin.Payload{"member": "u-1"}, Profile: profile, Resources: resources}).MustPort(t, "result")
	if put != "" || v["response"] != nil {
		t.Fatalf("labels already equal: PUT %s, result %v", put, v)
	}
	if v := plugintest.Run(t, RegisterGhost(), plugintest.Case{Config: cfg, Payload: plugin.Payload{"member": "nobody"}, Profile: profile, Resources: resources}).MustPort(t, "error"); !strings.Contains(v["message"].(string), "no member") {
		t.Fatalf("error %v", v)
	}
	resources["g"]["api_key"] = "key1:" + "ffff0000ffff0000"
	if v := plugintest.Run(t, RegisterGhost(), plugintest.Case{Config: cfg, Payload: plugin.Payload{"member": "u-1"}, Profile: profile, Resources: resources}).MustPort(t, "error"); v["status"] != 401 {
		t.Fatalf("error %v", v)
	}
	resources["g"]["api_key"] = "no-colon"
	if v := plugintest.Run(t, RegisterGhost(), plugintest.Case{Config: cfg, Payload: plugin.Payload{"member": "u-1"}, Profile: profile, Resources: resources}).MustPort(t, "error"); !strings.Contains(v["message"].(string), "id:secret") {
		t.Fatalf("error %v", v)
	}
}
