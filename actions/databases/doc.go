// Package databases holds the built-in plugins that query outside
// databases: MySQL/MariaDB, MongoDB and InfluxDB. Each takes its login from
// a resource of a declared type (the test set in debug runs), dials through
// the deny-list of package plugin/outbound, bounds the time and the rows of
// every query, and sends failures to its error port instead of stopping
// the flow.
package databases

const tracardi = "tracardi.process_engine.action.v1."
