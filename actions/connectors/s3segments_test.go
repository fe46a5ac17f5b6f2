package connectors

import (
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

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/plugintest"
	"github.com/tracflow/tracflow/plugin/plugintest/standin"
)

// s3StandIn answers like S3 with path-style addresses: HEAD /<bucket>,
// GET and PUT /<bucket>/<key> with If-Match and If-None-Match. It checks
// that every call is signed (SigV4) with the expected access key and
// region, and that the signed payload hash is the body's.
type s3StandIn struct {
	*httptest.Server
	t       *testing.T
	key     string
	region  string
	bucket  string
	mu      sync.Mutex
	objects map[string][]byte
	calls   []string
	// beforePut runs before a PUT is judged (to simulate a concurrent writer).
	beforePut func()
}

func startS3(t *testing.T, accessKey, region, bucket string) *s3StandIn {
	t.Helper()
	s := &s3StandIn{t: t, key: accessKey, region: region, bucket: bucket, objects: map[string][]byte{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

func etag(b []byte) string { return fmt.Sprintf("%q", fmt.Sprintf("%x", md5.Sum(b))) }

func s3Err(w http.ResponseWriter, status int, code string) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>%s</Code><Message>%s</Message></Error>`, code, code)
}

func (s *s3StandIn) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	auth := r.Header.Get("Authorization")
	scope := "Credential=" + s.key + "/" + time.Now().UTC().Format("20060102") + "/" + s.region + "/s3/aws4_request"
	if !strings.HasPrefix(auth, "AWS4-HMAC-SHA256 ") || !strings.Contains(auth, scope) || !strings.Contains(auth, "x-amz-date") {
		s3Err(w, http.StatusForbidden, "InvalidAccessKeyId")
		return
	}
	if h := r.Header.Get("X-Amz-Content-Sha256"); h != "UNSIGNED-PAYLOAD" && !strings.HasPrefix(h, "STREAMING-") {
		sum := sha256.Sum256(body)
		if h != hex.EncodeToString(sum[:]) {
			s3Err(w, http.StatusBadRequest, "XAmzContentSHA256Mismatch")
			return
		}
	}
	path := strings.TrimPrefix(r.URL.Path, "/")
	bucket, key, _ := strings.Cut(path, "/")
	s.mu.Lock()
	s.calls = append(s.calls, r.Method+" /"+path)
	s.mu.Unlock()
	if bucket != s.bucket {
		s3Err(w, http.StatusNotFound, "NoSuchBucket")
		return
	}
	switch {
	case r.Method == "HEAD" && key == "":
		w.WriteHeader(http.StatusOK)
	case r.Method == "GET":
		s.mu.Lock()
		b, ok := s.objects[key]
		s.mu.Unlock()
		if !ok {
			s3Err(w, http.StatusNotFound, "NoSuchKey")
			return
		}
		w.Header().Set("ETag", etag(b))
		_, _ = w.Write(b)
	case r.Method == "PUT":
		if s.beforePut != nil {
			f := s.beforePut
			s.beforePut = nil
			f()
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		old, exists := s.objects[key]
		if (r.Header.Get("If-None-Match") == "*" && exists) || (r.Header.Get("If-Match") != "" && (!exists || r.Header.Get("If-Match") != etag(old))) {
			s3Err(w, http.StatusPreconditionFailed, "PreconditionFailed")
			return
		}
		s.objects[key] = body
		w.Header().Set("ETag", etag(body))
	default:
		s3Err(w, http.StatusMethodNotAllowed, "MethodNotAllowed")
	}
}

func (s *s3StandIn) object(key string) map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	var doc map[string]any
	_ = json.Unmarshal(s.objects[key], &doc)
	return doc
}

func TestS3SegmentsUpload(t *testing.T) {
	standin.AllowLoopback(t)
	const access, secret = "AKIASTANDIN000001", "s3-secret-key-8A7F"
	s3 := startS3(t, access, "eu-central-1", "segments")
	res := standin.Creds{
		"s3":    {"access_key": access, "secret": secret, "region": "eu-central-1", "bucket": "segments", "endpoint_url": s3.URL, "path_style": true},
		"other": {"access_key": "AKIAWRONG", "secret": secret, "region": "eu-central-1", "endpoint_url": s3.URL, "path_style": true},
	}
	day := time.Now().UTC().Format("2006-01-02") + "_segments.json"
	run := func(config plugin.Config, payload plugin.Payload) *plugintest.Outcome {
		return plugintest.Run(t, RegisterS3SegmentsUpload(), plugintest.Case{Config: config, Resources: res, Payload: payload})
	}
	src := func(id string) map[string]any { return map[string]any{"id": id, "name": id} }
	profile := func(uid string, segs ...any) plugin.Payload {
		if segs == nil {
			segs = []any{}
		}
		return plugin.Payload{"traits": map[string]any{"smi_uid": uid}, "segments": segs}
	}

	out := run(plugin.Config{"source": src("s3")}, profile("u1", "vip"))
	if out.Err != nil || len(out.Results) != 1 || out.Results[0].Port != "success" || out.Results[0].Value["key"] != day {
		t.Fatalf("first upload: %+v %v %+v", out.Results, out.Err, out.State.Logs)
	}
	out = run(plugin.Config{"source": src("s3"), "s3_bucket": "segments"}, profile("u2", "new", "vip"))
	if out.Err != nil || out.Results[0].Port != "success" {
		t.Fatalf("second upload: %+v %v", out.Results, out.Err)
	}
	// A concurrent writer changes the file between our read and write: the
	// write is refused (If-Match) and the plugin appends to the new file.
	s3.beforePut = func() {
		s3.mu.Lock()
		var doc map[string]any
		_ = json.Unmarshal(s3.objects[day], &doc)
		doc["profiles"] = append(doc["profiles"].([]any), map[string]any{"smi_uid": "elsewhere", "segments": []any{}})
		s3.objects[day], _ = json.Marshal(doc)
		s3.mu.Unlock()
	}
	out = run(plugin.Config{"source": src("s3")}, profile("u3"))
	if out.Err != nil || out.Results[0].Port != "success" {
		t.Fatalf("upload with a concurrent writer: %+v %v", out.Results, out.Err)
	}
	got, _ := json.Marshal(s3.object(day)["profiles"])
	want := `[{"segments":["vip"],"smi_uid":"u1"},{"segments":["new","vip"],"smi_uid":"u2"},{"segments":[],"smi_uid":"elsewhere"},{"segments":[],"smi_uid":"u3"}]`
	if string(got) != want {
		t.Errorf("the day's file holds %s, want %s", got, want)
	}

	for _, tc := range []struct {
		name    string
		config  plugin.Config
		payload plugin.Payload
		want    string
	}{
		{"Tracardi's test config", plugin.Config{"aws_access_key_id": "", "aws_secret_access_key": "", "s3_bucket": ""}, profile("u"), "no AWS S3 resource selected"},
		{"keys typed into the node", plugin.Config{"aws_access_key_id": "AKIA1", "aws_secret_access_key": "x", "s3_bucket": "b"}, profile("u"), "keys typed into the node are not used"},
		{"no smi_uid", plugin.Config{"source": src("s3")}, plugin.Payload{"traits": map[string]any{}}, "payload@traits.smi_uid"},
		{"no bucket", plugin.Config{"source": src("other")}, profile("u"), "no bucket"},
		{"a wrong access key", plugin.Config{"source": src("other"), "s3_bucket": "segments"}, profile("u"), "InvalidAccessKeyId"},
		{"a missing bucket", plugin.Config{"source": src("s3"), "s3_bucket": "nope"}, profile("u"), "NoSuchBucket"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := run(tc.config, tc.payload)
			if out.Err != nil || len(out.Results) != 1 || out.Results[0].Port != "error" {
				t.Fatalf("results %+v, err %v", out.Results, out.Err)
			}
			msg, _ := out.Results[0].Value["message"].(string)
			if !strings.Contains(msg, tc.want) {
				t.Errorf("message %q, want %q in it", msg, tc.want)
			}
			if strings.Contains(msg, secret) {
				t.Errorf("the message shows the secret: %s", msg)
			}
		})
	}
	if err := checkS3(t.Context(), res["s3"]); err != nil {
		t.Errorf("Test connection: %v", err)
	}
	if err := checkS3(t.Context(), res["other"]); err == nil {
		t.Error("Test connection passed without a bucket")
	}
}
