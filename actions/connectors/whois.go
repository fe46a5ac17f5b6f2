package connectors

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"time"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
	"github.com/tracflow/tracflow/plugin/outbound"
)

// maxWhoisAnswer bounds what is read of a whois server's answer.
const maxWhoisAnswer = 256 << 10

// Whois looks a domain up in the whois service (RFC 3912, TCP port 43).
type Whois struct {
	plugin.ActionRunner
	domain  dotpath.Value
	server  string
	timeout time.Duration
}

var whoisSpec = plugin.NewConfigSpec().
	Group("Whois domain configuration", "").
	Field(plugin.NewValueField("domain").Name("Domain").Required().BareSource("payload").
		Component("dotPath", map[string]any{"label": "Domain", "defaultSourceValue": "payload"}).
		Description("The domain to look up, e.g. example.com, or a reference to it.")).
	Field(plugin.NewStringField("server").Name("Whois server").Default("whois.iana.org:43").Hidden().
		Description("The whois server asked first (host:port); it refers to the server of the domain's top-level domain.")).
	Field(plugin.NewDurationField("timeout").Name("Timeout").Default(10).Min(0.001).Max(120).Hidden().
		Description("Seconds to wait for each whois server."))

// SetUp reads the config.
func (a *Whois) SetUp(_ context.Context, config plugin.Config) error {
	c, err := whoisSpec.Parse(config)
	if err != nil {
		return err
	}
	a.domain, a.server, a.timeout = c.Value("domain"), c.String("server"), c.Duration("timeout")
	return nil
}

// whoisQuery asks server about query and returns its answer.
func whoisQuery(ctx context.Context, server, query string, timeout time.Duration) (string, error) {
	if _, _, err := net.SplitHostPort(server); err != nil {
		server = net.JoinHostPort(server, "43")
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	conn, err := outbound.Dialer(timeout).DialContext(ctx, "tcp", server)
	if err != nil {
		return "", fmt.Errorf("whois %s: %w", server, err)
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	if _, err := io.WriteString(conn, query+"\r\n"); err != nil {
		return "", fmt.Errorf("whois %s: %w", server, err)
	}
	b, err := io.ReadAll(io.LimitReader(conn, maxWhoisAnswer+1))
	if err != nil {
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return "", fmt.Errorf("whois %s: no answer within %s", server, timeout)
		}
		return "", fmt.Errorf("whois %s: %w", server, err)
	}
	if len(b) > maxWhoisAnswer {
		return "", fmt.Errorf("whois %s: the answer is larger than %d bytes", server, maxWhoisAnswer)
	}
	return string(b), nil
}

// whoisFields maps the labels whois servers use to the result's keys.
var whoisFields = map[string]string{
	"domain name": "domain_name", "domain": "domain_name",
	"registrar": "registrar", "sponsoring registrar": "registrar",
	"registrar whois server": "whois_server", "whois server": "whois_server", "whois": "whois_server",
	"registrar url": "referral_url", "referral url": "referral_url",
	"updated date": "updated_date", "last updated": "updated_date", "changed": "updated_date",
	"creation date": "creation_date", "created": "creation_date", "registered on": "creation_date",
	"registry expiry date": "expiration_date", "registrar registration expiration date": "expiration_date",
	"expiration date": "expiration_date", "expires": "expiration_date", "expiry date": "expiration_date",
	"name server": "name_servers", "nserver": "name_servers",
	"domain status": "status", "status": "status",
	"registrant email": "emails", "registrar abuse contact email": "emails", "admin email": "emails", "tech email": "emails",
	"registrant name": "name", "registrant organization": "org", "registrant organisation": "org",
	"registrant street": "address", "registrant city": "city", "registrant state/province": "state",
	"registrant postal code": "registrant_postal_code", "registrant country": "country",
	"dnssec": "dnssec", "refer": "refer",
}

// parseWhois reads "Label: value" lines; labels seen more than once give
// lists.
func parseWhois(text string) map[string]any {
	out := map[string]any{}
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(make([]byte, 64<<10), maxWhoisAnswer)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "%") || strings.HasPrefix(line, "#") || strings.HasPrefix(line, ">>>") {
			continue
		}
		label, value, ok := strings.Cut(line, ":")
		value = strings.TrimSpace(value)
		if !ok || value == "" {
			continue
		}
		key, known := whoisFields[strings.ToLower(strings.TrimSpace(label))]
		if !known {
			continue
		}
		if key == "name_servers" || key == "domain_name" {
			value = strings.ToLower(value)
		}
		switch old := out[key].(type) {
		case nil:
			out[key] = value
		case string:
			if old != value {
				out[key] = []any{old, value}
			}
		case []any:
			dup := false
			for _, x := range old {
				dup = dup || x == value
			}
			if !dup {
				out[key] = append(old, value)
			}
		}
	}
	return out
}

