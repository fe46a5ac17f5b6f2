package databases

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/plugintest"
)

const influxToken = "influx-secret-token"

// influxCSV is what InfluxDB 2 answers to a Flux query: annotated CSV, one
// block per table.
const influxCSV = "#datatype,string,long,dateTime:RFC3339,dateTime:RFC3339,dateTime:RFC3339,double,string,string,string\r\n" +
	"#group,false,false,true,true,false,false,true,true,true\r\n" +
	"#default,_result,,,,,,,,\r\n" +
	",result,table,_start,_stop,_time,_value,_field,_measurement,shop\r\n" +
	",,0,2024-03-01T00:00:00Z,2024-03-02T00:00:00Z,2024-03-01T10:00:00Z,120.5,amount,purchases,berlin\r\n" +
	",,0,2024-03-01T00:00:00Z,2024-03-02T00:00:00Z,2024-03-01T11:00:00Z,9,amount,purchases,berlin\r\n" +
	"\r\n" +
	"#datatype,string,long,dateTime:RFC3339,dateTime:RFC3339,dateTime:RFC3339,boolean,string,string,string\r\n" +
	"#group,false,false,true,true,false,false,true,true,true\r\n" +
	"#default,_result,,,,,,,,\r\n" +
	",result,table,_start,_stop,_time,_value,_field,_measurement,shop\r\n" +
	",,1,2024-03-01T00:00:00Z,2024-03-02T00:00:00Z,2024-03-01T10:00:00Z,true,vip,purchases,berlin\r\n\r\n"

// influxStandIn answers like InfluxDB 2's write and query endpoints and
// records what it got; it refuses any other token with 401.
type influxStandIn struct {
	*httptest.Server
	mu   sync.Mutex
	got  []string // method path?query auth body
	csv  string
	fail int
}

func startInflux(t *testing.T) *influxStandIn {
	s := &influxStandIn{csv: influxCSV}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.got = append(s.got, r.Method+" "+r.URL.Path+"?"+r.URL.RawQuery+" "+r.Header.Get("Authorization")+" "+r.Header.Get("Content-Type")+"\n"+string(b))
		fail, csv := s.fail, s.csv
		s.mu.Unlock()
		if r.Header.Get("Authorization") != "Token "+influxToken {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = io.WriteString(w, `{"code":"unauthorized","message":"unauthorized access"}`)
			return
		}
		if fail != 0 {
			w.WriteHeader(fail)
			_, _ = io.WriteString(w, `{"code":"invalid","message":"failure writing points to database: partial write"}`)
			return
		}
		switch r.URL.Path {
		case "/api/v2/write":
			w.WriteHeader(http.StatusNoContent)
		case "/api/v2/query":
			w.Header().Set("Content-Type", "text/csv; charset=utf-8")
			_, _ = io.WriteString(w, csv)
		case "/api/v2/buckets":
			_, _ = io.WriteString(w, `{"buckets":[]}`)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *influxStandIn) last() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.got) == 0 {
		return ""
	}
	return s.got[len(s.got)-1]
}

