package connectors

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
	"github.com/tracflow/tracflow/plugin/outbound"
)

var (
	twitterFields = plugin.NewConfigSpec().
			Field(plugin.NewStringField("api_key").Name("API key").Required().Description("The app's consumer (API) key.")).
			Field(plugin.NewStringField("api_secret").Name("API secret").Required().Description("The app's consumer (API) secret.")).
			Field(plugin.NewStringField("access_token").Name("Access token").Required().Description("The account's access token, with write permission.")).
			Field(plugin.NewStringField("access_token_secret").Name("Access token secret").Required().Description("The access token's secret.")).
			Field(plugin.NewStringField("base_url").Name("API base URL").Default("https://api.twitter.com").
				Description("The X (Twitter) API address; change it only to reach a stand-in."))
	// TwitterType is an X (Twitter) account reached through an app's keys.
	TwitterType = plugin.ResourceType{Type: "twitter", Name: "Twitter", Tags: []string{"twitter"},
		Description: "An X (Twitter) app's keys and an account's access token (OAuth 1.0a user context).", Fields: twitterFields, Check: checkTwitter}

	ghostFields = plugin.NewConfigSpec().
			Field(plugin.NewStringField("api_url").Name("API URL").Required().Description("The Ghost site's address, e.g. https://blog.example.com.")).
			Field(plugin.NewStringField("api_key").Name("Admin API key").Required().Description("An Admin API key, id:secret (Settings → Integrations)."))
	// GhostType is a Ghost site's Admin API.
	GhostType = plugin.ResourceType{Type: "ghost", Name: "Ghost", Tags: []string{"ghost"},
		Description: "A Ghost site's Admin API key.", Fields: ghostFields, Check: checkGhost}
)

func init() {
	plugin.RegisterResourceType(TwitterType)
	plugin.RegisterResourceType(GhostType)
}

// oauthEscape is RFC 3986 percent-encoding, as OAuth 1.0a requires.
func oauthEscape(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}

// oauth1Signature is RFC 5849's HMAC-SHA1 signature of a request: params
// are the oauth_* parameters with the query's and, for form bodies, the
// body's.
func oauth1Signature(method, baseURL string, params map[string]string, consumerSecret, tokenSecret string) string {
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	pairs := make([]string, len(keys))
	for i, k := range keys {
		pairs[i] = oauthEscape(k) + "=" + oauthEscape(params[k])
	}
	base := strings.ToUpper(method) + "&" + oauthEscape(baseURL) + "&" + oauthEscape(strings.Join(pairs, "&"))
	mac := hmac.New(sha1.New, []byte(oauthEscape(consumerSecret)+"&"+oauthEscape(tokenSecret)))
	mac.Write([]byte(base))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// oauth1Header signs a request with OAuth 1.0a (a JSON body is not part of
// the signature; query parameters are) and returns the Authorization value.
func oauth1Header(c *plugin.ParsedConfig, method, rawURL string, now time.Time) string {
	u, _ := url.Parse(rawURL)
	nonce := make([]byte, 16)
	_, _ = rand.Read(nonce)
	params := map[string]string{
		"oauth_consumer_key":     c.String("api_key"),
		"oauth_nonce":            hex.EncodeToString(nonce),
		"oauth_signature_method": "HMAC-SHA1",
		"oauth_timestamp":        strconv.FormatInt(now.Unix(), 10),
		"oauth_token":            c.String("access_token"),
		"oauth_version":          "1.0",
	}
	signed := map[string]string{}
	for k, v := range params {
		signed[k] = v
	}
	for k, vs := range u.Query() {
		signed[k] = vs[0]
	}
	params["oauth_signature"] = oauth1Signature(method, u.Scheme+"://"+u.Host+u.EscapedPath(), signed,
		c.String("api_secret"), c.String("access_token_secret"))
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = oauthEscape(k) + `="` + oauthEscape(params[k]) + `"`
	}
	return "OAuth " + strings.Join(parts, ", ")
}

func twitterCall(ctx context.Context, c *plugin.ParsedConfig, method, path string, body any) (*outbound.Response, error) {
	u := strings.TrimRight(c.String("base_url"), "/") + path
	res, err := outbound.Default().DoOK(ctx, outbound.Request{Method: method, URL: u, JSON: body, Timeout: 15 * time.Second,
		Header: http.Header{"Authorization": {oauth1Header(c, method, u, time.Now())}}})
	return res, err
}

func checkTwitter(ctx context.Context, creds map[string]any) error {
	c, err := twitterFields.Parse(creds)
	if err != nil {
		return err
	}
	_, err = twitterCall(ctx, c, "GET", "/2/users/me", nil)
	return err
}

// Tweet posts a tweet as the resource's account.
type Tweet struct {
	plugin.ActionRunner
	resource string
	tweet    *dotpath.Template
}

