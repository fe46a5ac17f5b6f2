package queues

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/plugintest"
)

const (
	sqsKeyID  = "AKIDTESTTRACFLOW"
	sqsSecret = "sqs-test-secret-key-0123456789"
)

// sqsStandIn answers SendMessage as SQS does (the JSON protocol), after
// checking the request's Signature V4 with the secret the test knows: a
// request signed with another secret gets SQS's 403 SignatureDoesNotMatch.
type sqsStandIn struct {
	*httptest.Server
	mu   sync.Mutex
	got  []map[string]any // the SendMessage bodies
	auth []string
}

func startSQS(t *testing.T) *sqsStandIn {
	s := &sqsStandIn{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		fail := func(status int, typ, msg string) {
			w.Header().Set("x-amzn-query-error", typ+";Sender")
			w.WriteHeader(status)
			_, _ = fmt.Fprintf(w, `{"__type": "com.amazonaws.sqs#%s", "message": %q}`, typ, msg)
		}
		if r.Method != "POST" || r.URL.Path != "/" || r.Header.Get("X-Amz-Target") != "AmazonSQS.SendMessage" {
			fail(400, "InvalidAction", "unexpected "+r.Method+" "+r.URL.Path+" "+r.Header.Get("X-Amz-Target"))
			return
		}
		if err := verifySigV4(r, body); err != nil {
			fail(403, "SignatureDoesNotMatch", err.Error())
			return
		}
		var in map[string]any
		if err := json.Unmarshal(body, &in); err != nil {
			fail(400, "InvalidParameterValue", err.Error())
			return
		}
		s.mu.Lock()
		s.got = append(s.got, in)
		s.auth = append(s.auth, r.Header.Get("Authorization"))
		s.mu.Unlock()
		if !strings.HasSuffix(in["QueueUrl"].(string), "/123456789012/signups") {
			fail(400, "QueueDoesNotExist", "The specified queue does not exist.")
			return
		}
		sum := md5.Sum([]byte(in["MessageBody"].(string)))
		_, _ = fmt.Fprintf(w, `{"MD5OfMessageBody": %q, "MessageId": "5fea7756-0ea4-451a-a703-a558b933e274"}`, hex.EncodeToString(sum[:]))
	}))
	t.Cleanup(s.Close)
	return s
}

// verifySigV4 signs a copy of the request (its signed headers only) with
// the known secret, at the time it says it was signed, and compares.
func verifySigV4(r *http.Request, body []byte) error {
	auth := r.Header.Get("Authorization")
	var cred, signed string
	for _, part := range strings.Split(strings.TrimPrefix(auth, "AWS4-HMAC-SHA256 "), ", ") {
		if v, ok := strings.CutPrefix(part, "Credential="); ok {
			cred = v
		}
		if v, ok := strings.CutPrefix(part, "SignedHeaders="); ok {
			signed = v
		}
	}
	scope := strings.Split(cred, "/")
	if !strings.HasPrefix(auth, "AWS4-HMAC-SHA256 ") || len(scope) != 5 || scope[0] != sqsKeyID || scope[3] != "sqs" {
		return fmt.Errorf("not a Signature V4 authorization for %s: %q", sqsKeyID, auth)
	}
	at, err := time.Parse("20060102T150405Z", r.Header.Get("X-Amz-Date"))
	if err != nil {
		return err
	}
	sum := sha256.Sum256(body)
	req, _ := http.NewRequest(r.Method, "http://"+r.Host+r.URL.RequestURI(), bytes.NewReader(body))
	req.Host = r.Host
	for _, h := range strings.Split(signed, ";") {
		if h == "host" || h == "content-length" {
			continue
		}
		req.Header[http.CanonicalHeaderKey(h)] = r.Header.Values(h)
	}
	req.ContentLength = int64(len(body))
	err = v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: sqsKeyID, SecretAccessKey: sqsSecret},
		req, hex.EncodeToString(sum[:]), "sqs", scope[2], at)
	if err != nil {
		return err
	}
	if req.Header.Get("Authorization") != auth {
		return fmt.Errorf("the request signature we calculated does not match the signature you provided")
	}
	return nil
}

