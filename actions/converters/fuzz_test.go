package converters

import (
	"bytes"
	"encoding/base64"
	"testing"
)

// FuzzLenientBase64: what the standard encoding writes reads back the same,
// with or without its padding; any other text decodes or fails cleanly.
func FuzzLenientBase64(f *testing.F) {
	f.Add([]byte("hello"), "aGVs\nbG8=")
	f.Add([]byte{0, 255, 7}, "Q")
	f.Fuzz(func(t *testing.T, data []byte, text string) {
		enc := base64.StdEncoding.EncodeToString(data)
		for _, s := range []string{enc, base64.RawStdEncoding.EncodeToString(data)} {
			got, err := lenientBase64(s)
			if err != nil || !bytes.Equal(got, data) {
				t.Errorf("%q: %x, %v; want %x", s, got, err, data)
			}
		}
		_, _ = lenientBase64(text)
	})
}
