// Package converters holds the palette group "Converters": data to JSON
// text and back, and Base64 encoding and decoding of text.
package converters

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
)

const tracardi = "tracardi.process_engine.action.v1."

func register(id, alias, class string, outputs []string, config *plugin.ConfigSpec, name, desc, icon string, tags []string, tutorial, inDoc string, outDocs map[string]string, newAction func() plugin.Action) plugin.Plugin {
	outs := map[string]plugin.PortDoc{}
	for p, d := range outDocs {
		outs[p] = plugin.PortDoc{Desc: d}
	}
	return plugin.Plugin{
		New: newAction,
		Spec: plugin.Spec{
			Module: "tracflow.converters." + id, Aliases: []string{tracardi + alias}, ClassName: class,
			Inputs: []string{"payload"}, Outputs: outputs, Config: config,
			License: "MIT", Version: "1.0.0", Author: "Tracflow",
		},
		MetaData: plugin.MetaData{
			Name: name, Desc: desc, Type: "flowNode", Icon: icon, Group: []string{"Converters"},
			Tags: tags, Purpose: []string{"collection", "segmentation"},
			Documentation: &plugin.Documentation{
				Tutorial: tutorial,
				Inputs:   map[string]plugin.PortDoc{"payload": {Desc: inDoc}},
				Outputs:  outs,
			},
		},
	}
}

func valueField(id, name, desc string) *plugin.FieldSpec {
	return plugin.NewValueField(id).Name(name).Description(desc).
		Component("dotPath", map[string]any{"label": name, "defaultSourceValue": "event"})
}

func resolve(s *dotpath.Scope, field string, v dotpath.Value) (any, error) {
	x, err := v.Resolve(s)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", field, err)
	}
	return x, nil
}

func resolveText(s *dotpath.Scope, field string, v dotpath.Value) (string, error) {
	x, err := resolve(s, field, v)
	if err != nil {
		return "", err
	}
	str, ok := x.(string)
	if !ok {
		return "", fmt.Errorf("%s: %s is %s, not text", field, v, dotpath.TypeName(x))
	}
	return str, nil
}

const anyPayload = "Any object; the data may be read from it as payload@..."

// ToJSON writes data as JSON text.
type ToJSON struct {
	plugin.ActionRunner
	data dotpath.Value
}

var toJSONSpec = plugin.NewConfigSpec().
	Group("Convert data to JSON string", "").
	Field(valueField("to_json", "Reference path to data", "The data to write as JSON, e.g. "+
		"profile@stats.counters or event@properties.").Required())

// SetUp reads the reference.
func (a *ToJSON) SetUp(_ context.Context, config plugin.Config) error {
	c, err := toJSONSpec.Parse(config)
	if err != nil {
		return err
	}
	a.data = c.Value("to_json")
	return nil
}

// Run sends {"json": text} on payload.
func (a *ToJSON) Run(_ context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	v, err := resolve(a.Scope(payload), "to_json", a.data)
	if err != nil {
		return nil, err
	}
	s, err := pyJSON(v)
	if err != nil {
		return nil, fmt.Errorf("to_json: %w", err)
	}
	return plugin.Port("payload", plugin.Payload{"json": s}), nil
}

// RegisterToJSON describes the Data to JSON plugin.
func RegisterToJSON() plugin.Plugin {
	return register("to_json", "converters.data_to_json.plugin", "ObjectToJsonAction", []string{"payload"}, toJSONSpec,
		"Data to JSON", "Writes data, e.g. an object of the profile, as JSON text.", "json", []string{"json", "object"},
		"Config: {\"to_json\": \"event@properties\"}: {\"a\": 1, \"b\": \"é\"} gives {\"json\": "+
			"\"{\\\"a\\\": 1, \\\"b\\\": \\\"\\\\u00e9\\\"}\"}: JSON as Python's json.dumps writes it, with \", \" "+
			"and \": \" between items, characters outside ASCII escaped, keys in alphabetical order. A "+
			"missing reference stops the flow with an error.\n\nDifferences from Tracardi: lists, text and "+
			"numbers are written too (Tracardi accepted only objects); keys are sorted (Tracardi kept "+
			"their stored order).",
		anyPayload,
		map[string]string{"payload": "{\"json\": the data as JSON text}."},
		func() plugin.Action { return &ToJSON{} })
}

// FromJSON reads JSON text into data.
type FromJSON struct {
	plugin.ActionRunner
	text dotpath.Value
}

