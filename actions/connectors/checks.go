package connectors

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/outbound"
)

// Connection tests of the resource types declared without one.
func init() {
	FullContactType.Check = checkFullContact
	plugin.RegisterResourceType(FullContactType)
	GoogleAnalyticsType.Check = checkGoogleAnalytics
	plugin.RegisterResourceType(GoogleAnalyticsType)
}

// checkFullContact sends an empty enrichment request: FullContact refuses
// a bad key with 401 or 403 before it looks at the request, and answers a
// good key's empty request with 400 or 422, which costs nothing.
func checkFullContact(ctx context.Context, creds map[string]any) error {
	c, err := FullContactType.ParseCredentials(creds)
	if err != nil {
		return err
	}
	res, err := outbound.Default().Do(ctx, outbound.Request{Method: "POST", URL: strings.TrimRight(c.String("base_url"), "/") + "/v3/person.enrich",
		Header: http.Header{"Authorization": {"Bearer " + c.String("token")}}, JSON: map[string]any{}, Timeout: 10 * time.Second})
	if err != nil {
		return err
	}
	switch {
	case res.Status == http.StatusUnauthorized || res.Status == http.StatusForbidden:
		return fmt.Errorf("FullContact refused the API key (%d)", res.Status)
	case res.Status >= 500:
		return outbound.StatusError(res)
	}
	return nil
}

// checkGoogleAnalytics sends a test hit to Universal Analytics' validation
// server (/debug/collect), which answers whether the hit, tracking id
// included, is valid without recording it.
func checkGoogleAnalytics(ctx context.Context, creds map[string]any) error {
	c, err := GoogleAnalyticsType.ParseCredentials(creds)
	if err != nil {
		return err
	}
	form := url.Values{"v": {"1"}, "tid": {c.String("google_analytics_id")}, "cid": {"tracflow.connection-test"}, "t": {"event"},
		"ec": {"tracflow"}, "ea": {"connection-test"}}
	res, err := outbound.Default().DoOK(ctx, outbound.Request{Method: "POST", URL: strings.TrimRight(c.String("base_url"), "/") + "/debug/collect",
		Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}, Body: []byte(form.Encode()), Timeout: 10 * time.Second})
	if err != nil {
		return err
	}
	var ans struct {
		Results []struct {
			Valid    bool `json:"valid"`
			Messages []struct {
				Description string `json:"description"`
			} `json:"parserMessage"`
		} `json:"hitParsingResult"`
	}
	if json.Unmarshal(res.Body, &ans) != nil || len(ans.Results) == 0 {
		return fmt.Errorf("Google Analytics' validation server answered something unexpected")
	}
	if r := ans.Results[0]; !r.Valid {
		msg := "the hit is not valid"
		if len(r.Messages) > 0 {
			msg = r.Messages[0].Description
		}
		return fmt.Errorf("Google Analytics refused the test hit: %s", msg)
	}
	return nil
}
