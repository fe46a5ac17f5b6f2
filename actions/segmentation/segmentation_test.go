package segmentation_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/tracflow/tracflow/actions/segmentation"
	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/plugintest"
)

var (
	event     = plugin.Event{"id": "e1", "type": "page-view", "properties": map[string]any{"seg": "from-event", "segs": []any{"x", "y"}, "cat": "sports", "bad": "no spaces please", "n": 2.0}, "metadata": map[string]any{"profile_less": false}}
	lessEvent = plugin.Event{"id": "e2", "type": "page-view", "metadata": map[string]any{"profile_less": true}}
)

func profile(segs ...any) plugin.Profile {
	if segs == nil {
		segs = []any{}
	}
	return plugin.Profile{"id": "p1", "segments": segs, "interests": map[string]any{"music": 2.0, "text": "3", "odd": "many"}}
}

func segmentsOf(p plugin.Profile) string { return fmt.Sprint(p["segments"]) }

func stamped(p plugin.Profile) bool {
	md, _ := p["metadata"].(map[string]any)
	tm, _ := md["time"].(map[string]any)
	return tm["segmentation"] != nil
}

func TestSegmentPlugins(t *testing.T) {
	cases := []struct {
		name    string
		reg     func() plugin.Plugin
		config  plugin.Config
		profile plugin.Profile
		event   plugin.Event
		port    string
		want    string // the profile's segments after
		stamped bool
		log     string
	}{
		{"add a name", segmentation.RegisterAddSegment, plugin.Config{"segment": "abc"}, profile("x"), event, "payload", "[x abc]", true, ""},
		{"add twice keeps one", segmentation.RegisterAddSegment, plugin.Config{"segment": "abc"}, profile("abc"), event, "payload", "[abc]", false, ""},
		{"add a list with references", segmentation.RegisterAddSegment, plugin.Config{"segment": []any{"a", "event@properties.seg", "event@properties.segs"}}, profile(), event, "payload", "[a from-event x y]", true, ""},
		{"add a missing reference", segmentation.RegisterAddSegment, plugin.Config{"segment": "event@properties.nope"}, profile(), event, "error", "[]", false, "nope"},
		{"add a number reference", segmentation.RegisterAddSegment, plugin.Config{"segment": "event@properties.n"}, profile(), event, "error", "[]", false, "number"},
		{"add on a profile-less event", segmentation.RegisterAddSegment, plugin.Config{"segment": "abc"}, nil, lessEvent, "payload", "", false, "without a profile"},
		{"delete", segmentation.RegisterDeleteSegment, plugin.Config{"segment": "abc"}, profile("abc", "x", "abc"), event, "payload", "[x]", true, ""},
		{"delete a segment not held", segmentation.RegisterDeleteSegment, plugin.Config{"segment": "abc"}, profile("x"), event, "payload", "[x]", false, ""},
		{"move", segmentation.RegisterMoveSegment, plugin.Config{"from_segment": "abc", "to_segment": "asd"}, profile("abc"), event, "payload", "[asd]", true, ""},
		{"move into a segment held", segmentation.RegisterMoveSegment, plugin.Config{"from_segment": "abc", "to_segment": "asd"}, profile("asd"), event, "payload", "[asd]", true, ""},
		{"has: yes", segmentation.RegisterHasSegment, plugin.Config{"segment": "abc"}, profile("abc"), event, "True", "[abc]", false, ""},
		{"has: no", segmentation.RegisterHasSegment, plugin.Config{"segment": "abc"}, profile("x"), event, "False", "[x]", false, ""},
		{"has: profile-less", segmentation.RegisterHasSegment, plugin.Config{"segment": "abc"}, nil, lessEvent, "False", "", false, "without a profile"},
		{"conditional true adds", segmentation.RegisterConditional, plugin.Config{"condition": "profile@id exists", "true_action": "add", "true_segment": "zzz", "false_action": "remove", "false_segment": "xxx"}, profile("xxx"), event, "true", "[xxx zzz]", true, ""},
		{"conditional false removes", segmentation.RegisterConditional, plugin.Config{"condition": "profile@id == \"other\"", "true_action": "add", "true_segment": "zzz", "false_action": "remove", "false_segment": "xxx"}, profile("xxx"), event, "false", "[]", true, ""},
		{"conditional none", segmentation.RegisterConditional, plugin.Config{"condition": "profile@id exists", "true_action": "none", "true_segment": "", "false_segment": "xxx"}, profile("a"), event, "true", "[a]", true, ""},
		{"conditional profile-less", segmentation.RegisterConditional, plugin.Config{"condition": "profile@id exists", "true_segment": "zzz", "false_segment": "xxx"}, nil, lessEvent, "false", "", false, "profile-less"},
		{"force", segmentation.RegisterForceSegmentation, nil, profile(), event, "payload", "[]", true, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := plugintest.Run(t, c.reg(), plugintest.Case{Config: c.config, Profile: c.profile, Event: c.event, Payload: plugin.Payload{"a": 1.0}})
			got := out.MustPort(t, c.port)
			if c.port != "error" && !reflect.DeepEqual(got, plugin.Payload{"a": 1.0}) {
				t.Errorf("%s payload = %v, want the input", c.port, got)
			}
			if c.profile != nil {
				if s := segmentsOf(c.profile); s != c.want {
					t.Errorf("segments %s, want %s", s, c.want)
				}
				if stamped(c.profile) != c.stamped {
					t.Errorf("segmentation time set = %v, want %v", stamped(c.profile), c.stamped)
				}
			}
			if c.log != "" && !strings.Contains(out.LogText(), c.log) {
				t.Errorf("console %q does not say %q", out.LogText(), c.log)
			}
		})
	}
}

