// Package assets serves embedded static files (the web GUI, the browser
// tracker) compressed: text files are gzipped once, on first request, and
// kept in memory, so a client that accepts gzip gets the small form with
// Content-Encoding: gzip, and every answer of a compressible file says
// Vary: Accept-Encoding so that caches keep the two forms apart. Each form
// has its own strong ETag (a hash of its bytes), so conditional requests
// answer 304.
package assets

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Files serves the files of an fs.FS.
type Files struct {
	fsys  fs.FS
	mu    sync.Mutex
	cache map[string]*file
}

// file is one file's forms, prepared once.
type file struct {
	ctype    string
	modTime  time.Time
	raw      []byte
	rawTag   string
	gz       []byte // nil: not worth compressing
	gzTag    string
	compress bool // a text type: the answer varies with Accept-Encoding
}

// New serves fsys. Files are read on first request and kept: fsys is
// expected not to change (an embed.FS).
func New(fsys fs.FS) *Files {
	return &Files{fsys: fsys, cache: map[string]*file{}}
}

// Exists reports whether name is a regular file of the FS.
func (f *Files) Exists(name string) bool {
	st, err := fs.Stat(f.fsys, name)
	return err == nil && st.Mode().IsRegular()
}

// compressible reports whether a content type gains from gzip.
func compressible(ctype string) bool {
	ct, _, _ := strings.Cut(ctype, ";")
	switch ct {
	case "application/javascript", "text/javascript", "application/json", "application/manifest+json",
		"image/svg+xml", "application/wasm", "application/xml":
		return true
	}
	return strings.HasPrefix(ct, "text/")
}

func (f *Files) load(name string) (*file, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if c := f.cache[name]; c != nil {
		return c, nil
	}
	raw, err := fs.ReadFile(f.fsys, name)
	if err != nil {
		return nil, err
	}
	c := &file{raw: raw, rawTag: etag(raw, "")}
	if st, err := fs.Stat(f.fsys, name); err == nil {
		c.modTime = st.ModTime()
	}
	c.ctype = mime.TypeByExtension(path.Ext(name))
	if c.ctype == "" {
		c.ctype = http.DetectContentType(raw)
	}
	if strings.HasSuffix(name, ".js") || strings.HasSuffix(name, ".mjs") {
		c.ctype = "text/javascript; charset=utf-8"
	}
	if compressible(c.ctype) {
		c.compress = true
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		// Writes to a bytes.Buffer do not fail.
		_, _ = zw.Write(raw)
		_ = zw.Close()
		// Tiny files can grow; keep the gzip form only when it is smaller.
		if buf.Len() < len(raw) {
			c.gz = buf.Bytes()
			c.gzTag = etag(raw, "-gzip")
		}
	}
	f.cache[name] = c
	return c, nil
}

func etag(b []byte, suffix string) string {
	sum := sha256.Sum256(b)
	return `"` + hex.EncodeToString(sum[:12]) + suffix + `"`
}

// ServeFile answers name (a path inside the FS, without a leading slash).
// A missing file is reported as the error fs.ErrNotExist (nothing is
// written), so the caller answers its own 404. Cache-Control is the
// caller's to set.
func (f *Files) ServeFile(w http.ResponseWriter, r *http.Request, name string) error {
	c, err := f.load(name)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", c.ctype)
	body, tag := c.raw, c.rawTag
	if c.compress {
		h.Add("Vary", "Accept-Encoding")
		if c.gz != nil && AcceptsGzip(r.Header.Get("Accept-Encoding")) {
			body, tag = c.gz, c.gzTag
			h.Set("Content-Encoding", "gzip")
			// http.ServeContent leaves out Content-Length of an encoded
			// body and would cut ranges out of it: answer it whole, sized.
			h.Set("Content-Length", strconv.Itoa(len(body)))
			r = r.Clone(r.Context())
			r.Header.Del("Range")
		}
	}
	h.Set("ETag", tag)
	http.ServeContent(w, r, name, c.modTime, bytes.NewReader(body))
	return nil
}

// AcceptsGzip reports whether an Accept-Encoding header value accepts gzip
// (named, or through "*", with a q-value above 0).
func AcceptsGzip(header string) bool {
	star, gz := false, -1.0
	for _, part := range strings.Split(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		for _, p := range strings.Split(params, ";") {
			k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
			if ok && strings.EqualFold(strings.TrimSpace(k), "q") {
				if n, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
					q = n
				}
			}
		}
		switch strings.ToLower(strings.TrimSpace(name)) {
		case "gzip", "x-gzip":
			gz = q
		case "*":
			star = q > 0
		}
	}
	if gz >= 0 {
		return gz > 0
	}
	return star
}
