package connectors

import (
	"testing"

	"github.com/tracflow/tracflow/actions/data"
	"github.com/tracflow/tracflow/actions/flow"
	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/plugintest"
	"github.com/tracflow/tracflow/plugin/plugintest/standin"
)

// TestGoldenMore runs start → Query Elasticsearch, Microservice and S3
// Segments Uploader → responses through the engine against local
// stand-ins (testdata-more).
func TestGoldenMore(t *testing.T) {
	standin.AllowLoopback(t)
	es := startES(t, "elastic", "es-pass")
	svc := echoService(t, "svc-token")
	s3 := startS3(t, "AKIAGOLDEN", "us-east-1", "segments")
	resources := standin.Creds{
		"es":  {"url": es.URL, "username": "elastic", "password": "es-pass"},
		"svc": {"url": svc, "token": "svc-token"},
		"s3":  {"access_key": "AKIAGOLDEN", "secret": "s3-golden-secret", "bucket": "segments", "endpoint_url": s3.URL, "path_style": true},
	}
	list := []plugin.Installed{
		{Register: flow.RegisterStart}, {Register: data.RegisterResponse},
		{Register: RegisterElasticQuery}, {Register: RegisterMicroservice}, {Register: RegisterS3SegmentsUpload},
	}
	plugintest.Golden(t, "testdata-more", list, plugintest.GoldenOptions{Resources: resources,
		Vars: map[string]string{"ES": es.URL, "SVC": svc, "S3": s3.URL}})
	es.mu.Lock()
	defer es.mu.Unlock()
	if got := es.searches; len(got) != 1 || got[0] != `/crm/_search {"query":{"term":{"email":"ann@example.org"}},"size":20}` {
		t.Errorf("Elasticsearch received %q", got)
	}
}
