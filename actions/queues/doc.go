// Package queues holds the built-in plugins that hand messages to outside
// queues and brokers: RabbitMQ, MQTT and Amazon SQS. Each takes its login
// from a resource of a declared type (the test set in debug runs), dials
// through the deny-list of package plugin/outbound, bounds the time of
// every call, and sends failures to its error port instead of stopping the
// flow.
package queues

const tracardi = "tracardi.process_engine.action.v1."
