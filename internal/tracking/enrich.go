package tracking

import (
	"net/url"
	"time"

	"github.com/tracflow/tracflow/internal/domain"
	"github.com/tracflow/tracflow/internal/enrich"
	"github.com/tracflow/tracflow/internal/notation"
	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/geoip"
)

// Session statuses, Tracardi's.
const (
	sessionStarted = "started"
	sessionEnded   = "ended"
)

// visitChange is what a request did to its session's visit.
type visitChange struct {
	opened   bool // a new session
	reopened bool // a session whose visit had ended sees an event again
	// ended holds the visit-ended event's properties when the visit-ended
	// job's request ends the visit.
	ended map[string]any
}

// beginVisit is the request step after the session is loaded: a tracker's
// request (re)starts and enriches the visit (see startVisit); the
// visit-ended job's request checks that the visit is over and ends it
// (see checkVisitEnded).
func (r *request) beginVisit() error {
	if r.p.system == endVisitRequest {
		ended, err := r.t.checkVisitEnded(r.profile, r.newProfile, r.session, r.newSession, r.now)
		if err != nil {
			return err
		}
		r.visit.ended, r.sessionChanged = ended, true
		return nil
	}
	v, changed := r.t.startVisit(r.p, r.session, r.newSession, r.headers, r.now)
	r.visit = v
	r.sessionChanged = r.sessionChanged || changed
	return nil
}

// startVisit opens a tracker request's visit: a new session, or one whose
// visit ended (visit-ended fired) and that a tracker sends events to
// again, is (re)started and enriched. It reports what changed; changed is
// true when the session must be stored.
func (t *Tracker) startVisit(p *Payload, session plugin.Session, newSession bool, headers map[string]any, now time.Time) (v visitChange, changed bool) {
	md := domain.Child(session, "metadata")
	switch {
	case newSession:
		v.opened = true
	case md["status"] == sessionEnded:
		v.reopened = true
		md["status"] = sessionStarted
		changed = true
	}
	if v.opened || v.reopened {
		t.enrichSession(p, session, headers)
		changed = true
	}
	if t.touchSession(session, now) {
		changed = true
	}
	return v, changed
}

// enrichSession fills the session's device, os, app, utm and geo from the
// request: the user agent (the tracker's context.browser.local.browser
// .userAgent, else the User-Agent header), the page URL's utm_* parameters,
// the tracker's language and screen, and the client address when a GeoIP
// database is configured. It runs once per visit, not per event.
func (t *Tracker) enrichSession(p *Payload, session plugin.Session, headers map[string]any) {
	ctx := p.Context
	if len(p.Events) > 0 && len(p.Events[0].Context) > 0 {
		ctx = mergeContext(p.Context, p.Events[0].Context, true)
	}
	device, os, app := domain.Child(session, "device"), domain.Child(session, "os"), domain.Child(session, "app")
	browser := enrich.Browser(ctx)
	ua, _ := browser["userAgent"].(string)
	if ua == "" {
		ua, _ = headers["user-agent"].(string)
	}
	if ua != "" {
		a := t.agents.Parse(ua)
		if a.Device != "" {
			device["type"] = a.Device
		}
		if a.OS != "" {
			os["name"] = a.OS
		}
		app["type"] = "browser"
		if a.Browser != "" {
			app["name"], app["version"] = a.Browser, a.BrowserVersion
		}
		app["bot"] = a.Bot
		app["user_agent"] = ua
	}
	if from, _ := headers["from"].(string); from == "googlebot(at)googlebot.com" {
		app["bot"] = true
	}
	if lang, _ := browser["language"].(string); lang != "" {
		app["language"] = lang
	}
	for k, v := range enrich.Screen(ctx) {
		device[k] = v
	}
	page := enrich.Page(ctx)
	if u, _ := page["url"].(string); u != "" {
		if utm := enrich.UTM(u); utm != nil {
			session["utm"] = utm
		}
	}
	if ref := enrich.Referrer(page); ref != "" {
		domain.Child(session, "context")["referer"] = ref
	}
	if p.ClientIP != "" {
		device["ip"] = p.ClientIP
		t.locate(p.ClientIP, session, device)
	}
}

// locate puts the client's geo location on the session's device when a
// GeoIP database is configured, and the zone of the visit when the
// tracker sent none.
func (t *Tracker) locate(ip string, session plugin.Session, device map[string]any) {
	if t.geo == nil {
		return
	}
	addr, err := geoip.ParseAddr(ip)
	if err != nil {
		return
	}
	loc, err := t.geo.Lookup(addr)
	if err != nil {
		return // private and unknown addresses have no location
	}
	device["geo"] = loc.Fields
	if loc.TimeZone != "" && domain.Str(session, "context", "time", "tz") == "" {
		domain.Child(domain.Child(session, "context"), "time")["tz"] = loc.TimeZone
	}
}

// touchSession keeps session.metadata.time.duration (seconds since the
// session began) current. It reports whether the session must be stored:
// when the duration grew by a thirtieth of the visit timeout or more since
// it was stored, so a steady stream of events does not rewrite the session
// each time.
func (t *Tracker) touchSession(session plugin.Session, now time.Time) bool {
	tm := domain.Child(domain.Child(session, "metadata"), "time")
	ins, _ := tm["insert"].(string)
	start, err := time.Parse(time.RFC3339Nano, ins)
	if err != nil {
		return false
	}
	d := now.Sub(start).Seconds()
	if d < 0 {
		return false
	}
	old := number(tm["duration"])
	if d-old < t.activityGap().Seconds() {
		return false
	}
	tm["duration"] = d
	return true
}

// enrichEvent gives an event its session's device, os and app, the UTM
// parameters and its page hit ({"name", "url", "referer", "query"}) from
// its page context, as Tracardi's events carry them.
func enrichEvent(ev plugin.Event, session plugin.Session) {
	for _, k := range []string{"os", "app"} {
		if m, ok := session[k].(map[string]any); ok && len(m) > 0 {
			ev[k] = notation.DeepCopy(m)
		}
	}
	if m, ok := session["device"].(map[string]any); ok && len(m) > 0 {
		dev := notation.DeepCopy(m).(map[string]any)
		if own, ok := ev["device"].(map[string]any); ok {
			for k, v := range own { // the tracker's device (its id) wins
				dev[k] = v
			}
		}
		ev["device"] = dev
	}
	if sess, ok := ev["session"].(map[string]any); ok {
		md, _ := session["metadata"].(map[string]any)
		tm, _ := md["time"].(map[string]any)
		sess["duration"] = number(tm["duration"])
	}
	ctx, _ := ev["context"].(map[string]any)
	page := enrich.Page(ctx)
	u, _ := page["url"].(string)
	if utm := enrich.UTM(u); utm != nil {
		ev["utm"] = utm
	} else if m, ok := session["utm"].(map[string]any); ok && len(m) > 0 {
		ev["utm"] = notation.DeepCopy(m)
	}
	if page == nil {
		return
	}
	hit := map[string]any{"name": page["title"], "url": nil, "referer": nil, "query": nil}
	if u != "" {
		hit["url"] = u
		if pu, err := url.Parse(u); err == nil && pu.RawQuery != "" {
			hit["query"] = pu.RawQuery
		}
	}
	if ref := enrich.Referrer(page); ref != "" {
		hit["referer"] = ref
	}
	ev["hit"] = hit
}

func number(v any) float64 {
	f, _ := notation.ToFloat(v)
	return f
}
