package saas

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
	"github.com/tracflow/tracflow/plugin/outbound"
)

// clientCredentials is the OAuth 2 client-credentials style: a token is
// asked for with the client's id and secret, kept in memory until shortly
// before it expires, and sent as a bearer token. A call answered 401 drops
// the token (see service.do), so the next call asks for a new one.
type clientCredentials struct {
	// token builds the token request from the credentials.
	token func(c *plugin.ParsedConfig) (outbound.Request, error)
	mu    sync.Mutex
	cache map[string]cachedToken
}

type cachedToken struct {
	value   string
	expires time.Time
}

// key identifies a credential set without keeping its secret in clear.
func (cc *clientCredentials) key(r outbound.Request) string {
	h := sha256.New()
	h.Write([]byte(r.URL))
	h.Write(r.Body)
	for _, v := range r.Header.Values("Authorization") {
		h.Write([]byte(v))
	}
	if r.JSON != nil {
		fmt.Fprint(h, r.JSON)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// forget drops the token of a credential set.
func (cc *clientCredentials) forget(c *plugin.ParsedConfig) {
	r, err := cc.token(c)
	if err != nil {
		return
	}
	cc.mu.Lock()
	delete(cc.cache, cc.key(r))
	cc.mu.Unlock()
}

// authorize is the authorizer: it adds "Authorization: Bearer <token>".
func (cc *clientCredentials) authorize(ctx context.Context, c *plugin.ParsedConfig, r *outbound.Request) error {
	tr, err := cc.token(c)
	if err != nil {
		return err
	}
	k := cc.key(tr)
	cc.mu.Lock()
	t, ok := cc.cache[k]
	cc.mu.Unlock()
	if !ok || time.Now().After(t.expires) {
		if tr.Timeout == 0 {
			tr.Timeout = r.Timeout
		}
		res, err := outbound.Default().DoOK(ctx, tr)
		if err != nil {
			return fmt.Errorf("getting an access token: %w", err)
		}
		m, _ := res.Content().(map[string]any)
		tok, _ := m["access_token"].(string)
		if tok == "" {
			return &outbound.Error{Message: "getting an access token: the answer has no access_token", Status: res.Status}
		}
		life := time.Hour
		if s, ok := dotpath.ToFloat(m["expires_in"]); ok && s > 0 {
			life = time.Duration(s) * time.Second
		}
		t = cachedToken{value: tok, expires: time.Now().Add(life - life/10)}
		cc.mu.Lock()
		if cc.cache == nil {
			cc.cache = map[string]cachedToken{}
		}
		cc.cache[k] = t
		cc.mu.Unlock()
	}
	r.Header.Set("Authorization", "Bearer "+t.value)
	return nil
}

// isUnauthorized tells whether err is a 401 answer.
func isUnauthorized(err error) bool {
	var e *outbound.Error
	return asOutbound(err, &e) && e.Status == http.StatusUnauthorized
}
