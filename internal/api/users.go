package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/mail"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"

	"github.com/tracflow/tracflow/internal/domain"
	"github.com/tracflow/tracflow/internal/notation"
	"github.com/tracflow/tracflow/internal/store"
	"github.com/tracflow/tracflow/plugin"
)

// Password rules.
const (
	minPassword = 8
	maxPassword = 72 // bcrypt reads no further
)

var adminOnly = []string{RoleAdmin}

func (s *Server) userRoutes() []Route {
	return []Route{
		{Method: "POST", Path: "/user", Tag: "users", Summary: "Create a user: {email, password, full_name, roles}", Roles: adminOnly, handle: s.handleCreateUser},
		{Method: "GET", Path: "/users", Tag: "users", Summary: "List users (?query= matches e-mail and name; ?limit=&offset=)", Roles: adminOnly, handle: s.handleListUsers},
		{Method: "GET", Path: "/user/{id}", Tag: "users", Summary: "A user, by id (the e-mail)", Roles: adminOnly, handle: s.handleGetUser},
		{Method: "DELETE", Path: "/user/{id}", Tag: "users", Summary: "Delete a user and revoke the user's tokens", Roles: adminOnly, handle: s.handleDeleteUser},
		{Method: "POST", Path: "/user/{id}", Tag: "users", Summary: "Change a user: any of {full_name, roles, password, disabled}; a new password or disabling revokes the user's tokens", Roles: adminOnly, handle: s.handleUpdateUser},
		{Method: "POST", Path: "/user/me/password", Tag: "users", Summary: "Change your own password: {current_password, new_password}; your other sessions are logged out", Roles: anyRole, handle: s.handleChangeOwnPassword},
	}
}

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

// newUser is a validated POST /user body.
type newUser struct {
	Email, Password, FullName string
	Roles                     []string
}

// checkNewUser validates a POST /user body and reports every bad field.
func checkNewUser(d store.Doc) (*newUser, error) {
	var errs []plugin.FieldError
	u := &newUser{}
	str := func(key string, required bool) string {
		v, ok := d[key]
		if !ok || v == nil {
			if required {
				errs = append(errs, fieldErr(key, "is required"))
			}
			return ""
		}
		s, ok := v.(string)
		if !ok {
			errs = append(errs, fieldErr(key, "expected a string, got %s", notation.TypeName(v)))
		}
		return s
	}
	u.Email = strings.TrimSpace(str("email", true))
	if u.Email != "" {
		if a, err := mail.ParseAddress(u.Email); err != nil || a.Address != u.Email || !strings.Contains(u.Email[strings.LastIndex(u.Email, "@")+1:], ".") && !strings.HasSuffix(u.Email, "@localhost") {
			errs = append(errs, fieldErr("email", "%q is not an e-mail address (expected e.g. ann@example.com)", u.Email))
		}
	}
	u.Password = str("password", true)
	if _, present := d["password"].(string); present {
		errs = append(errs, checkPassword("password", u.Password)...)
	}
	u.FullName = strings.TrimSpace(str("full_name", false))
	var rerrs []plugin.FieldError
	u.Roles, rerrs = parseRoles(d["roles"])
	errs = append(errs, rerrs...)
	if len(errs) > 0 {
		return nil, invalid(errs...)
	}
	return u, nil
}

// checkPassword applies the password rules to the field.
func checkPassword(field, pw string) []plugin.FieldError {
	switch n := utf8.RuneCountInString(pw); {
	case n < minPassword:
		return []plugin.FieldError{fieldErr(field, "is too short: at least %d characters, got %d", minPassword, n)}
	case len(pw) > maxPassword:
		return []plugin.FieldError{fieldErr(field, "is too long: at most %d bytes", maxPassword)}
	}
	return nil
}

// ValidatePassword applies the users API's password rules to a password
// set outside the API (the first admin's, tracflow admin reset-password), so
// that every way to set a password follows the same rules.
func ValidatePassword(pw string) error {
	if errs := checkPassword("password", pw); len(errs) > 0 {
		return errs[0]
	}
	return nil
}

// parseRoles reads a list of one or more known roles.
func parseRoles(v any) (roles []string, errs []plugin.FieldError) {
	switch rv := v.(type) {
	case nil:
		errs = append(errs, fieldErr("roles", "is required: a list of one or more of %s", strings.Join(AllRoles, ", ")))
	case []any:
		if len(rv) == 0 {
			errs = append(errs, fieldErr("roles", "must name at least one role: %s", strings.Join(AllRoles, ", ")))
		}
		for i, x := range rv {
			r, ok := x.(string)
			if !ok {
				errs = append(errs, fieldErr(fmt.Sprintf("roles[%d]", i), "expected a string, got %s", notation.TypeName(x)))
				continue
			}
			if !slices.Contains(AllRoles, r) {
				errs = append(errs, fieldErr(fmt.Sprintf("roles[%d]", i), "unknown role %q; roles are %s", r, strings.Join(AllRoles, ", ")))
				continue
			}
			if !slices.Contains(roles, r) {
				roles = append(roles, r)
			}
		}
	default:
		errs = append(errs, fieldErr("roles", "expected a list of roles, got %s", notation.TypeName(rv)))
	}
	return roles, errs
}

func (s *Server) handleCreateUser(w http.ResponseWriter, r *http.Request) error {
	d, err := s.readDoc(w, r)
	if err != nil {
		return err
	}
	nu, err := checkNewUser(d)
	if err != nil {
		return err
	}
	u, err := s.auth.CreateUser(r.Context(), nu.Email, nu.Password, nu.FullName, nu.Roles)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, u)
	return nil
}

