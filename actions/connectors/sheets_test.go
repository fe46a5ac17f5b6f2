package connectors

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/plugintest"
	"github.com/tracflow/tracflow/plugin/plugintest/standin"
)

// googleStandIn is Google's token endpoint and Sheets API in one server: the
// token endpoint checks the JWT bearer grant (signature with the account's
// public key, issuer, audience, scope); the Sheets API checks the access
// token and records each call.
type googleStandIn struct {
	*httptest.Server
	pub    *rsa.PublicKey
	email  string
	mu     sync.Mutex
	tokens int
	calls  []string
}

const sheetsAccessToken = "ya29.standin-access-token"

func startGoogle(t *testing.T, email string) (*googleStandIn, string) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKCS8PrivateKey(key)
	pemKey := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	g := &googleStandIn{pub: &key.PublicKey, email: email}
	g.Server = httptest.NewServer(http.HandlerFunc(g.serve))
	t.Cleanup(g.Close)
	return g, pemKey
}

func (g *googleStandIn) serve(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	if r.URL.Path == "/token" {
		_ = r.ParseForm()
		if r.Form.Get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer" || !g.validJWT(r.Form.Get("assertion")) {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"error":"invalid_grant"}`))
			return
		}
		g.mu.Lock()
		g.tokens++
		g.mu.Unlock()
		_, _ = w.Write([]byte(`{"access_token":"` + sheetsAccessToken + `","expires_in":3599,"token_type":"Bearer"}`))
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+sheetsAccessToken {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	b, _ := io.ReadAll(r.Body)
	g.mu.Lock()
	g.calls = append(g.calls, r.Method+" "+r.URL.EscapedPath()+"?"+r.URL.RawQuery+" "+string(b))
	g.mu.Unlock()
	switch {
	case strings.Contains(r.URL.Path, "/spreadsheets/private/"):
		w.WriteHeader(http.StatusForbidden)
		_, _ = w.Write([]byte(`{"error":{"code":403,"message":"The caller does not have permission","status":"PERMISSION_DENIED"}}`))
	case r.Method == "GET" && strings.Contains(r.URL.Path, "/spreadsheets/empty/"):
		_, _ = w.Write([]byte(`{"range":"Sheet1!A1:B2","majorDimension":"ROWS"}`))
	case r.Method == "GET":
		_, _ = w.Write([]byte(`{"range":"Sheet1!A1:B2","majorDimension":"ROWS","values":[["Name","John"]]}`))
	case r.Method == "PUT":
		_, _ = w.Write([]byte(`{"spreadsheetId":"s1","updatedRange":"Sheet1!A1:B1","updatedRows":1,"updatedColumns":2,"updatedCells":2}`))
	}
}

func (g *googleStandIn) validJWT(s string) bool {
	parts := strings.Split(s, ".")
	if len(parts) != 3 {
		return false
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return false
	}
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if rsa.VerifyPKCS1v15(g.pub, crypto.SHA256, sum[:], sig) != nil {
		return false
	}
	raw, _ := base64.RawURLEncoding.DecodeString(parts[1])
	var c map[string]any
	_ = json.Unmarshal(raw, &c)
	return c["iss"] == g.email && c["aud"] == g.URL+"/token" && c["scope"] == sheetsScope
}

func TestGoogleSheets(t *testing.T) {
	standin.AllowLoopback(t)
	const email = "flows@project.iam.gserviceaccount.com"
	g, key := startGoogle(t, email)
	_, otherKey := startGoogle(t, email)
	res := standin.Creds{
		"gcp":      {"client_email": email, "private_key": key, "private_key_id": "k1", "token_uri": g.URL + "/token", "sheets_url": g.URL},
		"wrongkey": {"client_email": email, "private_key": otherKey, "token_uri": g.URL + "/token", "sheets_url": g.URL},
		"notpem":   {"client_email": email, "private_key": "api_key", "token_uri": g.URL + "/token", "sheets_url": g.URL},
	}
	cfg := func(resource, id string, read, write bool) plugin.Config {
		return plugin.Config{"source": map[string]any{"id": resource, "name": resource}, "spreadsheet_id": id, "sheet_name": "Sheet1",
			"range": "A1:B2", "read": read, "write": write, "values": `[["Name", "John"], ["Age", 41]]`}
	}
	for _, tc := range []struct {
		name     string
		config   plugin.Config
		wantPort string
		wantCall string
		want     string
		warn     bool
	}{
		{"read", cfg("gcp", "s1", true, false), "payload", "GET /v4/spreadsheets/s1/values/Sheet1%21A1:B2? ", `"values":[["Name","John"]]`, false},
		{"read an empty range", cfg("gcp", "empty", true, false), "payload", "GET /v4/spreadsheets/empty/values/Sheet1%21A1:B2? ", `"values":[]`, true},
		{"write", cfg("gcp", "s1", false, true), "payload", `PUT /v4/spreadsheets/s1/values/Sheet1%21A1:B2?valueInputOption=USER_ENTERED {"values":[["Name","John"],["Age",41]]}`, `"updatedCells":2`, false},
		{"a spreadsheet not shared", cfg("gcp", "private", true, false), "error", "GET /v4/spreadsheets/private/", "share it with " + email, false},
		{"a key Google does not know", cfg("wrongkey", "s1", true, false), "error", "", `"status":400`, false},
		{"a private key that is not PEM", cfg("notpem", "s1", true, false), "error", "", "not PEM text", false},
		{"no resource", cfg("", "s1", true, false), "error", "", "no resource selected", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g.mu.Lock()
			g.calls = nil
			g.mu.Unlock()
			out := plugintest.Run(t, RegisterGoogleSheets(), plugintest.Case{Config: tc.config, Resources: res})
			if out.Err != nil || len(out.Results) != 1 || out.Results[0].Port != tc.wantPort {
				t.Fatalf("results %+v, err %v", out.Results, out.Err)
			}
			b, _ := json.Marshal(out.Results[0].Value)
			if !strings.Contains(string(b), tc.want) {
				t.Errorf("value %s, want %s in it", b, tc.want)
			}
			for _, secret := range []string{sheetsAccessToken, key[40:80]} {
				if strings.Contains(string(b), secret) || strings.Contains(jsonText(out.State.Logs), secret) {
					t.Errorf("the answer or console shows %s", secret)
				}
			}
			g.mu.Lock()
			calls := strings.Join(g.calls, "\n")
			g.mu.Unlock()
			if !strings.HasPrefix(calls, tc.wantCall) {
				t.Errorf("the Sheets API received %q, want %q", calls, tc.wantCall)
			}
			warned := strings.Contains(jsonText(out.State.Logs), `"warning"`)
			if warned != tc.warn {
				t.Errorf("console %+v", out.State.Logs)
			}
		})
	}
	g.mu.Lock()
	if g.tokens != 1 {
		t.Errorf("%d tokens were asked for; one is kept until it expires", g.tokens)
	}
	g.mu.Unlock()

	// Neither read nor write: nothing happens.
	out := plugintest.Run(t, RegisterGoogleSheets(), plugintest.Case{Config: cfg("gcp", "s1", false, false), Resources: res})
	if out.Err != nil || len(out.Results) != 0 || !strings.Contains(jsonText(out.State.Logs), "nothing was done") {
		t.Errorf("neither: %+v %v %+v", out.Results, out.Err, out.State.Logs)
	}
	if err := checkGCP(t.Context(), res["gcp"]); err != nil {
		t.Errorf("Test connection: %v", err)
	}
	if err := checkGCP(t.Context(), res["wrongkey"]); err == nil {
		t.Error("Test connection passed with a key Google does not know")
	}
}

func TestGoogleSheetsSetUp(t *testing.T) {
	for _, tc := range []struct {
		config plugin.Config
		field  string
	}{
		{plugin.Config{"read": true, "write": true}, "write"},
		{plugin.Config{"values": "[1, 2]"}, "values"},
		{plugin.Config{"values": "{"}, "values"},
	} {
		err := (&GoogleSheets{}).SetUp(t.Context(), tc.config)
		if fe := plugin.AsFieldErrors(err); len(fe) == 0 || fe[0].Field != tc.field {
			t.Errorf("%v: %v, want an error on %s", tc.config, err, tc.field)
		}
	}
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