func TestSQSSend(t *testing.T) {
	allowLoopback(t)
	srv := startSQS(t)
	resources := creds{
		"aws": {"aws_access_key_id": sqsKeyID, "aws_secret_access_key": sqsSecret, "endpoint_url": srv.URL},
		"bad": {"aws_access_key_id": sqsKeyID, "aws_secret_access_key": "wrong-aws-secret", "endpoint_url": srv.URL},
	}
	p := RegisterSQSSend()
	config := plugin.Config{"source": res("aws"), "queue_url": "https://sqs.eu-west-1.amazonaws.com/123456789012/signups", "region_name": "",
		"delay_seconds": 5, "message": map[string]any{"content": `{"profile": "{{ profile@id }}", "plan": "{{ payload@plan }}"}`, "type": "application/json"},
		"message_attributes": `{"source": "tracflow", "priority": 2, "vip": true}`}
	out := plugintest.Run(t, p, plugintest.Case{Config: config, Resources: resources, Payload: plugin.Payload{"plan": "gold"}, Profile: plugin.Profile{"id": "p-1"}})
	v := out.MustPort(t, "result")
	body := `{"profile": "p-1", "plan": "gold"}`
	sum := md5.Sum([]byte(body))
	if v["status"] != 200.0 || v["result"].(map[string]any)["MessageId"] != "5fea7756-0ea4-451a-a703-a558b933e274" ||
		v["result"].(map[string]any)["MD5OfMessageBody"] != hex.EncodeToString(sum[:]) {
		t.Fatalf("result %v", v)
	}
	srv.mu.Lock()
	got, auth := srv.got[0], srv.auth[0]
	srv.mu.Unlock()
	wantAttrs := map[string]any{
		"source":   map[string]any{"DataType": "String", "StringValue": "tracflow"},
		"priority": map[string]any{"DataType": "Number", "StringValue": "2"},
		"vip":      map[string]any{"DataType": "String", "StringValue": "true"},
	}
	if got["MessageBody"] != body || got["DelaySeconds"] != 5.0 || fmt.Sprint(got["MessageAttributes"]) != fmt.Sprint(wantAttrs) {
		t.Fatalf("SQS received %v", got)
	}
	// The region came from the queue URL.
	if !strings.Contains(auth, "/eu-west-1/sqs/aws4_request") {
		t.Fatalf("signed for %q", auth)
	}

	// A wrong secret: SQS's 403, without the secret anywhere.
	c := plugin.Config{}
	for k, x := range config {
		c[k] = x
	}
	c["source"] = res("bad")
	out = plugintest.Run(t, p, plugintest.Case{Config: c, Resources: resources, Payload: plugin.Payload{"plan": "a"}, Profile: plugin.Profile{"id": "p"}})
	v = out.MustPort(t, "error")
	if v["status"] != 403 || !strings.Contains(v["message"].(string), "SignatureDoesNotMatch") || strings.Contains(fmt.Sprint(v), "wrong-aws-secret") ||
		strings.Contains(out.LogText(), "wrong-aws-secret") || v["payload"].(plugin.Payload)["plan"] != "a" {
		t.Fatalf("wrong secret: %v", v)
	}
	// A queue that does not exist.
	c["source"], c["queue_url"], c["region_name"] = res("aws"), "https://sqs.eu-west-1.amazonaws.com/123456789012/nope", "eu-west-1"
	out = plugintest.Run(t, p, plugintest.Case{Config: c, Resources: resources, Payload: plugin.Payload{"plan": "a"}, Profile: plugin.Profile{"id": "p"}})
	if v := out.MustPort(t, "error"); v["status"] != 400 || !strings.Contains(v["message"].(string), "QueueDoesNotExist") {
		t.Fatalf("missing queue: %v", v)
	}
	// Tracardi's test config: no region and a queue URL that names none.
	out = plugintest.Run(t, p, plugintest.Case{Config: plugin.Config{"source": map[string]any{"id": "1", "name": "2"}, "message": map[string]any{"content": "sssssss", "type": "plain/text"},
		"region_name": "", "queue_url": "http://test", "message_attributes": ""}, Resources: creds{"1": resources["aws"]}})
	if v := out.MustPort(t, "error"); !strings.Contains(v["message"].(string), "no region") {
		t.Fatalf("no region: %v", v)
	}
}

func TestSQSConfig(t *testing.T) {
	p := RegisterSQSSend()
	base := func(k string, v any) plugin.Config {
		c := plugin.Config{"queue_url": "https://sqs.eu-west-1.amazonaws.com/1/q", "message": map[string]any{"content": "hello"}}
		if strings.HasPrefix(k, "message.") {
			c["message"].(map[string]any)[strings.TrimPrefix(k, "message.")] = v
		} else {
			c[k] = v
		}
		return c
	}
	plugintest.SetUpFails(t, p, base("message_attributes", `{"a": {"b": 1}}`), "message_attributes")
	plugintest.SetUpFails(t, p, base("message_attributes", `[1]`), "message_attributes")
	plugintest.SetUpFails(t, p, base("message.content", "x"), "message.content")
	plugintest.SetUpFails(t, p, base("delay_seconds", 901), "delay_seconds")
	for u, want := range map[string]string{
		"https://sqs.us-east-2.amazonaws.com/1/q":        "us-east-2",
		"https://sqs.cn-north-1.amazonaws.com.cn/1/q":    "cn-north-1",
		"https://eu-central-1.queue.amazonaws.com/1/q":   "eu-central-1",
		"https://sqs-fips.us-east-1.amazonaws.com/1/q":   "",
		"http://localhost:4566/000000000000/local-queue": "",
	} {
		a := &SQSSend{queueURL: u}
		got, err := a.regionOf()
		if got != want || (want == "" && err == nil) {
			t.Errorf("%s: region %q, %v", u, got, err)
		}
	}
}
