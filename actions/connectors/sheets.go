package connectors

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/outbound"
)

const (
	googleTokenURL  = "https://oauth2.googleapis.com/token"
	googleSheetsURL = "https://sheets.googleapis.com"
	sheetsScope     = "https://www.googleapis.com/auth/spreadsheets"
)

var (
	gcpFields = plugin.NewConfigSpec().
			Field(plugin.NewStringField("client_email").Name("Client e-mail").Required().
				Description("The service account's e-mail (…@….iam.gserviceaccount.com); share the spreadsheet with it.")).
			Field(plugin.NewStringField("private_key").Name("Private key").Required().
				Description("The service account key's private_key, the PEM text from -----BEGIN PRIVATE KEY----- to its END line.")).
			Field(plugin.NewStringField("private_key_id").Name("Private key id").Default("").
				Description("The key's private_key_id.")).
			Field(plugin.NewStringField("project_id").Name("Project").Default("").
				Description("The Google Cloud project of the account; informational.")).
			Field(plugin.NewStringField("token_uri").Name("Token URI").Default(googleTokenURL).
				Pattern(`^https?://\S+$`, "expected an http(s) URL").
				Description("Where access tokens are obtained; as in the key file.")).
			Field(plugin.NewStringField("sheets_url").Name("Sheets API URL").Default(googleSheetsURL).
				Pattern(`^https?://\S+$`, "expected an http(s) URL").
				Description("Google Sheets API's address; change it only to reach a stand-in."))
	// GCPServiceAccountType is a Google Cloud service account key (the
	// fields of its JSON key file).
	GCPServiceAccountType = plugin.ResourceType{Type: "gcp-service-account", Name: "Google Cloud service account", Tags: []string{"gcp-service-account", "google"},
		Description: "A Google Cloud service account's key: paste the fields of its JSON key file.", Fields: gcpFields}
)

func init() {
	GCPServiceAccountType.Check = checkGCP
	plugin.RegisterResourceType(GCPServiceAccountType)
}

// checkGCP is the resource's Test connection: an access token is obtained.
func checkGCP(ctx context.Context, creds map[string]any) error {
	c, err := GCPServiceAccountType.ParseCredentials(creds)
	if err != nil {
		return err
	}
	_, err = googleTokens.token(ctx, c, 10*time.Second)
	return err
}

// tokenCache keeps service-account access tokens until shortly before
// they expire, so a flow does not ask for one per run.
type tokenCache struct {
	mu sync.Mutex
	m  map[string]cachedToken
}

type cachedToken struct {
	token string
	until time.Time
}

var googleTokens = &tokenCache{m: map[string]cachedToken{}}

// token returns an access token for the account (OAuth 2.0 JWT bearer
// grant, RS256-signed with the account's key).
func (tc *tokenCache) token(ctx context.Context, c *plugin.ParsedConfig, timeout time.Duration) (string, error) {
	key := c.String("client_email") + "\x00" + c.String("token_uri") + "\x00" + c.String("private_key_id") + "\x00" +
		fmt.Sprintf("%x", sha256.Sum256([]byte(c.String("private_key"))))
	now := time.Now()
	tc.mu.Lock()
	if t, ok := tc.m[key]; ok && now.Before(t.until) {
		tc.mu.Unlock()
		return t.token, nil
	}
	tc.mu.Unlock()
	assertion, err := signJWT(c, now)
	if err != nil {
		return "", err
	}
	form := url.Values{"grant_type": {"urn:ietf:params:oauth:grant-type:jwt-bearer"}, "assertion": {assertion}}
	res, err := outbound.Default().DoOK(ctx, outbound.Request{Method: "POST", URL: c.String("token_uri"), Timeout: timeout,
		Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}, Body: []byte(form.Encode())})
	if err != nil {
		return "", err
	}
	var ans struct {
		AccessToken string  `json:"access_token"`
		ExpiresIn   float64 `json:"expires_in"`
	}
	if json.Unmarshal(res.Body, &ans) != nil || ans.AccessToken == "" {
		e := outbound.StatusError(res)
		e.Message = "the token endpoint answered no access_token"
		return "", e
	}
	life := time.Duration(ans.ExpiresIn) * time.Second
	if life <= 0 {
		life = time.Hour
	}
	tc.mu.Lock()
	if len(tc.m) > 1000 {
		tc.m = map[string]cachedToken{}
	}
	tc.m[key] = cachedToken{token: ans.AccessToken, until: now.Add(life - time.Minute)}
	tc.mu.Unlock()
	return ans.AccessToken, nil
}

