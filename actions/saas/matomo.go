package saas

import (
	"context"
	"crypto/md5" //nolint:gosec // a page view id, not security
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
	"github.com/tracflow/tracflow/plugin/outbound"
)

var (
	matomoFields = urlFields(plugin.NewConfigSpec().
			Field(plugin.NewStringField("token").Name("Auth token").Required().
				Description("A Matomo auth token (Personal → Security → Auth tokens) of a user with write access to the site; it lets the visitor's IP be set.")),
		"api_url", "Matomo URL", "")
	// MatomoType is a Matomo instance and an auth token.
	MatomoType = plugin.ResourceType{Type: "matomo", Name: "Matomo", Tags: []string{"matomo"},
		Description: "A Matomo instance's address (https://matomo.example.org) and an auth token.", Fields: matomoFields}

	matomo = &service{name: "Matomo", baseURL: "api_url", auth: formKey("token_auth", "token"), secrets: []string{"token"},
		refused: func(res *outbound.Response) error {
			// The reporting API answers 200 with {"result": "error", "message"}.
			if m, _ := res.Content().(map[string]any); m["result"] == "error" {
				return &outbound.Error{Message: fmt.Sprintf("refused: %v", m["message"]), Status: res.Status, Body: string(res.Body)}
			}
			return nil
		}}
)

func init() {
	matomo.typ = MatomoType
	MatomoType.Check = matomo.check(call{method: "POST", path: "/index.php", form: url.Values{"module": {"API"}, "method": {"API.getMatomoVersion"}, "format": {"json"}}})
	plugin.RegisterResourceType(MatomoType)
}

// matomoRefs are the config fields read as values or references, and the
// tracking parameter each fills.
var matomoRefs = [][2]string{{"url_ref", "urlref"}, {"rcn", "_rcn"}, {"rck", "_rck"}, {"search_keyword", "search"},
	{"search_category", "search_cat"}, {"search_results_count", "search_count"}, {"goal_id", "idgoal"}, {"revenue", "revenue"}}

// MatomoSend tracks the event as a Matomo page view.
type MatomoSend struct {
	base
	site       string
	refs       map[string]dotpath.Value
	dimensions *dotpath.Object
}

var matomoSpec = func() *plugin.ConfigSpec {
	s := plugin.NewConfigSpec().
		Field(plugin.NewResourceField("source", "matomo").Name("Matomo resource").Description("The matomo resource: the instance and auth token.")).
		Field(plugin.NewIntField("site_id").Name("Site ID").Required().Min(1).Description("The id of the website in Matomo."))
	names := map[string]string{"url_ref": "Referrer URL", "rcn": "Campaign name", "rck": "Campaign keyword", "search_keyword": "Search keyword",
		"search_category": "Search category", "search_results_count": "Number of search results", "goal_id": "ID of the goal", "revenue": "Revenue of the goal"}
	defaults := map[string]any{"url_ref": "event@context.page.referer.host", "rcn": "session@context.utm.campaign", "rck": "session@context.utm.term"}
	for _, r := range matomoRefs {
		s.Field(plugin.NewValueField(r[0]).Name(names[r[0]]).Default(defaults[r[0]]).Component("dotPath", map[string]any{"label": names[r[0]]}).
			Description(names[r[0]] + ": a reference, or a value; empty or missing leaves Matomo's " + r[1] + " parameter out."))
	}
	return s.Field(plugin.NewAnyField("dimensions").Name("Custom dimensions").Default(map[string]any{}).Component("keyValueList", map[string]any{"label": "Dimension"}).
		Description("Custom dimensions: dimension<N> as the key, a value or reference as the value, e.g. {\"dimension1\": \"profile@traits.plan\"}.").
		Check(func(v any) error {
			m, _ := v.(map[string]any)
			for k := range m {
				if !strings.HasPrefix(k, "dimension") {
					return fmt.Errorf("%q: every key starts with dimension, e.g. dimension3", k)
				}
			}
			return nil
		}))
}()

// SetUp reads the config.
func (a *MatomoSend) SetUp(_ context.Context, config plugin.Config) error {
	c, err := matomoSpec.Parse(config)
	if err != nil {
		return err
	}
	a.resource, a.site = plugin.ResourceID(c.Object("source")), strconv.Itoa(c.Int("site_id"))
	a.refs = map[string]dotpath.Value{}
	for _, r := range matomoRefs {
		a.refs[r[0]] = c.Value(r[0])
	}
	a.dimensions, err = compileMapping("dimensions", c.Any("dimensions"))
	return err
}

// matomoTimings are the browser's performance marks in page-load order:
// a missing mark is replaced by the closest earlier one.
var matomoTimings = []string{"navigationStart", "redirectStart", "redirectEnd", "fetchStart", "domainLookupStart", "domainLookupEnd",
	"connectStart", "secureConnectionStart", "connectEnd", "requestStart", "responseStart", "responseEnd", "domContentLoadedEventStart",
	"domContentLoadedEventEnd", "domInteractive", "domContentLoaded", "domComplete", "loadEventStart", "loadEventEnd"}

func (a *MatomoSend) timing(mark string) float64 {
	perf, _ := lookup(a.Event, "context", "performance").(map[string]any)
	for i := len(matomoTimings) - 1; i >= 0; i-- {
		if matomoTimings[i] != mark {
			continue
		}
		for ; i >= 0; i-- {
			if v, ok := dotpath.ToFloat(perf[matomoTimings[i]]); ok && v != 0 {
				return v
			}
		}
	}
	return 0
}

