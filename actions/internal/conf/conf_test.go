package conf

import (
	"testing"

	"github.com/tracflow/tracflow/plugin"
)

func field(t *testing.T, err error, want string) {
	t.Helper()
	if err == nil {
		t.Fatalf("expected an error naming %q", want)
	}
	if f := plugin.AsConfigError(err).Errors[0].Field; f != want {
		t.Fatalf("error %v names %q, want %q", err, f, want)
	}
}

func TestJSON(t *testing.T) {
	v, err := JSON("value", `{"a": 1}`)
	if err != nil || v.(map[string]any)["a"] != 1.0 {
		t.Fatalf("JSON text: %v, %v", v, err)
	}
	obj := map[string]any{"b": 2}
	if v, err := JSON("value", obj); err != nil || v.(map[string]any)["b"] != 2 {
		t.Fatalf("JSON object: %v, %v", v, err)
	}
	_, err = JSON("value", "{nope")
	field(t, err, "value")
	_, err = JSON("value", "  ")
	field(t, err, "value")
}

func TestNumber(t *testing.T) {
	for in, want := range map[any]float64{1.0: 1, 2: 2, "3": 3, " 0.5 ": 0.5, "-2": -2} {
		got, err := Number("increment", in)
		if err != nil || got != want {
			t.Errorf("Number(%#v) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []any{nil, "x", true, []any{}} {
		_, err := Number("increment", in)
		field(t, err, "increment")
	}
}

func TestRefAndTarget(t *testing.T) {
	if r, err := Ref("p", "profile@traits.a"); err != nil || r.Source != "profile" {
		t.Fatalf("Ref: %v, %v", r, err)
	}
	for _, bad := range []string{"", "traits.a", "profile@a..b"} {
		_, err := Ref("p", bad)
		field(t, err, "p")
	}
	for _, bad := range []string{"flow@id", "profile@", "literal"} {
		_, err := Target("t", bad, false)
		field(t, err, "t")
	}
	if _, err := Target("t", "memory@", true); err != nil {
		t.Fatalf("whole memory as target: %v", err)
	}
}
