// Package auth is the management API's accounts: users and their roles,
// bearer tokens, login throttling and the client address a request comes
// from. It knows no HTTP routes; internal/api serves it.
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tracflow/tracflow/internal/domain"
	"github.com/tracflow/tracflow/internal/password"
	"github.com/tracflow/tracflow/internal/store"
	"github.com/tracflow/tracflow/plugin"
)

// Roles.
const (
	RoleAdmin      = "admin"
	RoleDeveloper  = "developer"
	RoleMarketer   = "marketer"
	RoleMaintainer = "maintainer"
)

// AllRoles lists every role.
var AllRoles = []string{RoleAdmin, RoleDeveloper, RoleMarketer, RoleMaintainer}

// Configuration kinds of the auth service.
const (
	KindUser  = "user"
	KindToken = "token"
)

// User is an account of the management API.
type User struct {
	ID       string   `json:"id"`
	Email    string   `json:"email"`
	FullName string   `json:"full_name"`
	Roles    []string `json:"roles"`
	Disabled bool     `json:"disabled"`
	// Version is the stored user's version: send it back with a change so
	// that a change made meanwhile by someone else is not undone (409).
	Version int64 `json:"version"`
}

// HasAnyRole reports whether the user has one of roles.
func (u *User) HasAnyRole(roles []string) bool {
	for _, r := range u.Roles {
		if slices.Contains(roles, r) {
			return true
		}
	}
	return false
}

// Auth issues and checks bearer tokens. Tokens are random; only their
// SHA-256 is stored. Expiry slides: every use pushes it TTL ahead (written
// at most once a minute).
//
// Tokens are cached in the process with their user, but every
// authenticated request reads the store's configuration version (one
// indexed read) and reloads the token and its user when it moved. A logout,
// a deleted or disabled user or a changed role, made by any process
// sharing the database, so applies to the very next request everywhere.
type Auth struct {
	st  store.Store
	ttl time.Duration
	clk atomic.Pointer[func() time.Time] // nil: time.Now
	// Cost is the bcrypt cost of new password hashes (0: bcrypt's
	// default). Only tests lower it.
	Cost int

	mu     sync.Mutex
	tokens map[string]*tokenEntry // by token hash
}

type tokenEntry struct {
	user    *User
	expires time.Time
	written time.Time // when the expiry was last stored
	config  int64     // the store's configuration version when it was read
}

// Login throttling counts attempts per account and client address (so that
// failures from one address hold back neither the account elsewhere nor
// other accounts there), in the store (so that every instance counts
// them). The first freeAttempts go ahead at once; after that each waits
// twice as long as the one before, from firstWait up to maxWait. A success
// clears the count; so do attemptReset without attempts.
const (
	freeAttempts = 5
	firstWait    = 5 * time.Second
	maxWait      = 15 * time.Minute
	attemptReset = 24 * time.Hour
)

var loginPolicy = store.AttemptPolicy{Reset: attemptReset, Backoff: loginBackoff}

// loginBackoff is the wait after n attempts.
func loginBackoff(n int) time.Duration {
	if n < freeAttempts {
		return 0
	}
	if n-freeAttempts >= 20 {
		return maxWait
	}
	return min(firstWait<<(n-freeAttempts), maxWait)
}

// NewAuth returns the auth service.
func NewAuth(st store.Store, ttl time.Duration) *Auth {
	return &Auth{st: st, ttl: ttl, tokens: map[string]*tokenEntry{}}
}

// hash hashes a password at the service's cost.
func (a *Auth) hash(pw string) (string, error) {
	return password.Hash(pw, a.Cost)
}

// userFromDoc reads a stored user.
func userFromDoc(d store.Doc) *User {
	u := &User{ID: domain.Str(d, "id"), Email: domain.Str(d, "email"), FullName: domain.Str(d, "full_name")}
	if roles, ok := d["roles"].([]any); ok {
		for _, r := range roles {
			if s, ok := r.(string); ok {
				u.Roles = append(u.Roles, s)
			}
		}
	}
	u.Disabled, _ = d["disabled"].(bool)
	u.Version = store.Version(d)
	return u
}

