package tql

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tracflow/tracflow/internal/notation"
)

// fixedNow is the clock for tests: 2024-03-10 12:00:00 UTC.
var fixedNow = time.Date(2024, 3, 10, 12, 0, 0, 0, time.UTC)

func testScope(t testing.TB) *notation.Scope {
	t.Helper()
	var payload map[string]any
	err := json.Unmarshal([]byte(`{
		"a": {"b": 1, "c": [1, 2, 3, "4"], "d": {"aa": 1}, "e": "test", "f": 1, "g": true, "h": null,
		      "i": "2021-01-10", "j": [], "k": {}, "l": "", "m": 1650976227, "text": "Hello world",
		      "neg": -2.5, "big": 1e21, "zone": "Europe/Warsaw", "badzone": "Nowhere/City", "when": "2024-03-10T11:30:00Z",
		      "notdate": "yesterday", "off": "-1h", "list2": [1, 2], "upper": "ABC", "mixed": ["x", 1, true, null]},
		"sku": "A-1", "n": "1", "price": 12.5, "qty": 2
	}`), &payload)
	if err != nil {
		t.Fatal(err)
	}
	return &notation.Scope{
		Payload: payload,
		Event:   map[string]any{"type": "page-view", "metadata": map[string]any{"time": map[string]any{"insert": "2024-03-10T10:00:00.123456+00:00"}}},
		Profile: map[string]any{"traits": map[string]any{"age": 30, "score": int64(7), "n": json.Number("2.5"), "tags": []string{"vip", "new"}, "first name": "Ann"}},
		Session: map[string]any{"id": "s1"},
		Flow:    map[string]any{"id": "f1", "name": "Flow"},
		Memory:  map[string]any{"count": 3.0, "other": 1.0},
	}
}

