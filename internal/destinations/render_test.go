package destinations

import (
	"testing"

	"github.com/tracflow/tracflow/internal/jsonx"
	"github.com/tracflow/tracflow/internal/notation"
)

// A collected profile and event as the load kit's purchase workload stores
// them.
const (
	benchProfile = `{"active":true,"data":{"preferences":{},"job":{},"metrics":{},"pii":{},"contact":{"phone":{},"app":{},"address":{},"email":{}},"loyalty":{},"identifier":{},"devices":{},"media":{}},"id":"p-1","ids":[],"operation":{"new":false,"update":false,"segment":false,"merge":[]},"stats":{"views":0,"counters":{"purchases":1,"total":12.5},"visits":0},"interests":{},"aux":{},"metadata":{"aux":{},"time":{"create":"2026-12-07T18:48:54.964831Z","update":"2026-12-07T18:48:54.964831Z","visit":{"current":"2026-12-07T18:48:54.964831Z","tz":null,"count":1,"session":"s-1","activity":"2026-12-07T18:48:54.964831Z","last":null},"segmentation":null,"insert":"2026-12-07T18:48:54.964831Z"},"fields":{}},"traits":{},"segments":[],"consents":{}}`
	benchEvent   = `{"traits":{},"context":{},"tags":[],"session":{"id":"s-1","start":"2026-12-07T18:48:54.964831Z","duration":0,"tz":""},"request":{"headers":{"content-type":"application/x-www-form-urlencoded","user-agent":"curl/7.88.1","accept":"*/*","content-length":"146"}},"app":{"bot":true,"user_agent":"curl/7.88.1","type":"browser"},"id":"01a251d6-65b5-7d1c-b971-39b80e001582","type":"purchase","source":{"id":"s1"},"properties":{"price":12.5,"sku":"A1"},"options":{},"profile":{"id":"p-1"},"metadata":{"time":{"insert":"2026-12-07T18:48:54.964831Z","create":"2026-12-07T18:48:54.964831Z"},"channel":null,"processed_by":{"rules":["purchases"],"flows":["purchases"]},"debug":false,"error":false,"status":"processed","profile_less":false,"valid":true,"warning":true},"device":{"type":"bot","ip":"127.0.0.1"}}`
)

// BenchmarkRenderDefaultMapping renders the default mapping (the profile
// and the event) of the purchase workload's documents: encoding both, and
// copying the encodings the store wrote.
func BenchmarkRenderDefaultMapping(b *testing.B) {
	mapping, err := notation.CompileReshape(defaultMapping)
	if err != nil {
		b.Fatal(err)
	}
	doc := func(s string) map[string]any {
		v, err := jsonx.Unmarshal([]byte(s))
		if err != nil {
			b.Fatal(err)
		}
		return v.(map[string]any)
	}
	profile, ev := doc(benchProfile), doc(benchEvent)
	var stored jsonx.Known
	stored.Add(profile, []byte(benchProfile))
	stored.Add(ev, []byte(benchEvent))
	for _, c := range []struct {
		name   string
		stored *jsonx.Known
	}{{"encoded", nil}, {"stored", &stored}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := render(mapping, ev, profile, nil, c.stored); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
