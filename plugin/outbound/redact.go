package outbound

import (
	"errors"
	"net/http"
	"strings"
)

// ErrorPayload returns what a connector sends to its error port for err:
// {"message", "status", "body"}, status 0 when no answer came, body the
// start of the answer. Every secret given (a token, a password) is replaced
// by "***" wherever it appears, as services sometimes echo what they got.
func ErrorPayload(err error, secrets ...string) map[string]any {
	out := map[string]any{"message": Redact(err.Error(), secrets...), "status": 0, "body": ""}
	var e *Error
	if errors.As(err, &e) {
		out["status"] = e.Status
		out["body"] = Redact(e.Body, secrets...)
	}
	return out
}

// Redact replaces every non-empty secret in s with "***". Secrets shorter
// than 4 characters are left alone: replacing them would garble the text
// more than it hides.
func Redact(s string, secrets ...string) string {
	for _, sec := range secrets {
		if len(sec) >= 4 {
			s = strings.ReplaceAll(s, sec, "***")
		}
	}
	return s
}

// sensitive reports whether a header's value must not be logged.
func sensitive(name string) bool {
	n := strings.ToLower(name)
	switch n {
	case "authorization", "proxy-authorization", "cookie", "set-cookie":
		return true
	}
	for _, w := range []string{"token", "secret", "password", "passwd", "key", "auth", "session", "signature"} {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

// RedactHeaders returns a copy of h fit for logs and debug info: the values
// of Authorization, Cookie and any header whose name speaks of a token,
// key, secret, password or session are "***".
func RedactHeaders(h map[string]string) map[string]string {
	out := make(map[string]string, len(h))
	for k, v := range h {
		if sensitive(k) {
			v = "***"
		}
		out[k] = v
	}
	return out
}

// RedactHTTPHeaders is RedactHeaders for an http.Header.
func RedactHTTPHeaders(h http.Header) map[string]string {
	flat := make(map[string]string, len(h))
	for k, v := range h {
		flat[k] = strings.Join(v, ", ")
	}
	return RedactHeaders(flat)
}
