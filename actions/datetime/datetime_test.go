package datetime

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
	"github.com/tracflow/tracflow/plugin/plugintest"
)

// fixed is Saturday 2024-03-16 10:30:00 UTC.
var fixed = time.Date(2024, 3, 16, 10, 30, 0, 0, time.UTC)

func fixedClock() time.Time { return fixed }

func TestParseDate(t *testing.T) {
	cases := map[string]any{
		"2024-03-16T10:00:00Z":             "2024-03-16T10:00:00Z",
		"2024-03-16T12:00:00+02:00":        "2024-03-16T10:00:00Z",
		"2024-03-16T10:00:00.5":            "2024-03-16T10:00:00.5Z",
		"2024-03-16 10:00:00":              "2024-03-16T10:00:00Z",
		"2024-03-16":                       "2024-03-16T00:00:00Z",
		"12:10:10":                         "2024-03-16T12:10:10Z",
		"now":                              "2024-03-16T10:30:00Z",
		"Sat, 16 Mar 2024 10:00:00 +0000":  "2024-03-16T10:00:00Z",
		"2024-03-16T10:00:00.123456+00:00": "2024-03-16T10:00:00.123456Z",
	}
	for in, want := range cases {
		got, err := parseDate(in, fixed)
		if err != nil {
			t.Errorf("%q: %v", in, err)
			continue
		}
		if s := got.UTC().Format(time.RFC3339Nano); s != want {
			t.Errorf("%q = %s, want %s", in, s, want)
		}
	}
	if got, _ := parseDate(1710585000.0, fixed); !got.Equal(time.Date(2024, 3, 16, 10, 30, 0, 0, time.UTC)) {
		t.Errorf("epoch seconds = %v", got)
	}
	for _, bad := range []any{"", "yesterday-ish", nil, true, map[string]any{}} {
		if _, err := parseDate(bad, fixed); err == nil {
			t.Errorf("%#v parsed", bad)
		}
	}
}

func TestNowIsTheEventTime(t *testing.T) {
	ev := plugin.Event{"metadata": map[string]any{"time": map[string]any{"insert": "2020-01-01T00:00:00Z"}}}
	if got := now(ev, fixedClock); !got.Equal(time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("now = %v, want the event's time", got)
	}
	if got := now(plugin.Event{}, fixedClock); !got.Equal(fixed) {
		t.Errorf("now without event time = %v, want the clock's", got)
	}
}

func TestTimeDelay(t *testing.T) {
	cases := []struct {
		name    string
		config  plugin.Config
		payload plugin.Payload
		port    string
		want    string
	}{
		{"add", plugin.Config{"reference_date": "payload@d", "sign": "+", "delay": "60"}, plugin.Payload{"d": "2024-03-16T10:00:00+00:00"}, "date", "2024-03-16T10:01:00+00:00"},
		{"subtract", plugin.Config{"reference_date": "payload@d", "sign": "-", "delay": 3600}, plugin.Payload{"d": "2024-03-16T10:00:00+02:00"}, "date", "2024-03-16T09:00:00+02:00"},
		{"now", plugin.Config{"reference_date": "now", "sign": "+", "delay": "0"}, nil, "date", "2024-03-16T10:30:00+00:00"},
		{"missing", plugin.Config{"reference_date": "payload@d", "sign": "+", "delay": "1"}, nil, "error", "payload@d"},
		{"not a date", plugin.Config{"reference_date": "payload@d", "sign": "+", "delay": "1"}, plugin.Payload{"d": "soon"}, "error", "could not parse"},
		{"tracardi test config", plugin.Config{"reference_date": nil, "sign": "+", "delay": "60"}, nil, "error", "not set"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := plugintest.Run(t, registerTimeDelay(fixedClock), plugintest.Case{Config: c.config, Payload: c.payload})
			got := out.MustPort(t, c.port)
			if c.port == "date" {
				if got["date"] != c.want {
					t.Errorf("date = %v, want %s", got["date"], c.want)
				}
				return
			}
			if msg, _ := got["message"].(string); !strings.Contains(msg, c.want) {
				t.Errorf("message = %q, want it to mention %q", msg, c.want)
			}
			if len(out.Logs()) != 1 || out.Logs()[0].Level != "error" {
				t.Errorf("logs = %v", out.Logs())
			}
		})
	}
	plugintest.SetUpFails(t, RegisterTimeDelay(), plugin.Config{"reference_date": "now", "sign": "*", "delay": "1"}, "sign")
	plugintest.SetUpFails(t, RegisterTimeDelay(), plugin.Config{"reference_date": "now", "sign": "+", "delay": "-5"}, "delay")
	plugintest.SetUpFails(t, RegisterTimeDelay(), plugin.Config{"reference_date": "now", "sign": "+", "delay": "99999999999999"}, "delay")
}

