package secrets

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSealOpen(t *testing.T) {
	b, err := New(GenerateKey())
	if err != nil {
		t.Fatal(err)
	}
	s := b.Seal([]byte(`{"password":"hunter2"}`), []byte("resource:a:test"))
	if strings.Contains(s, "hunter2") || !IsSealed(s) {
		t.Fatalf("sealed value %q", s)
	}
	if s2 := b.Seal([]byte(`{"password":"hunter2"}`), []byte("resource:a:test")); s2 == s {
		t.Error("two seals of one value are equal: the nonce is not random")
	}
	pt, err := b.Open(s, []byte("resource:a:test"))
	if err != nil || string(pt) != `{"password":"hunter2"}` {
		t.Fatalf("open: %q %v", pt, err)
	}
	if _, err := b.Open(s, []byte("resource:b:test")); !errors.Is(err, ErrOpen) {
		t.Errorf("open with another aad: %v, want ErrOpen", err)
	}
	other, _ := New(GenerateKey())
	if _, err := other.Open(s, []byte("resource:a:test")); !errors.Is(err, ErrOpen) {
		t.Errorf("open with another key: %v, want ErrOpen", err)
	}
	tampered := s[:len(s)-2] + "AA"
	if _, err := b.Open(tampered, []byte("resource:a:test")); err == nil {
		t.Error("a tampered value opened")
	}
	for _, bad := range []string{"", "plain", prefix + "!!!", prefix + "AAAA"} {
		if _, err := b.Open(bad, nil); err == nil {
			t.Errorf("Open(%q) succeeded", bad)
		}
	}
}

func TestParseKey(t *testing.T) {
	k := GenerateKey()
	for _, s := range []string{
		base64.StdEncoding.EncodeToString(k), base64.RawStdEncoding.EncodeToString(k),
		base64.URLEncoding.EncodeToString(k), base64.RawURLEncoding.EncodeToString(k),
		hex.EncodeToString(k), " " + hex.EncodeToString(k) + "\n",
	} {
		got, err := ParseKey(s)
		if err != nil || !bytes.Equal(got, k) {
			t.Errorf("ParseKey(%q) = %x, %v", s, got, err)
		}
	}
	for _, s := range []string{"", "short", base64.StdEncoding.EncodeToString(k[:16]), strings.Repeat("zz", 32)} {
		if _, err := ParseKey(s); err == nil {
			t.Errorf("ParseKey(%q) accepted", s)
		}
	}
	if _, err := New(k[:16]); err == nil {
		t.Error("New accepted a 16-byte key")
	}
}

func TestLoadKey(t *testing.T) {
	dir := t.TempDir()
	k1, src, where, err := LoadKey("", dir)
	if err != nil || src != FromCreatedFile || where != filepath.Join(dir, KeyFile) {
		t.Fatalf("first load: %v %v %v", src, where, err)
	}
	fi, err := os.Stat(where)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v, want 0600", fi.Mode().Perm())
	}
	k2, src, _, err := LoadKey("", dir)
	if err != nil || src != FromFile || !bytes.Equal(k1, k2) {
		t.Fatalf("second load: %v %v, same key %v", src, err, bytes.Equal(k1, k2))
	}
	env := hex.EncodeToString(GenerateKey())
	k3, src, _, err := LoadKey(env, dir)
	if err != nil || src != FromEnv || hex.EncodeToString(k3) != env {
		t.Fatalf("env load: %v %v", src, err)
	}
	if _, _, _, err := LoadKey("not a key", dir); err == nil || !strings.Contains(err.Error(), EnvVar) {
		t.Errorf("bad env key: %v", err)
	}
	if _, _, _, err := LoadKey("", ""); err == nil || !strings.Contains(err.Error(), EnvVar) {
		t.Errorf("no key and no folder: %v", err)
	}
	os.WriteFile(where, []byte("garbage"), 0o600)
	if _, _, _, err := LoadKey("", dir); err == nil {
		t.Error("a corrupt key file was accepted")
	}
}
