package api

import (
	"context"
	"fmt"

	"github.com/tracflow/tracflow/internal/catalog"
	"github.com/tracflow/tracflow/internal/domain"
	"github.com/tracflow/tracflow/internal/registry"
	"github.com/tracflow/tracflow/internal/resources"
	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/remote"
)

// productionCredentials reads a resource's production credentials, for the
// calls to plugin services made outside flow runs.
func productionCredentials(res *resources.Service) remote.CredentialsFunc {
	return func(ctx context.Context, id string) (map[string]any, error) {
		return res.Credentials(ctx, id, resources.Production)
	}
}

// remotePlugins asks every enabled plugin service (resource of type
// microservice) for its plugins and returns them bound, ready to install.
// A service that cannot be reached is reported, and the plugins stored for
// it are kept as they are, so a service that is down for a moment does not
// empty the palette.
func (s *Server) remotePlugins(ctx context.Context) ([]plugin.Installed, []registry.InstallError, error) {
	res := s.opt.Resources
	if res == nil {
		return nil, nil, nil
	}
	docs, err := res.List(ctx, "", false)
	if err != nil {
		return nil, nil, err
	}
	creds := productionCredentials(res)
	var list []plugin.Installed
	var errs []registry.InstallError
	add := func(p plugin.Plugin) {
		list = append(list, plugin.Installed{Register: func() plugin.Plugin { return p }})
	}
	for _, d := range docs {
		if domain.Str(d, "type") != remote.ResourceType.Type {
			continue
		}
		if en, ok := d["enabled"].(bool); ok && !en {
			continue
		}
		id, name := domain.Str(d, "id"), domain.Str(d, "name")
		where := "plugin service " + name + " (resource " + id + ")"
		plugins, err := func() ([]plugin.Plugin, error) {
			c, err := creds(ctx, id)
			if err != nil {
				return nil, err
			}
			svc, err := remote.ServiceFrom(c)
			if err != nil {
				return nil, err
			}
			return svc.Plugins(ctx)
		}()
		if err != nil {
			errs = append(errs, registry.InstallError{Module: where, Reason: err.Error() + "; its plugins installed before are kept"})
			s.log.Warn("plugin service not reached", "resource", id, "reason", err.Error())
			stored, err := s.cat.RemoteRecords(ctx, id)
			if err != nil {
				return nil, nil, err
			}
			for _, rec := range stored {
				if p, err := catalog.RemotePlugin(rec, creds); err == nil {
					add(p)
				}
			}
			continue
		}
		seen := map[string]bool{}
		for _, p := range plugins {
			if p.Spec.Module == "" || seen[p.Spec.Module] {
				errs = append(errs, registry.InstallError{Module: where, Reason: fmt.Sprintf("it announced a plugin with an empty or repeated module name %q", p.Spec.Module)})
				continue
			}
			seen[p.Spec.Module] = true
			p.Spec.ID = "" // a remote plugin is known by its module name
			add(remote.Bind(p, remote.Target{Resource: plugin.NamedEntity{ID: id, Name: name}, Module: p.Spec.Module}, name, creds))
		}
	}
	return list, errs, nil
}
