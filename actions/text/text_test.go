package text_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/tracflow/tracflow/actions/text"
	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/plugintest"
)

var event = plugin.Event{"id": "test-event-1", "type": "page-view", "properties": map[string]any{
	"text": "colour and colour", "num": 12.0, "url": "https://example.com", "tags": []any{"a", "b", 3.0},
	"nested": []any{map[string]any{}}, "email": "anna@example.com",
}}

type runCase struct {
	name    string
	config  plugin.Config
	payload plugin.Payload
	port    string         // "" when no port fires
	value   plugin.Payload // checked when not nil
	err     string         // a part of the run error, when it fails
	log     string         // a part of the console, when one is expected
}

func check(t *testing.T, p plugin.Plugin, cases []runCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := plugintest.Run(t, p, plugintest.Case{Config: c.config, Event: event, Profile: plugin.Profile{"id": "p1"}, Payload: c.payload})
			if c.err != "" {
				if out.Err == nil || !strings.Contains(out.Err.Error(), c.err) {
					t.Fatalf("error = %v, want one containing %q", out.Err, c.err)
				}
				return
			}
			if out.Err != nil {
				t.Fatalf("run failed: %v", out.Err)
			}
			if c.port == "" {
				if len(out.Results) != 0 {
					t.Fatalf("results = %v, want none", out.Results)
				}
				return
			}
			got := out.MustPort(t, c.port)
			if len(out.Results) != 1 {
				t.Errorf("results = %v, want one", out.Results)
			}
			if c.value != nil && !reflect.DeepEqual(got, c.value) {
				t.Errorf("%s carried %#v, want %#v", c.port, got, c.value)
			}
			if logs := out.LogText(); (c.log == "") != (logs == "") || !strings.Contains(logs, c.log) {
				t.Errorf("console = %q, want %q", logs, c.log)
			}
		})
	}
}

func TestReplace(t *testing.T) {
	check(t, text.RegisterReplace(), []runCase{
		{"reference", plugin.Config{"field": "event@properties.text", "find": "colour", "replace": "color"}, nil,
			"output", plugin.Payload{"value": "color and color"}, "", ""},
		{"literal text", plugin.Config{"field": "a-b-c", "find": "-", "replace": "+"}, nil,
			"output", plugin.Payload{"value": "a+b+c"}, "", ""},
		{"empty find inserts between characters, as Python", plugin.Config{"field": "abc", "find": "", "replace": "."}, nil,
			"output", plugin.Payload{"value": ".a.b.c."}, "", ""},
		{"Tracardi's test config: the whole profile is not text", plugin.Config{"field": "profile@", "find": "", "replace": ""}, nil,
			"error", plugin.Payload{"message": "Field 'profile@' is not a string."}, "", "is not a string"},
		{"number", plugin.Config{"field": "event@properties.num", "find": "1", "replace": "2"}, nil,
			"error", plugin.Payload{"message": "Field 'event@properties.num' is not a string."}, "", "is not a string"},
		{"missing", plugin.Config{"field": "event@properties.nope", "find": "1", "replace": "2"}, nil,
			"error", nil, "", "nope"},
	})
}

func TestStripper(t *testing.T) {
	check(t, text.RegisterStripper(), []runCase{
		{"phone", plugin.Config{"string": "(12) 345-678", "to_remove": "-() "}, nil,
			"removed", plugin.Payload{"value": "12345678"}, "", ""},
		{"characters are literal, not a regex class", plugin.Config{"string": "a-z^]\\b", "to_remove": "a-z"}, nil,
			"removed", plugin.Payload{"value": "^]\\b"}, "", ""},
		{"references", plugin.Config{"string": "payload@s", "to_remove": "payload@r"}, plugin.Payload{"s": "héllo", "r": "é"},
			"removed", plugin.Payload{"value": "hllo"}, "", ""},
		{"not text", plugin.Config{"string": "event@properties.num", "to_remove": "1"}, nil, "", nil, "string: event@properties.num is a number", ""},
	})
	plugintest.SetUpFails(t, text.RegisterStripper(), plugin.Config{"string": "abc", "to_remove": ""}, "to_remove")
}

