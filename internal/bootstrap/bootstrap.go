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
	"fmt"

	"github.com/tracflow/tracflow/internal/api"
	"github.com/tracflow/tracflow/internal/catalog"
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
func FirstStart(ctx context.Context, st store.Store, cat *catalog.Catalog, auth *api.Auth, email, password string, demo bool) (*Result, error) {
	users, err := st.ListConfig(ctx, api.KindUser)
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
			return nil, fmt.Errorf("the admin password (TRACFLOW_ADMIN_PASSWORD) %v", err)
		}
	} else {
		var b [12]byte
		if _, err := rand.Read(b[:]); err != nil {
			return nil, err
		}
		password = base64.RawURLEncoding.EncodeToString(b[:])
		res.GeneratedPassword = password
	}
	if _, err := auth.CreateUser(ctx, res.AdminEmail, password, "Administrator", api.AllRoles); err != nil {
		return nil, fmt.Errorf("creating the admin account: %w", err)
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