func TestEval(t *testing.T) {
	tests := []struct {
		cond string
		want bool
	}{
		// equality and the operator spellings
		{`payload@a.b == 1`, true},
		{`payload@a.b = 1`, true},
		{`payload@a.b == 2`, false},
		{`payload@a.b != 1`, false},
		{`payload@a.b != 2`, true},
		{`payload@a.e == "test"`, true},
		{`payload@a.e == 'test'`, true},
		{`payload@a.g == true`, true},
		{`payload@a.g == TRUE`, true},
		{`payload@a.g == false`, false},
		{`payload@a.h == null`, true},
		{`payload@a.h == NULL`, true},
		{`payload@a.h != null`, false},
		{`payload@a.b != null`, true},
		{`payload@a.b == null`, false},
		// no coercion
		{`payload@n == 1`, false},
		{`payload@n == "1"`, true},
		{`payload@a.b == "1"`, false},
		{`payload@a.g == 1`, false},
		{`payload@a.g == "true"`, false},
		// numbers whatever their Go type
		{`profile@traits.age == 30`, true},
		{`profile@traits.age > 29.5`, true},
		{`profile@traits.score == 7`, true},
		{`profile@traits.n == 2.5`, true},
		{`profile@traits.n < 3`, true},
		{`payload@a.neg < -2`, true},
		{`payload@a.neg == -2.5`, true},
		{`payload@a.neg > -2.5`, false},
		{`payload@a.big >= 1e21`, true},
		{`payload@a.b > .5`, true},
		{`payload@a.b > 1.54543`, false},
		{`payload@a.b < +2`, true},
		// ordering
		{`payload@a.b > 0`, true},
		{`payload@a.b > 1`, false},
		{`payload@a.b >= 1`, true},
		{`payload@a.b => 1`, true},
		{`payload@a.b < 2`, true},
		{`payload@a.b < 1`, false},
		{`payload@a.b <= 1`, true},
		{`payload@a.b =< 1`, true},
		{`payload@a.e > "tesa"`, true},
		{`payload@a.e < "tesa"`, false},
		{`payload@a.e > 1`, false},
		{`payload@a.g > false`, false},
		{`payload@a.d > 1`, false},
		// field against field, both ways round
		{`payload@a.b == payload@a.f`, true},
		{`payload@a.b == memory@count`, false},
		{`memory@count == payload@a.b`, false},
		{`memory@count > memory@other`, true},
		{`memory@other > memory@count`, false},
		{`payload@a.b != payload@a.f`, false},
		// literal on the left
		{`1 == payload@a.b`, true},
		{`2 > payload@a.b`, true},
		// lists mean "in"
		{`payload@a.b == [1, 2]`, true},
		{`payload@a.b == [3, "1"]`, false},
		{`payload@sku == ["A-1", "B-2"]`, true},
		{`payload@sku != ["A-1", "B-2"]`, false},
		{`payload@sku != ["C-3"]`, true},
		{`payload@a.b == []`, false},
		{`payload@a.b != []`, true},
		{`payload@a.list2 == [1, 2]`, true},
		{`payload@a.list2 == [2, 1]`, false},
		{`payload@a.list2 == payload@a.list2`, true},
		{`[1, 5] == payload@a.b`, true},
		{`profile@traits.tags == "vip"`, true},
		{`payload@a.h == [null, 1]`, true},
		// BETWEEN (inclusive)
		{`payload@a.d.aa between 1 and 2`, true},
		{`payload@a.d.aa BETWEEN 0 AND 1`, true},
		{`payload@a.d.aa between 3 and 4`, false},
		{`payload@price between 12.5 and 12.5`, true},
		{`payload@sku BETWEEN "A" AND "B"`, true},
		{`payload@sku BETWEEN 1 AND 2`, false},
		{`payload@a.missing between 1 and 2`, false},
		{`payload@a.b between payload@a.missing and 2`, false},
		// IS NULL
		{`payload@a.h is null`, true},
		{`payload@a.h IS NOT NULL`, false},
		{`payload@a.b is null`, false},
		{`payload@a.b is not null`, true},
		{`payload@a.missing is null`, false},
		{`payload@a.missing is not null`, true},
		// EXISTS
		{`payload@a.h exists`, true},
		{`payload@a.h not exists`, false},
		{`payload@a.h.h exists`, false},
		{`payload@a.h.h not exists`, true},
		{`payload@a.missing EXISTS`, false},
		{`payload@a.missing NOT EXISTS`, true},
		{`payload@a.c.3 exists`, true},
		{`payload@a.c.4 exists`, false},
		{`profile@... exists`, true},
		{`payload@ exists`, true},
		{`profile@traits["first name"] exists`, true},
		{`profile@traits["first name"] == "Ann"`, true},
		// EMPTY
		{`payload@missing EMPTY`, true},
		{`payload@a.h empty`, true},
		{`payload@a.j EMPTY`, true},
		{`payload@a.k EMPTY`, true},
		{`payload@a.l EMPTY`, true},
		{`payload@a.g EMPTY`, false},
		{`payload@a.f EMPTY`, false},
		{`payload@a.b EMPTY`, false},
		{`payload@a.c EMPTY`, false},
		{`payload@a.d EMPTY`, false},
		{`payload@a.e EMPTY`, false},
		{`payload@a.j NOT EMPTY`, false},
		{`payload@a.c NOT EMPTY`, true},
		{`payload@missing NOT EMPTY`, false},
		// CONTAINS, STARTS WITH, ENDS WITH
		{`payload@a.text CONTAINS "ello"`, true},
		{`payload@a.text contains "something"`, false},
		{`payload@a.c CONTAINS "4"`, true},
		{`payload@a.c CONTAINS 4`, false},
		{`payload@a.c CONTAINS 1`, true},
		{`payload@a.c CONTAINS "5"`, false},
		{`profile@traits.tags CONTAINS "vip"`, true},
		{`payload@a.b CONTAINS 0`, false},
		{`payload@a.g CONTAINS null`, false},
		{`payload@a.k CONTAINS "5"`, false},
		{`payload@a.text CONTAINS 1`, false},
		{`payload@a.missing CONTAINS "x"`, false},
		{`payload@a.mixed CONTAINS null`, true},
		{`payload@a.text STARTS WITH "Hello"`, true},
		{`payload@a.text starts with "ello"`, false},
		{`payload@a.c STARTS WITH 1`, true},
		{`payload@a.c STARTS WITH "5"`, false},
		{`payload@a.j STARTS WITH 1`, false},
		{`payload@a.b STARTS WITH 0`, false},
		{`payload@a.text ENDS WITH "world"`, true},
		{`payload@a.text ends with "worl"`, false},
		{`payload@a.c ENDS WITH "4"`, true},
		{`payload@a.c ENDS WITH "2"`, false},
		{`payload@a.h ENDS WITH 4`, false},
		{`profile@traits.tags ENDS WITH "new"`, true},
		// missing fields
		{`payload@a.missing == true`, false},
		{`payload@a.missing == "string"`, false},
		{`payload@a.missing == null`, false},
		{`payload@a.missing != null`, true},
		{`payload@a.missing != 1`, true},
		{`payload@a.missing != [1]`, true},
		{`payload@a.missing < -1`, false},
		{`payload@a.missing <= -1`, false},
		{`payload@a.missing > -1`, false},
		{`payload@a.missing >= -1`, false},
		{`payload@no-value.b > 1`, false},
		{`1 == payload@a.missing`, false},
		{`payload@a.missing == payload@a.missing2`, false},
		{`payload@a.missing != payload@a.missing2`, true},
		{`session@nothing == 1`, false},
		// AND, OR, NOT, precedence, parentheses
		{`payload@a.d.aa between 1 and 2 and payload@a.e == "test"`, true},
		{`payload@a.d.aa between 1 and 2 or payload@a.e != "test"`, true},
		{`payload@a.d.aa between 2 and 3 and payload@a.e != "test"`, false},
		{`payload@a.missing exists AND payload@a.missing == 1`, false},
		{`payload@a.missing exists OR payload@a.b == 1`, true},
		{`(payload@a.missing exists OR payload@a.b==1) AND payload@a.missing not exists`, true},
		{`payload@a.b == 1 OR payload@a.b == 2 AND payload@a.b == 3`, true},    // AND first
		{`(payload@a.b == 1 OR payload@a.b == 2) AND payload@a.b == 3`, false}, // parentheses win
		{`payload@a.b == 2 AND payload@a.b == 3 OR payload@a.b == 1`, true},
		{`payload@a.b == 2 OR payload@a.b == 3 OR payload@a.b == 1`, true},
		{`NOT payload@a.b == 1`, false},
		{`not payload@a.b == 2`, true},
		{`NOT NOT payload@a.b == 1`, true},
		{`NOT (payload@a.b == 1 OR payload@a.b == 2)`, false},
		{`NOT payload@a.b == 2 AND payload@a.b == 1`, true}, // NOT binds tightest
		{`NOT payload@a.missing == 1`, true},
		{`((payload@a.b == 1))`, true},
		{"payload@a.b == 1\n\tAND\n\tpayload@a.e == \"test\"", true},
		{`payload@a.b==1 and payload@a.e=="test"`, true},
		// event, session, flow, memory, case-insensitive source
		{`event@type == "page-view"`, true},
		{`session@id == "s1"`, true},
		{`flow@name == "Flow"`, true},
		{`memory@count == 3`, true},
		{`Event@type == "page-view"`, true},
		// strings with escapes
		{`payload@a.text == "Hello world"`, true},
		{`"a\"b" == 'a"b'`, true},
		{`'it\'s' == "it's"`, true},
		{`"\u0041\x42" == "AB"`, true},
		{`"line\nbreak" CONTAINS "\n"`, true},
		// functions
		{`lowercase(payload@a.upper) == "abc"`, true},
		{`uppercase(payload@a.e) == "TEST"`, true},
		{`lowercase(payload@a.b) == 1`, true},
		{`LOWERCASE("ABC") == "abc"`, true},
		{`lowercase(payload@a.missing) == "x"`, false},
		{`lowercase(payload@a.missing) != "x"`, true},
		{`lowercase(payload@a.h) IS NULL`, true},
		{`lowercase(payload@a.missing) EMPTY`, true},
	}
	s := testScope(t)
	for _, tt := range tests {
		c, err := Parse(tt.cond)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.cond, err)
			continue
		}
		got, err := c.EvalAt(s, fixedNow)
		if err != nil {
			t.Errorf("Eval(%q): %v", tt.cond, err)
			continue
		}
		if got != tt.want {
			t.Errorf("Eval(%q) = %v, want %v", tt.cond, got, tt.want)
		}
		// The canonical form means the same.
		c2, err := Parse(c.String())
		if err != nil {
			t.Errorf("Parse(String()=%q): %v", c.String(), err)
			continue
		}
		if got2, _ := c2.EvalAt(s, fixedNow); got2 != got {
			t.Errorf("%q and its canonical form %q disagree", tt.cond, c.String())
		}
	}
}

