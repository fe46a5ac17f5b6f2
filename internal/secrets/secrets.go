// Package secrets encrypts small values at rest with AES-256-GCM under a
// 32-byte key, and finds that key: the TRACFLOW_SECRET_KEY environment
// variable (base64 or hex) or a key file created in the data folder.
package secrets

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// KeySize is the key length in bytes (AES-256).
const KeySize = 32

// EnvVar names the environment variable that holds the key.
const EnvVar = "TRACFLOW_SECRET_KEY"

// KeyFile is the name of the key file in the data folder.
const KeyFile = "secret.key"

// prefix marks sealed values and their format version.
const prefix = "tfenc1:"

// Box seals and opens values with one key. It is safe for concurrent use.
type Box struct {
	aead cipher.AEAD
	id   string
}

// New returns a box for a 32-byte key.
func New(key []byte) (*Box, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("secret key: expected %d bytes, got %d", KeySize, len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(append([]byte("tracflow key id\x00"), key...))
	return &Box{aead: aead, id: hex.EncodeToString(sum[:4])}, nil
}

// KeyID is a short fingerprint of the key (not secret: it says which key
// sealed a value, not what the key is).
func (b *Box) KeyID() string { return b.id }

// Seal encrypts plaintext. aad (additional data) binds the value to where
// it is stored, e.g. a resource id: Open with another aad fails, so a
// sealed value copied to another record cannot be read there.
func (b *Box) Seal(plaintext, aad []byte) string {
	nonce := make([]byte, b.aead.NonceSize(), b.aead.NonceSize()+len(plaintext)+b.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		panic("secrets: no randomness: " + err.Error())
	}
	out := b.aead.Seal(nonce, nonce, plaintext, aad)
	return prefix + base64.RawStdEncoding.EncodeToString(out)
}

// ErrOpen is a sealed value that cannot be opened: it was sealed under
// another key or for another place, or it was altered.
var ErrOpen = errors.New("cannot decrypt: the value was encrypted with another secret key, or altered")

// Open decrypts a value made by Seal with the same aad.
func (b *Box) Open(sealed string, aad []byte) ([]byte, error) {
	if !strings.HasPrefix(sealed, prefix) {
		return nil, fmt.Errorf("not an encrypted value (expected the %q prefix)", prefix)
	}
	raw, err := base64.RawStdEncoding.DecodeString(sealed[len(prefix):])
	if err != nil {
		return nil, fmt.Errorf("encrypted value is not valid base64: %w", err)
	}
	n := b.aead.NonceSize()
	if len(raw) < n+b.aead.Overhead() {
		return nil, ErrOpen
	}
	pt, err := b.aead.Open(nil, raw[:n], raw[n:], aad)
	if err != nil {
		return nil, ErrOpen
	}
	return pt, nil
}

// IsSealed reports whether s looks like a value made by Seal.
func IsSealed(s string) bool { return strings.HasPrefix(s, prefix) }

// ParseKey reads a 32-byte key written as base64 (standard or URL
// alphabet, padded or not) or as 64 hex digits.
func ParseKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if len(s) == 2*KeySize {
		if k, err := hex.DecodeString(s); err == nil {
			return k, nil
		}
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if k, err := enc.DecodeString(s); err == nil {
			if len(k) != KeySize {
				return nil, fmt.Errorf("the key decodes to %d bytes; it must be %d (make one with: openssl rand -base64 32)", len(k), KeySize)
			}
			return k, nil
		}
	}
	return nil, fmt.Errorf("the key is neither base64 nor 64 hex digits (make one with: openssl rand -base64 32)")
}

// GenerateKey returns a new random key.
func GenerateKey() []byte {
	k := make([]byte, KeySize)
	if _, err := rand.Read(k); err != nil {
		panic("secrets: no randomness: " + err.Error())
	}
	return k
}

// Source says where LoadKey found the key.
type Source string

// Where a key comes from.
const (
	FromEnv         Source = "environment"
	FromFile        Source = "key file"
	FromCreatedFile Source = "new key file"
)

// LoadKey finds the key: the value of env when it is not empty, otherwise
// the key file in dataDir, created (mode 0600, never overwritten) when it
// does not exist. With an empty env and no dataDir it fails.
func LoadKey(env, dataDir string) ([]byte, Source, string, error) {
	if strings.TrimSpace(env) != "" {
		k, err := ParseKey(env)
		if err != nil {
			return nil, "", "", fmt.Errorf("%s: %w", EnvVar, err)
		}
		return k, FromEnv, EnvVar, nil
	}
	if dataDir == "" {
		return nil, "", "", fmt.Errorf("no secret key: set %s (e.g. to the output of `openssl rand -base64 32`)", EnvVar)
	}
	path := filepath.Join(dataDir, KeyFile)
	b, err := os.ReadFile(path)
	if err == nil {
		k, err := ParseKey(string(b))
		if err != nil {
			return nil, "", "", fmt.Errorf("key file %s: %w", path, err)
		}
		return k, FromFile, path, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, "", "", fmt.Errorf("key file: %w", err)
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, "", "", fmt.Errorf("key file: %w", err)
	}
	k := GenerateKey()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		// Another process created it meanwhile: use that one.
		return LoadKey("", dataDir)
	}
	if err != nil {
		return nil, "", "", fmt.Errorf("key file: %w", err)
	}
	_, werr := f.WriteString(base64.StdEncoding.EncodeToString(k) + "\n")
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		_ = os.Remove(path) // the partial file, if any; the write's error is the one to report
		return nil, "", "", fmt.Errorf("key file: %w", werr)
	}
	return k, FromCreatedFile, path, nil
}
