package remote

import (
	"context"
	"fmt"
	"strings"

	"github.com/tracflow/tracflow/plugin"
)

// CredentialsFunc returns the production credentials of a resource; the
// engine passes one to Bind for the calls made outside a flow run
// (configuration checks).
type CredentialsFunc func(ctx context.Context, resourceID string) (map[string]any, error)

// Target is where a remote plugin lives: the resource of its service and
// its module name there.
type Target struct {
	Resource plugin.NamedEntity
	Module   string
}

// Bind turns a plugin record a service announced into one the engine can
// install: its constructor makes an action that calls the service on
// every run (see Invoke), its spec records the service's resource
// (spec.microservice, so the record can be bound again from storage), it
// is marked remote, and it gets an "error" output port when it has none,
// so that a service that fails or does not answer fails only its node.
func Bind(p plugin.Plugin, t Target, serviceName string, creds CredentialsFunc) plugin.Plugin {
	p.Spec.Config = nil
	p.New = func() plugin.Action { return &Action{target: t, creds: creds} }
	p.Spec.Microservice = &plugin.Microservice{
		Server:  plugin.MicroserviceServer{Resource: t.Resource},
		Service: plugin.NamedEntity{ID: t.Resource.ID, Name: serviceName},
		Plugin:  plugin.NamedEntity{ID: t.Module, Name: p.MetaData.Name},
	}
	p.MetaData.Remote = true
	hasError := false
	for _, o := range p.Spec.Outputs {
		hasError = hasError || o == "error"
	}
	if !hasError {
		p.Spec.Outputs = append(append([]string(nil), p.Spec.Outputs...), "error")
		d := p.MetaData.Documentation
		if d == nil {
			d = &plugin.Documentation{Inputs: map[string]plugin.PortDoc{}, Outputs: map[string]plugin.PortDoc{}}
		} else {
			cp := *d
			cp.Outputs = map[string]plugin.PortDoc{}
			for k, v := range d.Outputs {
				cp.Outputs[k] = v
			}
			d = &cp
		}
		d.Outputs["error"] = plugin.PortDoc{Desc: "The plugin service failed or did not answer in time: {\"message\"}."}
		p.MetaData.Documentation = d
	}
	return p
}

// Rebind binds a plugin record read back from storage, using the service
// its spec.microservice names. It fails for a record without one.
func Rebind(p plugin.Plugin, creds CredentialsFunc) (plugin.Plugin, error) {
	m := p.Spec.Microservice
	if m == nil || m.Server.Resource.ID == "" || m.Plugin.ID == "" {
		return p, fmt.Errorf("plugin %q is not a remote plugin (its spec names no plugin service)", p.Spec.Module)
	}
	return Bind(p, Target{Resource: m.Server.Resource, Module: m.Plugin.ID}, m.Service.Name, creds), nil
}

// Action is the engine's side of a remote plugin: it keeps the node's
// configuration and calls the service on every run.
type Action struct {
	plugin.ActionRunner
	target Target
	creds  CredentialsFunc
	init   plugin.Config
}

var (
	_ plugin.SetUpper  = (*Action)(nil)
	_ plugin.Validator = (*Action)(nil)
)

// SetUp keeps the configuration. It does not call the service, so a flow
// deploys while its plugin service is down: the node fails at run time.
func (a *Action) SetUp(_ context.Context, config plugin.Config) error {
	a.init = config
	return nil
}

// Validate asks the service to check the configuration.
func (a *Action) Validate(ctx context.Context, config plugin.Config) (plugin.Config, error) {
	if a.creds == nil {
		return nil, fmt.Errorf("the plugin service of %s cannot be reached from here", a.target.Module)
	}
	c, err := a.creds(ctx, a.target.Resource.ID)
	if err != nil {
		return nil, err
	}
	svc, err := ServiceFrom(c)
	if err != nil {
		return nil, fmt.Errorf("resource %q is not a usable plugin service: %w", a.target.Resource.ID, err)
	}
	return svc.Validate(ctx, a.target.Module, config)
}

