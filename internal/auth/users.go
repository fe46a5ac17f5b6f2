package auth

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/tracflow/tracflow/internal/domain"
	"github.com/tracflow/tracflow/internal/password"
	"github.com/tracflow/tracflow/internal/store"
	"github.com/tracflow/tracflow/plugin"
)

// SetClock replaces the clock that token expiry and login throttling read
// (for tests); nil restores the real one.
func (a *Auth) SetClock(now func() time.Time) {
	if now == nil {
		a.clk.Store(nil)
		return
	}
	a.clk.Store(&now)
}

func (a *Auth) clock() time.Time {
	if f := a.clk.Load(); f != nil {
		return (*f)()
	}
	return time.Now()
}

// User returns a user by id (the e-mail, any case).
func (a *Auth) User(ctx context.Context, id string) (*User, error) {
	d, err := a.st.GetConfig(ctx, KindUser, userID(id))
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, fmt.Errorf("user %q does not exist: %w", id, store.ErrNotFound)
		}
		return nil, err
	}
	return userFromDoc(d), nil
}

// Users lists the users, sorted by e-mail.
func (a *Auth) Users(ctx context.Context) ([]*User, error) {
	docs, err := a.st.ListConfig(ctx, KindUser)
	if err != nil {
		return nil, err
	}
	out := make([]*User, 0, len(docs))
	for _, d := range docs {
		out = append(out, userFromDoc(d))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Email < out[j].Email })
	return out, nil
}

// DeleteUser deletes a user and every token issued to the user.
func (a *Auth) DeleteUser(ctx context.Context, id string) error {
	id = userID(id)
	if err := a.st.DeleteConfig(ctx, KindUser, id); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("user %q does not exist: %w", id, store.ErrNotFound)
		}
		return err
	}
	a.Forget(id)
	toks, err := a.st.ListConfig(ctx, KindToken)
	if err != nil {
		return err
	}
	for _, t := range toks {
		if domain.Str(t, "user") != id {
			continue
		}
		if err := a.st.DeleteConfig(ctx, KindToken, domain.Str(t, "id")); err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
	}
	a.Forget(id)
	return nil
}

// UserChange is a change to a user; nil fields stay as they are.
type UserChange struct {
	FullName *string
	Roles    []string
	Password *string
	Disabled *bool
	// Version, when not 0, is the version the change was made from: the
	// change is refused (a *store.StaleError) if the user is at another.
	// Without it the change applies to the user as stored now (fields it
	// does not name keep what others wrote meanwhile).
	Version int64
}

// UpdateUser changes a user. A new password or disabling the account
// revokes the user's tokens, except keepToken (the caller's own, when users
// change their own password). A new password must pass password.Validate
// (plugin.FieldErrors naming the field "password").
func (a *Auth) UpdateUser(ctx context.Context, id string, c UserChange, keepToken string) (*User, error) {
	id = userID(id)
	var hash string
	if c.Password != nil {
		name := ""
		if c.FullName != nil {
			name = *c.FullName
		}
		if err := password.Validate(*c.Password, id, name); err != nil {
			return nil, plugin.FieldErr("password", "%v", err)
		}
		var err error
		if hash, err = a.hash(*c.Password); err != nil {
			return nil, err
		}
	}
	apply := func(d store.Doc) error {
		if c.FullName != nil {
			d["full_name"] = *c.FullName
		}
		if c.Roles != nil {
			rl := make([]any, len(c.Roles))
			for i, r := range c.Roles {
				rl[i] = r
			}
			d["roles"] = rl
		}
		if c.Password != nil {
			d["password_hash"] = hash
		}
		if c.Disabled != nil {
			d["disabled"] = *c.Disabled
		}
		return nil
	}
	var d store.Doc
	var err error
	if c.Version != 0 {
		if d, err = a.st.GetConfig(ctx, KindUser, id); err == nil {
			if store.Version(d) != c.Version {
				err = &store.StaleError{Kind: KindUser, ID: id, Want: c.Version, Have: store.Version(d)}
			} else {
				_ = apply(d) // apply never fails
				var v int64
				if v, err = a.st.PutConfigIf(ctx, KindUser, id, d, c.Version); err == nil {
					d["version"] = float64(v)
				}
			}
		}
	} else {
		d, err = store.UpdateConfig(ctx, a.st, KindUser, id, apply)
	}
	if errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("user %q does not exist: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	a.Forget(id) // cached tokens carry the old roles
	if c.Password != nil || c.Disabled != nil && *c.Disabled {
		if err := a.revokeTokens(ctx, id, keepToken); err != nil {
			return nil, err
		}
	}
	return userFromDoc(d), nil
}

// CheckPassword reports whether password is the user's.
func (a *Auth) CheckPassword(ctx context.Context, id, pw string) bool {
	d, err := a.st.GetConfig(ctx, KindUser, userID(id))
	if err != nil {
		return false
	}
	return password.Compare(domain.Str(d, "password_hash"), pw)
}

// CheckOwnPassword checks a user's current password from addr, throttled
// like logins (a wrong one counts as a failed login there).
func (a *Auth) CheckOwnPassword(ctx context.Context, id, pw, addr string) error {
	id = userID(id)
	if err := a.takeAttempt(ctx, id, addr); err != nil {
		return err
	}
	if !a.CheckPassword(ctx, id, pw) {
		return plugin.FieldErr("current_password", "is not your password")
	}
	return a.st.ClearAttempts(ctx, attemptKey(id, addr))
}

// revokeTokens deletes the user's tokens but keep (a raw token, or "").
func (a *Auth) revokeTokens(ctx context.Context, id, keep string) error {
	keepHash := ""
	if keep != "" {
		keepHash = tokenHash(keep)
	}
	toks, err := a.st.ListConfig(ctx, KindToken)
	if err != nil {
		return err
	}
	for _, t := range toks {
		h := domain.Str(t, "id")
		if domain.Str(t, "user") != id || h == keepHash {
			continue
		}
		if err := a.st.DeleteConfig(ctx, KindToken, h); err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
	}
	a.Forget(id)
	return nil
}

type userKey struct{}

// WithUser returns ctx carrying the authenticated user u.
func WithUser(ctx context.Context, u *User) context.Context {
	return context.WithValue(ctx, userKey{}, u)
}

// UserFrom returns the authenticated user ctx carries (nil: none).
func UserFrom(ctx context.Context) *User {
	u, _ := ctx.Value(userKey{}).(*User)
	return u
}

// UserID is the id a user is stored under for an e-mail: lower case,
// without surrounding spaces.
func UserID(email string) string { return userID(email) }
