package tracking_test

import (
	"encoding/json"
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/tracflow/tracflow/internal/testenv"
	"github.com/tracflow/tracflow/internal/tracking"
	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/geoip"
	"github.com/tracflow/tracflow/plugin/geoip/geoiptest"
)

const chromeWindows = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36"

// loopbackGeo writes a City database that places the test servers'
// clients (127.0.0.0/8) in Warsaw, and opens it.
func loopbackGeo(t *testing.T) *geoip.DB {
	t.Helper()
	path := geoiptest.Write(t, []geoiptest.Network{{Prefix: netip.MustParsePrefix("127.0.0.0/8"), Record: map[string]any{
		"city":     geoiptest.Names("Warsaw"),
		"country":  map[string]any{"iso_code": "PL", "names": map[string]any{"en": "Poland"}},
		"location": map[string]any{"latitude": 52.2297, "longitude": 21.0122, "time_zone": "Europe/Warsaw"},
	}}})
	db, err := geoip.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func obj(v any, path ...string) map[string]any {
	m, _ := v.(map[string]any)
	for _, k := range path {
		m, _ = m[k].(map[string]any)
	}
	return m
}

// TestTrackEnrichesSessionAndEvents sends what Tracardi's browser tracker
// sends for a Chrome visitor arriving from a campaign link, and checks the
// session and the stored event carry device, os, browser, UTM, referrer,
// screen, language and geo.
func TestTrackEnrichesSessionAndEvents(t *testing.T) {
	geo := loopbackGeo(t)
	onEachBackend(t, testenv.Options{Tracking: tracking.Options{GeoIP: geo}}, func(t *testing.T, e *testenv.Env) {
		e.Admin("POST", "/event-source", map[string]any{"id": "web", "name": "Web", "type": []any{"rest"}, "enabled": true}).MustOK(t)
		body := map[string]any{
			"source": map[string]any{"id": "web"}, "profile": nil, "debug": true,
			"device": map[string]any{"id": "dev-1"},
			"context": map[string]any{
				"browser": map[string]any{"local": map[string]any{"browser": map[string]any{"userAgent": chromeWindows, "language": "pl-PL"}}},
				"screen":  map[string]any{"local": map[string]any{"width": 1920.0, "height": 1080.0, "colorDepth": 24.0}},
			},
			"events": []any{map[string]any{"type": "page-view", "context": map[string]any{"page": map[string]any{
				"url":     "https://shop.example.com/sale?utm_source=newsletter&utm_medium=email&utm_campaign=spring",
				"title":   "Sale",
				"referer": map[string]any{"host": "mail.example.org", "query": "id=7"},
			}}}},
		}
		answer := track(t, e, body)
		sid := idOf(t, answer, "session")
		s, err := e.Store.Session(t.Context(), sid)
		if err != nil {
			t.Fatal(err)
		}
		dev, os, app, utm := obj(s, "device"), obj(s, "os"), obj(s, "app"), obj(s, "utm")
		if dev["type"] != "pc" || dev["resolution"] != "1920x1080" || dev["color_depth"] != 24.0 || dev["id"] != "dev-1" {
			t.Errorf("session device %v: want a pc at 1920x1080, 24 bits, id dev-1", dev)
		}
		if os["name"] != "Windows" {
			t.Errorf("session os %v: want Windows", os)
		}
		if app["name"] != "Chrome" || app["version"] != "124.0.0.0" || app["bot"] != false || app["language"] != "pl-PL" || app["type"] != "browser" {
			t.Errorf("session app %v: want Chrome 124.0.0.0 in pl-PL, no bot", app)
		}
		if utm["source"] != "newsletter" || utm["medium"] != "email" || utm["campaign"] != "spring" {
			t.Errorf("session utm %v: want newsletter/email/spring", utm)
		}
		if ref := obj(s, "context")["referer"]; ref != "mail.example.org?id=7" {
			t.Errorf("session referer %v", ref)
		}
		if g := obj(s, "device", "geo"); g["city"] != "Warsaw" || obj(g, "country")["code"] != "PL" {
			t.Errorf("session geo %v: want Warsaw, PL", g)
		}
		if tz := obj(s, "context", "time")["tz"]; tz != "Europe/Warsaw" {
			t.Errorf("session time zone %v: want the geo's Europe/Warsaw when the tracker sent none", tz)
		}

		evs, _ := answer["events"].([]any)
		if len(evs) != 1 {
			t.Fatalf("answer's events %v: want the one page-view (system events are not listed)", answer["events"])
		}
		ev, err := e.Store.Event(t.Context(), evs[0].(string))
		if err != nil {
			t.Fatal(err)
		}
		if obj(ev, "os")["name"] != "Windows" || obj(ev, "app")["name"] != "Chrome" || obj(ev, "device")["type"] != "pc" || obj(ev, "device")["id"] != "dev-1" {
			t.Errorf("event os/app/device: %v %v %v", ev["os"], ev["app"], ev["device"])
		}
		if obj(ev, "utm")["source"] != "newsletter" {
			t.Errorf("event utm %v", ev["utm"])
		}
		if hit := obj(ev, "hit"); hit["name"] != "Sale" || hit["query"] != "utm_source=newsletter&utm_medium=email&utm_campaign=spring" || hit["referer"] != "mail.example.org?id=7" {
			t.Errorf("event hit %v", hit)
		}
	})
}

// TestBotsAreFlagged checks that a crawler's user agent (here in the
// User-Agent header, as crawlers send no tracker context) marks the
// session's app as a bot, and that without a GeoIP database sessions get
// no geo location.
func TestBotsAreFlagged(t *testing.T) {
	e := testenv.New(t, testenv.Options{})
	e.Admin("POST", "/event-source", map[string]any{"id": "web", "name": "Web", "type": []any{"rest"}, "enabled": true}).MustOK(t)
	for ua, bot := range map[string]bool{
		"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)": true,
		chromeWindows: false,
	} {
		answer := trackWithUA(t, e, ua)
		s, err := e.Store.Session(t.Context(), idOf(t, answer, "session"))
		if err != nil {
			t.Fatal(err)
		}
		if got := obj(s, "app")["bot"]; got != bot {
			t.Errorf("%q: bot = %v, want %v", ua, got, bot)
		}
		if g, ok := obj(s, "device")["geo"]; ok {
			t.Errorf("a session got a geo location %v without a GeoIP database", g)
		}
	}
}

func trackWithUA(t *testing.T, e *testenv.Env, ua string) map[string]any {
	t.Helper()
	req, err := http.NewRequest("POST", e.URL+"/track", strings.NewReader(`{"source":{"id":"web"},"events":[{"type":"page-view"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", ua)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != 200 {
		t.Fatalf("/track answered %d: %v %v", resp.StatusCode, out, err)
	}
	return out
}

// TestSystemEventsRunThroughRules checks that a new visitor's first
// request fires profile-created, session-opened and visit-started rules
// once, that the events are stored and marked, and that the next request
// of the same visit fires none of them.
func TestSystemEventsRunThroughRules(t *testing.T) {
	onEachBackend(t, testenv.Options{}, func(t *testing.T, e *testenv.Env) {
		src := e.Setup("web", testenv.CounterFlow("created", "stats.counters.created", "created"), tracking.EventProfileCreated)
		e.Setup(src, testenv.CounterFlow("visits", "stats.counters.visits", "visits"), tracking.EventVisitStarted)
		e.Setup(src, testenv.CounterFlow("opened", "stats.counters.opened", "opened"), tracking.EventSessionOpened)
		first := track(t, e, map[string]any{"source": map[string]any{"id": src}, "events": []any{map[string]any{"type": "page-view"}}})
		pid, sid := idOf(t, first, "profile"), idOf(t, first, "session")
		if obj(first, "response", "created")["value"] != 1.0 || obj(first, "response", "visits")["value"] != 1.0 || obj(first, "response", "opened")["value"] != 1.0 {
			t.Fatalf("the first request's answer %v: want the profile-created, session-opened and visit-started flows' responses", first["response"])
		}
		second := track(t, e, map[string]any{"source": map[string]any{"id": src}, "profile": map[string]any{"id": pid},
			"session": map[string]any{"id": sid}, "events": []any{map[string]any{"type": "page-view"}}})
		if len(obj(second, "response")) != 0 {
			t.Errorf("the second request of the visit fired system flows: %v", second["response"])
		}
		p, err := e.Store.Profile(t.Context(), pid)
		if err != nil {
			t.Fatal(err)
		}
		if c := obj(p, "stats", "counters"); c["created"] != 1.0 || c["visits"] != 1.0 || c["opened"] != 1.0 {
			t.Errorf("counters %v: want one each", c)
		}
		evs, _, err := e.Store.ProfileEvents(t.Context(), pid, 100, 0)
		if err != nil {
			t.Fatal(err)
		}
		types := map[string]int{}
		for _, ev := range evs {
			types[ev["type"].(string)]++
			if sys := tracking.IsSystem(plugin.Event(ev)); sys != (ev["type"] != "page-view") {
				t.Errorf("event %s: system = %v", ev["type"], sys)
			}
			if ev["type"] != "page-view" && obj(ev, "options")["source_id"] != tracking.InternalSource {
				t.Errorf("system event %s without options.source_id %s: %v", ev["type"], tracking.InternalSource, ev["options"])
			}
		}
		if types["page-view"] != 2 || types[tracking.EventProfileCreated] != 1 || types[tracking.EventSessionOpened] != 1 || types[tracking.EventVisitStarted] != 1 {
			t.Errorf("stored events by type %v", types)
		}
	})
}

// TestVisitEndedFiresFromTheQueue checks that visit-ended fires after the
// configured inactivity without a request from the visitor, not while the
// visitor keeps sending events, once, and that a later event to the same
// session starts a new visit.
func TestVisitEndedFiresFromTheQueue(t *testing.T) {
	// The default visit timeout (30 minutes) and a short visit-ended time:
	// the visit ends after the latter, not a thirtieth of the former later.
	o := testenv.Options{Background: true, Tracking: tracking.Options{VisitEndedAfter: 700 * time.Millisecond}}
	onEachBackend(t, o, func(t *testing.T, e *testenv.Env) {
		src := e.Setup("web", testenv.CounterFlow("ended", "stats.counters.ended", "ended"), tracking.EventVisitEnded)
		send := func(pid string) map[string]any {
			body := map[string]any{"source": map[string]any{"id": src}, "session": map[string]any{"id": "visit-1"}, "events": []any{map[string]any{"type": "page-view"}}}
			if pid != "" {
				body["profile"] = map[string]any{"id": pid}
			}
			return track(t, e, body)
		}
		pid := idOf(t, send(""), "profile")
		ended := func() float64 {
			p, err := e.Store.Profile(t.Context(), pid)
			if err != nil {
				t.Fatal(err)
			}
			return num(obj(p, "stats", "counters")["ended"])
		}
		// Active for about twice the timeout: the visit must not end.
		for range 6 {
			time.Sleep(250 * time.Millisecond)
			send(pid)
		}
		if n := ended(); n != 0 {
			t.Fatalf("visit-ended fired %v times while the visitor was active", n)
		}
		deadline := time.Now().Add(15 * time.Second)
		for ended() == 0 {
			if time.Now().After(deadline) {
				t.Fatal("visit-ended did not fire within 15 s of a 0.7 s inactivity") // the queue's scheduler looks every 5 s
			}
			time.Sleep(100 * time.Millisecond)
		}
		s, err := e.Store.Session(t.Context(), "visit-1")
		if err != nil {
			t.Fatal(err)
		}
		if st := obj(s, "metadata")["status"]; st != "ended" {
			t.Errorf("session status %v after visit-ended, want ended", st)
		}
		time.Sleep(time.Second)
		if n := ended(); n != 1 {
			t.Errorf("visit-ended fired %v times, want once", n)
		}

		// The visitor comes back to the same session: a new visit, which ends too.
		send(pid)
		p, _ := e.Store.Profile(t.Context(), pid)
		if v := num(obj(p, "metadata", "time", "visit")["count"]); v != 2 {
			t.Errorf("visits = %v after the session reopened, want 2", v)
		}
		deadline = time.Now().Add(15 * time.Second)
		for ended() < 2 {
			if time.Now().After(deadline) {
				t.Fatal("the reopened visit did not end")
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
}
