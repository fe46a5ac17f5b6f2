// Package tracker holds Tracflow's browser tracker, tracflow.js: plain
// JavaScript with no build step, embedded in the binary and served at
// /tracker/tracflow.js. It speaks Tracardi's /track protocol and works with
// Tracardi's snippet.
package tracker

import _ "embed"

// Script is tracflow.js.
//
//go:embed tracflow.js
var Script []byte

// Name is the file name the script is served under in /tracker/.
const Name = "tracflow.js"
