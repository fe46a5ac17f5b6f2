package connectors

import "github.com/tracflow/tracflow/plugin"

// Tracardi's own test configurations of the connectors (setup_plugins.py),
// used by the installed list.
var (
	// APICallTestInit is the Remote API call's.
	APICallTestInit = plugin.Config{"body": map[string]any{"content": "{}", "type": "application/json"}, "cookies": map[string]any{},
		"endpoint": "/test", "headers": map[string]any{}, "method": "post", "source": map[string]any{"id": "1", "name": "Some value"},
		"ssl_check": true, "timeout": 30}
	// SlackTestInit is the Slack plugin's.
	SlackTestInit = plugin.Config{"channel": "xxx", "message": "xxx", "source": map[string]any{"id": "1", "name": "Some value"}}
	smtpTestInit  = plugin.Config{"mail": map[string]any{"message": map[string]any{"content": "ss", "type": "text/html"},
		"reply_to": "mail@mail.co", "send_from": "mail@mail.co", "send_to": "mail@mail.co", "title": "title"},
		"resource": map[string]any{"id": "", "name": ""}}
)

// SMTPTestInit is the SMTP plugin's.
func SMTPTestInit() plugin.Config {
	return plugin.Config{"mail": smtpTestInit["mail"], "resource": smtpTestInit["resource"]}
}
