package migrate

import (
	"strings"
	"testing"
	"testing/fstest"
)

func TestLoad(t *testing.T) {
	fsys := fstest.MapFS{
		"m/0002_more.sql": {Data: []byte("B")},
		"m/0001_init.sql": {Data: []byte("A")},
		"m/README":        {Data: []byte("ignored")},
	}
	ms, err := Load(fsys, "m")
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 2 || ms[0].Version != 1 || ms[0].SQL != "A" || ms[1].Name != "0002_more.sql" {
		t.Fatalf("%+v", ms)
	}
	for name, files := range map[string]fstest.MapFS{
		"expected version 2": {"m/0001_a.sql": {}, "m/0003_c.sql": {}},
		"must be NNNN":       {"m/init.sql": {}},
		"expected version 1": {"m/0002_a.sql": {}},
	} {
		if _, err := Load(files, "m"); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: got %v", name, err)
		}
	}
}
