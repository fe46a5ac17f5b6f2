package queues

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
	"github.com/tracflow/tracflow/plugin/outbound"
)

// sqsTimeout bounds one SendMessage call.
const sqsTimeout = 20 * time.Second

var (
	awsFields = plugin.NewConfigSpec().
			Field(plugin.NewStringField("aws_access_key_id").Name("Access key id").Required().
				Description("The IAM user's access key id, AKIA...; give the user only sqs:SendMessage on the queues flows use.")).
			Field(plugin.NewStringField("aws_secret_access_key").Name("Secret access key").Required().
				Description("The access key's secret.")).
			Field(plugin.NewStringField("endpoint_url").Name("Endpoint URL").Default("").
				Description("The SQS endpoint; empty for AWS's own in the queue's region. Set it only for an SQS-compatible service or a stand-in."))
	// AWSType is an AWS IAM access key.
	AWSType = plugin.ResourceType{Type: "aws", Name: "AWS access key", Tags: []string{"aws", "queue"},
		Description: "An AWS IAM access key (id and secret) flows call AWS services with.", Fields: awsFields}
)

func init() { plugin.RegisterResourceType(AWSType) }

// sqsHTTP is the SDK's HTTP client, dialing through the deny-list.
var sqsHTTP = awshttp.NewBuildableClient().WithTimeout(sqsTimeout).WithTransportOptions(func(tr *http.Transport) {
	tr.DialContext = outbound.DialContext
	tr.Proxy = nil
})

var sqsSpec = plugin.NewConfigSpec().
	Group("AWS resource", "").
	Field(plugin.NewResourceField("source", "aws").Name("AWS resource").Description("The aws resource: the access key the message is sent with.")).
	Group("Queue", "").
	Field(plugin.NewStringField("queue_url").Name("Queue URL").Required().
		Description("The queue's URL, e.g. https://sqs.eu-west-1.amazonaws.com/123456789012/signups.")).
	Field(plugin.NewStringField("region_name").Name("Region").Default("").
		Description("The queue's AWS region, e.g. eu-west-1; empty to read it from the queue URL.")).
	Field(plugin.NewIntField("delay_seconds").Name("Delay").Default(0).Min(0).Max(900).
		Description("Seconds before the message can be received (0 to 900).")).
	Group("Message", "").
	Field(plugin.NewTemplateField("message.content").Name("Message body").Required().Component("textarea", map[string]any{"label": "Message"}).
		Check(func(v any) error {
			if t, ok := v.(*dotpath.Template); ok && len(t.String()) < 2 {
				return errors.New("the message must be at least two characters long")
			}
			return nil
		}).
		Description("The message: text, usually JSON, where {{ references }} such as {{ profile@id }} are filled in.")).
	Field(plugin.NewStringField("message.type").Name("Message type").Default("application/json").
		Description("What the body is, e.g. application/json or text/plain; for the people who read the flow.")).
	Field(plugin.NewStringField("message_attributes").Name("Message attributes").Default("").Component("json", map[string]any{"label": "Attributes"}).
		Description("A JSON object of attribute names and values (text, numbers, booleans) sent with the message, e.g. {\"source\": \"tracflow\", \"priority\": 2}; empty for none."))

// SQSSend sends a message to an Amazon SQS queue.
type SQSSend struct {
	plugin.ActionRunner
	resource, queueURL, region string
	delay                      int32
	body                       *dotpath.Template
	attrs                      map[string]types.MessageAttributeValue
}

var queueRegion = regexp.MustCompile(`^sqs[.-]([a-z0-9-]+)\.amazonaws\.com(\.cn)?$|^([a-z0-9-]+)\.queue\.amazonaws\.com$`)

// SetUp reads the config and checks the attributes.
func (a *SQSSend) SetUp(_ context.Context, config plugin.Config) error {
	c, err := sqsSpec.Parse(config)
	if err != nil {
		return err
	}
	a.resource, a.queueURL, a.region = plugin.ResourceID(c.Object("source")), strings.TrimSpace(c.String("queue_url")), strings.TrimSpace(c.String("region_name"))
	a.delay, a.body = int32(c.Int("delay_seconds")), c.Template("message.content")
	if a.attrs, err = sqsAttributes(c.String("message_attributes")); err != nil {
		return plugin.FieldErr("message_attributes", "%v", err)
	}
	return nil
}

// sqsAttributes reads the attributes' JSON: text and booleans are String
// attributes, numbers Number ones.
func sqsAttributes(src string) (map[string]types.MessageAttributeValue, error) {
	if strings.TrimSpace(src) == "" {
		return nil, nil
	}
	d := json.NewDecoder(strings.NewReader(src))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		return nil, fmt.Errorf("expected a JSON object of names and values: %w", err)
	}
	out := make(map[string]types.MessageAttributeValue, len(m))
	for k, v := range m {
		switch x := v.(type) {
		case string:
			out[k] = types.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(x)}
		case bool:
			out[k] = types.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(fmt.Sprint(x))}
		case json.Number:
			out[k] = types.MessageAttributeValue{DataType: aws.String("Number"), StringValue: aws.String(x.String())}
		default:
			return nil, fmt.Errorf("attribute %q: values must be text, numbers or booleans, not %s", k, dotpath.TypeName(v))
		}
	}
	return out, nil
}