func TestSplitAndJoin(t *testing.T) {
	check(t, text.RegisterSplitter(), []runCase{
		{"trimmed parts", plugin.Config{"string": " a , b,c ", "delimiter": ","}, nil,
			"payload", plugin.Payload{"result": []any{"a", "b", "c"}}, "", ""},
		{"longer delimiter", plugin.Config{"string": "a::b", "delimiter": "::"}, nil,
			"payload", plugin.Payload{"result": []any{"a", "b"}}, "", ""},
		{"Tracardi's test config", plugin.Config{"string": "test.test", "delimiter": "."}, nil,
			"payload", plugin.Payload{"result": []any{"test", "test"}}, "", ""},
		{"list is not text", plugin.Config{"string": "event@properties.tags", "delimiter": ","}, nil, "", nil, "is a list, not text", ""},
	})
	plugintest.SetUpFails(t, text.RegisterSplitter(), plugin.Config{"string": "a.b", "delimiter": ""}, "delimiter")

	check(t, text.RegisterJoin(), []runCase{
		{"strings and numbers", plugin.Config{"string": "event@properties.tags", "delimiter": ","}, nil,
			"payload", plugin.Payload{"result": "a,b,3"}, "", ""},
		{"not a list", plugin.Config{"string": "event@properties.text", "delimiter": ","}, nil, "", nil, "must be a list", ""},
		{"objects do not join", plugin.Config{"string": "event@properties.nested", "delimiter": ","}, nil, "", nil, "item 0", ""},
		{"Tracardi's test config, no such payload key", plugin.Config{"string": "payload@test", "delimiter": ","}, nil, "", nil, "payload@test", ""},
	})
	fe := plugintest.SetUpFails(t, text.RegisterJoin(), plugin.Config{"string": "payload@x", "delimiter": ", "}, "delimiter")
	if !strings.Contains(fe.Error(), "single character") {
		t.Errorf("delimiter error %q", fe.Error())
	}
}

func TestAffixes(t *testing.T) {
	check(t, text.RegisterStartsWith(), []runCase{
		{"true", plugin.Config{"field": "event@properties.url", "prefix": "https://"}, plugin.Payload{"a": 1.0}, "true", plugin.Payload{"a": 1.0}, "", ""},
		{"false", plugin.Config{"field": "event@id", "prefix": "prod"}, plugin.Payload{"a": 1.0}, "false", plugin.Payload{"a": 1.0}, "", ""},
		{"Tracardi's test config", plugin.Config{"field": "event@id", "prefix": "test"}, nil, "true", nil, "", ""},
		{"missing is false with a warning", plugin.Config{"field": "event@properties.nope", "prefix": "x"}, nil, "false", nil, "", "Field event@properties.nope does not exist."},
		{"not text", plugin.Config{"field": "event@properties.num", "prefix": "1"}, nil, "", nil, "is a number, not text", ""},
	})
	check(t, text.RegisterEndsWith(), []runCase{
		{"true", plugin.Config{"field": "event@properties.email", "prefix": "@example.com"}, nil, "true", nil, "", ""},
		{"false", plugin.Config{"field": "event@properties.email", "prefix": "@example.org"}, nil, "false", nil, "", ""},
		{"missing is false with a warning", plugin.Config{"field": "event@properties.nope", "prefix": "x"}, nil, "false", nil, "", "does not exist"},
	})
	check(t, text.RegisterContains(), []runCase{
		{"true", plugin.Config{"field": "event@properties.text", "substring": "and"}, nil, "true", nil, "", ""},
		{"case-sensitive", plugin.Config{"field": "event@properties.text", "substring": "AND"}, nil, "false", nil, "", ""},
		{"missing is an error", plugin.Config{"field": "payload@field", "substring": "contains"}, nil, "", nil, "payload@field", ""},
	})
	plugintest.SetUpFails(t, text.RegisterStartsWith(), plugin.Config{"field": "event@id", "prefix": ""}, "prefix")
	plugintest.SetUpFails(t, text.RegisterContains(), plugin.Config{"field": "", "substring": "x"}, "field")
}

