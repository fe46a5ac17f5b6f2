package api

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"testing"
)

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func gzipZeros(t *testing.T, n int) []byte {
	t.Helper()
	var b bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
	chunk := make([]byte, 1<<20)
	for n > 0 {
		k := min(n, len(chunk))
		zw.Write(chunk[:k])
		n -= k
	}
	zw.Close()
	return b.Bytes()
}

// TestInflateReadsNoMoreThanTheLimit: a gzip bomb (64 MiB of zeros in about
// 64 KB) is cut off after limit+1 inflated bytes, whatever it would inflate to.
func TestInflateReadsNoMoreThanTheLimit(t *testing.T) {
	bomb := gzipZeros(t, 64<<20)
	if len(bomb) > 100<<10 {
		t.Fatalf("the bomb is %d bytes; expected a small one", len(bomb))
	}
	zr, err := gzip.NewReader(bytes.NewReader(bomb))
	if err != nil {
		t.Fatal(err)
	}
	cr := &countingReader{r: zr}
	const limit = 1 << 20
	_, err = inflate(cr, limit)
	var tl *inflateLimitError
	if !errors.As(err, &tl) || tl.Limit != limit {
		t.Fatalf("inflate: %v, want an inflateLimitError of %d", err, limit)
	}
	if cr.n > limit+1 {
		t.Errorf("read %d inflated bytes, want at most %d", cr.n, limit+1)
	}

	// Within the limit, the data comes back whole.
	zr, _ = gzip.NewReader(bytes.NewReader(gzipZeros(t, 1000)))
	if b, err := inflate(zr, 1000); err != nil || len(b) != 1000 {
		t.Errorf("inflate of 1000 bytes with a limit of 1000: %d bytes, %v", len(b), err)
	}
}