var tweetSpec = plugin.NewConfigSpec().
	Group("Twitter resource", "").
	Field(plugin.NewResourceField("source", "twitter").Name("Twitter resource").
		Description("The twitter resource: the app's keys and the account's access token.")).
	Field(plugin.NewTemplateField("tweet").Name("Tweet").Required().Component("textarea", map[string]any{"label": "Tweet"}).
		Description("The tweet's text; {{ references }} are filled in."))

// SetUp reads the config.
func (a *Tweet) SetUp(_ context.Context, config plugin.Config) error {
	c, err := tweetSpec.Parse(config)
	if err != nil {
		return err
	}
	a.resource, a.tweet = plugin.ResourceID(c.Object("source")), c.Template("tweet")
	return nil
}

// Run posts the tweet (API v2, POST /2/tweets).
func (a *Tweet) Run(ctx context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	creds, err := a.Credentials(ctx, a.resource, TwitterType)
	if err != nil {
		return errorPort(&a.ActionRunner, err)
	}
	if _, err := twitterCall(ctx, creds, "POST", "/2/tweets", map[string]any{"text": a.tweet.Render(a.Scope(payload))}); err != nil {
		return errorPort(&a.ActionRunner, err, creds.String("api_secret"), creds.String("access_token_secret"), creds.String("access_token"))
	}
	return plugin.Port("response", payload), nil
}

// RegisterTweet describes the tweet plugin.
func RegisterTweet() plugin.Plugin {
	return plugin.Plugin{
		New: func() plugin.Action { return &Tweet{} },
		Spec: plugin.Spec{
			Module: "tracflow.connectors.twitter.tweet", Aliases: []string{tracardi + "connectors.twitter.tweet.plugin"},
			ClassName: "TwitterTweetAction", Inputs: []string{"payload"}, Outputs: []string{"response", "error"},
			Config: tweetSpec, License: "MIT", Version: "1.0.0", Author: "Tracflow",
		},
		MetaData: plugin.MetaData{
			Name: "Send tweet", Desc: "Posts a tweet to an X (Twitter) account.", Brand: "Twitter",
			Type: "flowNode", Icon: "twitter", Group: []string{"Connectors"},
			Tags: []string{"twitter", "x", "social", "connector"}, Purpose: []string{"collection"},
			Documentation: &plugin.Documentation{
				Tutorial: "Needs a resource of type twitter (the app's API key and secret, the account's access token and " +
					"secret, with write permission). Posts through API v2 (POST /2/tweets), signed with OAuth 1.0a. " +
					"Differences from Tracardi: Tracardi used the retired v1.1 statuses/update call.",
				Inputs: map[string]plugin.PortDoc{"payload": {Desc: "Any object; the tweet can read it as payload@..."}},
				Outputs: map[string]plugin.PortDoc{
					"response": {Desc: "The input payload, once the tweet was posted."},
					"error":    {Desc: "{\"message\", \"status\", \"body\"} when the tweet was refused or the call failed."},
				},
			},
		},
	}
}