func TestTimeDifference(t *testing.T) {
	out := plugintest.Run(t, registerTimeDifference(fixedClock), plugintest.Case{
		Config:  plugin.Config{"reference_date": "payload@from", "now": "now"},
		Payload: plugin.Payload{"from": "2024-03-15T10:30:00Z"},
	})
	got := out.MustPort(t, "time_difference")
	want := map[string]float64{"seconds": 86400, "minutes": 1440, "hours": 24, "days": 1, "weeks": 1.0 / 7}
	for k, v := range want {
		if f, _ := got[k].(float64); math.Abs(f-v) > 1e-9 {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
	// Tracardi's test config: a time of day is on the day of now.
	out = plugintest.Run(t, registerTimeDifference(fixedClock), plugintest.Case{Config: plugin.Config{"now": "now", "reference_date": "12:10:10"}})
	if got := out.MustPort(t, "time_difference"); got["seconds"] != -6010.0 {
		t.Errorf("seconds = %v, want -6010", got["seconds"])
	}
	out = plugintest.Run(t, registerTimeDifference(fixedClock), plugintest.Case{Config: plugin.Config{"now": "now", "reference_date": "event@properties.x"}})
	if out.Err == nil || !strings.Contains(out.Err.Error(), "event@properties.x") {
		t.Errorf("missing date: err = %v", out.Err)
	}
	plugintest.SetUpFails(t, RegisterTimeDifference(), plugin.Config{"now": "now"}, "reference_date")
}

func TestLastVisitAndLiveTime(t *testing.T) {
	profile := plugin.Profile{"id": "p", "metadata": map[string]any{"time": map[string]any{
		"insert": "2024-03-09T10:30:00+00:00",
		"visit":  map[string]any{"current": "2024-03-16T09:30:00Z"},
	}}}
	out := plugintest.Run(t, registerLastVisit(fixedClock), plugintest.Case{Profile: profile})
	got := out.MustPort(t, "visit")
	if got["last"] != "2024-03-16T09:30:00+00:00" || dotpath.At(got, "difference.hours") != 1.0 {
		t.Errorf("visit = %v", got)
	}
	out = plugintest.Run(t, registerLiveTime(fixedClock), plugintest.Case{Profile: profile})
	got = out.MustPort(t, "live-time")
	if got["last"] != "2024-03-09T10:30:00+00:00" || dotpath.At(got, "time.weeks") != 1.0 {
		t.Errorf("live-time = %v", got)
	}
	// Without a visit, the last visit is the profile's creation.
	delete(dotpath.At(profile, "metadata.time").(map[string]any), "visit")
	out = plugintest.Run(t, registerLastVisit(fixedClock), plugintest.Case{Profile: profile})
	if got := out.MustPort(t, "visit"); dotpath.At(got, "difference.days") != 7.0 {
		t.Errorf("visit = %v", got)
	}
	for _, reg := range []func(Clock) plugin.Plugin{registerLastVisit, registerLiveTime} {
		for _, p := range []plugin.Profile{nil, {"id": "p"}, {"id": "p", "metadata": map[string]any{"time": map[string]any{"insert": "never"}}}} {
			out := plugintest.Run(t, reg(fixedClock), plugintest.Case{Profile: p, Payload: plugin.Payload{"a": 1.0}})
			if got := out.MustPort(t, "error"); got["a"] != 1.0 {
				t.Errorf("error port = %v, want the payload", got)
			}
			if len(out.Logs()) != 1 || out.Logs()[0].Level != "error" {
				t.Errorf("logs = %v", out.Logs())
			}
		}
	}
}

func TestToday(t *testing.T) {
	out := plugintest.Run(t, registerToday(fixedClock), plugintest.Case{
		Config:  plugin.Config{"timezone": "session@context.time.tz"},
		Session: plugin.Session{"id": "s", "context": map[string]any{"time": map[string]any{"tz": "Asia/Tokyo"}}},
	})
	got := out.MustPort(t, "payload")
	local := got["local"].(map[string]any)
	server := got["server"].(map[string]any)
	if local["hour"] != 19 || local["dayOfWeek"] != "saturday" || local["week"] != 6 || local["iso"] != "2024-03-16T19:30:00+09:00" {
		t.Errorf("local = %v", local)
	}
	if server["hour"] != 10 || server["time"] != "10:30:00" || got["timestamp"] != 1710585000.0 || got["utcTime"] != "2024-03-16T10:30:00+00:00" {
		t.Errorf("server = %v, got %v", server, got)
	}
	for _, tz := range []any{"Mars/Olympus", 5.0, ""} {
		out := plugintest.Run(t, registerToday(fixedClock), plugintest.Case{Config: plugin.Config{"timezone": "payload@tz"}, Payload: plugin.Payload{"tz": tz}})
		if got := out.MustPort(t, "error"); !strings.Contains(got["message"].(string), "time zone") {
			t.Errorf("%v: error = %v", tz, got)
		}
	}
	out = plugintest.Run(t, registerToday(fixedClock), plugintest.Case{Config: plugin.Config{"timezone": "session@context.time.tz"}})
	out.MustPort(t, "error")
}

func TestWeekdays(t *testing.T) {
	for clock, want := range map[time.Time]plugin.Payload{
		fixed:                   {"today": "Saturday", "weekend": true, "day_number": 6},
		fixed.AddDate(0, 0, 2):  {"today": "Monday", "weekend": false, "day_number": 1},
		fixed.AddDate(0, 0, -1): {"today": "Friday", "weekend": false, "day_number": 5},
		fixed.AddDate(0, 0, 1):  {"today": "Sunday", "weekend": true, "day_number": 7},
	} {
		out := plugintest.Run(t, registerWeekdays(func() time.Time { return clock }), plugintest.Case{})
		got := out.MustPort(t, "date")
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%v: %s = %v, want %v", clock, k, got[k], v)
			}
		}
	}
}