// regionOf returns the configured region, or the one in the queue URL.
func (a *SQSSend) regionOf() (string, error) {
	if a.region != "" {
		return a.region, nil
	}
	u, err := url.Parse(a.queueURL)
	if err == nil {
		if m := queueRegion.FindStringSubmatch(u.Hostname()); m != nil {
			if m[1] != "" {
				return m[1], nil
			}
			return m[3], nil
		}
	}
	return "", errors.New("no region: type the queue's region (e.g. eu-west-1), or use the queue's AWS URL")
}

// Run sends the message.
func (a *SQSSend) Run(ctx context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	creds, err := a.Credentials(ctx, a.resource, AWSType)
	if err != nil {
		return a.fail(payload, err)
	}
	secret := creds.String("aws_secret_access_key")
	region, err := a.regionOf()
	if err != nil {
		return a.fail(payload, err)
	}
	if u, err := url.Parse(a.queueURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return a.fail(payload, fmt.Errorf("queue URL %q is not a URL such as https://sqs.eu-west-1.amazonaws.com/123456789012/signups", a.queueURL))
	}
	body, err := a.body.RenderStrict(a.Scope(payload))
	if err != nil {
		return a.fail(payload, fmt.Errorf("message: %w", err))
	}
	client := sqs.New(sqs.Options{
		Region:           region,
		Credentials:      credentials.NewStaticCredentialsProvider(creds.String("aws_access_key_id"), secret, ""),
		HTTPClient:       sqsHTTP,
		RetryMaxAttempts: 1, // a failure goes to the error port; the flow decides
	}, func(o *sqs.Options) {
		if ep := strings.TrimSpace(creds.String("endpoint_url")); ep != "" {
			o.BaseEndpoint = aws.String(ep)
		}
	})
	ctx, cancel := context.WithTimeout(ctx, sqsTimeout)
	defer cancel()
	in := &sqs.SendMessageInput{QueueUrl: aws.String(a.queueURL), MessageBody: aws.String(body), DelaySeconds: a.delay, MessageAttributes: a.attrs}
	out, err := client.SendMessage(ctx, in)
	if err != nil {
		return a.fail(payload, err, secret)
	}
	status := 200
	if raw, ok := awsmiddleware.GetRawResponse(out.ResultMetadata).(*smithyhttp.Response); ok {
		status = raw.StatusCode
	}
	result := map[string]any{"MessageId": aws.ToString(out.MessageId), "MD5OfMessageBody": aws.ToString(out.MD5OfMessageBody)}
	if out.MD5OfMessageAttributes != nil {
		result["MD5OfMessageAttributes"] = *out.MD5OfMessageAttributes
	}
	if out.SequenceNumber != nil {
		result["SequenceNumber"] = *out.SequenceNumber
	}
	return plugin.Port("result", plugin.Payload{"status": float64(status), "result": result}), nil
}

func (a *SQSSend) fail(payload plugin.Payload, err error, secrets ...string) (plugin.Results, error) {
	p := outbound.ErrorPayload(err, secrets...)
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		p["status"] = re.HTTPStatusCode()
	}
	p["payload"], p["error"] = payload, p["message"]
	a.Console.Error("%s", p["message"])
	return plugin.Port("error", p), nil
}

// RegisterSQSSend describes the Simple queue SQS plugin.
func RegisterSQSSend() plugin.Plugin {
	return plugin.Plugin{
		New: func() plugin.Action { return &SQSSend{} },
		Spec: plugin.Spec{
			Module: "tracflow.queues.aws.sqs", Aliases: []string{tracardi + "connectors.aws.sqs.plugin"},
			ClassName: "AwsSqsAction", Inputs: []string{"payload"}, Outputs: []string{"result", "error"},
			Config: sqsSpec, License: "MIT", Version: "1.0.0", Author: "Tracflow",
		},
		MetaData: plugin.MetaData{
			Name: "Simple queue SQS", Desc: "Sends a message to an Amazon SQS queue.",
			Type: "flowNode", Icon: "aws", Group: []string{"Amazon Web Services (AWS)"},
			Tags: []string{"aws", "queue", "sqs", "connector"}, Purpose: []string{"collection"},
			Documentation: &plugin.Documentation{
				Tutorial: "Needs a resource of type aws (an IAM access key). The message is sent with the AWS SDK " +
					"(SendMessage, signed with Signature V4) to the queue URL, in the configured region or the one " +
					"the URL names; one attempt, within 20 s. Differences from Tracardi: the message body is a " +
					"template, so {{ profile@id }} and the like are filled in (text without braces is sent as it is), " +
					"the region may be left empty for AWS queue URLs, and bad attributes are refused when the flow loads.",
				Inputs: map[string]plugin.PortDoc{"payload": {Desc: "Any object; the message template may read it."}},
				Outputs: map[string]plugin.PortDoc{
					"result": {Desc: "{\"status\": the HTTP status, \"result\": {\"MessageId\", \"MD5OfMessageBody\", ...}}."},
					"error":  {Desc: "{\"message\", \"status\", \"payload\": the input payload, \"error\": the message}: a refused key, a missing queue, a timeout."},
				},
			},
		},
	}
}
