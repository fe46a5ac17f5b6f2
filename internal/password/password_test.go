package password

import (
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"
)

func TestValidate(t *testing.T) {
	cases := []struct {
		name, pw string
		context  []string
		want     string // "" = accepted; else part of the error
	}{
		{"the test admin password", "correct horse battery staple", nil, ""},
		{"twelve characters", "tram-ink-owl", nil, ""},
		{"one character", "a", nil, "too short: at least 12 characters, got 1"},
		{"eleven characters", "tram-ink-ow", nil, "too short"},
		{"code points, not bytes: 11 accented letters", strings.Repeat("é", 10) + "x", nil, "got 11"},
		{"code points, not bytes: 12 CJK characters", "東京都渋谷区神宮前六丁目", nil, ""},
		{"the maximum", strings.Repeat("ab", MaxLength/2), nil, ""},
		{"over the maximum", strings.Repeat("ab", MaxLength/2) + "c", nil, "too long: at most 256 characters, got 257"},
		{"common", "1qaz2wsx3edc", nil, "commonly used"},
		{"common, another case", "QazWsxEdcRfv", nil, "commonly used"},
		{"common with digits appended", "baseball12345", nil, "commonly used"},
		{"common with punctuation appended", "superman!!!!", nil, "commonly used"},
		{"a repeated character", "aaaaaaaaaaaaaa", nil, "repeated"},
		{"the account's e-mail", "Ann.Example@Example.com", []string{"ann.example@example.com"}, "e-mail"},
		{"the e-mail's local part", "ann.lastname42", []string{"ann.lastname42@example.com"}, "e-mail"},
		{"NUL", "twelve chars\x00here", nil, "NUL"},
		{"not UTF-8", "twelve chars\xff here", nil, "UTF-8"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := Validate(c.pw, c.context...)
			switch {
			case c.want == "" && err != nil:
				t.Fatalf("Validate(%q) = %v, want accepted", c.pw, err)
			case c.want != "" && err == nil:
				t.Fatalf("Validate(%q) accepted it, want an error with %q", c.pw, c.want)
			case c.want != "" && !strings.Contains(err.Error(), c.want):
				t.Fatalf("Validate(%q) = %q, want it to contain %q", c.pw, err, c.want)
			}
		})
	}
}

func TestCommonList(t *testing.T) {
	if n := CommonCount(); n < 10_000 {
		t.Fatalf("the embedded list has %d passwords, want at least 10,000", n)
	}
	for _, pw := range []string{"password", "123456", "letmein", "dragon"} {
		if !IsCommon(pw) {
			t.Errorf("IsCommon(%q) = false", pw)
		}
	}
	if IsCommon("correct horse battery staple") {
		t.Error("a passphrase counts as common")
	}
}

func TestHashLongPasswords(t *testing.T) {
	long := strings.Repeat("x", 100) + "tail-1"
	h, err := Hash(long, bcrypt.MinCost)
	if err != nil {
		t.Fatalf("Hash of a %d-byte password: %v", len(long), err)
	}
	if !Compare(h, long) {
		t.Fatal("the long password does not match its own hash")
	}
	// Every byte counts, also past bcrypt's 72.
	if Compare(h, strings.Repeat("x", 100)+"tail-2") {
		t.Fatal("a long password differing after byte 72 matches")
	}
	short := "correct horse battery staple"
	h, err = Hash(short, bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	// Passwords up to 72 bytes keep plain bcrypt hashes (the hashes stored
	// before long passwords were allowed still match).
	if bcrypt.CompareHashAndPassword([]byte(h), []byte(short)) != nil || !Compare(h, short) || Compare(h, short+"!") {
		t.Fatal("short password hash is not plain bcrypt")
	}
}

func BenchmarkValidate(b *testing.B) {
	common()
	for b.Loop() {
		_ = Validate("correct horse battery staple", "admin@example.com")
	}
}
