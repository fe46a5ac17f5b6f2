package identity

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/tracflow/tracflow/internal/domain"
)

// HashedFields are the profile fields whose values identify a person, each
// with the prefix of its hashed id (Tracardi's: "emm-" for the main e-mail,
// "pho-" for the mobile phone, ...). A profile holding a value there gets
// the hashed id in its ids, and two profiles with the same value are one
// person: they are merged.
var HashedFields = []struct{ Field, Prefix string }{
	{"data.identifier.pk", "ipk-"},
	{"data.identifier.id", "iid-"},
	{"data.contact.email.main", "emm-"},
	{"data.contact.email.business", "emb-"},
	{"data.contact.email.private", "emp-"},
	{"data.contact.phone.main", "phm-"},
	{"data.contact.phone.business", "phb-"},
	{"data.contact.phone.mobile", "pho-"},
	{"data.contact.phone.whatsapp", "pwa-"},
}

// keyPrefix marks the ids of merge keys made of other fields, or of
// several fields together.
const keyPrefix = "mrg-"

// HashID is the hashed id of a value under a prefix: the prefix and an MD5
// of the value (trimmed; e-mails lower-cased) written as a UUID, so that
// the value itself is not readable from the id.
func HashID(prefix, value string) string {
	value = strings.TrimSpace(value)
	if strings.HasPrefix(prefix, "em") {
		value = strings.ToLower(value)
	}
	sum := md5.Sum([]byte(value))
	h := hex.EncodeToString(sum[:])
	return fmt.Sprintf("%s%s-%s-%s-%s-%s", prefix, h[0:8], h[8:12], h[12:16], h[16:20], h[20:32])
}

// KeyIDs answers the merge-key ids profile should hold: the hashed ids of
// its HashedFields, and one id per key of keys (a key is a list of
// profile fields that together identify a person, e.g. from an
// identification point or the merge_profiles plugin) whose fields all
// hold a value. A key of one hashed field is that field's hashed id.
func KeyIDs(profile map[string]any, keys [][]string) []string {
	// Every collected event asks this of its profile, which usually holds
	// none of these fields: that case allocates nothing.
	var out []string
	add := func(id string) {
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	for _, h := range HashedFields {
		if v := scalar(profile, h.Field); v != "" {
			add(HashID(h.Prefix, v))
		}
	}
	for _, key := range keys {
		fields := normFields(key)
		if len(fields) == 0 {
			continue
		}
		if len(fields) == 1 {
			if p, ok := hashedPrefix(fields[0]); ok {
				if v := scalar(profile, fields[0]); v != "" {
					add(HashID(p, v))
				}
				continue
			}
		}
		parts := make([]string, 0, len(fields))
		for _, f := range fields {
			v := scalar(profile, f)
			if v == "" {
				parts = nil
				break
			}
			parts = append(parts, f+"="+v)
		}
		if parts != nil {
			add(HashID(keyPrefix, strings.Join(parts, "\x00")))
		}
	}
	return out
}

// hashedPrefix answers the prefix of a hashed field's ids.
func hashedPrefix(field string) (string, bool) {
	for _, h := range HashedFields {
		if h.Field == field {
			return h.Prefix, true
		}
	}
	return "", false
}

// normFields drops a "profile@" prefix, blanks and repeats, and sorts.
func normFields(key []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, f := range key {
		f = strings.TrimPrefix(strings.TrimSpace(f), "profile@")
		if f != "" && !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	sort.Strings(out)
	return out
}

// scalar reads a string or number at a dot path, as text ("" when absent
// or not a plain value).
func scalar(doc map[string]any, path string) string {
	var cur any = doc
	for rest, more := path, true; more; {
		var k string
		k, rest, more = strings.Cut(rest, ".")
		m, ok := cur.(map[string]any)
		if !ok {
			return ""
		}
		cur = m[k]
	}
	switch v := cur.(type) {
	case string:
		return strings.TrimSpace(v)
	case float64:
		return fmt.Sprint(v)
	}
	return ""
}

// Missing answers the ids of want that profile's ids do not hold.
func Missing(profile map[string]any, want []string) []string {
	if len(want) == 0 {
		return nil
	}
	have := map[string]bool{domain.Str(profile, "id"): true}
	ids, _ := profile["ids"].([]any)
	for _, id := range ids {
		if s, ok := id.(string); ok {
			have[s] = true
		}
	}
	var out []string
	for _, w := range want {
		if !have[w] {
			out = append(out, w)
		}
	}
	return out
}

// MergeKeys reads the merge keys a flow asked for (operation.merge, a list
// of profile fields, set by the merge_profiles plugin) as one key.
func MergeKeys(profile map[string]any) [][]string {
	op, _ := profile["operation"].(map[string]any)
	l, _ := op["merge"].([]any)
	var key []string
	for _, x := range l {
		if s, ok := x.(string); ok {
			key = append(key, s)
		}
	}
	if len(key) == 0 {
		return nil
	}
	return [][]string{key}
}