func TestInfluxSend(t *testing.T) {
	allowLoopback(t)
	srv := startInflux(t)
	resources := creds{"influx": {"url": srv.URL, "token": influxToken}, "bad": {"url": srv.URL + "/", "token": "wrong-influx-token"}}
	p := RegisterInfluxSend()
	base := plugin.Config{"source": res("influx"), "organization": "acme", "bucket": "shop", "measurement": "purchases, daily",
		"fields": map[string]any{"amount": "payload@amount", "vip": "profile@traits.vip", "note": `say "hi"`, "missing": "payload@nothing"},
		"tags":   map[string]any{"shop": "payload@shop", "region": "eu west"}, "time": "payload@time"}
	out := plugintest.Run(t, p, plugintest.Case{Config: base, Resources: resources,
		Payload: plugin.Payload{"amount": 120.5, "shop": "berlin", "time": "2024-03-01T10:00:00Z"},
		Profile: plugin.Profile{"id": "p", "traits": map[string]any{"vip": true}}})
	if v := out.MustPort(t, "success"); v["amount"] != 120.5 {
		t.Fatalf("success port %v", v)
	}
	want := "POST /api/v2/write?bucket=shop&org=acme&precision=ns Token " + influxToken + " text/plain; charset=utf-8\n" +
		`purchases\,\ daily,region=eu\ west,shop=berlin amount=120.5,note="say \"hi\"",vip=true 1709287200000000000`
	if got := srv.last(); got != want {
		t.Fatalf("InfluxDB got\n%s\nwant\n%s", got, want)
	}

	// A time that does not exist: now, left to the server, with a warning.
	c := plugin.Config{}
	for k, v := range base {
		c[k] = v
	}
	c["time"] = "payload@when"
	out = plugintest.Run(t, p, plugintest.Case{Config: c, Resources: resources, Payload: plugin.Payload{"amount": 1.0}})
	out.MustPort(t, "success")
	if got := srv.last(); !strings.HasSuffix(got, `amount=1,note="say \"hi\""`) || !strings.Contains(out.LogText(), "does not exist") {
		t.Fatalf("InfluxDB got %q, console %s", got, out.LogText())
	}

	// Tracardi's test config: no fields is an error before any call.
	n := len(srv.got)
	out = plugintest.Run(t, p, plugintest.Case{Config: plugin.Config{"bucket": "bucket", "fields": map[string]any{}, "measurement": "measurement",
		"organization": "measurement", "source": res("influx"), "tags": map[string]any{}, "time": nil}, Resources: resources})
	if v := out.MustPort(t, "error"); !strings.Contains(v["message"].(string), "no field") || len(srv.got) != n {
		t.Fatalf("no fields: %v", v)
	}
	// A refused token: status and body, no token.
	out = plugintest.Run(t, p, plugintest.Case{Config: plugin.Config{"source": res("bad"), "organization": "acme", "bucket": "b", "measurement": "m",
		"fields": map[string]any{"a": 1}}, Resources: resources, Payload: plugin.Payload{"x": 1.0}})
	v := out.MustPort(t, "error")
	if v["status"] != 401 || !strings.Contains(v["body"].(string), "unauthorized") || v["payload"].(plugin.Payload)["x"] != 1.0 ||
		strings.Contains(out.LogText(), "wrong-influx-token") {
		t.Fatalf("refused token: %v", v)
	}
	srv.mu.Lock()
	srv.fail = 400
	srv.mu.Unlock()
	out = plugintest.Run(t, p, plugintest.Case{Config: base, Resources: resources, Payload: plugin.Payload{"amount": 1.0}})
	if v := out.MustPort(t, "error"); v["status"] != 400 || !strings.Contains(v["body"].(string), "partial write") {
		t.Fatalf("a 400: %v", v)
	}

	srv.mu.Lock()
	srv.fail = 0
	srv.mu.Unlock()
	ctx := context.Background()
	if err := InfluxDBType.Check(ctx, resources["influx"]); err != nil {
		t.Fatal(err)
	}
	if err := InfluxDBType.Check(ctx, resources["bad"]); err == nil || strings.Contains(err.Error(), "wrong-influx-token") {
		t.Fatalf("check with a wrong token: %v", err)
	}
	plugintest.SetUpFails(t, p, plugin.Config{"organization": "a", "bucket": "", "measurement": "m"}, "bucket")
	plugintest.SetUpFails(t, p, plugin.Config{"organization": "a", "bucket": "b", "measurement": ""}, "measurement")
}