func TestContainsPattern(t *testing.T) {
	msg := "mail anna@example.com or bob@shop.org from 10.0.0.1, on 1/2/24; https://www.example.com/a?b=1"
	check(t, text.RegisterContainsPattern(), []runCase{
		{"all", plugin.Config{"field": "payload@m", "pattern": "all"}, plugin.Payload{"m": msg}, "true", plugin.Payload{
			"email": []any{"anna@example.com", "bob@shop.org"}, "ip": []any{"10.0.0.1"},
			"date": []any{"1/2/24"}, "url": []any{"https://www.example.com/a?b=1"},
		}, "", ""},
		{"email at the start", plugin.Config{"field": "payload@m", "pattern": "email"}, plugin.Payload{"m": "anna@example.com is mine"},
			"true", plugin.Payload{"email": []any{"anna@example.com is mine"}}, "", ""},
		{"email not at the start", plugin.Config{"field": "payload@m", "pattern": "email"}, plugin.Payload{"m": "mine: anna@example.com"},
			"false", plugin.Payload{"message": "Didn't find any patterns"}, "", ""},
		{"ip", plugin.Config{"field": "192.168.1.20", "pattern": "ip"}, nil, "true", plugin.Payload{"ip": []any{"192.168.1.20"}}, "", ""},
		{"date", plugin.Config{"field": "31-12-2024", "pattern": "date"}, nil, "true", plugin.Payload{"date": []any{"31-12-2024"}}, "", ""},
		{"url", plugin.Config{"field": "http://example.com", "pattern": "url"}, nil, "true", plugin.Payload{"url": []any{"http://example.com"}}, "", ""},
		{"nothing", plugin.Config{"field": "plain words", "pattern": "all"}, nil, "false", plugin.Payload{"message": "Didn't find any patterns"}, "", ""},
		{"not text", plugin.Config{"field": "event@properties.tags", "pattern": "all"}, nil, "", nil, "not text", ""},
	})
	plugintest.SetUpFails(t, text.RegisterContainsPattern(), plugin.Config{"field": "x", "pattern": "phone"}, "pattern")
}

func TestProperties(t *testing.T) {
	cases := []struct {
		in   string
		want map[string]any
	}{
		{"Hello World", map[string]any{"capitalize": "Hello world", "lower": "hello world", "upper": "HELLO WORLD",
			"swapcase": "hELLO wORLD", "title": "Hello World", "istitle": true, "isalpha": false, "isascii": true, "isprintable": true}},
		{"they're bill's", map[string]any{"title": "They'Re Bill'S", "capitalize": "They're bill's", "islower": true, "isupper": false}},
		{"123", map[string]any{"isdigit": true, "isdecimal": true, "isnumeric": true, "isalnum": true, "isalpha": false, "islower": false, "isidentifier": false}},
		{"²", map[string]any{"isdigit": true, "isdecimal": false, "isnumeric": true}},
		{"_name1", map[string]any{"isidentifier": true, "isalnum": false}},
		{" \t\x1c", map[string]any{"isspace": true, "lstrip": "", "isprintable": false}},
		{"", map[string]any{"isspace": false, "isascii": true, "isalpha": false, "isprintable": true, "capitalize": ""}},
		{"ǅemal", map[string]any{"istitle": true, "upper": "ǄEMAL", "casefold": "ǆemal"}},
		{"Straße", map[string]any{"upper": "STRASSE", "casefold": "strasse", "lower": "straße", "encode": "Straße"}},
	}
	for _, c := range cases {
		out := plugintest.Run(t, text.RegisterProperties(), plugintest.Case{Config: plugin.Config{"string": "payload@s"}, Payload: plugin.Payload{"s": c.in}})
		got := out.MustPort(t, "payload")
		if len(got) != 20 {
			t.Errorf("%q: %d properties, want 20", c.in, len(got))
		}
		for k, v := range c.want {
			if got[k] != v {
				t.Errorf("%q.%s = %#v, want %#v", c.in, k, got[k], v)
			}
		}
	}
	out := plugintest.Run(t, text.RegisterProperties(), plugintest.Case{Config: plugin.Config{"string": "event@properties.num"}, Event: event})
	if out.Err == nil || !strings.Contains(out.Err.Error(), "not text") {
		t.Errorf("number: error %v", out.Err)
	}
}