// Run calls the service.
func (a *Action) Run(ctx context.Context, payload plugin.Payload, in *plugin.Edge) (plugin.Results, error) {
	return Invoke(ctx, &a.ActionRunner, a.target, a.init, payload, in, a.creds)
}

// Invoke runs the remote plugin t for the run r serves: it reads the
// service's credentials (the run's set: test in debug runs), sends the
// payload and the run state, and applies the answer: its console lines
// are logged, the profile, session and memory it changed replace the
// run's (a profile or session keeps its id), and its results are returned.
// Results on ports the node does not declare, a failed call or an answer
// with an error are returned as an error, which the engine routes to the
// node's error port. fallback gives credentials when the run has no access
// to resources.
func Invoke(ctx context.Context, r *plugin.ActionRunner, t Target, init plugin.Config, payload plugin.Payload, in *plugin.Edge, fallback CredentialsFunc) (plugin.Results, error) {
	if t.Resource.ID == "" {
		return nil, fmt.Errorf("no plugin service selected: choose a %s resource", ResourceType.Name)
	}
	var c map[string]any
	var err error
	if r.State != nil && r.Resources != nil {
		c, err = r.Resources.Credentials(ctx, t.Resource.ID)
	} else if fallback != nil {
		c, err = fallback(ctx, t.Resource.ID)
	} else {
		err = plugin.ErrNoResources
	}
	if err != nil {
		return nil, err
	}
	svc, err := ServiceFrom(c)
	if err != nil {
		return nil, fmt.Errorf("resource %q is not a usable plugin service: %w", t.Resource.ID, err)
	}
	req := &RunRequest{Module: t.Module, Init: init, Params: RunParams{Payload: payload, InEdge: in}}
	if r.Node != nil {
		req.Node = plugin.Node{ID: r.Node.ID, Name: r.Node.Name, Module: t.Module}
	}
	if st := r.State; st != nil {
		req.Context = RunContext{Event: st.Event, Profile: st.Profile, Session: st.Session, Flow: st.Flow, Memory: st.Memory, Debug: st.Debug}
	}
	resp, err := svc.Run(ctx, req)
	if err != nil {
		return nil, err
	}
	for _, l := range resp.Console {
		msg := l.Message
		if svc.Token != "" {
			msg = strings.ReplaceAll(msg, svc.Token, "***")
		}
		switch l.Level {
		case "error":
			r.Console.Error("%s", msg)
		case "warning":
			r.Console.Warning("%s", msg)
		case "debug":
			r.Console.Debug("%s", msg)
		default:
			r.Console.Log("%s", msg)
		}
	}
	if st := r.State; st != nil {
		if ch := resp.Context.Profile; ch != nil && st.Profile != nil {
			replace(st.Profile, ch)
		}
		if ch := resp.Context.Session; ch != nil && st.Session != nil {
			replace(st.Session, ch)
		}
		if ch := resp.Context.Memory; ch != nil {
			if st.Memory == nil {
				st.Memory = map[string]any{}
			}
			for k := range st.Memory {
				delete(st.Memory, k)
			}
			for k, v := range ch {
				st.Memory[k] = v
			}
		}
	}
	if resp.Error != "" {
		return nil, fmt.Errorf("remote plugin %s: %s", t.Module, resp.Error)
	}
	for _, res := range resp.Results {
		if r.Node != nil && !r.Node.HasOutput(res.Port) {
			return nil, fmt.Errorf("remote plugin %s answered on port %q, which this node does not have", t.Module, res.Port)
		}
	}
	return resp.Results, nil
}

// replace makes dst hold what src holds, keeping dst's id.
func replace(dst, src map[string]any) {
	id, hasID := dst["id"]
	for k := range dst {
		delete(dst, k)
	}
	for k, v := range src {
		dst[k] = v
	}
	if hasID {
		dst["id"] = id
	}
}