// userID is the id a user is stored under: the e-mail, lower case.
func userID(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// CreateUser stores a new user. It is ErrConflict when the e-mail is taken,
// and plugin.FieldErrors naming the field when the password breaks the
// rules (password.Validate).
func (a *Auth) CreateUser(ctx context.Context, email, pw, fullName string, roles []string) (*User, error) {
	id := userID(email)
	if err := password.Validate(pw, id, fullName); err != nil {
		return nil, plugin.FieldErr("password", "%v", err)
	}
	hash, err := a.hash(pw)
	if err != nil {
		return nil, err
	}
	rl := make([]any, len(roles))
	for i, r := range roles {
		rl[i] = r
	}
	d := store.Doc{"id": id, "email": id, "full_name": fullName, "roles": rl, "password_hash": hash,
		"disabled": false, "created": domain.Timestamp(a.clock())}
	v, err := a.st.PutConfigIf(ctx, KindUser, id, d, 0)
	if errors.Is(err, store.ErrStale) {
		return nil, fmt.Errorf("user %q already exists: %w", id, store.ErrConflict)
	}
	if err != nil {
		return nil, err
	}
	d["version"] = float64(v)
	return userFromDoc(d), nil
}

// ErrThrottled is an attempt refused because of earlier failures; the
// error is a *ThrottledError.
var ErrThrottled = errors.New("too many failed attempts")

// ThrottledError says when the next attempt may go ahead.
type ThrottledError struct{ RetryAfter time.Duration }

func (e *ThrottledError) Error() string {
	return fmt.Sprintf("too many failed attempts for this account from your address; try again in %s", e.RetryAfter)
}

// Is makes errors.Is(err, ErrThrottled) true.
func (e *ThrottledError) Is(target error) bool { return target == ErrThrottled }

// attemptKey is the throttling key of an account at a client address.
func attemptKey(id, addr string) string {
	s := sha256.Sum256([]byte("password\x00" + id + "\x00" + addr))
	return "pw:" + hex.EncodeToString(s[:])
}

// takeAttempt counts a password attempt for the account from addr; it is a
// *ThrottledError while the account must wait there.
func (a *Auth) takeAttempt(ctx context.Context, id, addr string) error {
	now := a.clock()
	at, err := a.st.TakeAttempt(ctx, attemptKey(id, addr), now, loginPolicy)
	if err != nil {
		return err
	}
	if !at.Allowed {
		// Whole seconds, rounded up, as Retry-After says them.
		wait := (at.Until.Sub(now) + time.Second - 1).Truncate(time.Second)
		return &ThrottledError{RetryAfter: max(wait, time.Second)}
	}
	return nil
}

// Login checks a user's password and issues a token. addr is the client's
// address: failures are throttled per account and address.
func (a *Auth) Login(ctx context.Context, email, pw, addr string) (token string, u *User, err error) {
	id := userID(email)
	if err := a.takeAttempt(ctx, id, addr); err != nil {
		return "", nil, err
	}
	d, err := a.st.GetConfig(ctx, KindUser, id)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return "", nil, err
	}
	hash := dummyHash() // compared anyway, so unknown users take as long as known ones
	if d != nil {
		hash = domain.Str(d, "password_hash")
	}
	if !password.Compare(hash, pw) || d == nil {
		return "", nil, errBadLogin
	}
	u = userFromDoc(d)
	if u.Disabled {
		return "", nil, errBadLogin
	}
	if err := a.st.ClearAttempts(ctx, attemptKey(id, addr)); err != nil {
		return "", nil, err
	}
	cfg, err := a.st.ConfigVersion(ctx)
	if err != nil {
		return "", nil, err
	}
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", nil, err
	}
	token = base64.RawURLEncoding.EncodeToString(raw[:])
	now := a.clock()
	exp := now.Add(a.ttl)
	h := tokenHash(token)
	if err := a.st.PutConfig(ctx, KindToken, h, store.Doc{"id": h, "user": u.ID, "expires": float64(exp.Unix()), "created": domain.Timestamp(now)}); err != nil {
		return "", nil, err
	}
	a.mu.Lock()
	// Read before the token was written: the next request reloads it once.
	a.tokens[h] = &tokenEntry{user: u, expires: exp, written: now, config: cfg}
	a.mu.Unlock()
	return token, u, nil
}

var dummyHash = sync.OnceValue(func() string {
	h, _ := password.Hash("not a password", 0)
	return h
})

// ErrUnauthenticated is a login or a request whose credentials do not
// hold: errors.Is matches it in each of the errors below, whose text says
// what to do. The API answers them 401.
var ErrUnauthenticated = errors.New("not authenticated")

var (
	errBadLogin = unauthenticated("incorrect username or password")
	errNoToken  = unauthenticated("not authenticated: send Authorization: Bearer <token> (get one from POST /user/token)")
	errBadToken = unauthenticated("invalid or expired token: log in again (POST /user/token)")
)

// unauthenticated is an ErrUnauthenticated with its own message.
type unauthenticated string

func (e unauthenticated) Error() string { return string(e) }

// Is makes errors.Is(err, ErrUnauthenticated) true.
func (e unauthenticated) Is(target error) bool { return target == ErrUnauthenticated }

// Logout revokes a token.
func (a *Auth) Logout(ctx context.Context, token string) error {
	h := tokenHash(token)
	a.mu.Lock()
	delete(a.tokens, h)
	a.mu.Unlock()
	err := a.st.DeleteConfig(ctx, KindToken, h)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	return err
}

func tokenHash(t string) string {
	s := sha256.Sum256([]byte(t))
	return hex.EncodeToString(s[:])
}

