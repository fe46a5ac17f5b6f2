package remote

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"sync"

	"github.com/tracflow/tracflow/plugin"
)

// HandlerOptions configure NewHandler.
type HandlerOptions struct {
	// Token, when not empty, is the bearer token every call must carry
	// (Authorization: Bearer <token>); calls without it get 401.
	Token string
	// MaxBody bounds a request body (0: 10 MiB).
	MaxBody int64
	// MaxIdle bounds the set-up instances kept per plugin and configuration
	// for reuse (0: 8).
	MaxIdle int
}

// maxConfigs bounds the distinct configurations whose instances are kept.
const maxConfigs = 256

// handler serves a list of SDK plugins as remote plugins.
type handler struct {
	opt     HandlerOptions
	plugins []plugin.Plugin
	byName  map[string]*plugin.Plugin

	mu   sync.Mutex
	idle map[string][]plugin.Action // by module + "\x00" + configuration JSON
}

// NewHandler returns the HTTP handler of a plugin service serving list:
// GET /plugins announces their register records, POST /plugin/validate
// checks a configuration with the plugin's Validate or SetUp, and POST
// /plugin/run runs the plugin as the engine would (set up once per
// configuration and reused). It refuses a list with a plugin that has no
// module name or constructor, or two plugins with one module name.
func NewHandler(list []plugin.Installed, opt HandlerOptions) (http.Handler, error) {
	if opt.MaxBody <= 0 {
		opt.MaxBody = 10 << 20
	}
	if opt.MaxIdle <= 0 {
		opt.MaxIdle = 8
	}
	h := &handler{opt: opt, byName: map[string]*plugin.Plugin{}, idle: map[string][]plugin.Action{}}
	for i, in := range list {
		if in.Register == nil {
			return nil, fmt.Errorf("remote: entry %d has no register function", i)
		}
		p := plugin.Complete(in.Register())
		if p.Spec.Module == "" || p.New == nil {
			return nil, fmt.Errorf("remote: entry %d (%q) has no module name or no constructor", i, p.Spec.Module)
		}
		for _, q := range h.plugins {
			if q.Spec.Module == p.Spec.Module {
				return nil, fmt.Errorf("remote: module %q is listed twice", p.Spec.Module)
			}
		}
		h.plugins = append(h.plugins, p)
	}
	for i := range h.plugins {
		h.byName[h.plugins[i].Spec.Module] = &h.plugins[i]
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+PathPlugins, h.list)
	mux.HandleFunc("POST "+PathValidate, h.validate)
	mux.HandleFunc("POST "+PathRun, h.run)
	return h.auth(mux), nil
}

func (h *handler) auth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h.opt.Token != "" {
			want := "Bearer " + h.opt.Token
			if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), []byte(want)) != 1 {
				writeError(w, http.StatusUnauthorized, "missing or wrong bearer token", nil)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, detail string, errs plugin.FieldErrors) {
	writeJSON(w, status, ErrorResponse{Detail: detail, Errors: errs})
}

func (h *handler) list(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, PluginsResponse{Plugins: h.plugins})
}

// decode reads a bounded JSON body into v, answering 400 or 413 itself.
func (h *handler) decode(w http.ResponseWriter, r *http.Request, v any) bool {
	body := http.MaxBytesReader(w, r.Body, h.opt.MaxBody)
	if err := json.NewDecoder(body).Decode(v); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("the body is larger than %d bytes", h.opt.MaxBody), nil)
		} else {
			writeError(w, http.StatusBadRequest, "the body is not valid JSON: "+err.Error(), nil)
		}
		return false
	}
	return true
}

func (h *handler) lookup(w http.ResponseWriter, module string) *plugin.Plugin {
	p := h.byName[module]
	if p == nil {
		writeError(w, http.StatusNotFound, fmt.Sprintf("this service has no plugin %q", module), nil)
	}
	return p
}