func TestEvalDatetimes(t *testing.T) {
	tests := []struct {
		cond string
		want bool
	}{
		{`datetime(payload@a.i) == datetime("2021-01-10")`, true},
		{`datetime(payload@a.i) != datetime("2021-01-10")`, false},
		{`datetime(payload@a.i) <= datetime("2021-01-10")`, true},
		{`datetime(payload@a.i) >= datetime("2021-01-10")`, true},
		{`datetime(payload@a.i) < datetime("2021-01-11")`, true},
		{`datetime(payload@a.i) > datetime("2021-01-09")`, true},
		{`datetime(payload@a.i) < datetime("2021-01-10 00:00:01")`, true},
		{`datetime(payload@a.i) > datetime("2021-01-10 00:00:01")`, false},
		{`datetime(payload@a.i) between datetime("2020-01-01") and datetime("2022-01-01")`, true},
		{`datetime(payload@a.i) between datetime("2022-01-01") and datetime("2023-01-01")`, false},
		{`datetime(event@metadata.time.insert) == datetime(event@metadata.time.insert)`, true},
		{`datetime(event@metadata.time.insert) > datetime(event@metadata.time.insert)`, false},
		{`datetime.from_timestamp(payload@a.m) == datetime.from_timestamp(payload@a.m)`, true},
		{`datetime.from_timestamp(payload@a.m) == "2022-04-26T12:30:27Z"`, true},
		{`datetime.from_timestamp(0) == "1970-01-01"`, true},
		// a date compares with an ISO string, in both orders
		{`payload@a.when < now()`, true},
		{`now() > payload@a.when`, true},
		{`payload@a.when > now.offset("-1h")`, true},
		{`payload@a.when > now.offset(-1h)`, true},
		{`payload@a.when > now.offset("-10m")`, false},
		{`payload@a.when == datetime("2024-03-10 11:30:00")`, true},
		{`payload@a.when == datetime("2024-03-10T12:30:00+01:00")`, true},
		{`event@metadata.time.insert < now.offset("-1h")`, true},
		{`event@metadata.time.insert BETWEEN now.offset("-1d") AND now()`, true},
		{`payload@a.notdate < now()`, false},
		{`payload@a.notdate == now()`, false},
		{`payload@a.notdate != now()`, true},
		{`payload@a.b < now()`, false},
		// now() is one instant per evaluation
		{`now() == now()`, true},
		{`now() == utcnow()`, true},
		{`now.offset("-1m") < now()`, true},
		{`now.offset("+1m") > now()`, true},
		{`now.offset("1h30m") == "2024-03-10T13:30:00Z"`, true},
		{`now.offset("2 days") == "2024-03-12T12:00:00Z"`, true},
		{`now.offset(1d) == "2024-03-11T12:00:00Z"`, true},
		{`now.offset(payload@a.off) == "2024-03-10T11:00:00Z"`, true},
		{`datetime.offset(payload@a.i, "-1m") < now()`, true},
		{`datetime.offset(payload@a.i, "1d") == "2021-01-11"`, true},
		{`datetime.timezone(payload@a.i, "europe/warsaw") < now.timezone("europe/paris")`, true},
		{`datetime.timezone(payload@a.i, "europe/warsaw") < now("europe/paris")`, true},
		{`now("Europe/Warsaw") == now()`, true},
		{`now(payload@a.zone) == now()`, true},
		{`now.timezone.offset("UTC", "1h") > now()`, true},
		// missing and null arguments
		{`datetime.offset(payload@a.missing, "-1m") < now()`, false},
		{`payload@a.missing EXISTS and datetime.offset(payload@a.missing, "-1m") < now()`, false},
		{`payload@a.missing NOT EMPTY and datetime.offset(payload@a.missing, "-1m") < now()`, false},
		{`datetime.offset(payload@a.missing, "-1m") < now() OR payload@a.h is NULL`, true},
		{`payload@a.h IS NULL OR datetime.offset(payload@a.missing, "-1m") > 0`, true},
		{`datetime.offset(payload@a.h, "-1m") < now()`, false},
		{`datetime(payload@a.h) IS NULL`, true},
		{`datetime(payload@a.missing) IS NULL`, false},
		// durations
		{`payload@a.b < 5m`, true},
		{`memory@count == 3s`, true},
		{`300 == 5m`, true},
		{`5m < 1h`, true},
		{`2d == 48h`, true},
		{`-1d < 0`, true},
		{`1.5h == 90m`, true},
		{`5m == "5m"`, false},
	}
	s := testScope(t)
	for _, tt := range tests {
		c, err := Parse(tt.cond)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.cond, err)
			continue
		}
		got, err := c.EvalAt(s, fixedNow)
		if err != nil {
			t.Errorf("Eval(%q): %v", tt.cond, err)
			continue
		}
		if got != tt.want {
			t.Errorf("Eval(%q) = %v, want %v", tt.cond, got, tt.want)
		}
	}
}