func TestLocalTimeSpan(t *testing.T) {
	cases := []struct {
		start, end, zone, port string
	}{
		{"09:00:00", "17:00:00", "UTC", "in"},
		{"09:00:00", "10:30:00", "UTC", "out"}, // the end is excluded
		{"09:00:00", "17:00:00", "America/New_York", "out"},
		{"06:00:00", "07:00:00", "America/New_York", "in"}, // 06:30 EDT
		{"12:10:10", "10:10:10", "UTC", "out"},             // Tracardi's test config: start after end
	}
	for _, c := range cases {
		out := plugintest.Run(t, registerLocalTimeSpan(fixedClock), plugintest.Case{
			Config:  plugin.Config{"start": c.start, "end": c.end, "timezone": "session@context.time.tz"},
			Session: plugin.Session{"id": "s", "context": map[string]any{"time": map[string]any{"tz": c.zone}}},
			Payload: plugin.Payload{"a": 1.0},
		})
		if got := out.MustPort(t, c.port); got["a"] != 1.0 {
			t.Errorf("%v: payload = %v", c, got)
		}
	}
	out := plugintest.Run(t, registerLocalTimeSpan(fixedClock), plugintest.Case{Config: plugin.Config{"start": "01:00:00", "end": "02:00:00", "timezone": "Nowhere/Land"}})
	if out.Err == nil || !strings.Contains(out.Err.Error(), "Nowhere/Land") {
		t.Errorf("bad zone: err = %v", out.Err)
	}
	plugintest.SetUpFails(t, RegisterLocalTimeSpan(), plugin.Config{"start": "9am", "end": "10:00:00", "timezone": "UTC"}, "start")
	plugintest.SetUpFails(t, RegisterLocalTimeSpan(), plugin.Config{"start": "09:00:00", "timezone": "UTC"}, "end")
}

