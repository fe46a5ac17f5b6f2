package connectors

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/outbound"
)

var (
	s3Fields = plugin.NewConfigSpec().
			Field(plugin.NewStringField("access_key").Name("Access key id").Required().
				Description("The AWS access key id (AKIA...) of a user allowed s3:GetObject and s3:PutObject on the bucket.")).
			Field(plugin.NewStringField("secret").Name("Secret access key").Required().
				Description("The access key's secret.")).
			Field(plugin.NewStringField("bucket").Name("Bucket").Default("").
				Description("The bucket, when the node does not name one.")).
			Field(plugin.NewStringField("region").Name("Region").Default("us-east-1").
				Description("The bucket's region, e.g. eu-central-1.")).
			Field(plugin.NewStringField("endpoint_url").Name("Endpoint URL").Default("").
				Pattern(`^(https?://\S+)?$`, "expected an http(s) URL, or nothing for AWS").
				Description("An S3-compatible service's address (MinIO, a stand-in); empty for AWS.")).
			Field(plugin.NewBoolField("path_style").Name("Path-style addresses").Default(false).
				Description("Address buckets as <endpoint>/<bucket> instead of <bucket>.<endpoint>; most S3-compatible services need it."))
	// S3Type is an AWS S3 login (Tracardi's aws-s3 resource).
	S3Type = plugin.ResourceType{Type: "aws-s3", Name: "AWS S3", Tags: []string{"aws", "s3"},
		Description: "An AWS (or S3-compatible) access key and the bucket flows write to.", Fields: s3Fields}
)

func init() {
	S3Type.Check = checkS3
	plugin.RegisterResourceType(S3Type)
}

// s3HTTP is the SDK's HTTP client: it dials through the outbound deny-list.
var s3HTTP = &http.Client{Transport: &http.Transport{
	DialContext: outbound.DialContext, MaxIdleConnsPerHost: 10, IdleConnTimeout: 90 * time.Second,
	TLSHandshakeTimeout: 10 * time.Second,
}}

// s3Client makes an S3 client from a credential set. The SDK does not
// retry: a failure goes to the node's error port.
func s3Client(c *plugin.ParsedConfig) *s3.Client {
	return s3.New(s3.Options{
		Region:           c.String("region"),
		Credentials:      credentials.NewStaticCredentialsProvider(c.String("access_key"), c.String("secret"), ""),
		BaseEndpoint:     optional(c.String("endpoint_url")),
		UsePathStyle:     c.Bool("path_style"),
		HTTPClient:       s3HTTP,
		RetryMaxAttempts: 1,
	})
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// checkS3 is the resource's Test connection: the bucket answers HeadBucket.
func checkS3(ctx context.Context, creds map[string]any) error {
	c, err := S3Type.ParseCredentials(creds)
	if err != nil {
		return err
	}
	if c.String("bucket") == "" {
		return errors.New("the resource names no bucket to check")
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	_, err = s3Client(c).HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(c.String("bucket"))})
	if err != nil {
		return errors.New(s3Error(err, c))
	}
	return nil
}

// s3Error words an SDK error without a credential in it.
func s3Error(err error, c *plugin.ParsedConfig) string {
	var ae smithy.APIError
	msg := err.Error()
	if errors.As(err, &ae) {
		msg = "S3 refused the call: " + ae.ErrorCode()
		if m := ae.ErrorMessage(); m != "" {
			msg += ": " + m
		}
	} else if errors.Is(err, context.DeadlineExceeded) {
		msg = "S3 did not answer in time"
	}
	return outbound.Redact(msg, c.String("secret"), c.String("access_key"))
}

// maxSegmentsFile bounds the day's file the plugin reads back (64 MiB).
const maxSegmentsFile = 64 << 20

// S3SegmentsUpload appends the segments of a profile to the day's JSON file
// in an S3 bucket.
type S3SegmentsUpload struct {
	plugin.ActionRunner
	resource string
	bucket   string
	inline   bool // Tracardi's keys were given in the node's configuration
	timeout  time.Duration
	now      func() time.Time
}