func (s *Server) handleListUsers(w http.ResponseWriter, r *http.Request) error {
	all, err := s.auth.Users(r.Context())
	if err != nil {
		return err
	}
	q := strings.ToLower(strings.TrimSpace(r.URL.Query().Get("query")))
	list := []*User{}
	for _, u := range all {
		if q == "" || strings.Contains(strings.ToLower(u.Email+" "+u.FullName), q) {
			list = append(list, u)
		}
	}
	pg, err := page(r, list, 100)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"total": len(list), "result": pg})
	return nil
}

func (s *Server) handleGetUser(w http.ResponseWriter, r *http.Request) error {
	u, err := s.auth.User(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, u)
	return nil
}

func (s *Server) handleDeleteUser(w http.ResponseWriter, r *http.Request) error {
	id := userID(r.PathValue("id"))
	if me := CurrentUser(r); me != nil && me.ID == id {
		return errorf(http.StatusConflict, "you cannot delete your own account; another admin can")
	}
	if err := s.auth.DeleteUser(r.Context(), id); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": id, "deleted": true})
	return nil
}

// UserChange is a change to a user; nil fields stay as they are.
type UserChange struct {
	FullName *string
	Roles    []string
	Password *string
	Disabled *bool
}

// UpdateUser changes a user. A new password or disabling the account
// revokes the user's tokens, except keepToken (the caller's own, when users
// change their own password).
func (a *Auth) UpdateUser(ctx context.Context, id string, c UserChange, keepToken string) (*User, error) {
	id = userID(id)
	d, err := a.st.GetConfig(ctx, KindUser, id)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, fmt.Errorf("user %q does not exist: %w", id, store.ErrNotFound)
		}
		return nil, err
	}
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
	revoke := false
	if c.Password != nil {
		hash, err := a.hash(*c.Password)
		if err != nil {
			return nil, err
		}
		d["password_hash"] = hash
		revoke = true
	}
	if c.Disabled != nil {
		d["disabled"] = *c.Disabled
		revoke = revoke || *c.Disabled
	}
	if err := a.st.PutConfig(ctx, KindUser, id, d); err != nil {
		return nil, err
	}
	a.Forget(id) // cached tokens carry the old roles
	if revoke {
		if err := a.revokeTokens(ctx, id, keepToken); err != nil {
			return nil, err
		}
	}
	return userFromDoc(d), nil
}

// CheckPassword reports whether password is the user's.
func (a *Auth) CheckPassword(ctx context.Context, id, password string) bool {
	d, err := a.st.GetConfig(ctx, KindUser, userID(id))
	if err != nil {
		return false
	}
	return bcrypt.CompareHashAndPassword([]byte(domain.Str(d, "password_hash")), []byte(password)) == nil
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

func (s *Server) handleUpdateUser(w http.ResponseWriter, r *http.Request) error {
	d, err := s.readDoc(w, r)
	if err != nil {
		return err
	}
	var errs []plugin.FieldError
	var c UserChange
	for k, v := range d {
		switch k {
		case "full_name":
			if str, ok := v.(string); ok {
				str = strings.TrimSpace(str)
				c.FullName = &str
			} else {
				errs = append(errs, fieldErr(k, "expected a string, got %s", notation.TypeName(v)))
			}
		case "roles":
			var rerrs []plugin.FieldError
			c.Roles, rerrs = parseRoles(v)
			errs = append(errs, rerrs...)
		case "password":
			if str, ok := v.(string); ok {
				errs = append(errs, checkPassword(k, str)...)
				c.Password = &str
			} else {
				errs = append(errs, fieldErr(k, "expected a string, got %s", notation.TypeName(v)))
			}
		case "disabled":
			if b, ok := v.(bool); ok {
				c.Disabled = &b
			} else {
				errs = append(errs, fieldErr(k, "expected true or false, got %s", notation.TypeName(v)))
			}
		case "id", "email":
			// The id is the e-mail and does not change.
		default:
			errs = append(errs, fieldErr(k, "unknown field; a user change has full_name, roles, password and disabled"))
		}
	}
	if len(errs) > 0 {
		return invalid(errs...)
	}
	id := userID(r.PathValue("id"))
	if me := CurrentUser(r); me != nil && me.ID == id {
		if c.Disabled != nil && *c.Disabled {
			return errorf(http.StatusConflict, "you cannot disable your own account; another admin can")
		}
		if c.Roles != nil && !slices.Contains(c.Roles, RoleAdmin) {
			return errorf(http.StatusConflict, "you cannot take the admin role from yourself; another admin can")
		}
	}
	u, err := s.auth.UpdateUser(r.Context(), id, c, "")
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, u)
	return nil
}

func (s *Server) handleChangeOwnPassword(w http.ResponseWriter, r *http.Request) error {
	d, err := s.readDoc(w, r)
	if err != nil {
		return err
	}
	cur, _ := d["current_password"].(string)
	pw, ok := d["new_password"].(string)
	var errs []plugin.FieldError
	if cur == "" {
		errs = append(errs, fieldErr("current_password", "is required"))
	}
	if !ok {
		errs = append(errs, fieldErr("new_password", "is required: a string"))
	} else {
		errs = append(errs, checkPassword("new_password", pw)...)
	}
	if len(errs) > 0 {
		return invalid(errs...)
	}
	me := CurrentUser(r)
	if !s.auth.CheckPassword(r.Context(), me.ID, cur) {
		return invalid(fieldErr("current_password", "is not your password"))
	}
	if _, err := s.auth.UpdateUser(r.Context(), me.ID, UserChange{Password: &pw}, bearer(r)); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"detail": "password changed; your other sessions are logged out"})
	return nil
}
