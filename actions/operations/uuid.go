package operations

import (
	"context"
	"crypto/rand"
	"fmt"

	"github.com/tracflow/tracflow/plugin"
)

// UUID4 emits a new random UUID (version 4).
type UUID4 struct{ plugin.ActionRunner }

// Run makes the UUID.
func (a *UUID4) Run(context.Context, plugin.Payload, *plugin.Edge) (plugin.Results, error) {
	return plugin.Port("uuid4", plugin.Payload{"uuid4": newUUID4()}), nil
}

func newUUID4() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40 // version 4
	b[8] = b[8]&0x3f | 0x80 // RFC 4122 variant
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// RegisterUUID4 describes the UUID4 plugin.
func RegisterUUID4() plugin.Plugin {
	return register(def{
		new: func() plugin.Action { return &UUID4{} }, module: "uuid4", alias: "misc.uuid4.plugin",
		class: "GetUuid4Action", outputs: []string{"uuid4"},
		name: "UUID4", desc: "Makes a new random identifier (a version 4 UUID).", icon: "hash", tags: []string{"hash", "id"},
		manual: "Each run emits a fresh UUID such as `1b4e28ba-2fa1-41d2-883f-0016d3cca427`, from a " +
			"cryptographic random source. The input payload is not passed on.",
		input: "Any object; it only triggers the node.",
		ports: plugin.Ports{"uuid4": "{\"uuid4\": \"<new UUID>\"}."},
	})
}
