package connectors

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
	"github.com/tracflow/tracflow/plugin/plugintest"
	"github.com/tracflow/tracflow/plugin/plugintest/standin"
)

func TestOAuth2Token(t *testing.T) {
	standin.AllowLoopback(t)
	var form url.Values
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		form, _ = url.ParseQuery(string(b))
		if r.Method != "POST" || form.Get("password") != "pw-1234" {
			w.WriteHeader(401)
			_, _ = w.Write([]byte(`{"detail": "bad login"}`))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"access_token": "tok-1", "token_type": "bearer"}`))
	}))
	defer srv.Close()
	resources := standin.Creds{"auth": {"url": srv.URL + "/token", "username": "u1", "password": "pw-1234"},
		"bad": {"url": srv.URL + "/token", "username": "u1", "password": "wrong-pw"}}
	cfg := plugin.Config{"source": standin.Resource("auth"), "destination": "payload@auth"}
	v := plugintest.Run(t, RegisterOAuth2Token(), plugintest.Case{Config: cfg, Payload: plugin.Payload{"a": 1.0}, Resources: resources}).MustPort(t, "payload")
	if form.Get("username") != "u1" || v["a"] != 1.0 || dotpath.At(v, "auth.access_token") != "tok-1" {
		t.Fatalf("endpoint got %v, payload %v", form, v)
	}
	cfg["source"] = standin.Resource("bad")
	if v := plugintest.Run(t, RegisterOAuth2Token(), plugintest.Case{Config: cfg, Resources: resources}).MustPort(t, "error"); v["status"] != 401 {
		t.Fatalf("error %v", v)
	}
	plugintest.SetUpFails(t, RegisterOAuth2Token(), plugin.Config{"source": standin.Resource("auth"), "destination": "profile@x"}, "destination")
}

// whoisStandIn answers whois queries from a table of query → answer and
// records the queries.
func whoisStandIn(t *testing.T, answers map[string]string) (addr string, queries func() []string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var got []string
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				line, _ := bufio.NewReader(c).ReadString('\n')
				q := strings.TrimRight(line, "\r\n")
				mu.Lock()
				got = append(got, q)
				mu.Unlock()
				_, _ = io.WriteString(c, answers[q])
			}()
		}
	}()
	t.Cleanup(func() { _ = ln.Close() })
	return ln.Addr().String(), func() []string { mu.Lock(); defer mu.Unlock(); return append([]string(nil), got...) }
}

func TestWhois(t *testing.T) {
	standin.AllowLoopback(t)
	// The registry's server, referred to by the first one.
	registry, regQueries := whoisStandIn(t, map[string]string{"example.com": "   Domain Name: EXAMPLE.COM\r\n" +
		"   Registrar: RESERVED-Internet Assigned Numbers Authority\r\n   Creation Date: 1995-08-14T04:00:00Z\r\n" +
		"   Registry Expiry Date: 2025-08-13T04:00:00Z\r\n   Name Server: A.IANA-SERVERS.NET\r\n   Name Server: B.IANA-SERVERS.NET\r\n" +
		"   DNSSEC: signedDelegation\r\n>>> Last update of whois database: 2024-01-01T00:00:00Z <<<\r\n",
		"nope.com": "No match for \"NOPE.COM\".\r\n"})
	first, firstQueries := whoisStandIn(t, map[string]string{"example.com": "% IANA WHOIS server\r\n\r\nrefer:        " + registry + "\r\n\r\ndomain:       COM\r\n",
		"nope.com": "refer: " + registry + "\r\n"})
	cfg := plugin.Config{"domain": "payload@domain", "server": first, "timeout": 5}
	v := plugintest.Run(t, RegisterWhois(), plugintest.Case{Config: cfg, Payload: plugin.Payload{"domain": "Example.com"}}).MustPort(t, "result")
	if q := firstQueries(); len(q) != 1 || q[0] != "example.com" {
		t.Fatalf("first server asked %v", q)
	}
	if q := regQueries(); len(q) != 1 || q[0] != "example.com" {
		t.Fatalf("registry asked %v", q)
	}
	ns, _ := v["name_servers"].([]any)
	if v["domain_name"] != "example.com" || v["exists"] != true || len(ns) != 2 || v["creation_date"] != "1995-08-14T04:00:00Z" ||
		v["registrar"] != "RESERVED-Internet Assigned Numbers Authority" || v["dnssec"] != "signedDelegation" {
		t.Fatalf("result %v", v)
	}
	v = plugintest.Run(t, RegisterWhois(), plugintest.Case{Config: cfg, Payload: plugin.Payload{"domain": "nope.com"}}).MustPort(t, "result")
	if v["exists"] != false {
		t.Fatalf("result %v", v)
	}
	// Tracardi's test config: a typed domain is the domain itself.
	v = plugintest.Run(t, RegisterWhois(), plugintest.Case{Config: plugin.Config{"domain": "some.com", "server": first}}).MustPort(t, "result")
	if q := firstQueries(); q[len(q)-1] != "some.com" || v["exists"] != false {
		t.Fatalf("asked %v, result %v", q, v)
	}
	if v := plugintest.Run(t, RegisterWhois(), plugintest.Case{Config: plugin.Config{"domain": "payload@site", "server": first}}).MustPort(t, "error"); !strings.Contains(v["message"].(string), "domain") {
		t.Fatalf("error %v", v)
	}
	// A server that never answers fails within the timeout.
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	defer ln.Close()
	cfg["server"], cfg["timeout"] = ln.Addr().String(), 0.2
	if v := plugintest.Run(t, RegisterWhois(), plugintest.Case{Config: cfg, Payload: plugin.Payload{"domain": "example.com"}}).MustPort(t, "error"); !strings.Contains(v["message"].(string), "no answer within") {
		t.Fatalf("error %v", v)
	}
}

func TestWeather(t *testing.T) {
	standin.AllowLoopback(t)
	var got string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.URL.Path + "?" + r.URL.RawQuery
		if r.URL.Path == "/Nowhere" {
			w.WriteHeader(404)
			return
		}
		_, _ = w.Write([]byte(`{"current_condition": [{"temp_C": "12", "temp_F": "54", "humidity": "81", "windspeedKmph": "19",
			"windspeedMiles": "12", "weatherDesc": [{"value": "Light rain"}]}]}`))
	}))
	defer srv.Close()
	cfg := plugin.Config{"city": "profile@data.pii.address.town", "system": "c", "base_url": srv.URL}
	profile := plugin.Profile{"id": "p", "data": map[string]any{"pii": map[string]any{"address": map[string]any{"town": "London"}}}}
	v := plugintest.Run(t, RegisterWeather(), plugintest.Case{Config: cfg, Profile: profile}).MustPort(t, "weather")
	if got != "/London?format=j1&m" || v["temperature"] != 12.0 || v["humidity"] != 81.0 || v["wind_speed"] != 19.0 || v["description"] != "Light rain" {
		t.Fatalf("asked %s, weather %v", got, v)
	}
	cfg["system"] = "F"
	v = plugintest.Run(t, RegisterWeather(), plugintest.Case{Config: cfg, Profile: profile}).MustPort(t, "weather")
	if got != "/London?format=j1&u" || v["temperature"] != 54.0 || v["wind_speed"] != 12.0 {
		t.Fatalf("asked %s, weather %v", got, v)
	}
	cfg["city"] = "Nowhere"
	v = plugintest.Run(t, RegisterWeather(), plugintest.Case{Config: cfg, Payload: plugin.Payload{"x": 1.0}}).MustPort(t, "error")
	if v["status"] != 404 || v["payload"].(plugin.Payload)["x"] != 1.0 {
		t.Fatalf("error %v", v)
	}
	plugintest.SetUpFails(t, RegisterWeather(), plugin.Config{"city": "London", "system": "K"}, "system")
}