var s3SegmentsSpec = plugin.NewConfigSpec().
	Group("S3 Upload Configuration", "The AWS S3 resource and the bucket").
	Field(plugin.NewResourceField("source", "s3").Name("AWS S3 resource").
		Description("The AWS S3 resource whose access key writes the file.")).
	Field(plugin.NewStringField("s3_bucket").Name("S3 Bucket").Default("").
		Description("The bucket to write to; empty for the resource's bucket.")).
	Field(plugin.NewStringField("aws_access_key_id").Name("AWS Access Key ID").Default("").Hidden().
		Description("Tracardi kept the key in the node; Tracflow reads it only from the resource, so that no credential is stored in a flow.")).
	Field(plugin.NewStringField("aws_secret_access_key").Name("AWS Secret Access Key").Default("").Hidden().
		Description("See AWS Access Key ID.")).
	Field(plugin.NewDurationField("timeout").Name("Timeout").Default(30).Min(0.001).Max(600).Hidden().
		Description("Seconds to wait for S3; not in Tracardi's form."))

// SetUp reads the configuration.
func (a *S3SegmentsUpload) SetUp(_ context.Context, config plugin.Config) error {
	c, err := s3SegmentsSpec.Parse(config)
	if err != nil {
		return err
	}
	a.resource, a.bucket = plugin.ResourceID(c.Object("source")), strings.TrimSpace(c.String("s3_bucket"))
	a.inline = c.String("aws_access_key_id") != "" || c.String("aws_secret_access_key") != ""
	a.timeout = c.Duration("timeout")
	if a.now == nil {
		a.now = time.Now
	}
	return nil
}

// day is the UTC day of the file: the day the event was collected, or
// today for an event without a collection time.
func (a *S3SegmentsUpload) day() time.Time {
	if a.State != nil {
		md, _ := a.Event["metadata"].(map[string]any)
		tm, _ := md["time"].(map[string]any)
		if s, ok := tm["insert"].(string); ok {
			if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
				return t.UTC()
			}
		}
	}
	return a.now().UTC()
}

// s3Locks serialises the read-modify-write of one file within this process;
// conditional writes (If-Match) guard it across processes.
var s3Locks sync.Map

// Run appends {smi_uid, segments} to <day>_segments.json.
func (a *S3SegmentsUpload) Run(ctx context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	if a.resource == "" {
		msg := "no AWS S3 resource selected: choose one in the node's configuration"
		if a.inline {
			msg += " (keys typed into the node are not used: keep them in a resource, where they are stored encrypted)"
		}
		return a.ErrorResult(msg, "error"), nil
	}
	traits, _ := payload["traits"].(map[string]any)
	uid, ok := traits["smi_uid"]
	if !ok {
		return a.ErrorResult("could not find payload@traits.smi_uid", "error"), nil
	}
	c, err := a.Credentials(ctx, a.resource, S3Type)
	if err != nil {
		return a.ErrorResult(err.Error(), "error"), nil
	}
	bucket := a.bucket
	if bucket == "" {
		bucket = c.String("bucket")
	}
	if bucket == "" {
		return a.ErrorResult("no bucket: set S3 Bucket in the node or in the resource", "error"), nil
	}
	key := a.day().Format("2006-01-02") + "_segments.json"
	entry := map[string]any{"smi_uid": uid, "segments": payload["segments"]}

	ctx, cancel := context.WithTimeout(ctx, a.timeout)
	defer cancel()
	mu, _ := s3Locks.LoadOrStore(bucket+"/"+key, &sync.Mutex{})
	mu.(*sync.Mutex).Lock()
	defer mu.(*sync.Mutex).Unlock()
	cl := s3Client(c)
	const attempts = 5
	for i := 0; i < attempts; i++ {
		doc, etag, err := readSegments(ctx, cl, bucket, key)
		if err != nil {
			return a.ErrorResult(s3Error(err, c), "error"), nil
		}
		doc["profiles"] = append(doc["profiles"].([]any), entry)
		body, _ := json.Marshal(doc)
		in := &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(body),
			ContentType: aws.String("application/json")}
		if etag == "" {
			in.IfNoneMatch = aws.String("*")
		} else {
			in.IfMatch = aws.String(etag)
		}
		_, err = cl.PutObject(ctx, in)
		var ae smithy.APIError
		if errors.As(err, &ae) && (ae.ErrorCode() == "PreconditionFailed" || ae.ErrorCode() == "ConditionalRequestConflict") {
			continue // another writer changed the file meanwhile: read it again
		}
		if err != nil {
			return a.ErrorResult(s3Error(err, c), "error"), nil
		}
		return plugin.Port("success", plugin.Payload{"message": "JSON data uploaded to S3.", "bucket": bucket, "key": key}), nil
	}
	return a.ErrorResult(fmt.Sprintf("s3://%s/%s kept changing under %d attempts to append to it", bucket, key, attempts), "error"), nil
}

