package tql_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/tracflow/tracflow/plugin/dotpath"
	"github.com/tracflow/tracflow/plugin/tql"
)

func ExampleParse() {
	cond, err := tql.Parse(`event@type == "purchase" AND profile@stats.visits > 2`)
	if err != nil {
		panic(err)
	}
	scope := &dotpath.Scope{
		Event:   map[string]any{"type": "purchase"},
		Profile: map[string]any{"stats": map[string]any{"visits": 3.0}},
	}
	ok, err := cond.Eval(scope)
	fmt.Println(ok, err)
	// Output: true <nil>
}

func TestParseErrorsAndBarePaths(t *testing.T) {
	_, err := tql.Parse(`event@type ==`)
	var se *tql.SyntaxError
	if !errors.As(err, &se) {
		t.Fatalf("err = %T %v, want a *tql.SyntaxError", err, err)
	}
	c, err := tql.ParseDefault(`traits.country == "PL"`, "profile")
	if err != nil {
		t.Fatal(err)
	}
	ok, err := c.Eval(&dotpath.Scope{Profile: map[string]any{"traits": map[string]any{"country": "PL"}}})
	if !ok || err != nil {
		t.Errorf("bare path: %v %v", ok, err)
	}
}
