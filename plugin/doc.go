// Package plugin is Tracflow's public plugin SDK.
//
// A plugin is an action node of a workflow. Its life cycle is the one Tracardi
// plugin authors know:
//
//  1. the engine constructs the action without arguments (Plugin.New);
//  2. it calls SetUp once with the node's configuration (the node's "init"),
//     when the action implements SetUpper;
//  3. it calls Run for every payload that reaches the node's input port; Run
//     returns zero, one or several results, each on a named output port, or an
//     error;
//  4. it calls Close when the compiled flow is released, when the action
//     implements Closer.
//
// Unlike Tracardi, an action is set up once per compiled flow and reused for
// many flow runs (one run at a time per instance), so SetUp is the place for
// expensive work: parse and compile the configuration there, not in Run.
//
// An action embeds ActionRunner to see the state of the flow run it serves:
// the event, the profile, the session, the flow (with its response object), a
// console, the flow's memory and its own node.
//
//	type MyPlugin struct{ plugin.ActionRunner }
//
//	func (p *MyPlugin) Run(ctx context.Context, payload plugin.Payload, in *plugin.Edge) (plugin.Results, error) {
//		if p.Event.Type() == "my-event" {
//			return plugin.Port("MyEvent", payload), nil
//		}
//		return plugin.Port("NotMyEvent", plugin.Payload{}), nil
//	}
//
// A plugin declares its configuration once, with a ConfigSpec (see
// NewConfigSpec): each field's type, default, description, form component
// and validation. Put it in Spec.Config; the default config (Spec.Init), the
// editor's form (Spec.Form) and the reference docs come from it, and SetUp
// reads the node's config with its Parse, which reports every field's
// problem at once as FieldErrors.
//
// Everything a built-in uses is public: package dotpath reads and writes
// references (profile@traits.x), values, text and object templates against
// the run's scope (ActionRunner.Scope); package tql compiles conditions;
// package plugintest runs a plugin as the engine does.
//
// A register function describes the plugin (Spec, MetaData) and how to
// construct it; the installed list (package actions) names the register
// functions Tracflow installs. See docs/plugins.md for a step-by-step guide
// and docs/plugins/ for the reference of every installed plugin.
package plugin