var fromJSONSpec = plugin.NewConfigSpec().
	Group("Convert JSON string to data", "").
	Field(valueField("to_data", "Reference path", "The JSON text to read, e.g. "+
		"event@properties.json, or the text itself.").Required())

// SetUp reads the reference.
func (a *FromJSON) SetUp(_ context.Context, config plugin.Config) error {
	c, err := fromJSONSpec.Parse(config)
	if err != nil {
		return err
	}
	a.text = c.Value("to_data")
	return nil
}

// maxJSONText bounds the text FromJSON reads.
const maxJSONText = 16 << 20

// Run sends {"value": data} on payload, or {"value": the input payload} on
// error when the text is not JSON.
func (a *FromJSON) Run(_ context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	v, err := resolve(a.Scope(payload), "to_data", a.text)
	if err != nil {
		return nil, err
	}
	s, ok := v.(string)
	if !ok {
		a.Console.Error("to_data: %s is %s, not JSON text.", a.text, dotpath.TypeName(v))
		return plugin.Port("error", plugin.Payload{"value": payload}), nil
	}
	if len(s) > maxJSONText {
		a.Console.Error("to_data: the JSON text is longer than %d bytes.", maxJSONText)
		return plugin.Port("error", plugin.Payload{"value": payload}), nil
	}
	var out any
	if err := json.Unmarshal([]byte(s), &out); err != nil {
		a.Console.Error("to_data: not valid JSON: %v.", err)
		return plugin.Port("error", plugin.Payload{"value": payload}), nil
	}
	return plugin.Port("payload", plugin.Payload{"value": out}), nil
}

// RegisterFromJSON describes the JSON to data plugin.
func RegisterFromJSON() plugin.Plugin {
	return register("from_json", "converters.json_to_data.plugin", "JsonToObjectAction", []string{"payload", "error"}, fromJSONSpec,
		"JSON to data", "Reads JSON text into data: an object, a list, a number ...", "json", []string{"json", "object"},
		"Config: {\"to_data\": \"event@properties.json\"}: \"{\\\"a\\\": [1, 2]}\" gives {\"value\": "+
			"{\"a\": [1, 2]}}. Text that is not JSON, or a value that is not text, sends {\"value\": the "+
			"input payload} to the error port and logs why. A missing reference stops the flow with an error.",
		anyPayload,
		map[string]string{
			"payload": "{\"value\": the data read}.",
			"error":   "{\"value\": the input payload}, when the text is not JSON.",
		},
		func() plugin.Action { return &FromJSON{} })
}

var encodingField = func(id, name, desc string) *plugin.FieldSpec {
	items := map[string]any{}
	for _, o := range encodingOptions {
		items[o.name] = o.label
	}
	return plugin.NewStringField(id).Name(name).Description(desc).Default("utf_8").
		Component("select", map[string]any{"label": "encoding", "items": items, "initValue": "utf_8"}).
		Check(func(v any) error {
			_, err := lookupEncoding(v.(string))
			return err
		})
}

// Encode writes text as Base64.
type Encode struct {
	plugin.ActionRunner
	source   dotpath.Value
	encoding string
}

var encodeSpec = plugin.NewConfigSpec().
	Field(valueField("source", "Text source", "The text to encode: a reference such as "+
		"event@properties.text, or the text itself.").Default("")).
	Field(encodingField("source_encoding", "Source encoding", "The bytes the text is turned "+
		"into before encoding: UTF-8 if unsure. Python's encoding names are accepted (utf_8, "+
		"utf-16-le, latin_1, cp1252, shift_jis ...); empty means UTF-8."))

// SetUp reads the source and the encoding.
func (a *Encode) SetUp(_ context.Context, config plugin.Config) error {
	c, err := encodeSpec.Parse(config)
	if err != nil {
		return err
	}
	a.source = c.Value("source")
	a.encoding, _ = lookupEncoding(c.String("source_encoding"))
	return nil
}

// Run sends {"base64": encoded} on payload.
func (a *Encode) Run(_ context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	s, err := resolveText(a.Scope(payload), "source", a.source)
	if err != nil {
		return nil, err
	}
	b, err := encodeText(a.encoding, s)
	if err != nil {
		return nil, fmt.Errorf("source: %w", err)
	}
	return plugin.Port("payload", plugin.Payload{"base64": base64.StdEncoding.EncodeToString(b)}), nil
}

