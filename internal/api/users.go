package api

import (
	"fmt"
	"net/http"
	"net/mail"
	"slices"
	"strings"

	"github.com/tracflow/tracflow/internal/auth"
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
		errs = append(errs, fieldErr("roles", "is required: a list of one or more of %s", strings.Join(auth.AllRoles, ", ")))
	case []any:
		if len(rv) == 0 {
			errs = append(errs, fieldErr("roles", "must name at least one role: %s", strings.Join(auth.AllRoles, ", ")))
		}
		for i, x := range rv {
			r, ok := x.(string)
			if !ok {
				errs = append(errs, fieldErr(fmt.Sprintf("roles[%d]", i), "expected a string, got %s", notation.TypeName(x)))
				continue
			}
			if !slices.Contains(auth.AllRoles, r) {
				errs = append(errs, fieldErr(fmt.Sprintf("roles[%d]", i), "unknown role %q; roles are %s", r, strings.Join(auth.AllRoles, ", ")))
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
	list := []*auth.User{}
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
	id := auth.UserID(r.PathValue("id"))
	if me := CurrentUser(r); me != nil && me.ID == id {
		return errorf(http.StatusConflict, "you cannot delete your own account; another admin can")
	}
	if err := s.auth.DeleteUser(r.Context(), id); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": id, "deleted": true})
	return nil
}

func (s *Server) handleUpdateUser(w http.ResponseWriter, r *http.Request) error {
	d, err := s.readDoc(w, r)
	if err != nil {
		return err
	}
	var errs []plugin.FieldError
	var c auth.UserChange
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
	id := auth.UserID(r.PathValue("id"))
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
	if err := s.auth.CheckOwnPassword(r.Context(), me.ID, cur, auth.ClientAddr(r, s.opt.TrustedProxies)); err != nil {
		return err
	}
	if _, err := s.auth.UpdateUser(r.Context(), me.ID, auth.UserChange{Password: &pw}, auth.Bearer(r)); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"detail": "password changed; your other sessions are logged out"})
	return nil
}
