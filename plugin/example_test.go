package plugin_test

import (
	"context"
	"fmt"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
)

// greetSpec declares the plugin's configuration once.
var greetSpec = plugin.NewConfigSpec().
	Field(plugin.NewTemplateField("text").Description("The greeting, with {{ references }}.").
		Default("Hello {{ profile@traits.name }}")).
	Field(plugin.NewRefField("target").Description("Where the greeting goes.").
		Default("payload@greeting").Writable())

// Greet writes a rendered greeting to a reference.
type Greet struct {
	plugin.ActionRunner
	text   *dotpath.Template
	target dotpath.Ref
}

func (g *Greet) SetUp(_ context.Context, c plugin.Config) error {
	cfg, err := greetSpec.Parse(c)
	if err != nil {
		return err
	}
	g.text, g.target = cfg.Template("text"), cfg.Ref("target")
	return nil
}

func (g *Greet) Run(_ context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	s := g.Scope(payload)
	text, err := g.text.RenderStrict(s)
	if err != nil {
		return nil, err
	}
	if err := s.Set(g.target, text); err != nil {
		return nil, err
	}
	return plugin.Port("payload", payload), nil
}

func ExampleNewConfigSpec() {
	g := &Greet{}
	fmt.Println(g.SetUp(context.Background(), plugin.Config{"target": "flow@x"}))
	fmt.Println(greetSpec.Init())

	st := &plugin.State{Profile: plugin.Profile{"traits": map[string]any{"name": "Ann"}}}
	g.State, g.Console = st, st.NodeConsole("n1")
	if err := g.SetUp(context.Background(), plugin.Config{"text": "Hi {{ profile@traits.name }}!"}); err != nil {
		panic(err)
	}
	res, _ := g.Run(context.Background(), plugin.Payload{}, nil)
	fmt.Println(res[0].Value["greeting"])
	// Output:
	// target: flow@x: flow@ is read-only; write to payload, profile, session, event or memory
	// map[target:payload@greeting text:Hello {{ profile@traits.name }}]
	// Hi Ann!
}
