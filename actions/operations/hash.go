package operations

import (
	"context"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"hash"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
)

var hashSpec = plugin.NewConfigSpec().
	Group("Data to hash", "").
	Field(plugin.NewRefListField("traits").Name("Values to hash").
		Description("References to the values to replace by their hash, e.g. profile@data.contact.email.main. "+
			"A value that is not text is hashed as JSON text.").
		Default([]any{}).Writable().Component("listOfDotPaths", map[string]any{"label": "traits", "defaultSourceValue": "profile"})).
	Field(plugin.NewEnumField("func",
		plugin.Option{Value: "md5", Label: "MD5"},
		plugin.Option{Value: "sha1", Label: "SHA1"},
		plugin.Option{Value: "sha256", Label: "SHA256"},
		plugin.Option{Value: "sha512", Label: "SHA512"}).Name("Hash function").
		Description("The hash function; the value is replaced by its hash in hexadecimal.").Default("md5"))

var maskSpec = plugin.NewConfigSpec().
	Group("Data to mask", "").
	Field(plugin.NewRefListField("traits").Name("Values to mask").
		Description("References to the values to replace by ###, e.g. profile@data.contact.phone.main.").
		Default([]any{}).Writable().Component("listOfDotPaths", map[string]any{"label": "traits", "defaultSourceValue": "profile"}))

// HashTraits replaces values by their hash.
type HashTraits struct {
	plugin.ActionRunner
	refs    []dotpath.Ref
	newHash func() hash.Hash
}

// SetUp reads the references and the function.
func (a *HashTraits) SetUp(_ context.Context, config plugin.Config) error {
	c, err := hashSpec.Parse(config)
	if err != nil {
		return err
	}
	a.refs = c.Refs("traits")
	switch c.String("func") {
	case "sha1":
		a.newHash = sha1.New
	case "sha256":
		a.newHash = sha256.New
	case "sha512":
		a.newHash = sha512.New
	default:
		a.newHash = md5.New
	}
	return nil
}

// Run hashes every value that exists.
func (a *HashTraits) Run(_ context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	s := a.Scope(payload)
	for _, ref := range a.refs {
		v, ok := s.Lookup(ref)
		if !ok || !a.Writable(ref, "Hash") {
			if !ok {
				a.Console.Warning("Given trait %s is invalid or does not exist.", ref)
			}
			continue
		}
		text, isText := v.(string)
		if !isText {
			text = pythonJSON(v)
		}
		h := a.newHash()
		h.Write([]byte(text))
		if err := s.Set(ref, hex.EncodeToString(h.Sum(nil))); err != nil {
			a.Console.Warning("Can not hash %s: %s", ref, err)
		}
	}
	return plugin.Port("payload", payload), nil
}

// pythonJSON writes v as Python's json.dumps does by default (", " and
// ": " separators, non-ASCII escaped), so that hashes of values that are
// not text match Tracardi's. Object keys are sorted.
func pythonJSON(v any) string {
	var b strings.Builder
	writePy(&b, v)
	return b.String()
}

func writePy(b *strings.Builder, v any) {
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		b.WriteString(strconv.FormatBool(x))
	case string:
		q, _ := json.Marshal(x)
		// json.Marshal escapes <, >, & as \u003c...; Python does not,
		// but escapes every non-ASCII character.
		s := strings.NewReplacer(`\u003c`, "<", `\u003e`, ">", `\u0026`, "&").Replace(string(q))
		for _, r := range s {
			switch {
			case r < 0x80:
				b.WriteRune(r)
			case r > 0xffff:
				r -= 0x10000
				b.WriteString(`\u` + strconv.FormatInt(int64(0xd800+(r>>10)), 16) + `\u` + strconv.FormatInt(int64(0xdc00+(r&0x3ff)), 16))
			default:
				h := strconv.FormatInt(int64(r), 16)
				b.WriteString(`\u` + strings.Repeat("0", 4-len(h)) + h)
			}
		}
	case []any:
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteString(", ")
			}
			writePy(b, e)
		}
		b.WriteByte(']')
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteString(", ")
			}
			writePy(b, k)
			b.WriteString(": ")
			writePy(b, x[k])
		}
		b.WriteByte('}')
	default:
		f, ok := dotpath.ToFloat(v)
		switch {
		case !ok:
			q, _ := json.Marshal(v)
			b.Write(q)
		case f == math.Trunc(f) && math.Abs(f) < 1e16:
			b.WriteString(strconv.FormatFloat(f, 'f', -1, 64))
		default:
			b.WriteString(strconv.FormatFloat(f, 'g', -1, 64))
		}
	}
}

// MaskTraits replaces values by ###.
type MaskTraits struct {
	plugin.ActionRunner
	refs []dotpath.Ref
}

// SetUp reads the references.
func (a *MaskTraits) SetUp(_ context.Context, config plugin.Config) error {
	c, err := maskSpec.Parse(config)
	if err != nil {
		return err
	}
	a.refs = c.Refs("traits")
	return nil
}

// Run masks every value that exists, except the event's.
func (a *MaskTraits) Run(_ context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	s := a.Scope(payload)
	for _, ref := range a.refs {
		if ref.Source == dotpath.SourceEvent {
			a.Console.Warning("Event values can not be modified in workflow: %s is not masked.", ref)
			continue
		}
		if _, ok := s.Lookup(ref); !ok {
			a.Console.Warning("Given trait %s is invalid or does not exist.", ref)
			continue
		}
		if !a.Writable(ref, "Mask") {
			continue
		}
		if err := s.Set(ref, "###"); err != nil {
			a.Console.Warning("Can not mask %s: %s", ref, err)
		}
	}
	return plugin.Port("payload", payload), nil
}

// RegisterHashTraits describes the Hash data plugin.
func RegisterHashTraits() plugin.Plugin {
	return register(def{
		new: func() plugin.Action { return &HashTraits{} }, module: "hash_traits", alias: "traits.hash_traits_action",
		class: "HashTraitsAction", outputs: []string{"payload"}, config: hashSpec,
		name: "Hash data", desc: "Replaces values, e.g. profile traits, by their hash.", icon: "hash",
		tags: []string{"profile", "trait", "data"},
		manual: "Each referenced value is replaced by the hexadecimal hash of its text; a value that is not " +
			"text (a number, an object) is hashed as JSON written the way Python writes it (`[1, 2]`, " +
			"`{\"a\": 1}`, keys sorted). A reference that finds nothing is skipped with a warning. Event values " +
			"can be hashed; the changed event is what later nodes see.",
		input: "Any object; values may be in it as payload@...",
		ports: plugin.Ports{"payload": "The input payload (with payload@ values hashed)."},
	})
}

// RegisterMaskTraits describes the Mask data plugin.
func RegisterMaskTraits() plugin.Plugin {
	return register(def{
		new: func() plugin.Action { return &MaskTraits{} }, module: "mask_traits", alias: "traits.mask_traits_action",
		class: "MaskTraitsAction", outputs: []string{"payload"}, config: maskSpec,
		name: "Mask data", desc: "Replaces values, e.g. profile traits, by ###.", icon: "hash",
		tags: []string{"profile", "trait", "data"},
		manual: "Each referenced value that exists becomes `###`. References that find nothing, and event " +
			"values (which a flow does not change), are skipped with a warning.",
		input: "Any object; values may be in it as payload@...",
		ports: plugin.Ports{"payload": "The input payload (with payload@ values masked)."},
	})
}