func TestForceMarksOperation(t *testing.T) {
	p := profile()
	plugintest.Run(t, segmentation.RegisterForceSegmentation(), plugintest.Case{Profile: p, Event: event})
	if op := p["operation"].(map[string]any); op["segment"] != true {
		t.Errorf("operation = %v", op)
	}
}

func TestSegmentSetUpErrors(t *testing.T) {
	plugintest.SetUpFails(t, segmentation.RegisterAddSegment(), plugin.Config{"segment": ""}, "segment[0]")
	plugintest.SetUpFails(t, segmentation.RegisterAddSegment(), plugin.Config{"segment": []any{}}, "segment")
	plugintest.SetUpFails(t, segmentation.RegisterAddSegment(), plugin.Config{"segment": 5}, "segment")
	plugintest.SetUpFails(t, segmentation.RegisterDeleteSegment(), plugin.Config{"segment": ""}, "segment")
	plugintest.SetUpFails(t, segmentation.RegisterMoveSegment(), plugin.Config{"from_segment": "a", "to_segment": " "}, "to_segment")
	plugintest.SetUpFails(t, segmentation.RegisterHasSegment(), plugin.Config{}, "segment")
	plugintest.SetUpFails(t, segmentation.RegisterConditional(), plugin.Config{"condition": "profile@id ==", "true_segment": "a", "false_segment": "b"}, "condition")
	plugintest.SetUpFails(t, segmentation.RegisterConditional(), plugin.Config{"condition": "profile@id exists", "true_segment": "", "false_segment": "b"}, "true_segment")
	plugintest.SetUpFails(t, segmentation.RegisterConditional(), plugin.Config{"condition": "profile@id exists", "true_segment": "a", "false_action": "drop", "false_segment": "b"}, "false_action")
	plugintest.SetUpFails(t, segmentation.RegisterAddInterest(), plugin.Config{"interest": "a", "value": "-1"}, "value")
	plugintest.SetUpFails(t, segmentation.RegisterIncreaseInterest(), plugin.Config{"interest": "a", "value": "lots"}, "value")
	plugintest.SetUpFails(t, segmentation.RegisterIncreaseInterest(), plugin.Config{"interest": ""}, "interest[0]")
}

