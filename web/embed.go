// Package web holds the built web GUI (web/dist), embedded in the tracflow
// binary so that serving it needs no Node. Rebuild it with `npm run build`
// in this folder and commit web/dist.
package web

import "embed"

// Dist is the built GUI; its files are under "dist/".
//
//go:embed all:dist
var Dist embed.FS