func TestEvalErrors(t *testing.T) {
	tests := []struct {
		cond, msg string
	}{
		{`now(payload@a.badzone) > now()`, `unknown time zone "Nowhere/City"`},
		{`now(payload@a.b) > now()`, `not a time zone name`},
		{`datetime(payload@a.notdate) > now()`, `tql: datetime(payload@a.notdate): cannot read "yesterday" as a date`},
		{`datetime(payload@a.b) > now()`, `datetime.from_timestamp()`},
		{`datetime.from_timestamp(payload@a.e) > now()`, `not a Unix timestamp`},
		{`now.offset(payload@a.e) > now()`, `cannot read "test" as a duration`},
		{`payload@a.b == 1 AND datetime(payload@a.notdate) > now()`, `cannot read`},
	}
	s := testScope(t)
	for _, tt := range tests {
		c := MustParse(tt.cond)
		_, err := c.EvalAt(s, fixedNow)
		if err == nil || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("Eval(%q) err = %v, want %q", tt.cond, err, tt.msg)
		}
	}
	// Short-circuit: the failing side is never evaluated.
	for _, cond := range []string{
		`payload@a.b == 2 AND datetime(payload@a.notdate) > now()`,
		`payload@a.b == 1 OR datetime(payload@a.notdate) > now()`,
	} {
		if _, err := MustParse(cond).EvalAt(s, fixedNow); err != nil {
			t.Errorf("Eval(%q) evaluated the right side: %v", cond, err)
		}
	}
}

