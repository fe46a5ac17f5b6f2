package api

import (
	"net/http"
	"os"
	"path/filepath"
	"testing/fstest"

	"github.com/tracflow/tracflow/internal/assets"
	"github.com/tracflow/tracflow/web/tracker"
)

// trackerScript is Tracflow's own browser tracker, served gzipped.
var trackerScript = assets.New(fstest.MapFS{tracker.Name: {Data: tracker.Script}})

// handleTrackerScript is GET /tracker/tracflow.js: the embedded tracker,
// served whether or not --tracker-dir is set.
func (s *Server) handleTrackerScript(w http.ResponseWriter, r *http.Request) error {
	publicCORS(w)
	w.Header().Set("Cache-Control", "public, max-age=300")
	return trackerScript.ServeFile(w, r, tracker.Name)
}

// handleTrackerCompat is GET /tracker/liliput.min.js, the file Tracardi's
// snippet loads from options.tracker.url.script: the --tracker-dir file of
// that name when there is one, otherwise Tracflow's tracker, so that the
// snippet works unchanged.
func (s *Server) handleTrackerCompat(w http.ResponseWriter, r *http.Request) error {
	if dir := s.opt.TrackerDir; dir != "" {
		if _, err := os.Lstat(filepath.Join(dir, tracardiScript)); err == nil {
			s.trackerDir.ServeHTTP(w, r)
			return nil
		}
	}
	return s.handleTrackerScript(w, r)
}

// tracardiScript is the name Tracardi's snippet gives its tracker bundle.
const tracardiScript = "liliput.min.js"

// scriptAnswer documents the tracker's answer.
var scriptAnswer = &Answer{ContentType: "text/javascript; charset=utf-8", Schema: sStr, Description: "The script; gzipped when the client accepts it."}
