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

	"github.com/tracflow/tracflow/internal/domain"
	"github.com/tracflow/tracflow/internal/notation"
	"github.com/tracflow/tracflow/internal/password"
	"github.com/tracflow/tracflow/internal/store"
	"github.com/tracflow/tracflow/plugin"
)

var adminOnly = []string{RoleAdmin}

func (s *Server) userRoutes() []Route {
	return []Route{
		{Method: "POST", Path: "/user", Tag: "users", Summary: "Create a user: {email, password, full_name, roles}", Roles: adminOnly, Answer: jsonAnswer("User"), handle: s.handleCreateUser},
		{Method: "GET", Path: "/users", Tag: "users", Summary: "List users (?query= matches e-mail and name; ?limit=&offset=)", Roles: adminOnly, Query: []Param{queryParam, limitParam, offsetParam}, Answer: jsonAnswer("UserPage"), handle: s.handleListUsers},
		{Method: "GET", Path: "/user/{id}", Tag: "users", Summary: "A user, by id (the e-mail)", Roles: adminOnly, Answer: jsonAnswer("User"), handle: s.handleGetUser},
		{Method: "DELETE", Path: "/user/{id}", Tag: "users", Summary: "Delete a user and revoke the user's tokens", Roles: adminOnly, Answer: jsonAnswer("Deleted"), handle: s.handleDeleteUser},
		{Method: "POST", Path: "/user/{id}", Tag: "users", Summary: "Change a user: any of {full_name, roles, password, disabled}, with the version read (body \"version\" or If-Match) to be refused (409) if someone changed the user meanwhile; a new password or disabling revokes the user's tokens", Roles: adminOnly, Answer: jsonAnswer("User"), handle: s.handleUpdateUser},
		{Method: "POST", Path: "/user/me/password", Tag: "users", Summary: "Change your own password: {current_password, new_password}; your other sessions are logged out; wrong current passwords are throttled like logins", Roles: anyRole, Answer: jsonAnswer("Detail"), handle: s.handleChangeOwnPassword},
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
	u.FullName = strings.TrimSpace(str("full_name", false))
	if _, present := d["password"].(string); present {
		errs = append(errs, checkPassword("password", u.Password, u.Email, u.FullName)...)
	}
	var rerrs []plugin.FieldError
	u.Roles, rerrs = parseRoles(d["roles"])
	errs = append(errs, rerrs...)
	if len(errs) > 0 {
		return nil, invalid(errs...)
	}
	return u, nil
}

// checkPassword applies the password rules (password.Validate) to the
// field; context lists the account's e-mail and name.
func checkPassword(field, pw string, context ...string) []plugin.FieldError {
	if err := password.Validate(pw, context...); err != nil {
		return []plugin.FieldError{fieldErr(field, "%v", err)}
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
	setETag(w, store.Doc{"version": float64(u.Version)})
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
	// Version, when not 0, is the version the change was made from: the
	// change is refused (a *store.StaleError) if the user is at another.
	// Without it the change applies to the user as stored now (fields it
	// does not name keep what others wrote meanwhile).
	Version int64
}

// UpdateUser changes a user. A new password or disabling the account
// revokes the user's tokens, except keepToken (the caller's own, when users
// change their own password). A new password must pass password.Validate
// (a 422 naming the field "password").
func (a *Auth) UpdateUser(ctx context.Context, id string, c UserChange, keepToken string) (*User, error) {
	id = userID(id)
	var hash string
	if c.Password != nil {
		name := ""
		if c.FullName != nil {
			name = *c.FullName
		}
		if err := password.Validate(*c.Password, id, name); err != nil {
			return nil, invalid(fieldErr("password", "%v", err))
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
				apply(d)
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

// checkOwnPassword checks a user's current password from addr, throttled
// like logins (a wrong one counts as a failed login there).
func (a *Auth) checkOwnPassword(ctx context.Context, id, pw, addr string) error {
	id = userID(id)
	if err := a.takeAttempt(ctx, id, addr); err != nil {
		return err
	}
	if !a.CheckPassword(ctx, id, pw) {
		return invalid(fieldErr("current_password", "is not your password"))
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
		case "version":
			// Read by expectedVersion.
		case "id", "email":
			// The id is the e-mail and does not change.
		default:
			errs = append(errs, fieldErr(k, "unknown field; a user change has full_name, roles, password, disabled and version"))
		}
	}
	id := userID(r.PathValue("id"))
	if c.Password != nil {
		name := ""
		if c.FullName != nil {
			name = *c.FullName
		}
		errs = append(errs, checkPassword("password", *c.Password, id, name)...)
	}
	v, _, verr := expectedVersion(r, d)
	if verr != nil {
		errs = append(errs, *verr)
	}
	c.Version = v
	if len(errs) > 0 {
		return invalid(errs...)
	}
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
		me := CurrentUser(r)
		errs = append(errs, checkPassword("new_password", pw, me.ID, me.FullName)...)
	}
	if len(errs) > 0 {
		return invalid(errs...)
	}
	me := CurrentUser(r)
	if err := s.auth.checkOwnPassword(r.Context(), me.ID, cur, clientAddr(r, s.opt.TrustedProxies)); err != nil {
		return err
	}
	if _, err := s.auth.UpdateUser(r.Context(), me.ID, UserChange{Password: &pw}, bearer(r)); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"detail": "password changed; your other sessions are logged out"})
	return nil
}
