// Package actions is the list of built-in plugins Tracflow installs: the Go
// form of Tracardi's installed_plugins. Each entry is a plugin's register
// function and a minimal valid config its tests set it up with.
//
// To add a plugin, write its package under actions/<group>/ and add one line
// here.
package actions

import (
	"github.com/tracflow/tracflow/actions/data"
	"github.com/tracflow/tracflow/actions/flow"
	"github.com/tracflow/tracflow/actions/flowcontrol"
	"github.com/tracflow/tracflow/actions/io"
	"github.com/tracflow/tracflow/actions/operations"
	"github.com/tracflow/tracflow/actions/reporting"
	"github.com/tracflow/tracflow/actions/stats"
	"github.com/tracflow/tracflow/plugin"
)

//go:generate go run ../internal/cmd/plugindocs -out ../docs/plugins

// Installed returns the built-in plugins, in palette order.
func Installed() []plugin.Installed {
	return []plugin.Installed{
		// Flow
		{Register: flow.RegisterStart, Test: plugin.TestData{Init: plugin.Config{"event_types": []any{}}}},
		{Register: flow.RegisterEnd},

		// Flow control
		{Register: flowcontrol.RegisterIf, Test: plugin.TestData{Init: plugin.Config{"condition": `event@type == "purchase"`}}},
		{Register: flowcontrol.RegisterDataExists, Test: plugin.TestData{Init: plugin.Config{"property": "profile@data.contact.email.main"}}},

		// Input/Output
		{Register: io.RegisterInject, Test: plugin.TestData{Init: plugin.Config{"value": `{"a": 1}`, "destination": "payload"}}},
		{Register: io.RegisterReshapePayload, Test: plugin.TestData{Init: plugin.Config{"value": `{"type": "event@type"}`, "default": true}}},

		// Data processing
		{Register: data.RegisterCopy, Test: plugin.TestData{Init: plugin.Config{"traits": map[string]any{"set": map[string]any{"profile@traits.city": "event@properties.city"}}}}},
		// Tracardi's own test config: bare keys are profile paths.
		{Register: data.RegisterAppendRemove, Test: plugin.TestData{Init: plugin.Config{
			"append": map[string]any{"target1": "source1", "target2": "source2"},
			"remove": map[string]any{"target1": "source1", "target2": "source2"},
		}}},
		{Register: data.RegisterDelete, Test: plugin.TestData{Init: plugin.Config{"delete": []any{"profile@traits.temporary"}}}},
		{Register: data.RegisterCutOut, Test: plugin.TestData{Init: plugin.Config{"trait": "event@properties", "key": ""}}},
		{Register: data.RegisterTemplate, Test: plugin.TestData{Init: plugin.Config{"template": "Hello {{ profile@data.pii.firstname }}"}}},
		{Register: data.RegisterResponse, Test: plugin.TestData{Init: plugin.Config{"key": "greeting", "body": `{"text": "hello"}`, "default": true}}},

		// Stats
		{Register: stats.RegisterIncrement, Test: plugin.TestData{Init: plugin.Config{"field": "profile@stats.counters.visits", "increment": 1}}},
		{Register: stats.RegisterDecrement, Test: plugin.TestData{Init: plugin.Config{"field": "profile@stats.counters.credits", "decrement": 1}}},

		// Operations
		{Register: operations.RegisterJoin, Test: plugin.TestData{Init: plugin.Config{"reshape": "{}", "default": true, "type": "dict"}}},
		{Register: operations.RegisterUpdateProfile},
		{Register: operations.RegisterDiscardProfileUpdate},

		// Error reporting
		{Register: reporting.RegisterThrow, Test: plugin.TestData{Init: plugin.Config{"message": "Flow stopped due to error."}}},
		{Register: reporting.RegisterLog, Test: plugin.TestData{Init: plugin.Config{"type": "info", "message": "Event {{ event@id }}"}}},
	}
}