// ghostToken makes the short-lived JWT Ghost's Admin API takes: HS256,
// signed with the key's hex secret, kid the key's id, audience /admin/.
func ghostToken(apiKey string, now time.Time) (string, error) {
	id, secret, ok := strings.Cut(apiKey, ":")
	key, err := hex.DecodeString(secret)
	if !ok || id == "" || err != nil || len(key) == 0 {
		return "", fmt.Errorf("the Ghost Admin API key must be id:secret, the secret in hexadecimal; check the resource")
	}
	enc := base64.RawURLEncoding
	h, _ := json.Marshal(map[string]any{"alg": "HS256", "typ": "JWT", "kid": id})
	p, _ := json.Marshal(map[string]any{"iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix(), "aud": "/admin/"})
	unsigned := enc.EncodeToString(h) + "." + enc.EncodeToString(p)
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(unsigned))
	return unsigned + "." + enc.EncodeToString(mac.Sum(nil)), nil
}

func ghostCall(ctx context.Context, c *plugin.ParsedConfig, method, path string, body any) (*outbound.Response, error) {
	tok, err := ghostToken(c.String("api_key"), time.Now())
	if err != nil {
		return nil, err
	}
	res, err := outbound.Default().DoOK(ctx, outbound.Request{Method: method, URL: strings.TrimRight(c.String("api_url"), "/") + path,
		JSON: body, Timeout: 15 * time.Second, Header: http.Header{"Authorization": {"Ghost " + tok}, "Accept-Version": {"v5.0"}}})
	return res, err
}

func checkGhost(ctx context.Context, creds map[string]any) error {
	c, err := ghostFields.Parse(creds)
	if err != nil {
		return err
	}
	_, err = ghostCall(ctx, c, "GET", "/ghost/api/admin/site/", nil)
	return err
}

// Ghost sets a Ghost member's labels to the profile's segments.
type Ghost struct {
	plugin.ActionRunner
	resource string
	uuid     dotpath.Value
}

var ghostSpec = plugin.NewConfigSpec().
	Group("Ghost configuration", "").
	Field(plugin.NewResourceField("resource", "ghost").Name("Ghost resource").
		Description("The ghost resource: the site's address and Admin API key.")).
	Field(plugin.NewValueField("uuid").Name("UUID").Default("").BareSource("payload").
		Component("dotPath", map[string]any{"label": "UUID", "defaultSourceValue": "payload"}).
		Description("The Ghost member's uuid, or a reference to it."))

// SetUp reads the config.
func (a *Ghost) SetUp(_ context.Context, config plugin.Config) error {
	c, err := ghostSpec.Parse(config)
	if err != nil {
		return err
	}
	a.resource, a.uuid = plugin.ResourceID(c.Object("resource")), c.Value("uuid")
	return nil
}

func sortedStrings(v any, key string) []string {
	out := []string{}
	list, _ := v.([]any)
	for _, x := range list {
		if key != "" {
			m, _ := x.(map[string]any)
			x = m[key]
		}
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}

// Run reads the member and, when its labels differ from the segments,
// replaces them.
func (a *Ghost) Run(ctx context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	if a.Profile == nil {
		return errorPort(&a.ActionRunner, fmt.Errorf("this event has no profile, so there are no segments to label the member with"))
	}
	creds, err := a.Credentials(ctx, a.resource, GhostType)
	if err != nil {
		return errorPort(&a.ActionRunner, err)
	}
	v, err := a.uuid.Resolve(a.Scope(payload))
	uuid := dotpath.Stringify(v)
	if err == nil && uuid == "" {
		err = fmt.Errorf("%s is empty", a.uuid)
	}
	if err != nil {
		return errorPort(&a.ActionRunner, fmt.Errorf("uuid: %w", err))
	}
	res, err := ghostCall(ctx, creds, "GET", "/ghost/api/admin/members/?filter="+url.QueryEscape("uuid:"+uuid), nil)
	if err != nil {
		return errorPort(&a.ActionRunner, err)
	}
	doc, _ := res.Content().(map[string]any)
	members, _ := doc["members"].([]any)
	if len(members) == 0 {
		return errorPort(&a.ActionRunner, fmt.Errorf("Ghost has no member with uuid %q", uuid))
	}
	member, _ := members[0].(map[string]any)
	id, _ := member["id"].(string)
	labels := sortedStrings(member["labels"], "name")
	segments := sortedStrings(a.Profile["segments"], "")
	if strings.Join(labels, "\x00") == strings.Join(segments, "\x00") {
		return plugin.Port("result", plugin.Payload{"labels": toAny(labels)}), nil
	}
	res, err = ghostCall(ctx, creds, "PUT", "/ghost/api/admin/members/"+url.PathEscape(id)+"/",
		map[string]any{"members": []any{map[string]any{"labels": toAny(segments)}}})
	if err != nil {
		return errorPort(&a.ActionRunner, err)
	}
	return plugin.Port("result", plugin.Payload{"labels": toAny(segments), "response": res.Content()}), nil
}

func toAny(s []string) []any {
	out := make([]any, len(s))
	for i, x := range s {
		out[i] = x
	}
	return out
}

// RegisterGhost describes the Ghost labeler.
func RegisterGhost() plugin.Plugin {
	return plugin.Plugin{
		New: func() plugin.Action { return &Ghost{} },
		Spec: plugin.Spec{
			Module: "tracflow.connectors.ghost", Aliases: []string{tracardi + "connectors.ghost.plugin"},
			ClassName: "GhostAction", Inputs: []string{"payload"}, Outputs: []string{"result", "error"},
			Config: ghostSpec, License: "MIT", Version: "1.0.0", Author: "Tracflow",
		},
		MetaData: plugin.MetaData{
			Name: "Ghost Labeler", Desc: "Sets a Ghost member's labels to the profile's segments.",
			Type: "flowNode", Icon: "ghost", Group: []string{"Connectors"},
			Tags: []string{"ghost", "newsletter", "connector"}, Purpose: []string{"collection"},
			Documentation: &plugin.Documentation{
				Tutorial: "Needs a resource of type ghost (the site's address and an Admin API key, id:secret). Finds the " +
					"member by uuid; when its labels differ from the profile's segments, replaces them with the segments.",
				Inputs: map[string]plugin.PortDoc{"payload": {Desc: "Any object; the uuid can be read from it."}},
				Outputs: map[string]plugin.PortDoc{
					"result": {Desc: "{\"labels\": the member's labels} and, when they were changed, \"response\": Ghost's answer."},
					"error":  {Desc: "{\"message\", \"status\", \"body\"} when the member could not be read or changed."},
				},
			},
		},
	}
}