// RegisterEncode describes the Encode Base64 plugin.
func RegisterEncode() plugin.Plugin {
	return register("base64_encode", "converters.base64.encode.plugin", "Base64EncodeAction", []string{"payload"}, encodeSpec,
		"Encode Base64", "Encodes text as Base64.", "password", []string{"base64", "encode"},
		"Config: {\"source\": \"event@properties.text\", \"source_encoding\": \"utf_8\"}: \"hello\" gives "+
			"{\"base64\": \"aGVsbG8=\"}. Text that is missing, is not text or holds characters the "+
			"encoding cannot write stops the flow with an error.",
		anyPayload,
		map[string]string{"payload": "{\"base64\": the encoded text}."},
		func() plugin.Action { return &Encode{} })
}

// Decode reads Base64 into text.
type Decode struct {
	plugin.ActionRunner
	source   dotpath.Value
	encoding string
}

var decodeSpec = plugin.NewConfigSpec().
	Field(valueField("source", "Base64 source", "The Base64 to decode: a reference such as "+
		"event@properties.data, or the Base64 itself.").Default("")).
	Field(encodingField("target_encoding", "Target encoding", "The encoding of the decoded bytes: "+
		"UTF-8 if unsure. Python's encoding names are accepted (utf_8, utf-16-le, latin_1, cp1252, "+
		"shift_jis ...); empty means UTF-8."))

// SetUp reads the source and the encoding.
func (a *Decode) SetUp(_ context.Context, config plugin.Config) error {
	c, err := decodeSpec.Parse(config)
	if err != nil {
		return err
	}
	a.source = c.Value("source")
	a.encoding, _ = lookupEncoding(c.String("target_encoding"))
	return nil
}

// Run sends {"text": decoded} on payload.
func (a *Decode) Run(_ context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	s, err := resolveText(a.Scope(payload), "source", a.source)
	if err != nil {
		return nil, err
	}
	b, err := lenientBase64(s)
	if err != nil {
		return nil, fmt.Errorf("source: %w", err)
	}
	text, err := decodeText(a.encoding, b)
	if err != nil {
		return nil, fmt.Errorf("source: %w", err)
	}
	return plugin.Port("payload", plugin.Payload{"text": text}), nil
}

// lenientBase64 decodes Base64 as Tracardi does (Python's b64decode of the
// text with "==" added): characters outside the alphabet are skipped,
// missing padding is forgiven, and decoding stops at the padding that ends
// a group.
func lenientBase64(s string) ([]byte, error) {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	out := make([]byte, 0, len(s)*3/4+2)
	var left byte
	quad, pads, data := 0, 0, 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x80 {
			return nil, errors.New("Base64 holds only ASCII characters")
		}
		if c == '=' {
			pads++
			if quad >= 2 && quad+pads >= 4 {
				return out, nil
			}
			continue
		}
		v := strings.IndexByte(alphabet, c)
		if v < 0 {
			continue
		}
		pads = 0
		data++
		b := byte(v)
		switch quad {
		case 0:
			left, quad = b, 1
		case 1:
			out = append(out, left<<2|b>>4)
			left, quad = b&0x0f, 2
		case 2:
			out = append(out, left<<4|b>>2)
			left, quad = b&0x03, 3
		case 3:
			out = append(out, left<<6|b)
			left, quad = 0, 0
		}
	}
	if quad == 1 {
		return nil, fmt.Errorf("invalid Base64: the number of data characters (%d) cannot be 1 more than a multiple of 4", data)
	}
	return out, nil
}

// RegisterDecode describes the Decode Base64 plugin.
func RegisterDecode() plugin.Plugin {
	return register("base64_decode", "converters.base64.decode.plugin", "Base64DecodeAction", []string{"payload"}, decodeSpec,
		"Decode Base64", "Decodes Base64 into text.", "uppercase", []string{"base64", "decode"},
		"Config: {\"source\": \"event@properties.data\", \"target_encoding\": \"utf_8\"}: \"aGVsbG8=\" "+
			"gives {\"text\": \"hello\"}. As in Tracardi, characters outside the Base64 alphabet (line "+
			"breaks, spaces) are skipped and missing padding is forgiven. Base64 that is missing or not "+
			"text, that has one character too many, or whose bytes are not valid in the encoding stops "+
			"the flow with an error.",
		"Any object; the Base64 may be read from it as payload@...",
		map[string]string{"payload": "{\"text\": the decoded text}."},
		func() plugin.Action { return &Decode{} })
}
