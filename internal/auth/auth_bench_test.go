package auth_test

import (
	"net/http/httptest"
	"testing"

	"github.com/tracflow/tracflow/internal/testenv"
)

// BenchmarkAuthenticate measures a cached token's check, which reads the
// store's configuration version on every request (revocation at once).
func BenchmarkAuthenticate(b *testing.B) {
	e := testenv.New(b, testenv.Options{})
	a := e.Server.Auth()
	req := httptest.NewRequest("GET", "/user/me", nil)
	req.Header.Set("Authorization", "Bearer "+e.Token)
	if _, err := a.Authenticate(req); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := a.Authenticate(req); err != nil {
			b.Fatal(err)
		}
	}
}