func TestEvalNilScopeAndClock(t *testing.T) {
	c := MustParse(`payload@a NOT EXISTS AND profile@... NOT EXISTS`)
	if ok, err := c.Eval(nil); !ok || err != nil {
		t.Fatalf("nil scope: %v %v", ok, err)
	}
	if ok, err := c.EvalAt(nil, fixedNow); !ok || err != nil {
		t.Fatalf("nil scope: %v %v", ok, err)
	}
	live := MustParse(`now.offset("-1m") < now() AND utcnow() > "2024-01-01"`)
	if ok, err := live.Eval(&notation.Scope{}); !ok || err != nil {
		t.Fatalf("live clock: %v %v", ok, err)
	}
	if !live.UsesNow() || MustParse(`payload@a == 1`).UsesNow() {
		t.Error("UsesNow wrong")
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		src string
		pos int
		msg string
	}{
		{`payload@a.b == AND x`, 15, `expected a value after "==", found "AND"`},
		{`payload@a.b ==`, 14, `expected a value after "==", found the end of the condition`},
		{``, 0, `empty condition`},
		{`   `, 0, `empty condition`},
		{`payload@a == 1 AND`, 18, `expected a value after "AND"`},
		{`payload@a == 1 payload@b == 2`, 15, `expected AND, OR or the end`},
		{`payload@a`, 9, `expected an operator after payload@a`},
		{`payload@a 1`, 10, `expected an operator after payload@a`},
		{`foo == 1`, 0, `unknown word "foo"`},
		{`payload@a == foo`, 13, `unknown word "foo" after "=="`},
		{`user@a == 1`, 0, `unknown source "user"`},
		{`payload@a..b == 1`, 0, `empty path segment`},
		{`payload@a. == 1`, 0, `path ends with "."`},
		{`payload@a == "x`, 13, `unclosed string`},
		{`payload@a == "\q"`, 14, `unknown escape`},
		{`payload@a == "\u12"`, 14, `four hex digits`},
		{`payload@a == "\x1"`, 14, `two hex digits`},
		{`payload@a ! 1`, 10, `did you mean "!="`},
		{`payload@a == 1 )`, 15, `without a matching "("`},
		{`(payload@a == 1`, 15, `expected ")" to close the "(" at 0`},
		{`payload@a == [1, payload@b]`, 17, `expected a value in the list`},
		{`payload@a == [1 2]`, 16, `expected "," or "]"`},
		{`payload@a == [1,`, 16, `expected a value in the list`},
		{`payload@a BETWEEN 1 OR 2`, 20, `expected AND in BETWEEN`},
		{`payload@a IS 1`, 13, `expected NULL after IS`},
		{`payload@a IS NOT 1`, 17, `expected NULL after IS NOT`},
		{`payload@a NOT 1`, 14, `expected EXISTS or EMPTY after NOT`},
		{`"x" EXISTS`, 0, `EXISTS applies to a field`},
		{`now() EXISTS`, 0, `EXISTS applies to a field`},
		{`payload@a STARTS "x"`, 17, `expected WITH after STARTS`},
		{`payload@a ENDS "x"`, 15, `expected WITH after ENDS`},
		{`foo(1) == 1`, 0, `unknown function "foo"`},
		{`now(1, 2, 3) == 1`, 0, `now() takes 0 or 1 argument(s), not 3`},
		{`lowercase() == 1`, 0, `lowercase() takes 1 argument(s), not 0`},
		{`lowercase(1 == 1`, 12, `expected "," or ")" in lowercase()`},
		{`now("Mars/Base") > 1`, 4, `unknown time zone "Mars/Base"`},
		{`now(1) > 1`, 4, `not a time zone name`},
		{`now.offset("soon") > 1`, 11, `cannot read "soon" as a duration`},
		{`datetime("not a date") > 1`, 9, `cannot read "not a date" as a date`},
		{`payload@a > 5x`, 12, `cannot read "5x" as a duration`},
		{`payload@a > 1e5x`, 12, `bad number "1e5x"`},
		{`payload@a > 5mm`, 12, `cannot read "5mm" as a duration`},
		{`payload@a > 1e999`, 12, `out of range`},
		{`payload@a > -`, 12, `expected a number`},
		{`payload@a > .`, 12, `expected a number`},
		{`payload@a == #`, 13, `unexpected character '#'`},
		{`payload@a == NOT`, 13, `found "NOT"`},
		{`NOT`, 3, `expected a value after "NOT"`},
		{`payload@a == 1 OR OR`, 18, `expected a value after "OR", found "OR"`},
	}
	for _, tt := range tests {
		_, err := Parse(tt.src)
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("Parse(%q) err = %v, want *SyntaxError", tt.src, err)
			continue
		}
		if se.Pos != tt.pos || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("Parse(%q) = %v; want at %d: %q", tt.src, err, tt.pos, tt.msg)
		}
		if !strings.HasPrefix(err.Error(), "tql: at ") {
			t.Errorf("message %q lacks the tql: at prefix", err)
		}
	}
	deep := strings.Repeat("(", 500) + "payload@a == 1" + strings.Repeat(")", 500)
	if _, err := Parse(deep); err == nil || !strings.Contains(err.Error(), "nested too deeply") {
		t.Errorf("deep nesting: %v", err)
	}
	deepNot := strings.Repeat("NOT ", 500) + "payload@a == 1"
	if _, err := Parse(deepNot); err == nil {
		t.Error("deep NOT accepted")
	}
	deepCall := strings.Repeat("lowercase(", 500) + "payload@a" + strings.Repeat(")", 500) + " == 1"
	if _, err := Parse(deepCall); err == nil {
		t.Error("deep call accepted")
	}
}

