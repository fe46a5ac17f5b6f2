// Package connectors holds the built-in plugins that reach outside
// services: remote APIs, Slack, e-mail over SMTP. Each takes its
// credentials from a resource of a declared type (see types.go), chosen per
// run (the test set in debug runs), calls through the shared client of
// package plugin/outbound (timeouts, bounded answers, the deny-list of
// private addresses) and sends failures to its error port as
// {"message", "status", "body"} instead of stopping the flow.
package connectors

const tracardi = "tracardi.process_engine.action.v1."