// readSegments reads the day's file: {"profiles": [...]}, and its ETag;
// an empty document and no ETag when there is none yet.
func readSegments(ctx context.Context, cl *s3.Client, bucket, key string) (map[string]any, string, error) {
	out, err := cl.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	var ae smithy.APIError
	if errors.As(err, &ae) && (ae.ErrorCode() == "NoSuchKey" || ae.ErrorCode() == "NotFound") {
		return map[string]any{"profiles": []any{}}, "", nil
	}
	if err != nil {
		return nil, "", err
	}
	defer out.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(out.Body, maxSegmentsFile+1))
	if err != nil {
		return nil, "", err
	}
	if len(raw) > maxSegmentsFile {
		return nil, "", fmt.Errorf("s3://%s/%s is larger than %d bytes", bucket, key, maxSegmentsFile)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, "", fmt.Errorf("s3://%s/%s is not a JSON object: %w", bucket, key, err)
	}
	if _, ok := doc["profiles"].([]any); !ok {
		doc["profiles"] = []any{}
	}
	return doc, aws.ToString(out.ETag), nil
}

// RegisterS3SegmentsUpload describes the S3 Segments Uploader plugin.
func RegisterS3SegmentsUpload() plugin.Plugin {
	return plugin.Plugin{
		New: func() plugin.Action { return &S3SegmentsUpload{} },
		Spec: plugin.Spec{
			Module: "tracflow.connectors.aws.s3.upload_segments", Aliases: []string{tracardi + "connectors.aws.s3.upload_segments.plugin"},
			ClassName: "S3SegmentsUploaderPlugin",
			Inputs:    []string{"payload"}, Outputs: []string{"success", "error"},
			Config:  s3SegmentsSpec,
			License: "MIT", Version: "1.0.0", Author: "Tracflow",
		},
		MetaData: plugin.MetaData{
			Name: "S3 Segments Uploader Plugin", Desc: "Appends a profile's segments to the day's JSON file in an S3 bucket.",
			Type: "flowNode", Icon: "aws", Group: []string{"AWS"},
			Tags: []string{"aws", "s3", "segments", "connector"}, Purpose: []string{"collection", "segmentation"},
			Documentation: &plugin.Documentation{
				Tutorial: "Reads payload@traits.smi_uid and payload@segments and appends {smi_uid, segments} to the list " +
					"\"profiles\" of the file <YYYY-MM-DD>_segments.json in the bucket (the UTC day the event was collected), creating it on the day's " +
					"first run. Concurrent runs do not lose each other's entries: the file is written only if it did not " +
					"change since it was read (S3 conditional writes), and read again otherwise. Needs a resource of type " +
					"aws-s3 (its endpoint URL reaches MinIO or another S3-compatible service). Debug runs use the resource's " +
					"test credentials. Differences from Tracardi: the access key comes from the resource, never from the " +
					"node's configuration (Tracardi's aws_access_key_id and aws_secret_access_key are accepted so imported " +
					"flows set up, and not used); the file's day is the event's, not the run's (they differ only for replayed events); errors are {\"message\"} (Tracardi sent {\"error\"}).",
				Inputs: map[string]plugin.PortDoc{"payload": {Desc: "A profile-like object: {\"traits\": {\"smi_uid\": ...}, \"segments\": [...]}, e.g. profile@ copied into the payload."}},
				Outputs: map[string]plugin.PortDoc{
					"success": {Desc: "{\"message\", \"bucket\", \"key\"} once the file is written."},
					"error":   {Desc: "{\"message\"} when smi_uid is missing, no resource or bucket is set, or S3 refused the call."},
				},
			},
		},
	}
}
