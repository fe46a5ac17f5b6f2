package consents_test

import (
	"testing"
	"time"

	"github.com/tracflow/tracflow/internal/consents"
	"github.com/tracflow/tracflow/internal/store"
)

func TestParseDuration(t *testing.T) {
	cases := map[string]time.Duration{"30d": 30 * 24 * time.Hour, "2w": 14 * 24 * time.Hour, "12h": 12 * time.Hour, "3600": time.Hour, " 90m ": 90 * time.Minute}
	for in, want := range cases {
		if got, err := consents.ParseDuration(in); err != nil || got != want {
			t.Errorf("%q: %v %v, want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "0", "-1", "soon", "0d", "1y", "-2h"} {
		if _, err := consents.ParseDuration(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestNormalize(t *testing.T) {
	d, err := consents.Normalize(store.Doc{"name": "Marketing e-mails", "revokable": true, "auto_revoke": "365d"})
	if err != nil || d["id"] != "marketing-e-mails" || d["default_value"] != "deny" || d["enabled"] != true || d["required"] != false {
		t.Fatalf("%v %v", d, err)
	}
	for _, bad := range []store.Doc{
		{"revokable": false},
		{"name": "x", "revokable": "yes"},
		{"name": "x", "revokable": true},
		{"name": "x", "auto_revoke": "forever"},
		{"name": "x", "default_value": "ok"},
		{"name": "x", "tags": "a"},
	} {
		if _, err := consents.Normalize(bad); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}

func TestGrantRevokeInForce(t *testing.T) {
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	p := map[string]any{}
	ct := consents.Type(store.Doc{"id": "m", "name": "M", "revokable": true, "auto_revoke": "1d"})
	consents.Grant(p, ct, now)
	if !consents.InForce(p, "m", now.Add(23*time.Hour)) || consents.InForce(p, "m", now.Add(25*time.Hour)) {
		t.Errorf("a 1-day grant: %v", p)
	}
	consents.Grant(p, consents.Type(store.Doc{"id": "forever", "name": "F"}), now)
	if !consents.InForce(p, "forever", now.Add(1000*24*time.Hour)) {
		t.Error("a non-revokable grant expired")
	}
	if !consents.Revoke(p, "forever", now.Add(time.Hour)) || consents.InForce(p, "forever", now.Add(2*time.Hour)) {
		t.Errorf("revoked consent still in force: %v", p)
	}
	if consents.Revoke(p, "never-held", now) || consents.InForce(p, "never-held", now) {
		t.Error("a consent never held")
	}
	p["consents"].(map[string]any)["odd"] = map[string]any{"revoke": "not a time"}
	if consents.InForce(p, "odd", now) {
		t.Error("an unreadable revoke time is in force")
	}
}