func TestString(t *testing.T) {
	tests := []struct{ in, want string }{
		{`payload@a = 1`, `payload@a == 1`},
		{`payload@a => 1 and payload@b =< 2`, `payload@a >= 1 AND payload@b <= 2`},
		{`(payload@a == 1 or payload@b == 2) and payload@c == 3`, `(payload@a == 1 OR payload@b == 2) AND payload@c == 3`},
		{`payload@a == 1 or (payload@b == 2 and payload@c == 3)`, `payload@a == 1 OR payload@b == 2 AND payload@c == 3`},
		{`payload@a == 1 and (payload@b == 2 and payload@c == 3)`, `payload@a == 1 AND payload@b == 2 AND payload@c == 3`},
		{`not (payload@a == 1 or payload@b == 2)`, `NOT (payload@a == 1 OR payload@b == 2)`},
		{`not not payload@a exists`, `NOT NOT payload@a EXISTS`},
		{`payload@a is not null`, `payload@a IS NOT NULL`},
		{`payload@a not empty`, `payload@a NOT EMPTY`},
		{`payload@a not exists`, `payload@a NOT EXISTS`},
		{`payload@a between -1 and 2.50`, `payload@a BETWEEN -1 AND 2.5`},
		{`payload@a == ['x', 1, true, null, 5m]`, `payload@a == ["x", 1, true, null, 5m]`},
		{`payload@a contains 'it\'s "q"'`, `payload@a CONTAINS "it's \"q\""`},
		{`payload@a starts with "x" or payload@a ends with "y"`, `payload@a STARTS WITH "x" OR payload@a ENDS WITH "y"`},
		{`NOW.Offset( "-1d" ) < DateTime(payload@x)`, `now.offset("-1d") < datetime(payload@x)`},
		{`payload@a > 90m`, `payload@a > 90m`},
		{`payload@a > 120m`, `payload@a > 2h`},
		{`payload@a > 1.5s`, `payload@a > 1.5s`},
		{`payload@a > 1e21`, `payload@a > 1e+21`},
		{`PAYLOAD@a["b c"] == "\t"`, `payload@a["b c"] == "\t"`},
		{`payload@. exists`, `payload@... EXISTS`},
	}
	for _, tt := range tests {
		c, err := Parse(tt.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.in, err)
			continue
		}
		if got := c.String(); got != tt.want {
			t.Errorf("String(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestFields(t *testing.T) {
	c := MustParse(`payload@a == profile@b OR datetime(event@c) < now() AND payload@a EXISTS AND memory@d BETWEEN 1 AND session@e`)
	var got []string
	for _, r := range c.Fields() {
		got = append(got, r.String())
	}
	want := "payload@a profile@b event@c memory@d session@e"
	if strings.Join(got, " ") != want {
		t.Fatalf("Fields() = %v, want %s", got, want)
	}
}

func TestMustParsePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("no panic")
		}
	}()
	MustParse("payload@a ==")
}

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"5m", 5 * time.Minute, true}, {"10s", 10 * time.Second, true}, {"1h", time.Hour, true},
		{"2d", 48 * time.Hour, true}, {"1w", 7 * 24 * time.Hour, true}, {"-1d", -24 * time.Hour, true},
		{"+1m", time.Minute, true}, {"1h30m", 90 * time.Minute, true}, {"1.5h", 90 * time.Minute, true},
		{"2 days 3 hours", 51 * time.Hour, true}, {"1 hour, 5 minutes", 65 * time.Minute, true},
		{"0.000000001s", 1, true}, {"- 1 d", -24 * time.Hour, true},
		{"", 0, false}, {"5", 0, false}, {"m", 0, false}, {"5x", 0, false}, {"99999999999999999999d", 0, false},
		{"200000d", 0, false}, {"-", 0, false}, {".s", 0, false},
	}
	for _, tt := range tests {
		got, err := parseDuration(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("parseDuration(%q) = %v, %v", tt.in, got, err)
		}
	}
	for _, d := range []time.Duration{0, 1, time.Second, 90 * time.Second, 1500 * time.Millisecond, -3 * time.Hour, 36 * time.Hour, 1<<63 - 1, -(1<<63 - 1)} {
		back, err := parseDuration(formatDuration(d))
		if err != nil || back != d {
			t.Errorf("formatDuration(%v) = %q reads back as %v, %v", d, formatDuration(d), back, err)
		}
	}
}

