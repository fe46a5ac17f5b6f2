package dotpath_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
)

func ExampleAt() {
	var answer any
	_ = json.Unmarshal([]byte(`{"response": {"views": {"value": 3}},
		"result": [{"type": "page-view", "tags": ["a", "b"]}]}`), &answer)
	fmt.Println(dotpath.At(answer, "response.views.value"))
	fmt.Println(dotpath.At(answer, "result.0.type"))
	fmt.Println(dotpath.At(answer, "result[0].tags[1]"))
	fmt.Println(dotpath.At(answer, "response.clicks.value"))
	// Output:
	// 3
	// page-view
	// b
	// <nil>
}

func TestAtEntersNamedTypes(t *testing.T) {
	p := plugin.Profile{"traits": map[string]any{"name": "Ann"}, "ids": []string{"a", "b"}}
	if got := dotpath.At(p, "traits.name"); got != "Ann" {
		t.Errorf("traits.name = %v, want Ann", got)
	}
	if got := dotpath.At(p, "ids.1"); got != "b" {
		t.Errorf("ids.1 = %v, want b", got)
	}
	if got := dotpath.At(p, "traits.age"); got != nil {
		t.Errorf("traits.age = %v, want nil", got)
	}
}