// Bearer returns the request's bearer token ("" without one).
func Bearer(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}

// Authenticate returns the user of a request's bearer token.
func (a *Auth) Authenticate(r *http.Request) (*User, error) {
	tok := Bearer(r)
	if tok == "" {
		return nil, errNoToken
	}
	h := tokenHash(tok)
	now := a.clock()
	cfg, err := a.st.ConfigVersion(r.Context())
	if err != nil {
		return nil, err
	}
	a.mu.Lock()
	e := a.tokens[h]
	a.mu.Unlock()
	if e == nil || e.config != cfg {
		fresh, err := a.loadToken(r.Context(), h, now, cfg)
		if err != nil {
			return nil, err
		}
		e = fresh
	}
	if !now.Before(e.expires) {
		a.mu.Lock()
		delete(a.tokens, h)
		a.mu.Unlock()
		_ = a.st.DeleteConfig(r.Context(), KindToken, h)
		return nil, errBadToken
	}
	// Slide the expiry.
	a.mu.Lock()
	e.expires = now.Add(a.ttl)
	write := now.Sub(e.written) > time.Minute
	if write {
		e.written = now
	}
	u := e.user
	exp := e.expires
	a.mu.Unlock()
	if write {
		d := store.Doc{"id": h, "user": u.ID, "expires": float64(exp.Unix())}
		if err := a.st.PutConfig(r.Context(), KindToken, h, d); err != nil {
			return nil, err
		}
	}
	return u, nil
}

// loadToken reads a token and its user from the store; cfg is the
// configuration version read before.
func (a *Auth) loadToken(ctx context.Context, h string, now time.Time, cfg int64) (*tokenEntry, error) {
	d, err := a.st.GetConfig(ctx, KindToken, h)
	if errors.Is(err, store.ErrNotFound) {
		a.mu.Lock()
		delete(a.tokens, h)
		a.mu.Unlock()
		return nil, errBadToken
	}
	if err != nil {
		return nil, err
	}
	exp, _ := d["expires"].(float64)
	ud, err := a.st.GetConfig(ctx, KindUser, domain.Str(d, "user"))
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	if ud == nil || userFromDoc(ud).Disabled {
		a.mu.Lock()
		delete(a.tokens, h)
		a.mu.Unlock()
		return nil, errBadToken
	}
	u := userFromDoc(ud)
	e := &tokenEntry{user: u, expires: time.Unix(int64(exp), 0), written: now, config: cfg}
	a.mu.Lock()
	if old := a.tokens[h]; old != nil && old.expires.After(e.expires) {
		e.expires = old.expires
	}
	a.tokens[h] = e
	a.mu.Unlock()
	return e, nil
}

// Forget drops cached tokens of a user (after the user changed or was
// deleted).
func (a *Auth) Forget(userID string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for h, e := range a.tokens {
		if e.user.ID == userID {
			delete(a.tokens, h)
		}
	}
}

// ClientAddr is the request's client address: the peer's address without
// the port, or, when the peer is a trusted proxy, the nearest address in
// X-Forwarded-For that is not a trusted proxy (the right-most entries were
// written by the proxies themselves; the left-most can be forged).
func ClientAddr(r *http.Request, trusted []netip.Prefix) string {
	addr := r.RemoteAddr
	if host, _, err := net.SplitHostPort(addr); err == nil {
		addr = host
	}
	ip, err := netip.ParseAddr(addr)
	if err != nil || !isTrusted(ip, trusted) {
		return addr
	}
	var hops []string
	for _, h := range r.Header.Values("X-Forwarded-For") {
		for _, x := range strings.Split(h, ",") {
			hops = append(hops, strings.TrimSpace(x))
		}
	}
	for i := len(hops) - 1; i >= 0; i-- {
		hop, err := netip.ParseAddr(hops[i])
		if err != nil {
			break // a malformed entry: trust nothing left of it
		}
		ip = hop.Unmap()
		if !isTrusted(ip, trusted) {
			break
		}
	}
	return ip.String()
}

func isTrusted(ip netip.Addr, trusted []netip.Prefix) bool {
	ip = ip.Unmap()
	for _, p := range trusted {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// ParseTrustedProxies reads a comma-separated list of CIDRs (or single
// addresses) of proxies whose X-Forwarded-For is believed.
func ParseTrustedProxies(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if !strings.Contains(f, "/") {
			ip, err := netip.ParseAddr(f)
			if err != nil {
				return nil, fmt.Errorf("trusted proxy %q: not an address or CIDR (e.g. 10.0.0.0/8)", f)
			}
			out = append(out, netip.PrefixFrom(ip.Unmap(), ip.Unmap().BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			return nil, fmt.Errorf("trusted proxy %q: not a CIDR (e.g. 10.0.0.0/8): %w", f, err)
		}
		if p.Addr().Is4In6() && p.Bits() >= 96 {
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}