// signJWT makes the signed assertion of the JWT bearer grant.
func signJWT(c *plugin.ParsedConfig, now time.Time) (string, error) {
	block, _ := pem.Decode([]byte(strings.ReplaceAll(c.String("private_key"), `\n`, "\n")))
	if block == nil {
		return "", errors.New("the resource's private_key is not PEM text (-----BEGIN PRIVATE KEY-----...)")
	}
	var key *rsa.PrivateKey
	if k, err := x509.ParsePKCS8PrivateKey(block.Bytes); err == nil {
		rk, ok := k.(*rsa.PrivateKey)
		if !ok {
			return "", errors.New("the resource's private_key is not an RSA key")
		}
		key = rk
	} else if rk, err := x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
		key = rk
	} else {
		return "", errors.New("the resource's private_key cannot be read as a PKCS#8 or PKCS#1 RSA key")
	}
	enc := func(v any) string {
		b, _ := json.Marshal(v)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	head := map[string]any{"alg": "RS256", "typ": "JWT"}
	if id := c.String("private_key_id"); id != "" {
		head["kid"] = id
	}
	claims := map[string]any{"iss": c.String("client_email"), "scope": sheetsScope, "aud": c.String("token_uri"),
		"iat": now.Unix(), "exp": now.Add(time.Hour).Unix()}
	signing := enc(head) + "." + enc(claims)
	sum := sha256.Sum256([]byte(signing))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		return "", fmt.Errorf("cannot sign with the resource's private_key: %w", err)
	}
	return signing + "." + base64.RawURLEncoding.EncodeToString(sig), nil
}

// GoogleSheets reads a range of a spreadsheet, or writes values into it.
type GoogleSheets struct {
	plugin.ActionRunner
	resource    string
	spreadsheet string
	sheet       string
	rng         string
	read, write bool
	values      []any
	timeout     time.Duration
}

var sheetsSpec = plugin.NewConfigSpec().
	Group("Google Connection Settings", "").
	Field(plugin.NewResourceField("source", "gcp-service-account").Name("Google Cloud Service Account Resource").
		Description("The service account the plugin acts as; share the spreadsheet with its e-mail.")).
	Group("Spreadsheet Configuration", "").
	Field(plugin.NewStringField("spreadsheet_id").Name("Spreadsheet Id").Default("").
		Description("The spreadsheet's id: the part of its URL between /d/ and /edit.")).
	Field(plugin.NewStringField("sheet_name").Name("Sheet name").Default("").
		Description("The sheet (tab) to work on, e.g. Sheet1.")).
	Group("Data Configuration", "").
	Field(plugin.NewStringField("range").Name("Data Range").Default("").
		Description("The cells to read or write, in A1 notation, e.g. A1:F4.")).
	Field(plugin.NewBoolField("read").Name("Read data").Default(false).Component("bool", map[string]any{"label": "I want to read data"}).
		Description("Read the range's values.")).
	Field(plugin.NewBoolField("write").Name("Write data").Default(false).Component("bool", map[string]any{"label": "I want to write data"}).
		Description("Write Values into the range.")).
	Field(plugin.NewStringField("values").Name("Values").Default(`[["Name", "John"]]`).Component("json", map[string]any{"label": "Values"}).
		Description("What to write: a JSON list of rows, each a list of cell values, e.g. [[\"Name\", \"John\"], [\"Last Name\", \"Doe\"]]."))

// SetUp reads the configuration and the values to write.
func (a *GoogleSheets) SetUp(_ context.Context, config plugin.Config) error {
	c, err := sheetsSpec.Parse(config)
	if err != nil {
		return err
	}
	a.resource = plugin.ResourceID(c.Object("source"))
	a.spreadsheet, a.sheet, a.rng = c.String("spreadsheet_id"), c.String("sheet_name"), c.String("range")
	a.read, a.write = c.Bool("read"), c.Bool("write")
	a.timeout = 30 * time.Second
	if a.read && a.write {
		return plugin.FieldErr("write", "reading and writing at the same time is not possible: choose one")
	}
	var rows []any
	if err := json.Unmarshal([]byte(c.String("values")), &rows); err != nil {
		return plugin.FieldErr("values", "not a JSON list of rows: %v", err)
	}
	for i, r := range rows {
		if _, ok := r.([]any); !ok {
			return plugin.FieldErr("values", "row %d is not a list of cell values", i)
		}
	}
	a.values = rows
	return nil
}