func TestLineProtocol(t *testing.T) {
	at := time.Unix(1, 5)
	for _, c := range []struct {
		tags, fields map[string]any
		want         string
	}{
		{nil, map[string]any{"v": 1.0}, "m v=1 1000000005"},
		{map[string]any{"a=b": "c,d", "empty": "", "null": nil}, map[string]any{"list": []any{1.0, "x"}, "obj": map[string]any{"k": `q"`}},
			`m,a\=b=c\,d list="[1,\"x\"]",obj="{\"k\":\"q\\\"\"}" 1000000005`},
	} {
		got, err := lineProtocol("m", c.tags, c.fields, at)
		if err != nil || got != c.want {
			t.Errorf("got %s (%v)\nwant %s", got, err, c.want)
		}
	}
	if _, err := lineProtocol("m", nil, map[string]any{"a": nil}, at); err == nil {
		t.Error("a point with only null fields was accepted")
	}
}

func TestInfluxFetch(t *testing.T) {
	allowLoopback(t)
	srv := startInflux(t)
	resources := creds{"influx": {"url": srv.URL, "token": influxToken}}
	p := RegisterInfluxFetch()
	config := plugin.Config{"source": res("influx"), "organization": "acme", "bucket": "shop",
		"filters": map[string]any{"_measurement": "purchases", "shop": "payload@shop", "odd key": "x"}, "aggregation": "",
		"start": "payload@since", "stop": "0m"}
	out := plugintest.Run(t, p, plugintest.Case{Config: config, Resources: resources, Payload: plugin.Payload{"shop": `ber"lin`, "since": "-1d"}})
	recs := out.MustPort(t, "success")["result"].([]any)
	if len(recs) != 3 {
		t.Fatalf("records %v", recs)
	}
	r := recs[0].(map[string]any)
	if r["_value"] != 120.5 || r["_field"] != "amount" || r["shop"] != "berlin" || r["_time"] != "2024-03-01T10:00:00Z" || r["table"] != 0.0 {
		t.Fatalf("record %v", r)
	}
	if r := recs[2].(map[string]any); r["_value"] != true || r["table"] != 1.0 {
		t.Fatalf("record %v", r)
	}
	want := "POST /api/v2/query?org=acme Token " + influxToken + " application/vnd.flux\n" +
		"from(bucket: \"shop\")\n  |> range(start: -1d, stop: 0m)\n  |> filter(fn: (r) => r._measurement == \"purchases\")\n" +
		"  |> filter(fn: (r) => r[\"odd key\"] == \"x\")\n  |> filter(fn: (r) => r.shop == \"ber\\\"lin\")"
	if got := srv.last(); got != want {
		t.Fatalf("InfluxDB got\n%s\nwant\n%s", got, want)
	}

	// Tracardi's test config: the aggregation is piped in as it is.
	out = plugintest.Run(t, p, plugintest.Case{Config: plugin.Config{"aggregation": "mean()", "bucket": "test", "filters": map[string]any{},
		"organization": "test", "source": res("influx"), "start": "-15m", "stop": "0m"}, Resources: resources})
	out.MustPort(t, "success")
	if got := srv.last(); !strings.HasSuffix(got, "range(start: -15m, stop: 0m)\n  |> mean()") {
		t.Fatalf("InfluxDB got %s", got)
	}
	// A time bound from event data that is not a time is refused.
	out = plugintest.Run(t, p, plugintest.Case{Config: config, Resources: resources, Payload: plugin.Payload{"shop": "b", "since": "-1d) |> drop("}})
	if v := out.MustPort(t, "error"); !strings.Contains(v["message"].(string), "is not a time") {
		t.Fatalf("bad start: %v", v)
	}
	// More than 20 records.
	var many strings.Builder
	many.WriteString("#datatype,string,long,double\n,result,table,_value\n")
	for i := 0; i < 21; i++ {
		many.WriteString(",,0,1\n")
	}
	srv.mu.Lock()
	srv.csv = many.String()
	srv.mu.Unlock()
	out = plugintest.Run(t, p, plugintest.Case{Config: config, Resources: resources, Payload: plugin.Payload{"shop": "b", "since": "2024-03-01T00:00:00Z"}})
	if v := out.MustPort(t, "error"); !strings.Contains(v["message"].(string), "more than 20") {
		t.Fatalf("too many: %v", v)
	}
}
