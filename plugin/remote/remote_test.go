package remote_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tracflow/tracflow/examples/remoteplugin"
	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/plugintest"
	"github.com/tracflow/tracflow/plugin/remote"
)

const token = "svc-token-4711"

func service(t *testing.T) (remote.Service, *httptest.Server) {
	t.Helper()
	h, err := remote.NewHandler(remoteplugin.Installed(), remote.HandlerOptions{Token: token})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return remote.Service{URL: srv.URL, Token: token, Timeout: 5 * time.Second}, srv
}

func TestPluginsAnnouncesTheListWithItsSpec(t *testing.T) {
	svc, _ := service(t)
	ps, err := svc.Plugins(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 2 || ps[0].Spec.Module != remoteplugin.Module || ps[1].Spec.Module != "example.myplugin" {
		t.Fatalf("plugins: %+v", ps)
	}
	if ps[0].Spec.Init["greeting"] != "Hello" || ps[0].Spec.Form == nil || ps[0].MetaData.Documentation.Outputs["greeted"].Desc == "" {
		t.Errorf("the announced spec lost its init, form or docs: %+v", ps[0])
	}
}

func TestCallsWithoutTheTokenAreRefused(t *testing.T) {
	svc, _ := service(t)
	svc.Token = "wrong"
	_, err := svc.Plugins(context.Background())
	var ce *remote.CallError
	if !errors.As(err, &ce) || ce.Status != http.StatusUnauthorized {
		t.Fatalf("err = %v", err)
	}
	if strings.Contains(err.Error(), "wrong") {
		t.Errorf("the error shows the token: %v", err)
	}
}

func TestValidate(t *testing.T) {
	svc, _ := service(t)
	ctx := context.Background()
	got, err := svc.Validate(ctx, remoteplugin.Module, plugin.Config{"name": "Ann"})
	if err != nil || got["name"] != "Ann" {
		t.Fatalf("valid config: %v %v", got, err)
	}
	_, err = svc.Validate(ctx, remoteplugin.Module, plugin.Config{"name": "Ann", "greeting": []any{1}})
	var fe plugin.FieldErrors
	if !errors.As(err, &fe) || !strings.Contains(fe.Error(), "greeting") {
		t.Fatalf("invalid config: %v", err)
	}
	_, err = svc.Validate(ctx, "no.such.plugin", plugin.Config{})
	if err == nil || !strings.Contains(err.Error(), "404") || !strings.Contains(err.Error(), "no.such.plugin") {
		t.Fatalf("unknown plugin: %v", err)
	}
}

// bound returns the Greet plugin as the engine installs it.
func bound(t *testing.T, svc remote.Service) plugin.Plugin {
	t.Helper()
	ps, err := svc.Plugins(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	creds := map[string]any{"url": svc.URL, "token": svc.Token, "timeout": svc.Timeout.Seconds()}
	return remote.Bind(ps[0], remote.Target{Resource: plugin.NamedEntity{ID: "svc", Name: "Service"}, Module: ps[0].Spec.Module}, "Service",
		func(context.Context, string) (map[string]any, error) { return creds, nil })
}

type resources map[string]map[string]any

func (r resources) Credentials(_ context.Context, id string) (map[string]any, error) {
	c, ok := r[id]
	if !ok {
		return nil, errors.New("no resource " + id)
	}
	return c, nil
}

func TestBindAddsAnErrorPortAndRecordsTheService(t *testing.T) {
	svc, _ := service(t)
	p := bound(t, svc)
	if got := strings.Join(p.Spec.Outputs, ","); got != "greeted,error" {
		t.Errorf("outputs = %s", got)
	}
	if p.Spec.Microservice == nil || p.Spec.Microservice.Server.Resource.ID != "svc" || p.Spec.Microservice.Plugin.ID != remoteplugin.Module || !p.MetaData.Remote {
		t.Errorf("spec.microservice = %+v", p.Spec.Microservice)
	}
	if p.MetaData.Documentation.Outputs["error"].Desc == "" {
		t.Error("the error port is not documented")
	}
	if _, err := remote.Rebind(plugin.Plugin{Spec: plugin.Spec{Module: "x"}}, nil); err == nil {
		t.Error("Rebind took a record without a service")
	}
}

func TestRunSendsTheStateAndAppliesTheAnswer(t *testing.T) {
	svc, _ := service(t)
	p := bound(t, svc)
	creds := resources{"svc": {"url": svc.URL, "token": token}}
	for _, tc := range []struct {
		name       string
		config     plugin.Config
		profile    plugin.Profile
		wantPort   string
		wantMsg    string
		wantErr    string
		wantTraits map[string]any
	}{
		{name: "from the profile", config: plugin.Config{"name": "profile@traits.name"},
			profile: plugin.Profile{"id": "p1", "traits": map[string]any{"name": "Ann"}}, wantPort: "greeted", wantMsg: "Hello, Ann!",
			wantTraits: map[string]any{"name": "Ann", "greeted": true}},
		{name: "a literal and another greeting", config: plugin.Config{"name": "Bob", "greeting": "Hi"},
			wantPort: "greeted", wantMsg: "Hi, Bob!"},
		{name: "nobody to greet", config: plugin.Config{"name": "profile@traits.name"},
			profile: plugin.Profile{"id": "p1", "traits": map[string]any{}}, wantErr: "nobody to greet"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := plugintest.Run(t, p, plugintest.Case{Config: tc.config, Profile: tc.profile, Resources: creds,
				Memory: map[string]any{"greetings": 1.0}})
			if tc.wantErr != "" {
				if out.Err == nil || !strings.Contains(out.Err.Error(), tc.wantErr) {
					t.Fatalf("err = %v", out.Err)
				}
				return
			}
			if out.Err != nil || len(out.Results) != 1 || out.Results[0].Port != tc.wantPort || out.Results[0].Value["message"] != tc.wantMsg {
				t.Fatalf("results %+v, err %v", out.Results, out.Err)
			}
			if out.State.Memory["greetings"] != 2.0 {
				t.Errorf("memory = %v", out.State.Memory)
			}
			if tc.wantTraits != nil {
				if got := out.State.Profile["traits"].(map[string]any); len(got) != len(tc.wantTraits) || got["greeted"] != true {
					t.Errorf("traits = %v", got)
				}
				if out.State.Profile["id"] != "p1" {
					t.Errorf("profile id = %v", out.State.Profile["id"])
				}
			}
			if len(out.State.Logs) != 1 || !strings.Contains(out.State.Logs[0].Message, "greeted") {
				t.Errorf("console = %+v", out.State.Logs)
			}
		})
	}
}

func TestAServiceThatDoesNotAnswerFailsWithinItsTimeout(t *testing.T) {
	hang := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-hang:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(hang)
	p := remote.Bind(plugin.Plugin{Spec: plugin.Spec{Module: "m", Inputs: []string{"payload"}, Outputs: []string{"out"}, License: "MIT"},
		MetaData: plugin.MetaData{Name: "M"}}, remote.Target{Resource: plugin.NamedEntity{ID: "svc"}, Module: "m"}, "S", nil)
	start := time.Now()
	out := plugintest.Run(t, p, plugintest.Case{Config: plugin.Config{}, Resources: resources{"svc": {"url": srv.URL, "timeout": 0.2}}})
	if out.Err == nil || !strings.Contains(out.Err.Error(), "no answer within 200ms") {
		t.Fatalf("err = %v", out.Err)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("took %s", took)
	}
}

func TestAnswersOnUndeclaredPortsAndOversizedAnswersFail(t *testing.T) {
	for _, tc := range []struct {
		name, body, want string
	}{
		{"undeclared port", `{"results": [{"port": "elsewhere", "value": {}}], "context": {}, "console": []}`, `port "elsewhere"`},
		{"not the wire format", `{"results": "yes"}`, "not what the wire format says"},
		{"a failed run", `{"results": [], "error": "the database is down", "context": {}, "console": []}`, "the database is down"},
		{"too large", `{"results": [], "console": [{"level": "info", "message": "` + strings.Repeat("x", remote.MaxAnswer) + `"}]}`, "larger than"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(tc.body)) }))
			defer srv.Close()
			p := remote.Bind(plugin.Plugin{Spec: plugin.Spec{Module: "m", Inputs: []string{"payload"}, Outputs: []string{"out"}, License: "MIT"},
				MetaData: plugin.MetaData{Name: "M"}}, remote.Target{Resource: plugin.NamedEntity{ID: "svc"}, Module: "m"}, "S", nil)
			out := plugintest.Run(t, p, plugintest.Case{Config: plugin.Config{}, Resources: resources{"svc": {"url": srv.URL}}})
			if out.Err == nil || !strings.Contains(out.Err.Error(), tc.want) {
				t.Fatalf("err = %v", out.Err)
			}
		})
	}
}

func TestHandlerRefusesBrokenLists(t *testing.T) {
	p := func() plugin.Plugin { return remoteplugin.RegisterGreet() }
	if _, err := remote.NewHandler([]plugin.Installed{{Register: p}, {Register: p}}, remote.HandlerOptions{}); err == nil {
		t.Error("a module listed twice was served")
	}
	if _, err := remote.NewHandler([]plugin.Installed{{Register: func() plugin.Plugin { return plugin.Plugin{} }}}, remote.HandlerOptions{}); err == nil {
		t.Error("a plugin without module was served")
	}
}

func TestResourceTypeChecksTheURL(t *testing.T) {
	_, err := remote.ServiceFrom(map[string]any{"url": "ftp://x"})
	if err == nil || !strings.Contains(err.Error(), "url") {
		t.Fatalf("err = %v", err)
	}
	svc, _ := service(t)
	rt, _ := plugin.LookupResourceType("microservice")
	if err := rt.Check(context.Background(), map[string]any{"url": svc.URL, "token": token}); err != nil {
		t.Errorf("check: %v", err)
	}
	if err := rt.Check(context.Background(), map[string]any{"url": svc.URL, "token": "nope"}); err == nil {
		t.Error("check passed with a wrong token")
	}
}
