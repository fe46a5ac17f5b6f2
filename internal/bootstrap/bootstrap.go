// Package bootstrap prepares a new installation: the first admin account
// and a demo (an event source, a flow and a rule) that shows an event
// changing a profile within a minute.
package bootstrap

import (
	"context"
	"crypto/rand"
	_ "embed"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/tracflow/tracflow/internal/auth"
	"github.com/tracflow/tracflow/internal/catalog"
	"github.com/tracflow/tracflow/internal/domain"
	pw "github.com/tracflow/tracflow/internal/password"
	"github.com/tracflow/tracflow/internal/store"
)

//go:embed demo-flow.json
var demoFlow []byte

// DemoSourceID is the id of the demo event source.
const DemoSourceID = "demo-source"

// Result says what the first start created.
type Result struct {
	AdminEmail string
	// GeneratedPassword is set when the password was generated: print it
	// once, it is not stored in clear anywhere.
	GeneratedPassword string
	Demo              bool
}

// FirstStart creates the admin account and the demo when the installation
// has no user yet. It does nothing on later starts.
func FirstStart(ctx context.Context, st store.Store, cat *catalog.Catalog, accounts *auth.Auth, email, password string, demo bool) (*Result, error) {
	users, err := st.ListConfig(ctx, auth.KindUser)
	if err != nil {
		return nil, err
	}
	if len(users) > 0 {
		return nil, nil
	}
	res := &Result{AdminEmail: email}
	if email == "" {
		res.AdminEmail = "admin@localhost"
	}
	if password != "" {
		if err := pw.Validate(password, res.AdminEmail); err != nil {
			return nil, fmt.Errorf("the admin password (TRACFLOW_ADMIN_PASSWORD) %w", err)
		}
	} else {
		var b [12]byte
		if _, err := rand.Read(b[:]); err != nil {
			return nil, err
		}
		password = base64.RawURLEncoding.EncodeToString(b[:])
		res.GeneratedPassword = password
	}
	if _, err := accounts.CreateUser(ctx, res.AdminEmail, password, "Administrator", auth.AllRoles); err != nil {
		return nil, fmt.Errorf("creating the admin account: %w", err)
	}
	if err := remember(ctx, st, res.AdminEmail); err != nil {
		return nil, err
	}
	if !demo {
		return res, nil
	}
	if err := Demo(ctx, cat); err != nil {
		return nil, fmt.Errorf("creating the demo: %w", err)
	}
	res.Demo = true
	return res, nil
}

// kindStart keeps what a start set up: the admin account it created and
// that account's password hash at the time.
const kindStart = "bootstrap"

// remember notes the admin's password hash as a start set it.
func remember(ctx context.Context, st store.Store, email string) error {
	u, err := st.GetConfig(ctx, auth.KindUser, strings.ToLower(strings.TrimSpace(email)))
	if err != nil {
		return fmt.Errorf("reading the admin account: %w", err)
	}
	return st.PutConfig(ctx, kindStart, "admin", store.Doc{"id": "admin", "user": u["id"], "password_hash": u["password_hash"]})
}

// Password says what a start did with TRACFLOW_ADMIN_PASSWORD on an
// installation that already has users.
type Password int

// What AdminPassword did.
const (
	PasswordUnchanged Password = iota // no password given, or it is the admin's already
	PasswordApplied                   // the admin's password is now the one given
	PasswordIgnored                   // the admin changed the password since: the one given is not used
)

// AdminPassword applies password (TRACFLOW_ADMIN_PASSWORD) to the admin
// account a first start created, as long as that account's password is still
// the one a start set (generated or given): an operator whose first start
// failed before the generated password was seen, or who lost it, sets the
// variable and starts again. Once the password was changed through the API,
// the variable no longer applies (PasswordIgnored): use
// `tracflow admin reset-password` instead.
func AdminPassword(ctx context.Context, st store.Store, accounts *auth.Auth, password string) (Password, string, error) {
	if password == "" {
		return PasswordUnchanged, "", nil
	}
	mark, err := st.GetConfig(ctx, kindStart, "admin")
	if errors.Is(err, store.ErrNotFound) {
		return PasswordIgnored, "", nil // an installation older than the mark
	}
	if err != nil {
		return 0, "", err
	}
	id := domain.Str(mark, "user")
	u, err := st.GetConfig(ctx, auth.KindUser, id)
	if errors.Is(err, store.ErrNotFound) {
		return PasswordIgnored, id, nil
	}
	if err != nil {
		return 0, "", err
	}
	if domain.Str(u, "password_hash") != domain.Str(mark, "password_hash") {
		return PasswordIgnored, id, nil
	}
	if accounts.CheckPassword(ctx, id, password) {
		return PasswordUnchanged, id, nil
	}
	if err := pw.Validate(password, id); err != nil {
		return 0, id, fmt.Errorf("the admin password (TRACFLOW_ADMIN_PASSWORD) %w", err)
	}
	if _, err := accounts.UpdateUser(ctx, id, auth.UserChange{Password: &password}, ""); err != nil {
		return 0, id, fmt.Errorf("setting the admin's password: %w", err)
	}
	return PasswordApplied, id, remember(ctx, st, id)
}

// Demo creates the demo source, flow and rule: page-view events from the
// demo source count views on the profile and answer with the count.
func Demo(ctx context.Context, cat *catalog.Catalog) error {
	if _, err := cat.SaveSource(ctx, store.Doc{"id": DemoSourceID, "name": "Demo website", "type": []any{"rest"}, "enabled": true,
		"description": "Created on first start: send page-view events here to see the demo flow count them.", "tags": []any{"demo"}}); err != nil {
		return err
	}
	var flow store.Doc
	if err := json.Unmarshal(demoFlow, &flow); err != nil {
		return err
	}
	if _, err := cat.SaveDraft(ctx, flow); err != nil {
		return err
	}
	if _, err := cat.Deploy(ctx, flow); err != nil {
		return err
	}
	_, err := cat.SaveRule(ctx, store.Doc{"id": "demo-page-view", "name": "Count page views",
		"event_type": map[string]any{"id": "page-view", "name": "page-view"},
		"source":     map[string]any{"id": DemoSourceID},
		"flow":       map[string]any{"id": flow["id"]},
		"enabled":    true, "tags": []any{"demo"}})
	return err
}