// Published sunrise and sunset times (NOAA's solar calculator, in UTC),
// which the equations must match within three minutes.
func TestSunTimes(t *testing.T) {
	cases := []struct {
		place     string
		lat, lng  float64
		day       string
		rise, set string
	}{
		{"London", 51.5072, -0.1276, "2024-06-21", "2024-06-21T03:43", "2024-06-21T20:21"},
		{"Reykjavik", 64.1466, -21.9426, "2024-06-21", "2024-06-21T02:55", "2024-06-22T00:03"},
		{"Sydney", -33.8688, 151.2093, "2024-06-21", "2024-06-20T21:00", "2024-06-21T06:54"},
	}
	for _, c := range cases {
		day, _ := time.Parse("2006-01-02", c.day)
		sd := sunTimes(day, c.lat, c.lng)
		for _, x := range []struct {
			got  time.Time
			want string
		}{{sd.rise, c.rise}, {sd.set, c.set}} {
			w, _ := time.Parse("2006-01-02T15:04", x.want)
			if d := x.got.Sub(w); d < -3*time.Minute || d > 3*time.Minute {
				t.Errorf("%s %s: got %v, want %s", c.place, c.day, x.got, x.want)
			}
		}
	}
	// Tromsø: the sun does not rise in December nor set in June.
	if sd := sunTimes(time.Date(2024, 12, 21, 0, 0, 0, 0, time.UTC), 69.6492, 18.9553); sd.polar != -1 {
		t.Errorf("Tromsø in December: %+v, want polar night", sd)
	}
	if sd := sunTimes(time.Date(2024, 6, 21, 0, 0, 0, 0, time.UTC), 69.6492, 18.9553); sd.polar != 1 {
		t.Errorf("Tromsø in June: %+v, want polar day", sd)
	}
}

func TestDayNight(t *testing.T) {
	cases := []struct {
		when     time.Time
		lat, lng any
		port     string
	}{
		{time.Date(2024, 6, 21, 12, 0, 0, 0, time.UTC), 51.5072, -0.1276, "day"},
		{time.Date(2024, 6, 21, 2, 0, 0, 0, time.UTC), 51.5072, -0.1276, "night"},
		{time.Date(2024, 6, 21, 3, 0, 0, 0, time.UTC), "-33.8688", "151.2093", "day"}, // 13:00 in Sydney
		{time.Date(2024, 6, 21, 12, 0, 0, 0, time.UTC), -33.8688, 151.2093, "night"},
		{time.Date(2024, 6, 21, 2, 0, 0, 0, time.UTC), 37.7749, -122.4194, "day"}, // 19:00 PDT in San Francisco
		{time.Date(2024, 6, 21, 5, 0, 0, 0, time.UTC), 37.7749, -122.4194, "night"},
		{time.Date(2024, 12, 21, 12, 0, 0, 0, time.UTC), 69.6492, 18.9553, "night"},
		{time.Date(2024, 6, 21, 23, 30, 0, 0, time.UTC), 69.6492, 18.9553, "day"},
	}
	for _, c := range cases {
		when := c.when
		out := plugintest.Run(t, registerDayNight(func() time.Time { return when }), plugintest.Case{
			Config:  plugin.Config{"latitude": "payload@lat", "longitude": "payload@lng"},
			Payload: plugin.Payload{"lat": c.lat, "lng": c.lng},
		})
		if got := out.MustPort(t, c.port); got["lat"] != c.lat {
			t.Errorf("%v at %v,%v: payload = %v", c.when, c.lat, c.lng, got)
		}
	}
	// Tracardi's test config: literal coordinates.
	plugintest.Run(t, registerDayNight(fixedClock), plugintest.Case{Config: plugin.Config{"latitude": 1.2, "longitude": 2.1}}).MustPort(t, "day")
	for _, p := range []plugin.Payload{{}, {"lat": "north", "lng": 1.0}, {"lat": 91.0, "lng": 1.0}, {"lat": nil, "lng": 1.0}} {
		out := plugintest.Run(t, registerDayNight(fixedClock), plugintest.Case{
			Config: plugin.Config{"latitude": "payload@lat", "longitude": "payload@lng"}, Payload: p,
		})
		if got := out.MustPort(t, "error"); !strings.Contains(got["message"].(string), "latitude") {
			t.Errorf("%v: error = %v", p, got)
		}
	}
}