// Run reads or writes.
func (a *GoogleSheets) Run(ctx context.Context, _ plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	if !a.read && !a.write {
		a.Console.Warning("Neither Read data nor Write data is on: nothing was done.")
		return nil, nil
	}
	if a.spreadsheet == "" || a.rng == "" {
		return a.fail(errors.New("the spreadsheet id and the data range are required"))
	}
	creds, err := a.Credentials(ctx, a.resource, GCPServiceAccountType)
	if err != nil {
		return a.fail(err)
	}
	secret := creds.String("private_key")
	token, err := googleTokens.token(ctx, creds, a.timeout)
	if err != nil {
		return a.fail(err, secret)
	}
	where := a.rng
	if a.sheet != "" {
		where = a.sheet + "!" + a.rng
	}
	u := strings.TrimRight(creds.String("sheets_url"), "/") + "/v4/spreadsheets/" + url.PathEscape(a.spreadsheet) + "/values/" + url.PathEscape(where)
	req := outbound.Request{URL: u, Timeout: a.timeout, Header: http.Header{"Authorization": {"Bearer " + token}}}
	if a.write {
		req.Method, req.URL, req.JSON = "PUT", u+"?valueInputOption=USER_ENTERED", map[string]any{"values": a.values}
	}
	res, err := outbound.Default().DoOK(ctx, req)
	if err != nil {
		var oe *outbound.Error
		if errors.As(err, &oe) && (oe.Status == http.StatusForbidden || oe.Status == http.StatusNotFound) {
			oe.Message = fmt.Sprintf("Google Sheets answered %d: the service account may not see this spreadsheet; share it with %s", oe.Status, creds.String("client_email"))
		}
		return a.fail(err, secret, token)
	}
	ans, _ := res.Content().(map[string]any)
	if ans == nil {
		ans = map[string]any{}
	}
	if a.read {
		if v, _ := ans["values"].([]any); len(v) == 0 {
			a.Console.Warning("No data found in the range %s.", where)
			ans["values"] = []any{}
		}
	}
	return plugin.Port("payload", ans), nil
}

func (a *GoogleSheets) fail(err error, secrets ...string) (plugin.Results, error) {
	p := outbound.ErrorPayload(err, secrets...)
	a.Console.Error("%s", p["message"])
	return plugin.Port("error", p), nil
}

// RegisterGoogleSheets describes the Google Spreadsheet plugin.
func RegisterGoogleSheets() plugin.Plugin {
	return plugin.Plugin{
		New: func() plugin.Action { return &GoogleSheets{} },
		Spec: plugin.Spec{
			Module: "tracflow.connectors.google.sheets.modify", Aliases: []string{tracardi + "connectors.google.sheets.modify.plugin"},
			ClassName: "GoogleSheetsIntegratorAction",
			Inputs:    []string{"payload"}, Outputs: []string{"payload", "error"},
			Config:  sheetsSpec,
			License: "MIT", Version: "1.0.0", Author: "Tracflow",
		},
		MetaData: plugin.MetaData{
			Name: "Google Spreadsheet", Desc: "Reads a range of a Google spreadsheet, or writes values into it, as a service account.",
			Type: "flowNode", Icon: "google", Group: []string{"Google"},
			Tags: []string{"google", "sheets", "spreadsheet", "connector"}, Purpose: []string{"collection"},
			Documentation: &plugin.Documentation{
				Tutorial: "Needs a resource of type gcp-service-account holding the fields of a service account's JSON key; " +
					"share the spreadsheet with the account's e-mail. Reading answers Google's {range, majorDimension, values}; " +
					"writing puts Values into <sheet>!<range> (cells typed as a user would type them) and answers Google's " +
					"{updatedRange, updatedRows, ...}. With neither Read nor Write on, nothing happens. Debug runs use the " +
					"resource's test credentials. Differences from Tracardi: reading also uses the sheet name (Tracardi read " +
					"the range of the first sheet); an empty range answers {values: []} with a warning instead of the text " +
					"\"No data found.\"; turning both Read and Write on is refused when the flow is saved; failures go to the " +
					"error port as {message, status, body}.",
				Inputs: map[string]plugin.PortDoc{"payload": {Desc: "Any object; it is not used."}},
				Outputs: map[string]plugin.PortDoc{
					"payload": {Desc: "Google's answer: the values read, or the summary of the update."},
					"error":   {Desc: "{\"message\", \"status\", \"body\"} when the token or the Sheets call failed, e.g. a spreadsheet not shared with the account."},
				},
			},
		},
	}
}
