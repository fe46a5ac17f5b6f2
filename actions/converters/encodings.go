package converters

import (
	"bytes"
	"errors"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/encoding/unicode/utf32"
)

// The text encodings the Base64 plugins offer in their forms, with
// Tracardi's (Python's) names and labels.
var encodingOptions = []struct{ name, label string }{
	{"utf_8", "UTF-8"},
	{"utf_16_be", "UTF-16 (Big endian)"},
	{"utf_16_le", "UTF-16 (Little endian)"},
	{"utf_32_be", "UTF-32 (Big endian)"},
	{"utf_32_le", "UTF-32 (Little endian)"},
	{"ascii", "ASCII"},
	{"big5", "Big-5 (Traditional Chinese)"},
	{"euc_jp", "EUC_JP (Japanese)"},
	{"euc_kr", "EUC_KR (Korean)"},
	{"gbk", "GBK (Unified Chinese)"},
	{"hz", "HZ (Simplified Chinese)"},
	{"iso8859-15", "ISO 8859-15 (Western Europe)"},
	{"windows-1250", "Windows-1250 (Central and Eastern Europe)"},
}

var encodings = map[string]encoding.Encoding{
	"utf_8":        encoding.Nop,
	"utf_16":       unicode.UTF16(unicode.LittleEndian, unicode.UseBOM),
	"utf_16_be":    unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM),
	"utf_16_le":    unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM),
	"utf_32":       utf32.UTF32(utf32.LittleEndian, utf32.UseBOM),
	"utf_32_be":    utf32.UTF32(utf32.BigEndian, utf32.IgnoreBOM),
	"utf_32_le":    utf32.UTF32(utf32.LittleEndian, utf32.IgnoreBOM),
	"big5":         traditionalchinese.Big5,
	"euc_jp":       japanese.EUCJP,
	"shift_jis":    japanese.ShiftJIS,
	"iso2022_jp":   japanese.ISO2022JP,
	"euc_kr":       korean.EUCKR,
	"gbk":          simplifiedchinese.GBK,
	"gb18030":      simplifiedchinese.GB18030,
	"hz":           simplifiedchinese.HZGB2312,
	"latin_1":      charmap.ISO8859_1,
	"iso8859_2":    charmap.ISO8859_2,
	"iso8859_15":   charmap.ISO8859_15,
	"cp1250":       charmap.Windows1250,
	"cp1251":       charmap.Windows1251,
	"cp1252":       charmap.Windows1252,
	"koi8_r":       charmap.KOI8R,
	"mac_roman":    charmap.Macintosh,
	"ascii":        nil, // checked in code
	"cp437":        charmap.CodePage437,
	"iso8859_5":    charmap.ISO8859_5,
	"iso8859_7":    charmap.ISO8859_7,
	"cp1253":       charmap.Windows1253,
	"cp1254":       charmap.Windows1254,
	"cp1257":       charmap.Windows1257,
	"utf_8_sig":    unicode.UTF8BOM,
	"euc_jis_2004": japanese.EUCJP,
}

// aliases maps Python's other names of an encoding to the one above.
var aliases = map[string]string{
	"utf8": "utf_8", "u8": "utf_8", "utf": "utf_8", "cp65001": "utf_8",
	"utf16": "utf_16", "utf_16be": "utf_16_be", "utf_16le": "utf_16_le",
	"utf32": "utf_32", "utf_32be": "utf_32_be", "utf_32le": "utf_32_le",
	"us_ascii": "ascii", "646": "ascii",
	"big5_tw": "big5", "csbig5": "big5",
	"eucjp": "euc_jp", "ujis": "euc_jp", "u_jis": "euc_jp",
	"euckr": "euc_kr", "korean": "euc_kr", "ksc5601": "euc_kr", "ks_c_5601_1987": "euc_kr",
	"936": "gbk", "cp936": "gbk", "ms936": "gbk",
	"hzgb": "hz", "hz_gb": "hz", "hz_gb_2312": "hz",
	"iso8859_1": "latin_1", "iso_8859_1": "latin_1", "latin1": "latin_1", "latin": "latin_1", "l1": "latin_1", "8859": "latin_1", "cp819": "latin_1",
	"iso_8859_2": "iso8859_2", "latin2": "iso8859_2", "l2": "iso8859_2",
	"iso_8859_15": "iso8859_15", "latin9": "iso8859_15", "l9": "iso8859_15",
	"windows_1250": "cp1250", "windows_1251": "cp1251", "windows_1252": "cp1252",
	"windows_1253": "cp1253", "windows_1254": "cp1254", "windows_1257": "cp1257",
	"sjis": "shift_jis", "shiftjis": "shift_jis", "s_jis": "shift_jis",
	"csiso2022jp": "iso2022_jp", "iso2022jp": "iso2022_jp",
	"koi8r": "koi8_r", "macroman": "mac_roman", "macintosh": "mac_roman",
	"437": "cp437", "ibm437": "cp437", "iso_8859_5": "iso8859_5", "cyrillic": "iso8859_5",
	"iso_8859_7": "iso8859_7", "greek": "iso8859_7", "u8sig": "utf_8_sig",
}

// lookupEncoding finds an encoding by one of Python's names, whatever the
// case and whether words are joined by -, _ or spaces; empty means UTF-8.
func lookupEncoding(name string) (string, error) {
	n := strings.ToLower(strings.TrimSpace(name))
	n = strings.NewReplacer("-", "_", " ", "_", ".", "_").Replace(n)
	if n == "" {
		return "utf_8", nil
	}
	if a, ok := aliases[n]; ok {
		n = a
	}
	if _, ok := encodings[n]; !ok {
		return "", fmt.Errorf("%q is not a known text encoding; use one of %s", name, knownEncodings())
	}
	return n, nil
}

func knownEncodings() string {
	names := make([]string, 0, len(encodings))
	for n := range encodings {
		names = append(names, n)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

var errNotASCII = errors.New("the text holds characters outside ASCII")

// encodeText turns text into bytes in the named encoding; characters the
// encoding cannot hold are an error.
func encodeText(name, s string) ([]byte, error) {
	switch name {
	case "utf_8":
		return []byte(s), nil
	case "ascii":
		for i := 0; i < len(s); i++ {
			if s[i] >= 0x80 {
				return nil, errNotASCII
			}
		}
		return []byte(s), nil
	}
	b, err := encodings[name].NewEncoder().Bytes([]byte(s))
	if err != nil {
		return nil, fmt.Errorf("the text cannot be written in %s: %w", name, err)
	}
	return b, nil
}

// decodeText turns bytes in the named encoding into text; bytes that are
// not valid in the encoding are an error.
func decodeText(name string, b []byte) (string, error) {
	switch name {
	case "utf_8":
		if !utf8.Valid(b) {
			return "", errors.New("the bytes are not valid UTF-8")
		}
		return string(b), nil
	case "ascii":
		for _, c := range b {
			if c >= 0x80 {
				return "", errors.New("the bytes are not ASCII")
			}
		}
		return string(b), nil
	}
	out, err := encodings[name].NewDecoder().Bytes(b)
	if err != nil {
		return "", fmt.Errorf("the bytes are not valid %s: %w", name, err)
	}
	// The decoders put U+FFFD for bytes they cannot read; Python's strict
	// codecs fail instead.
	if bytes.ContainsRune(out, utf8.RuneError) && !bytes.Contains(b, []byte("\xef\xbf\xbd")) {
		return "", fmt.Errorf("the bytes are not valid %s", name)
	}
	return string(out), nil
}