func TestValidator(t *testing.T) {
	cases := []struct {
		kind, data string
		valid      bool
	}{
		{"email", "anna@example.com", true}, {"email", "anna@", false}, {"email", "x anna@example.com", false},
		{"url", "https://example.com/a?b", true}, {"url", "https://żółw.pl", true}, {"url", "ftp://example.com", false},
		{"ipv4", "192.168.0.255", true}, {"ipv4", "256.1.1.1", false},
		{"date", "31/12/2024", true}, {"date", "29.02.2024", true}, {"date", "29.02.2023", false},
		{"date", "29-02-2000", true}, {"date", "29-02-1900", false}, {"date", "31/04/2024", false},
		{"date", "1-2-24", true}, {"date", "31/12-2024", false}, {"date", "12/31/2024", false}, {"date", "01/01/1599", false},
		{"time", "23:59", true}, {"time", "23:59:59", true}, {"time", "24:00", false},
		{"int", "123", true}, {"int", "12.3", false},
		{"float", "12.3", true}, {"float", "-1,5", true}, {"float", "12", false},
		{"number_phone", "+48 123 456 7890", true}, {"number_phone", "123", false},
		{"ean", "4006381333931", true}, {"ean", "4006381333932", false}, {"ean", "400638133393", false},
	}
	for _, c := range cases {
		out := plugintest.Run(t, text.RegisterValidator(), plugintest.Case{
			Config: plugin.Config{"validator": c.kind, "data": "payload@d"}, Payload: plugin.Payload{"d": c.data}})
		want := "invalid"
		if c.valid {
			want = "valid"
		}
		if got := out.MustPort(t, want); got["d"] != c.data {
			t.Errorf("%s %q: payload %v", c.kind, c.data, got)
		}
	}
	// Tracardi's test config names no known validator: it sets up, and the
	// run says what is wrong.
	out := plugintest.Run(t, text.RegisterValidator(), plugintest.Case{Config: plugin.Config{"data": "test", "validator": "test"}})
	if out.Err == nil || !strings.Contains(out.Err.Error(), `"test" is not a validation type`) {
		t.Errorf("unknown validator: error %v", out.Err)
	}
	// A number is checked as its text.
	out = plugintest.Run(t, text.RegisterValidator(), plugintest.Case{Config: plugin.Config{"data": "event@properties.num", "validator": "int"}, Event: event})
	out.MustPort(t, "valid")
}

func TestSimilarity(t *testing.T) {
	cases := []struct {
		algo, a, b string
		want       float64
	}{
		{"levenshtein", "kitten", "sitting", 3},
		{"levenshtein", "", "abc", 3},
		{"levenshtein", "żółw", "zolw", 3},
		{"normalized_levenshtein", "kitten", "sitting", 3.0 / 7},
		{"normalized_levenshtein", "abc", "abc", 0},
		{"weighted_levenshtein", "kitten", "sitting", 3},
		{"damerau", "CA", "ABC", 2},
		{"damerau_levenshtein", "ab", "ba", 1},
		{"optimal_string_alignment", "CA", "ABC", 3},
		{"optimal_string_alignment", "ab", "ba", 1},
		{"optimal_string_alignment", "", "abc", 3},
		{"jaro_winkler", "MARTHA", "MARHTA", 1 - (17.0/18 + 0.1*3*(1-17.0/18))},
		{"jaro_winkler", "abc", "abc", 0},
		{"jaro_winkler", "abc", "xyz", 1},
		{"longest_common_subsequence", "AGGTAB", "GXTXAYB", 5},
		{"metric_longest_common_subsequence", "AGGTAB", "GXTXAYB", 1 - 4.0/7},
	}
	for _, c := range cases {
		out := plugintest.Run(t, text.RegisterSimilarity(), plugintest.Case{
			Config:  plugin.Config{"first_string": "payload@a", "second_string": "payload@b", "algorithm": c.algo},
			Payload: plugin.Payload{"a": c.a, "b": c.b}})
		got, _ := out.MustPort(t, "payload")["similarity"].(float64)
		if d := got - c.want; d > 1e-9 || d < -1e-9 {
			t.Errorf("%s(%q, %q) = %v, want %v", c.algo, c.a, c.b, got, c.want)
		}
	}
	plugintest.SetUpFails(t, text.RegisterSimilarity(), plugin.Config{"first_string": "a", "second_string": "b", "algorithm": "soundex"}, "algorithm")
	plugintest.SetUpFails(t, text.RegisterSimilarity(), plugin.Config{"first_string": "", "second_string": "b"}, "first_string")
	out := plugintest.Run(t, text.RegisterSimilarity(), plugintest.Case{
		Config:  plugin.Config{"first_string": "payload@a", "second_string": "b"},
		Payload: plugin.Payload{"a": strings.Repeat("x", 10001)}})
	if out.Err == nil {
		t.Error("a string over 10000 characters was compared")
	}
}
