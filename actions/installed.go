// Package actions is the list of built-in plugins Tracflow installs: the Go
// form of Tracardi's installed_plugins. Each entry is a plugin's register
// function and a minimal valid config its tests set it up with.
//
// To add a plugin, write its package under actions/<group>/ and add one line
// here.
package actions

import (
	"github.com/tracflow/tracflow/actions/connectors"
	"github.com/tracflow/tracflow/actions/data"
	"github.com/tracflow/tracflow/actions/flow"
	"github.com/tracflow/tracflow/actions/flowcontrol"
	"github.com/tracflow/tracflow/actions/io"
	"github.com/tracflow/tracflow/actions/operations"
	"github.com/tracflow/tracflow/actions/reporting"
	"github.com/tracflow/tracflow/actions/stats"
	"github.com/tracflow/tracflow/examples/myplugin"
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

		// Connectors
		{Register: connectors.RegisterAPICall, Test: plugin.TestData{Init: connectors.APICallTestInit, Resource: map[string]any{"url": "http://localhost"}}},
		{Register: connectors.RegisterSMTPSend, Test: plugin.TestData{Init: connectors.SMTPTestInit(), Resource: map[string]any{"smtp": "a", "port": 1, "username": "u", "password": "p"}}},
		{Register: connectors.RegisterSlackPost, Test: plugin.TestData{Init: connectors.SlackTestInit, Resource: map[string]any{"token": "abc"}}},
		{Register: connectors.RegisterHTMLFetch, Test: plugin.TestData{Init: plugin.Config{"body": "", "cookies": map[string]any{}, "headers": map[string]any{}, "method": "get", "ssl_check": true, "timeout": 30, "url": "http://localhost"}}},
		{Register: connectors.RegisterDiscordPush, Test: plugin.TestData{Init: plugin.Config{"resource": map[string]any{"id": "id", "name": "name"}, "message": "message", "timeout": 10, "username": "test"}, Resource: map[string]any{"url": "http://webhook_url"}}},
		{Register: connectors.RegisterClickSendSMS, Test: plugin.TestData{Init: plugin.Config{"resource": map[string]any{"id": "1", "name": "1"}, "message": "text", "recipient": "a", "sender": "b"}, Resource: map[string]any{"api_key": "api_key", "username": "username"}}},
		{Register: connectors.RegisterGitHubListIssues, Test: plugin.TestData{Init: plugin.Config{"resource": map[string]any{"id": "", "name": ""}, "timeout": 10, "owner": "tracardi", "repo": "tracardi"}, Resource: map[string]any{"api_url": "https://api.github.com", "personal_access_token": "<your-PAT-here>"}}},
		{Register: connectors.RegisterGitHubGetIssue, Test: plugin.TestData{Init: plugin.Config{"resource": map[string]any{"id": "", "name": ""}, "timeout": 10, "owner": "tracardi", "repo": "tracardi", "issue_id": "1"}, Resource: map[string]any{"api_url": "https://api.github.com", "personal_access_token": "<your-PAT-here>"}}},
		{Register: connectors.RegisterOAuth2Token, Test: plugin.TestData{Init: plugin.Config{"destination": "payload@dest", "source": map[string]any{"id": "1", "name": "Some value"}}, Resource: map[string]any{"url": "http://url", "token": "abc"}}},
		{Register: connectors.RegisterWhois, Test: plugin.TestData{Init: plugin.Config{"domain": "some.com"}}},
		{Register: connectors.RegisterWeather, Test: plugin.TestData{Init: plugin.Config{"city": "London", "system": "C"}}},
		{Register: connectors.RegisterGoogleAnalytics, Test: plugin.TestData{Init: plugin.Config{"source": map[string]any{"id": "id", "name": "name"}, "category": "category", "action": "action", "label": "label", "value": "value"}, Resource: map[string]any{"google_analytics_id": "google_analytics_id"}}},
		{Register: connectors.RegisterGoogleAnalytics4, Test: plugin.TestData{Init: plugin.Config{"source": map[string]any{"id": "id", "name": "name"}, "name": "event_name", "params": "payload@id"}, Resource: map[string]any{"api_key": "api_key", "measurement_id": "measurement_id"}}},
		{Register: connectors.RegisterTweet, Test: plugin.TestData{Init: plugin.Config{"source": map[string]any{"id": "1", "name": "1"}, "tweet": "tweet"}, Resource: map[string]any{"api_key": "<api_key", "api_secret": "<api_secret>", "access_token": "<access_token>", "access_token_secret": "<access_token_secret>"}}},
		{Register: connectors.RegisterGhost, Test: plugin.TestData{Init: plugin.Config{"uuid": ""}, Resource: map[string]any{"api_url": "<api-url>", "api_key": "<api-key>"}}},
		{Register: connectors.RegisterPushover, Test: plugin.TestData{Init: plugin.Config{"source": map[string]any{"id": "", "name": ""}, "message": "test"}, Resource: map[string]any{"token": "<token>", "user": "<user>"}}},
		{Register: connectors.RegisterZapierWebhook, Test: plugin.TestData{Init: plugin.Config{"url": "http://test.com", "body": "{}", "timeout": 30}}},
		{Register: connectors.RegisterSendGridEmail, Test: plugin.TestData{Init: plugin.Config{"message": map[string]any{"content": map[string]any{"content": "", "type": "text/plain"}, "recipient": "test@rest.co", "subject": "subject"}, "sender_email": "test@rest.co", "source": map[string]any{"id": "1", "name": "1"}}, Resource: map[string]any{"token": "<token>"}}},
		{Register: connectors.RegisterSendGridContact, Test: plugin.TestData{Init: plugin.Config{"additional_mapping": map[string]any{}, "list_ids": "a,b", "email": "test@rest.co", "source": map[string]any{"id": "1", "name": "1"}}, Resource: map[string]any{"token": "<token>"}}},
		{Register: connectors.RegisterSendGridSuppress, Test: plugin.TestData{Init: plugin.Config{"email": "test@rest.co", "source": map[string]any{"id": "1", "name": "1"}}, Resource: map[string]any{"token": "<token>"}}},
		{Register: connectors.RegisterSms77SMS, Test: plugin.TestData{Init: plugin.Config{"resource": map[string]any{"id": "1", "name": "1"}, "message": "text", "recipient": "a", "sender": "b"}, Resource: map[string]any{"api_key": "api_key"}}},
		{Register: connectors.RegisterFullContactEnrich, Test: plugin.TestData{Init: plugin.Config{"source": map[string]any{"id": "1", "name": "2"}, "pii": map[string]any{}}, Resource: map[string]any{"token": "token"}}},
		{Register: connectors.RegisterAirtableSend, Test: plugin.TestData{Init: plugin.Config{"base_id": 1, "mapping": map[string]any{}, "source": map[string]any{"id": "1", "name": "Some value"}, "table_name": "None"}, Resource: map[string]any{"api_key": "<your-api-key>"}}},
		{Register: connectors.RegisterAirtableFetch, Test: plugin.TestData{Init: plugin.Config{"base_id": 1, "formula": "None", "source": map[string]any{"id": "1", "name": "Some value"}, "table_name": "None"}, Resource: map[string]any{"api_key": "<your-api-key>"}}},
		{Register: connectors.RegisterPostgreSQLQuery, Test: plugin.TestData{Init: plugin.Config{"query": "select 1", "source": map[string]any{"id": "1", "name": "Some value"}, "timeout": 20}, Resource: map[string]any{"host": "", "database": "database", "user": "user", "password": "password"}}},
		{Register: connectors.RegisterTelegramPost, Test: plugin.TestData{Init: plugin.Config{"resource": map[string]any{"id": "id", "name": "name"}, "message": "test"}, Resource: map[string]any{"bot_token": "bot_token", "chat_id": 100}}},

		// Error reporting
		{Register: reporting.RegisterThrow, Test: plugin.TestData{Init: plugin.Config{"message": "Flow stopped due to error."}}},
		{Register: reporting.RegisterLog, Test: plugin.TestData{Init: plugin.Config{"type": "info", "message": "Event {{ event@id }}"}}},

		// Examples: the plugin of the developer guide (docs/plugins.md)
		{Register: myplugin.Register},
	}
}
