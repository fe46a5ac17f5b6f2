package destinations

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"
)

// maxAnswer is how much of a receiver's answer is read (the rest is
// discarded unread).
const maxAnswer = 64 << 10

// send makes one delivery attempt and answers the HTTP status (0 when
// there was no answer). Errors never carry credentials nor the URL's query.
func (s *Service) send(ctx context.Context, c *compiled, a deliveryArgs) (int, error) {
	d := c.doc
	body, ok := a.Data.(json.RawMessage) // encoded when it was matched
	if !ok {
		var err error
		if body, err = json.Marshal(a.Data); err != nil {
			return 0, fmt.Errorf("encoding the data: %w", err)
		}
	}
	ctx, cancel := context.WithTimeout(ctx, c.webhookTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, c.webhookMethod, c.webhookURL, bytes.NewReader(body))
	if err != nil {
		return 0, fmt.Errorf("building the request to %s: %w", redact(c.webhookURL), errors.Unwrap(err))
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Tracflow destination")
	dest, _ := d["destination"].(map[string]any)
	init, _ := dest["init"].(map[string]any)
	if hm, ok := init["headers"].(map[string]any); ok {
		for k, v := range hm {
			req.Header.Set(k, v.(string))
		}
	}
	if rid, _ := refID(d, "resource"); rid != "" {
		if s.creds == nil {
			return 0, errors.New("the destination names a resource, but resources are not available (no secret key)")
		}
		cr, err := s.creds.Credentials(ctx, rid, "production")
		if err != nil {
			return 0, fmt.Errorf("resource %q: %w", rid, err)
		}
		applyCredentials(req, cr)
	}
	// Set last: neither a configured header nor a resource replaces it.
	req.Header.Set("Idempotency-Key", a.Key)
	resp, err := s.http.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // without the URL, which may hold a token
		}
		return 0, fmt.Errorf("%s %s: %w", c.webhookMethod, redact(c.webhookURL), err)
	}
	defer resp.Body.Close()
	head, _ := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return resp.StatusCode, nil
	}
	snippet := strings.TrimSpace(string(head))
	if len(snippet) > 200 {
		snippet = snippet[:200]
		for !utf8.ValidString(snippet) {
			snippet = snippet[:len(snippet)-1]
		}
		snippet += "…"
	}
	return resp.StatusCode, fmt.Errorf("%s %s answered %d %s", c.webhookMethod, redact(c.webhookURL), resp.StatusCode, snippet)
}

// applyCredentials sets what a webhook/api resource holds: "headers" (an
// object), "token" (a bearer token), "username"/"password" (basic auth).
func applyCredentials(req *http.Request, cr map[string]any) {
	if hm, ok := cr["headers"].(map[string]any); ok {
		for k, v := range hm {
			if sv, ok := v.(string); ok && k != "" && !strings.ContainsAny(k, " :\r\n") {
				req.Header.Set(k, sv)
			}
		}
	}
	if tok, ok := cr["token"].(string); ok && tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	user, _ := cr["username"].(string)
	pass, _ := cr["password"].(string)
	if user != "" || pass != "" {
		req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(user+":"+pass)))
	}
}

// redact shows a URL without user info and query, for logs and errors.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(an invalid URL)"
	}
	u.User, u.RawQuery, u.Fragment = nil, "", ""
	return u.String()
}
