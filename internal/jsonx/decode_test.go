package jsonx

import (
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
)

// sameAsEncodingJSON checks that Unmarshal gives what encoding/json gives
// for s: the same value, or the same error.
func sameAsEncodingJSON(t *testing.T, s string) {
	t.Helper()
	var want any
	wantErr := json.Unmarshal([]byte(s), &want)
	got, err := Unmarshal([]byte(s))
	switch {
	case wantErr != nil && err == nil:
		t.Errorf("Unmarshal(%q) = %#v; encoding/json refuses it: %v", s, got, wantErr)
	case wantErr == nil && err != nil:
		t.Errorf("Unmarshal(%q): %v; encoding/json gives %#v", s, err, want)
	case err != nil && err.Error() != wantErr.Error():
		t.Errorf("Unmarshal(%q): error %q; encoding/json's is %q", s, err, wantErr)
	case !reflect.DeepEqual(got, want):
		t.Errorf("Unmarshal(%q) = %#v; encoding/json gives %#v", s, got, want)
	}
}

func TestUnmarshalMatchesEncodingJSON(t *testing.T) {
	for _, s := range []string{
		// What the fast reader takes.
		`{"source":{"id":"s1"},"profile":{"id":"p-1"},"session":{"id":"s-1"},"events":[{"type":"purchase","properties":{"price":12.5,"sku":"A1"}}]}`,
		` { "a" : [ 1 , -2 , 3.25 , -0 , 0 , 1e3 , 2E-2 , 123456789012345 , 1234567890123456789 ] } `,
		`{"a":{},"b":[],"c":[[]],"d":null,"e":true,"f":false,"g":""}`,
		`{"k":"v","k":"w"}`, // the last of a repeated key
		`"plain"`, `"esc \" \\ \/ \b \f \n \r \t"`, `"\u00e9\u2028\ud83d\ude00"`, `"é 😀 日本"`,
		`{"é":"\u0041"}`, `0`, `-0.5`, `[0.1,1.7976931348623157e308,5e-324]`,
		// What it leaves to encoding/json, which then decides.
		``, ` `, `{`, `}`, `[1,]`, `{"a":1,}`, `{"a" 1}`, `{a:1}`, `01`, `1.`, `.5`, `-`, `1e`, `+1`,
		`"\ud800"`, `"\ud800x"`, `"\udc00\ud800"`, `"\ud800\u0041"`, "\"\xff\"", "\"a\xc3\"", `"\x"`,
		"\"tab\there\"", `"\u12"`, `1e400`, `-1e400`, `1e-400`, `nul`, `tru`, `[true false]`,
		`{"a":1}{"b":2}`, `1 2`, `[1] x`, "\xef\xbb\xbf{}",
	} {
		sameAsEncodingJSON(t, s)
	}
}

func TestUnmarshalDeepNesting(t *testing.T) {
	// Beyond the fast reader's depth the value is encoding/json's; beyond
	// encoding/json's, its error.
	for _, n := range []int{maxDepth - 1, maxDepth, maxDepth + 1, 10001} {
		sameAsEncodingJSON(t, strings.Repeat("[", n)+strings.Repeat("]", n))
		sameAsEncodingJSON(t, strings.Repeat(`{"a":`, n)+"1"+strings.Repeat("}", n))
	}
}

func TestUnmarshalErrorsAreEncodingJSONs(t *testing.T) {
	_, err := Unmarshal([]byte(`{"a":1,}`))
	var se *json.SyntaxError
	if !errors.As(err, &se) || se.Offset != 8 {
		t.Errorf("got %#v, want a *json.SyntaxError at offset 8", err)
	}
	_, err = Unmarshal([]byte(`[1e400]`))
	var te *json.UnmarshalTypeError
	if !errors.As(err, &te) {
		t.Errorf("got %#v, want a *json.UnmarshalTypeError", err)
	}
}

func TestUnmarshalNumbers(t *testing.T) {
	v, err := Unmarshal([]byte(`[123456789012345,-999999999999999,9007199254740993,0.1]`))
	if err != nil {
		t.Fatal(err)
	}
	want := []any{123456789012345.0, -999999999999999.0, 9007199254740992.0, 0.1}
	if !reflect.DeepEqual(v, want) {
		t.Errorf("got %#v, want %#v", v, want)
	}
	if f := v.([]any)[0].(float64); math.Signbit(f) {
		t.Errorf("sign of %v", f)
	}
}

func FuzzUnmarshal(f *testing.F) {
	for _, s := range []string{`{"a":1}`, `[1,"x",null,true,{"b":[]}]`, `"\u2028\ud800"`, `1e300`, `{"k":"\ud83d\ude00"}`, `-0.0e+1`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sameAsEncodingJSON(t, s)
	})
}

// trackerBody is what Tracardi's browser tracker sends for a page view.
const trackerBody = `{"source":{"id":"9f1c6b52-3a1e-4d2b-8c11-0d5e2f3a4b6c"},"session":{"id":"2c7d1a9e-5b3f-4e8a-9d0c-1f2e3a4b5c6d"},"profile":{"id":"7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d"},` +
	`"context":{"time":{"local":"12/7/2026, 2:31:05 PM","tz":"Europe/Warsaw"},"browser":{"local":{"browser":{"name":"Netscape","engine":"Gecko","appVersion":"5.0 (X11)","userAgent":"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36","language":"en-US","onLine":true,"javaEnabled":false,"cookieEnabled":true},"device":{"platform":"Linux x86_64"}}},` +
	`"screen":{"local":{"width":1920,"height":1080,"innerWidth":1280,"innerHeight":720,"availWidth":1920,"availHeight":1050,"colorDepth":24,"pixelDepth":24}},"storage":{"local":{}},"page":{"url":"https://shop.example.com/cart?x=1","path":"/cart","hash":"","title":"Cart \u2013 Example","referer":{"host":null,"query":null},"history":{"length":3}}},` +
	`"properties":{},"events":[{"type":"page-view","properties":{"price":12.5,"items":[{"sku":"A1","qty":2},{"sku":"B7","qty":1}]},"options":{}}],"options":{}}`

func BenchmarkUnmarshal(b *testing.B) {
	for _, c := range []struct{ name, body string }{
		{"purchase", `{"source":{"id":"s1"},"profile":{"id":"p-1"},"session":{"id":"s-1"},"events":[{"type":"purchase","properties":{"price":12.5,"sku":"A1"}}]}`},
		{"tracker", trackerBody},
	} {
		data := []byte(c.body)
		b.Run(c.name+"/jsonx", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, err := Unmarshal(data); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(c.name+"/encoding-json", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				var v any
				if err := json.Unmarshal(data, &v); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