// Run tracks the event (POST /matomo.php, the HTTP Tracking API) and
// passes the payload on.
func (a *MatomoSend) Run(ctx context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	sc := a.Scope(payload)
	p := url.Values{"idsite": {a.site}, "rec": {"1"}, "apiv": {"1"}, "send_image": {"0"}, "cookie": {"0"},
		"action_name": {a.Event.Type()}, "rand": {strconv.FormatUint(rand.Uint64(), 36)}}
	page := dotpath.Stringify(lookup(a.Event, "context", "page", "url"))
	if page == "" {
		page = "http://localhost"
	}
	p.Set("url", page)
	vid := strings.ReplaceAll(a.Profile.ID(), "-", "")
	if len(vid) > 16 {
		vid = vid[:16]
	}
	p.Set("_id", vid)
	p.Set("uid", vid)
	set := func(k string, v any) {
		if s := strings.TrimSpace(dotpath.Stringify(v)); v != nil && s != "" {
			p.Set(k, s)
		}
	}
	set("cip", lookup(a.Event, "request", "headers", "x-forwarded-for"))
	set("_idvc", lookup(a.Profile, "metadata", "time", "visit", "count"))
	set("_viewts", unix(lookup(a.Profile, "metadata", "time", "visit", "last")))
	idts := unix(lookup(a.Profile, "metadata", "time", "insert"))
	if idts == nil {
		idts = time.Now().Unix()
	}
	set("_idts", idts)
	if w, h := lookup(a.Session, "context", "screen", "local", "width"), lookup(a.Session, "context", "screen", "local", "height"); w != nil && h != nil {
		set("res", fmt.Sprintf("%sx%s", dotpath.Stringify(w), dotpath.Stringify(h)))
	}
	set("ua", lookup(a.Session, "context", "browser", "local", "browser", "userAgent"))
	set("lang", lookup(a.Session, "context", "browser", "local", "browser", "language"))
	if lookup(a.Session, "operation", "new") == true {
		p.Set("new_visit", "1")
	} else {
		p.Set("new_visit", "0")
	}
	h := md5.Sum([]byte(a.Session.ID() + page)) //nolint:gosec // an id, not security
	p.Set("pv_id", hex.EncodeToString(h[:])[:6])
	for _, r := range matomoRefs {
		v, err := a.refs[r[0]].Resolve(sc)
		if err != nil || dotpath.IsEmpty(v) {
			continue
		}
		switch r[1] {
		case "idgoal", "search_count":
			if n, ok := dotpath.ToFloat(v); ok {
				p.Set(r[1], strconv.Itoa(int(n)))
			}
		case "revenue":
			if n, ok := dotpath.ToFloat(v); ok {
				p.Set(r[1], strconv.FormatFloat(n, 'f', -1, 64))
			}
		default:
			set(r[1], v)
		}
	}
	dims, err := a.dimensions.Apply(sc)
	if err != nil {
		return a.fail(fmt.Errorf("dimensions: %w", err))
	}
	for k, v := range dims.(map[string]any) {
		set(k, v)
	}
	// Page-load timings, in milliseconds, when the tracker sent them.
	for k, span := range map[string][2]string{"gt_ms": {"requestStart", "responseEnd"}, "pf_net": {"redirectStart", "responseStart"},
		"pf_srv": {"responseStart", "domComplete"}, "pf_tfr": {"responseStart", "responseEnd"}, "pf_dm1": {"domContentLoadedEventStart", "domContentLoadedEventEnd"},
		"pf_dm2": {"domContentLoadedEventStart", "domComplete"}, "pf_onl": {"loadEventStart", "loadEventEnd"}} {
		if s, e := a.timing(span[0]), a.timing(span[1]); s != 0 && e != 0 && e != s {
			p.Set(k, strconv.Itoa(int(e-s)))
		}
	}
	if _, fail := a.send(ctx, matomo, call{method: "POST", path: "/matomo.php", form: p}); fail != nil {
		return fail, nil
	}
	return plugin.Port("response", payload), nil
}

// unix reads a time as seconds since the epoch; nil when it is none.
func unix(v any) any {
	switch x := v.(type) {
	case float64:
		return int64(x)
	case string:
		if t, err := time.Parse(time.RFC3339Nano, x); err == nil {
			return t.Unix()
		}
	}
	return nil
}

// RegisterMatomoSend describes Matomo's Register event.
func RegisterMatomoSend() plugin.Plugin {
	return register(meta{module: "matomo.send_event", class: "SendEventToMatomoAction", name: "Register event",
		desc: "Tracks the event in Matomo as an action of the visitor.", brand: "Matomo", group: "Matomo", icon: "matomo", resource: "matomo",
		tags: []string{"analytics", "matomo"}, spec: matomoSpec,
		new: func() plugin.Action { return &MatomoSend{} },
		tutorial: "The action is named after the event type, at the page's URL; the visitor is the profile (its id's first 16 hex " +
			"digits), with the session's screen, user agent and language, and the browser's page-load timings when the tracker sent them. " +
			"The auth token is posted in the body. Differences from Tracardi: the resolution is sent as width x height, as Matomo documents.",
		ports: map[string]string{"response": "The input payload, when Matomo took the event."}})
}
