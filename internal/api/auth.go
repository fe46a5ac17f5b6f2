package api

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
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/tracflow/tracflow/internal/domain"
	"github.com/tracflow/tracflow/internal/store"
)

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
type Auth struct {
	st  store.Store
	ttl time.Duration
	clk atomic.Pointer[func() time.Time] // nil: time.Now
	// Cost is the bcrypt cost of new password hashes (0: bcrypt's
	// default). Only tests lower it.
	Cost int

	mu     sync.Mutex
	tokens map[string]*tokenEntry // by token hash
	fails  map[string]*failCount  // by "account" and "ip:..."
}

type tokenEntry struct {
	user    *User
	expires time.Time
	written time.Time // when the expiry was last stored
	checked time.Time // when the stored token was last read
}

type failCount struct {
	n     int
	first time.Time
}

// Login throttling: after maxFails failures within failWindow for an
// account or an address, further attempts are refused until the window ends.
const (
	maxFails   = 5
	failWindow = 15 * time.Minute
)

// NewAuth returns the auth service.
func NewAuth(st store.Store, ttl time.Duration) *Auth {
	return &Auth{st: st, ttl: ttl, tokens: map[string]*tokenEntry{}, fails: map[string]*failCount{}}
}

// hash hashes a password with bcrypt at the service's cost.
func (a *Auth) hash(pw string) (string, error) {
	cost := a.Cost
	if cost == 0 {
		cost = bcrypt.DefaultCost
	}
	b, err := bcrypt.GenerateFromPassword([]byte(pw), cost)
	return string(b), err
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
	return u
}

// userID is the id a user is stored under: the e-mail, lower case.
func userID(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// CreateUser stores a new user. It is ErrConflict when the e-mail is taken.
func (a *Auth) CreateUser(ctx context.Context, email, password, fullName string, roles []string) (*User, error) {
	id := userID(email)
	if _, err := a.st.GetConfig(ctx, KindUser, id); err == nil {
		return nil, fmt.Errorf("user %q already exists: %w", id, store.ErrConflict)
	} else if !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	hash, err := a.hash(password)
	if err != nil {
		return nil, err
	}
	rl := make([]any, len(roles))
	for i, r := range roles {
		rl[i] = r
	}
	d := store.Doc{"id": id, "email": id, "full_name": fullName, "roles": rl, "password_hash": hash,
		"disabled": false, "created": domain.Timestamp(a.clock())}
	if err := a.st.PutConfig(ctx, KindUser, id, d); err != nil {
		return nil, err
	}
	return userFromDoc(d), nil
}

// ErrThrottled is a login refused because of too many failures.
var ErrThrottled = errors.New("too many failed logins")

// Login checks a user's password and issues a token.
func (a *Auth) Login(ctx context.Context, email, password, addr string) (token string, u *User, err error) {
	id := userID(email)
	keys := []string{"account:" + id, "ip:" + addr}
	if a.throttled(keys) {
		return "", nil, ErrThrottled
	}
	d, err := a.st.GetConfig(ctx, KindUser, id)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return "", nil, err
	}
	hash := dummyHash() // compared anyway, so unknown users take as long as known ones
	if d != nil {
		hash = domain.Str(d, "password_hash")
	}
	if bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) != nil || d == nil {
		a.failed(keys)
		return "", nil, errBadLogin
	}
	u = userFromDoc(d)
	if u.Disabled {
		return "", nil, errBadLogin
	}
	a.clearFails(keys)
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
	a.tokens[h] = &tokenEntry{user: u, expires: exp, written: now, checked: now}
	a.mu.Unlock()
	return token, u, nil
}

var dummyHash = sync.OnceValue(func() string {
	b, _ := bcrypt.GenerateFromPassword([]byte("not a password"), bcrypt.DefaultCost)
	return string(b)
})

var errBadLogin = &Error{Status: http.StatusUnauthorized, Detail: "incorrect username or password"}

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

// bearer returns the request's bearer token.
func bearer(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}

var errNoToken = &Error{Status: http.StatusUnauthorized, Detail: "not authenticated: send Authorization: Bearer <token> (get one from POST /user/token)"}
var errBadToken = &Error{Status: http.StatusUnauthorized, Detail: "invalid or expired token: log in again (POST /user/token)"}

// recheck is how long a token read from the store is trusted before it is
// read again (so that a logout or a deleted user in another process takes
// effect within it).
const recheck = 30 * time.Second

// Authenticate returns the user of a request's bearer token.
func (a *Auth) Authenticate(r *http.Request) (*User, error) {
	tok := bearer(r)
	if tok == "" {
		return nil, errNoToken
	}
	h := tokenHash(tok)
	now := a.clock()
	a.mu.Lock()
	e := a.tokens[h]
	a.mu.Unlock()
	if e == nil || now.Sub(e.checked) > recheck {
		fresh, err := a.loadToken(r.Context(), h, now)
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

func (a *Auth) loadToken(ctx context.Context, h string, now time.Time) (*tokenEntry, error) {
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
	if errors.Is(err, store.ErrNotFound) {
		return nil, errBadToken
	}
	if err != nil {
		return nil, err
	}
	u := userFromDoc(ud)
	if u.Disabled {
		return nil, errBadToken
	}
	e := &tokenEntry{user: u, expires: time.Unix(int64(exp), 0), written: now, checked: now}
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

func (a *Auth) throttled(keys []string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	now := a.clock()
	for _, k := range keys {
		if f := a.fails[k]; f != nil {
			if now.Sub(f.first) > failWindow {
				delete(a.fails, k)
				continue
			}
			if f.n >= maxFails {
				return true
			}
		}
	}
	return false
}

func (a *Auth) failed(keys []string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	now := a.clock()
	for _, k := range keys {
		f := a.fails[k]
		if f == nil || now.Sub(f.first) > failWindow {
			f = &failCount{first: now}
			a.fails[k] = f
		}
		f.n++
	}
}

func (a *Auth) clearFails(keys []string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	delete(a.fails, keys[0]) // the account; the address keeps its count
}

// clientAddr is the request's remote address without the port.
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
