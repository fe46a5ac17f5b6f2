package queues

import (
	"testing"

	"github.com/tracflow/tracflow/actions/flow"
	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/plugintest"
)

// TestGolden runs start → Simple queue SQS, with a good and a revoked key,
// through the engine against the SQS stand-in (go test -run TestGolden
// -update rewrites want.json). RabbitMQ and MQTT need their servers: their
// tests are rabbitmq_test.go and mqtt_test.go.
func TestGolden(t *testing.T) {
	allowLoopback(t)
	srv := startSQS(t)
	resources := creds{
		"aws":         {"aws_access_key_id": sqsKeyID, "aws_secret_access_key": sqsSecret, "endpoint_url": srv.URL},
		"aws-revoked": {"aws_access_key_id": sqsKeyID, "aws_secret_access_key": "revoked-secret", "endpoint_url": srv.URL},
	}
	list := []plugin.Installed{{Register: flow.RegisterStart}, {Register: RegisterSQSSend}}
	plugintest.Golden(t, "testdata", list, plugintest.GoldenOptions{Resources: resources})
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if len(srv.got) != 1 || srv.got[0]["MessageBody"] != `{"profile": "p-1", "email": "ann@example.com"}` {
		t.Errorf("SQS received %v", srv.got)
	}
}
