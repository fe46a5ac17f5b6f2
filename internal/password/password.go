// Package password holds Tracflow's password rules and hashing.
//
// The rules follow NIST SP 800-63B (memorized secrets): at least MinLength
// characters (Unicode code points, so any script counts alike), at most
// MaxLength, and not a common password. Common passwords are an embedded
// list of about 49,000 entries (common.txt.gz, the password dictionary of
// the MIT-licensed @zxcvbn-ts/language-common package, lower-cased), checked
// as given and with a trailing run of digits and punctuation taken off, so
// that "baseball12345" counts as "baseball". There are no composition rules
// (no "one digit, one capital"): length and the list do the job.
//
// Hashes are bcrypt. bcrypt reads only 72 bytes, so a longer password is
// first reduced to the base64 of its SHA-256 (44 bytes): every character
// of a long password counts, and hashes of passwords up to 72 bytes stay
// plain bcrypt.
package password

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"fmt"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"
)

// Length limits, in Unicode code points.
const (
	MinLength = 12
	MaxLength = 256
)

//go:embed common.txt.gz
var commonGz []byte

// common is the set of common passwords, lower case, read once.
var common = sync.OnceValue(func() map[string]struct{} {
	zr, err := gzip.NewReader(bytes.NewReader(commonGz))
	if err != nil {
		panic("password: embedded list: " + err.Error())
	}
	set := make(map[string]struct{}, 50_000)
	sc := bufio.NewScanner(zr)
	for sc.Scan() {
		if w := sc.Text(); w != "" {
			set[w] = struct{}{}
		}
	}
	if err := sc.Err(); err != nil {
		panic("password: embedded list: " + err.Error())
	}
	return set
})

// CommonCount is the number of entries of the embedded common-password list.
func CommonCount() int { return len(common()) }

// IsCommon reports whether pw is on the common-password list, as given or
// without a trailing run of digits and punctuation, ignoring case.
func IsCommon(pw string) bool {
	lc := strings.ToLower(pw)
	set := common()
	if _, ok := set[lc]; ok {
		return true
	}
	base := strings.TrimRightFunc(lc, func(r rune) bool { return unicode.IsDigit(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) || r == ' ' })
	if base != lc && utf8.RuneCountInString(base) >= 4 {
		if _, ok := set[base]; ok {
			return true
		}
	}
	return false
}

// Validate applies the password rules. context lists words that must not
// be the password (the account's e-mail, its name): a password equal to
// one of them, ignoring case, is refused. The error says what is wrong in
// words that fit after a field name ("is too short: ...").
func Validate(pw string, context ...string) error {
	n := utf8.RuneCountInString(pw)
	switch {
	case !utf8.ValidString(pw):
		return fmt.Errorf("is not valid UTF-8 text")
	case n < MinLength:
		return fmt.Errorf("is too short: at least %d characters, got %d (a few unrelated words make a good one)", MinLength, n)
	case n > MaxLength:
		return fmt.Errorf("is too long: at most %d characters, got %d", MaxLength, n)
	case strings.ContainsRune(pw, 0):
		return fmt.Errorf("contains a NUL character")
	}
	if first, _ := utf8.DecodeRuneInString(pw); strings.Count(pw, string(first)) == n {
		return fmt.Errorf("is one character repeated: choose something harder to guess")
	}
	if IsCommon(pw) {
		return fmt.Errorf("is a commonly used password: choose something harder to guess")
	}
	for _, c := range context {
		c = strings.TrimSpace(c)
		if c == "" {
			continue
		}
		if strings.EqualFold(pw, c) || (strings.Contains(c, "@") && strings.EqualFold(pw, c[:strings.Index(c, "@")])) {
			return fmt.Errorf("is the account's own name or e-mail: choose something harder to guess")
		}
	}
	return nil
}

// prepare maps a password to what bcrypt hashes: itself up to 72 bytes,
// the base64 of its SHA-256 beyond.
func prepare(pw string) []byte {
	if len(pw) <= 72 {
		return []byte(pw)
	}
	sum := sha256.Sum256([]byte(pw))
	return []byte(base64.StdEncoding.EncodeToString(sum[:]))
}

// Hash hashes pw with bcrypt at cost (0: bcrypt's default).
func Hash(pw string, cost int) (string, error) {
	if cost == 0 {
		cost = bcrypt.DefaultCost
	}
	b, err := bcrypt.GenerateFromPassword(prepare(pw), cost)
	return string(b), err
}

// Compare reports whether pw matches hash.
func Compare(hash, pw string) bool {
	return bcrypt.CompareHashAndPassword([]byte(hash), prepare(pw)) == nil
}