func (h *handler) validate(w http.ResponseWriter, r *http.Request) {
	var req ValidateRequest
	if !h.decode(w, r, &req) {
		return
	}
	p := h.lookup(w, req.Module)
	if p == nil {
		return
	}
	if req.Init == nil {
		req.Init = plugin.Config{}
	}
	norm, err := validate(r.Context(), p, req.Init)
	if err != nil {
		writeError(w, http.StatusUnprocessableEntity, err.Error(), plugin.AsFieldErrors(err))
		return
	}
	writeJSON(w, http.StatusOK, ValidateResponse{Config: norm})
}

// validate checks cfg as the engine does: with the action's Validate, or
// by setting up and closing a fresh instance.
func validate(ctx context.Context, p *plugin.Plugin, cfg plugin.Config) (norm plugin.Config, err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("plugin %s panicked while checking the configuration: %v", p.Spec.Module, v)
		}
	}()
	a := p.New()
	if v, ok := a.(plugin.Validator); ok {
		out, err := v.Validate(ctx, deepCopy(cfg))
		if err != nil || out != nil {
			return out, err
		}
		return cfg, nil
	}
	if su, ok := a.(plugin.SetUpper); ok {
		err := su.SetUp(ctx, deepCopy(cfg))
		if c, ok := a.(plugin.Closer); ok {
			_ = c.Close(ctx)
		}
		if err != nil {
			return nil, err
		}
	}
	norm = plugin.Config{}
	for k, v := range p.Spec.Init {
		norm[k] = v
	}
	for k, v := range cfg {
		norm[k] = v
	}
	return norm, nil
}

func (h *handler) run(w http.ResponseWriter, r *http.Request) {
	var req RunRequest
	if !h.decode(w, r, &req) {
		return
	}
	p := h.lookup(w, req.Module)
	if p == nil {
		return
	}
	if req.Init == nil {
		req.Init = plugin.Config{}
	}
	key, a, err := h.instance(r.Context(), p, req.Init)
	if err != nil {
		writeError(w, http.StatusUnprocessableEntity, err.Error(), plugin.AsFieldErrors(err))
		return
	}
	resp, ok := runOnce(r.Context(), p, a, &req)
	if ok {
		h.release(key, a)
	} else {
		closeAction(r.Context(), a) // a panicked instance is not reused
	}
	writeJSON(w, http.StatusOK, resp)
}

// instance returns a set-up instance for the configuration: an idle one
// or a new one.
func (h *handler) instance(ctx context.Context, p *plugin.Plugin, init plugin.Config) (string, plugin.Action, error) {
	raw, err := json.Marshal(init) // map keys are sorted: one key per configuration
	if err != nil {
		return "", nil, plugin.FieldErr("init", "cannot encode: %v", err)
	}
	key := p.Spec.Module + "\x00" + string(raw)
	h.mu.Lock()
	if l := h.idle[key]; len(l) > 0 {
		a := l[len(l)-1]
		h.idle[key] = l[:len(l)-1]
		h.mu.Unlock()
		return key, a, nil
	}
	h.mu.Unlock()
	a, err := setUp(ctx, p, init)
	return key, a, err
}

func setUp(ctx context.Context, p *plugin.Plugin, init plugin.Config) (a plugin.Action, err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("plugin %s panicked while being set up: %v", p.Spec.Module, v)
		}
	}()
	a = p.New()
	if a == nil {
		return nil, fmt.Errorf("plugin %s constructed no action", p.Spec.Module)
	}
	if su, ok := a.(plugin.SetUpper); ok {
		if err := su.SetUp(ctx, deepCopy(init)); err != nil {
			closeAction(ctx, a)
			return nil, err
		}
	}
	return a, nil
}

func closeAction(ctx context.Context, a plugin.Action) {
	if c, ok := a.(plugin.Closer); ok {
		_ = c.Close(ctx)
	}
}