func TestParseTime(t *testing.T) {
	good := map[string]time.Time{
		"2024-05-01":                      time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC),
		"2024-05-01T10:00:00Z":            time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC),
		"2024-05-01T10:00:00":             time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC),
		"2024-05-01 10:00:00":             time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC),
		"2024-05-01T12:00:00+02:00":       time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC),
		"2024-05-01 12:00:00.5+02:00":     time.Date(2024, 5, 1, 10, 0, 0, 5e8, time.UTC),
		"2024-05-01T10:00:00.123456":      time.Date(2024, 5, 1, 10, 0, 0, 123456000, time.UTC),
		"2024-05-01T12:00:00+0200":        time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC),
		"2024-05-01T10:00":                time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC),
		"2024/05/01":                      time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC),
		"Wed, 01 May 2024 10:00:00 +0000": time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC),
		"2024-05-01 12:00:00 +0200 CEST":  time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC),
		" 2024-05-01 ":                    time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC),
	}
	for in, want := range good {
		got, ok := parseTime(in)
		if !ok || !got.Equal(want) {
			t.Errorf("parseTime(%q) = %v, %v; want %v", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "yesterday", "2024", "2024-13-01", "01/05/2024", "abcdefghijklmn"} {
		if _, ok := parseTime(in); ok {
			t.Errorf("parseTime(%q) accepted", in)
		}
	}
}

func TestZones(t *testing.T) {
	for _, name := range []string{"Europe/Warsaw", "europe/warsaw", "UTC", "utc", "america/new_york", "America/Argentina/Buenos_Aires"} {
		if _, err := loadZone(name); err != nil {
			t.Errorf("loadZone(%q): %v", name, err)
		}
	}
	for _, name := range []string{"", "Local", "Nowhere/City", "../etc/passwd"} {
		if _, err := loadZone(name); err == nil {
			t.Errorf("loadZone(%q) accepted", name)
		}
	}
}

func TestConcurrentEval(t *testing.T) {
	c := MustParse(`event@type == "page-view" AND now.offset("-1d") < now() AND payload@a.c CONTAINS 2`)
	s := testScope(t)
	done := make(chan bool)
	for range 4 {
		go func() {
			for range 200 {
				if ok, err := c.Eval(s); !ok || err != nil {
					t.Errorf("Eval = %v, %v", ok, err)
				}
			}
			done <- true
		}()
	}
	for range 4 {
		<-done
	}
}

func TestEvalDoesNotAllocate(t *testing.T) {
	s := testScope(t)
	for _, cond := range []string{
		`payload@a.b == 1`,
		`event@type == "page-view"`,
		`payload@a.missing == 1`,
		`payload@a.b > 0 AND payload@a.e != "x" OR payload@sku == ["A-1", "B-2"]`,
		`payload@a.text CONTAINS "ello" AND payload@a.h IS NULL AND payload@a.j EMPTY AND payload@a.h EXISTS`,
		`payload@a.d.aa BETWEEN 0 AND 2`,
	} {
		c := MustParse(cond)
		allocs := testing.AllocsPerRun(100, func() {
			if ok, err := c.Eval(s); err != nil || (!ok && !strings.Contains(cond, "missing")) {
				t.Fatalf("Eval(%q) = %v, %v", cond, ok, err)
			}
		})
		if allocs != 0 {
			t.Errorf("Eval(%q) allocates %v times", cond, allocs)
		}
	}
}

func BenchmarkEval(b *testing.B) {
	s := testScope(b)
	for _, bc := range []struct{ name, cond string }{
		{"number", `payload@a.b == 1`},
		{"string", `event@type == "page-view"`},
		{"and-or", `event@type == "page-view" AND (payload@price > 10 OR payload@sku == ["A-1", "B-2"])`},
		{"datetime", `event@metadata.time.insert > now.offset("-1d")`},
	} {
		c := MustParse(bc.cond)
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.EvalAt(s, fixedNow); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(`event@type == "page-view" AND (payload@price > 10 OR payload@sku == ["A-1", "B-2"])`); err != nil {
			b.Fatal(err)
		}
	}
}

func TestZeroCondition(t *testing.T) {
	var c Condition
	if _, err := c.Eval(nil); err == nil {
		t.Error("zero Condition evaluated")
	}
	if _, err := c.EvalAt(nil, fixedNow); err == nil {
		t.Error("zero Condition evaluated")
	}
	if c.String() != "" {
		t.Error("zero Condition has text")
	}
}

func TestFieldHint(t *testing.T) {
	_, err := Parse(`payload.a.b == 1`)
	if err == nil || !strings.Contains(err.Error(), "did you mean the field payload@a.b?") {
		t.Fatalf("err = %v", err)
	}
}
