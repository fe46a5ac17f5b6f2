package tracker

import (
	"bytes"
	"compress/gzip"
	"testing"
)

// TestScriptIsSmall keeps the tracker under 10 KB gzipped: it is loaded by
// every page of every site that uses Tracflow.
func TestScriptIsSmall(t *testing.T) {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if _, err := zw.Write(Script); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	const limit = 10 << 10
	if len(Script) == 0 || buf.Len() >= limit {
		t.Fatalf("tracflow.js is %d bytes, %d gzipped; it must be under %d gzipped", len(Script), buf.Len(), limit)
	}
	t.Logf("tracflow.js: %d bytes, %d gzipped", len(Script), buf.Len())
}