// release keeps an instance for the next run of the same configuration,
// within the bounds of HandlerOptions.MaxIdle and maxConfigs.
func (h *handler) release(key string, a plugin.Action) {
	h.mu.Lock()
	l, known := h.idle[key]
	if (!known && len(h.idle) >= maxConfigs) || len(l) >= h.opt.MaxIdle {
		h.mu.Unlock()
		closeAction(context.Background(), a)
		return
	}
	h.idle[key] = append(l, a)
	h.mu.Unlock()
}

// runOnce runs a set-up action on the request's payload and state, and
// reports whether the instance can be reused (it did not panic).
func runOnce(ctx context.Context, p *plugin.Plugin, a plugin.Action, req *RunRequest) (resp RunResponse, reusable bool) {
	c := req.Context
	st := &plugin.State{Event: c.Event, Flow: c.Flow, Memory: c.Memory, Debug: c.Debug}
	if c.Profile != nil {
		st.Profile = c.Profile
	}
	if c.Session != nil {
		st.Session = c.Session
	}
	if st.Event == nil {
		st.Event = plugin.Event{}
	}
	if st.Flow == nil {
		st.Flow = &plugin.Flow{}
	}
	if st.Flow.Response == nil {
		st.Flow.Response = map[string]any{}
	}
	if st.Memory == nil {
		st.Memory = map[string]any{}
	}
	before := RunContext{Profile: deepCopy(c.Profile), Session: deepCopy(c.Session), Memory: deepCopy(st.Memory)}
	node := req.Node
	if node.Module == "" {
		node.Module = p.Spec.Module
	}
	node.Init, node.Inputs, node.Outputs = req.Init, p.Spec.Inputs, p.Spec.Outputs
	var rn *plugin.ActionRunner
	if r, ok := a.(plugin.Runnable); ok {
		rn = r.Runner()
		rn.State, rn.Node, rn.Console = st, &node, st.NodeConsole(node.ID)
	}
	payload := req.Params.Payload
	if payload == nil {
		payload = plugin.Payload{}
	}
	reusable = true
	res, err := func() (res plugin.Results, err error) {
		defer func() {
			if v := recover(); v != nil {
				reusable = false
				err = fmt.Errorf("plugin %s panicked: %v", p.Spec.Module, v)
			}
		}()
		return a.Run(ctx, payload, req.Params.InEdge)
	}()
	if err == nil {
		for _, r := range res {
			if !node.HasOutput(r.Port) {
				err = fmt.Errorf("plugin %s answered on port %q, which it does not declare", p.Spec.Module, r.Port)
				break
			}
		}
	}
	if err != nil {
		if eh, ok := a.(plugin.ErrorHandler); ok {
			eh.OnError(ctx, err)
		}
		resp.Error = err.Error()
	} else {
		resp.Results = res
	}
	if resp.Results == nil {
		resp.Results = plugin.Results{}
	}
	if st.Profile != nil && !reflect.DeepEqual(before.Profile, map[string]any(st.Profile)) {
		resp.Context.Profile = st.Profile
	}
	if st.Session != nil && !reflect.DeepEqual(before.Session, map[string]any(st.Session)) {
		resp.Context.Session = st.Session
	}
	if !reflect.DeepEqual(before.Memory, st.Memory) {
		resp.Context.Memory = st.Memory
	}
	resp.Console = make([]ConsoleLine, 0, len(st.Logs))
	for _, l := range st.Logs {
		resp.Console = append(resp.Console, ConsoleLine{Level: l.Level, Message: l.Message})
	}
	if rn != nil {
		rn.State, rn.Node, rn.Console = nil, nil, plugin.Console{}
	}
	return resp, reusable
}

// deepCopy copies a decoded JSON object (nil stays nil).
func deepCopy(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = copyValue(v)
	}
	return out
}

func copyValue(v any) any {
	switch x := v.(type) {
	case map[string]any:
		return deepCopy(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = copyValue(e)
		}
		return out
	}
	return v
}