// Run looks the domain up: the first server refers to the top-level
// domain's server, which may refer to the registrar's.
func (a *Whois) Run(ctx context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	v, err := a.domain.Resolve(a.Scope(payload))
	domain := strings.ToLower(strings.TrimSpace(dotpath.Stringify(v)))
	if err == nil && domain == "" {
		err = fmt.Errorf("%s is empty", a.domain)
	}
	if err != nil {
		return errorPort(&a.ActionRunner, fmt.Errorf("domain: %w", err))
	}
	server := a.server
	result := map[string]any{}
	for hop := 0; hop < 3 && server != ""; hop++ {
		text, err := whoisQuery(ctx, server, domain, a.timeout)
		if err != nil {
			if hop > 0 && len(result) > 0 {
				a.Console.Warning("%v; answering what %s said", err, a.server)
				break
			}
			return errorPort(&a.ActionRunner, err)
		}
		fields := parseWhois(text)
		next, _ := fields["refer"].(string)
		if next == "" {
			next, _ = fields["whois_server"].(string)
		}
		delete(fields, "refer")
		for k, x := range fields {
			result[k] = x
		}
		if next == "" || strings.EqualFold(next, server) || strings.EqualFold(net.JoinHostPort(next, "43"), server) {
			break
		}
		server = next
	}
	result["exists"] = result["domain_name"] != nil
	return plugin.Port("result", result), nil
}

// RegisterWhois describes the Whois plugin.
func RegisterWhois() plugin.Plugin {
	return plugin.Plugin{
		New: func() plugin.Action { return &Whois{} },
		Spec: plugin.Spec{
			Module: "tracflow.connectors.whois", Aliases: []string{tracardi + "connectors.whois.plugin"},
			ClassName: "WhoisAction", Inputs: []string{"payload"}, Outputs: []string{"result", "error"},
			Config: whoisSpec, License: "MIT", Version: "1.0.0", Author: "Tracflow",
		},
		MetaData: plugin.MetaData{
			Name: "Whois", Desc: "Looks a domain up in the whois service.",
			Type: "flowNode", Icon: "globe", Group: []string{"Connectors"},
			Tags: []string{"whois", "domain", "connector"}, Purpose: []string{"collection"},
			Documentation: &plugin.Documentation{
				Tutorial: "Asks whois.iana.org, which refers to the top-level domain's whois server, which may refer to " +
					"the registrar's (three servers at most, 10 seconds each, 256 KiB per answer). The result has the " +
					"fields found: domain_name, registrar, whois_server, creation_date, expiration_date, updated_date, " +
					"name_servers, status, emails, org, country, ..., and exists (whether a domain name was found). " +
					"Differences from Tracardi: dates are kept as the server wrote them (Tracardi parsed them).",
				Inputs: map[string]plugin.PortDoc{"payload": {Desc: "Any object; the domain can be read from it."}},
				Outputs: map[string]plugin.PortDoc{
					"result": {Desc: "The whois record: {\"domain_name\", \"registrar\", ..., \"exists\": true or false}."},
					"error":  {Desc: "{\"message\", \"status\", \"body\"} when no whois server answered."},
				},
			},
		},
	}
}
