package api_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/tracflow/tracflow/internal/testenv"
)

// BenchmarkTrackHandler measures /track through the server's handler and
// middleware, without the network: the body decoded, the event collected
// (the counter flow, the store's group commit to SQLite), the answer
// encoded. One purchase event per request over 1,000 profiles, with
// session ids, as the load kit sends it; the profiles and sessions exist
// (and are cached) before the timing starts.
func BenchmarkTrackHandler(b *testing.B) {
	e := testenv.New(b, testenv.Options{})
	e.SetupPurchases()
	h := e.Server.Handler()
	testenv.BenchPurchases(b, func(body []byte, i int64) []byte {
		body = testenv.PurchaseBody(body[:0], "bench", i, true)
		r := httptest.NewRequest("POST", "/track", bytes.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != http.StatusOK {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
		return body
	})
}
