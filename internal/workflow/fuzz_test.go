package workflow

import (
	"context"
	"testing"
)

// FuzzParseAndCompile feeds arbitrary flow JSON to the parser and the
// compiler: they must answer an error or a flow that runs, never panic.
func FuzzParseAndCompile(f *testing.F) {
	f.Add([]byte(`{"id":"f","flowGraph":{"nodes":[{"id":"s","data":{"spec":{"module":"start"}}},{"id":"r","data":{"spec":{"module":"router"}}}],"edges":[{"id":"e","source":"s","sourceHandle":"payload","target":"r","targetHandle":"payload"}]}}`))
	f.Add([]byte(`{"id":"f","flowGraph":{"nodes":[{"id":"a","data":{"spec":{"module":"count"}}},{"id":"b","data":{"spec":{"module":"count"}}}],"edges":[{"id":"1","source":"a","sourceHandle":"out","target":"b","targetHandle":"payload"},{"id":"2","source":"b","sourceHandle":"out","target":"a","targetHandle":"payload"}]}}`))
	f.Add([]byte(`{"flowGraph":null}`))
	f.Add([]byte(`{"id":"f","flowGraph":{"nodes":[{"id":"x","data":{"spec":{"module":"set","init":{"key":5}}}}],"edges":[]}}`))
	reg := testRegistry(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		fl, err := ParseFlow(b)
		if err != nil {
			return
		}
		c, err := Compile(context.Background(), fl, reg)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty compile error")
			}
			return
		}
		defer c.Close(context.Background())
		c.Run(context.Background(), Input{Debug: true})
	})
}