func TestInterestPlugins(t *testing.T) {
	cases := []struct {
		name   string
		reg    func() plugin.Plugin
		config plugin.Config
		port   string
		want   string // interests after
	}{
		{"add", segmentation.RegisterAddInterest, plugin.Config{"interest": "abc", "value": "1.0"}, "payload", "map[abc:1 music:2 odd:many text:3]"},
		{"add sets an existing one", segmentation.RegisterAddInterest, plugin.Config{"interest": "music", "value": "5"}, "payload", "map[music:5 odd:many text:3]"},
		{"add a list and a reference", segmentation.RegisterAddInterest, plugin.Config{"interest": []any{"a", "event@properties.cat"}, "value": 0.5}, "payload", "map[a:0.5 music:2 odd:many sports:0.5 text:3]"},
		{"increase", segmentation.RegisterIncreaseInterest, plugin.Config{"interest": "music", "value": "1.5"}, "payload", "map[music:3.5 odd:many text:3]"},
		{"increase a missing one", segmentation.RegisterIncreaseInterest, plugin.Config{"interest": "event@properties.cat", "value": "1.0"}, "payload", "map[music:2 odd:many sports:1 text:3]"},
		{"increase numeric text", segmentation.RegisterIncreaseInterest, plugin.Config{"interest": "text", "value": "1"}, "payload", "map[music:2 odd:many text:4]"},
		{"increase a non-number", segmentation.RegisterIncreaseInterest, plugin.Config{"interest": "odd", "value": "1"}, "error", "map[music:2 odd:many text:3]"},
		{"increase a bad name", segmentation.RegisterIncreaseInterest, plugin.Config{"interest": "event@properties.bad", "value": "1"}, "error", "map[music:2 odd:many text:3]"},
		{"increase a missing reference", segmentation.RegisterIncreaseInterest, plugin.Config{"interest": "event@properties.none", "value": "1"}, "error", "map[music:2 odd:many text:3]"},
		{"decrease", segmentation.RegisterDecreaseInterest, plugin.Config{"interest": "music", "value": "0.5"}, "payload", "map[music:1.5 odd:many text:3]"},
		{"decrease a missing one", segmentation.RegisterDecreaseInterest, plugin.Config{"interest": "abc", "value": "1.0"}, "payload", "map[music:2 odd:many text:3]"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := profile()
			out := plugintest.Run(t, c.reg(), plugintest.Case{Config: c.config, Profile: p, Event: event, Payload: plugin.Payload{"a": 1.0}})
			got := out.MustPort(t, c.port)
			if c.port == "error" && got["message"] == nil {
				t.Errorf("error port without a message: %v", got)
			}
			if s := fmt.Sprint(p["interests"]); s != c.want {
				t.Errorf("interests %s, want %s", s, c.want)
			}
		})
	}
	out := plugintest.Run(t, segmentation.RegisterIncreaseInterest(), plugintest.Case{Config: plugin.Config{"interest": "a", "value": "1"}, Event: lessEvent})
	if m := out.MustPort(t, "error"); !strings.Contains(fmt.Sprint(m["message"]), "without a profile") {
		t.Errorf("profile-less: %v", m)
	}
}

func TestGroupAndRank(t *testing.T) {
	mapping := `{"sporty": ["football", "Tennis"], "bookworm": ["books"], "gamer": ["games"], "none": []}`
	cases := []struct {
		name      string
		config    plugin.Config
		interests map[string]any
		port      string
		result    string
		segments  string
	}{
		{"best one", plugin.Config{"segment_mapping": mapping, "segments_to_apply": "1"}, map[string]any{"football": 2.0, "tennis": 2.0, "books": 3.0}, "result",
			"map[applied_segments:[sporty] ranked_segments:[sporty bookworm gamer none]]", "[old sporty]"},
		{"two, zero scores left out", plugin.Config{"segment_mapping": mapping, "segments_to_apply": "3"}, map[string]any{"books": 1.0, "games": "2"}, "result",
			"map[applied_segments:[gamer bookworm] ranked_segments:[gamer bookworm none sporty]]", "[old gamer bookworm]"},
		{"number from the event", plugin.Config{"segment_mapping": mapping, "segments_to_apply": "event@properties.n"}, map[string]any{"books": 1.0}, "result",
			"map[applied_segments:[bookworm] ranked_segments:[bookworm gamer none sporty]]", "[old bookworm]"},
		{"Tracardi's test config: empty number", plugin.Config{"interests": "profile@interests", "segment_mapping": "{}", "segments_to_apply": ""}, map[string]any{}, "error", "", "[old]"},
		{"bad mapping", plugin.Config{"segment_mapping": "[1]", "segments_to_apply": "1"}, map[string]any{}, "error", "", "[old]"},
		{"interests not an object", plugin.Config{"interests": "profile@segments", "segment_mapping": mapping, "segments_to_apply": "1"}, map[string]any{}, "error", "", "[old]"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := plugin.Profile{"id": "p1", "segments": []any{"old"}, "interests": c.interests}
			out := plugintest.Run(t, segmentation.RegisterGroupAndRank(), plugintest.Case{Config: c.config, Profile: p, Event: event})
			got := out.MustPort(t, c.port)
			if c.result != "" && fmt.Sprint(got) != c.result {
				t.Errorf("result %v, want %s", got, c.result)
			}
			if s := segmentsOf(p); s != c.segments {
				t.Errorf("segments %s, want %s", s, c.segments)
			}
		})
	}
}
