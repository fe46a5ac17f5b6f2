package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/tracflow/tracflow/internal/store"
)

// withVersion is d with "version" set, as GetConfig answers it.
func withVersion(d store.Doc, v int64) store.Doc {
	out := store.Doc{}
	for k, x := range d {
		out[k] = x
	}
	out["version"] = float64(v)
	return out
}

func stale(t *testing.T, what string, err error, want, have int64) {
	t.Helper()
	var se *store.StaleError
	if !errors.As(err, &se) || !errors.Is(err, store.ErrStale) {
		t.Fatalf("%s: got %v, want a *StaleError", what, err)
	}
	if se.Want != want || se.Have != have {
		t.Fatalf("%s: stale error says want %d, have %d; expected want %d, have %d", what, se.Want, se.Have, want, have)
	}
}

func testConfigIfVersion(t *testing.T, st store.Store) {
	c := ctx(t)
	cv0, _ := st.ConfigVersion(c)
	// Create: version 0 means "only if absent".
	v, err := st.PutConfigIf(c, "user", "ann", store.Doc{"id": "ann", "disabled": false}, 0)
	if err != nil || v != 1 {
		t.Fatalf("create = %d, %v; want version 1", v, err)
	}
	_, err = st.PutConfigIf(c, "user", "ann", store.Doc{"id": "ann"}, 0)
	stale(t, "creating it again", err, 0, 1)
	// Update from the version read.
	v, err = st.PutConfigIf(c, "user", "ann", store.Doc{"id": "ann", "disabled": true}, 1)
	if err != nil || v != 2 {
		t.Fatalf("update from 1 = %d, %v; want version 2", v, err)
	}
	// A second writer that read version 1 too loses, and writes nothing.
	_, err = st.PutConfigIf(c, "user", "ann", store.Doc{"id": "ann", "disabled": false}, 1)
	stale(t, "update from a stale version", err, 1, 2)
	got, err := st.GetConfig(c, "user", "ann")
	if err != nil {
		t.Fatal(err)
	}
	same(t, "after the stale write", got, store.Doc{"id": "ann", "disabled": true, "version": float64(2)})
	if store.Version(got) != 2 {
		t.Fatalf("store.Version = %d, want 2", store.Version(got))
	}
	// Unconditional writes still bump the version.
	if err := st.PutConfig(c, "user", "ann", got); err != nil {
		t.Fatal(err)
	}
	if v, err = st.PutConfigIf(c, "user", "ann", got, store.AnyVersion); err != nil || v != 4 {
		t.Fatalf("AnyVersion write = %d, %v; want version 4", v, err)
	}
	list, _ := st.ListConfig(c, "user")
	if len(list) != 1 || store.Version(list[0]) != 4 {
		t.Fatalf("ListConfig = %v, want ann at version 4", list)
	}
	// Updating a missing document is stale with nothing stored.
	_, err = st.PutConfigIf(c, "user", "bob", store.Doc{"id": "bob"}, 3)
	stale(t, "update of a missing document", err, 3, 0)
	if _, err := st.GetConfig(c, "user", "bob"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a stale update created the document: %v", err)
	}
	// Deleted and created again: versions start again at 1.
	if err := st.DeleteConfig(c, "user", "ann"); err != nil {
		t.Fatal(err)
	}
	_, err = st.PutConfigIf(c, "user", "ann", store.Doc{"id": "ann"}, 4)
	stale(t, "update of a deleted document", err, 4, 0)
	if v, err = st.PutConfigIf(c, "user", "ann", store.Doc{"id": "ann"}, 0); err != nil || v != 1 {
		t.Fatalf("create after delete = %d, %v", v, err)
	}
	// Only writes that happened moved the config version: 2 creates, 1
	// update, 2 unconditional writes, 1 delete.
	if cv, _ := st.ConfigVersion(c); cv-cv0 != 6 {
		t.Fatalf("config version moved by %d, want 6 (stale writes must not move it)", cv-cv0)
	}
}

// testConfigIfVersionRace: of many writers that read one version, exactly
// one wins.
func testConfigIfVersionRace(t *testing.T, st store.Store) {
	c := ctx(t)
	if err := st.PutConfig(c, "flow-draft", "f", store.Doc{"id": "f", "nodes": []any{}}); err != nil {
		t.Fatal(err)
	}
	const n = 16
	var wg sync.WaitGroup
	var mu sync.Mutex
	won, lost := 0, 0
	for i := range n {
		wg.Go(func() {
			_, err := st.PutConfigIf(c, "flow-draft", "f", store.Doc{"id": "f", "nodes": []any{fmt.Sprint(i)}}, 1)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				won++
			case errors.Is(err, store.ErrStale):
				lost++
			default:
				t.Errorf("writer %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	if won != 1 || lost != n-1 {
		t.Fatalf("%d writers won and %d lost from one version, want 1 and %d", won, lost, n-1)
	}
	got, _ := st.GetConfig(c, "flow-draft", "f")
	if store.Version(got) != 2 {
		t.Fatalf("version after the race = %d, want 2", store.Version(got))
	}
}

// testUpdateConfigMerges: concurrent single-field changes through
// UpdateConfig all stay (none undoes another).
func testUpdateConfigMerges(t *testing.T, st store.Store) {
	c := ctx(t)
	if err := st.PutConfig(c, "user", "u", store.Doc{"id": "u"}); err != nil {
		t.Fatal(err)
	}
	const n = 8
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			if _, err := store.UpdateConfig(c, st, "user", "u", func(d store.Doc) error {
				d[fmt.Sprintf("f%d", i)] = true
				return nil
			}); err != nil {
				t.Errorf("change %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	got, _ := st.GetConfig(c, "user", "u")
	for i := range n {
		if got[fmt.Sprintf("f%d", i)] != true {
			t.Fatalf("change f%d was lost: %v", i, got)
		}
	}
	if _, err := store.UpdateConfig(c, st, "user", "nobody", func(store.Doc) error { return nil }); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("UpdateConfig of a missing document: %v, want ErrNotFound", err)
	}
}

// backoff: 2 free attempts, then 1 s, 2 s, 4 s..., at most 10 s.
var testPolicy = store.AttemptPolicy{Reset: time.Hour, Backoff: func(n int) time.Duration {
	if n < 3 {
		return 0
	}
	return min(time.Second<<(n-3), 10*time.Second)
}}

func testAttempts(t *testing.T, st store.Store) {
	c := ctx(t)
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	take := func(key string, at time.Duration) store.Attempt {
		t.Helper()
		a, err := st.TakeAttempt(c, key, t0.Add(at), testPolicy)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	for i := 1; i <= 3; i++ {
		if a := take("k", 0); !a.Allowed || a.Count != i {
			t.Fatalf("attempt %d = %+v, want allowed", i, a)
		}
	}
	// The third set a wait of 1 s: refused, not counted, and says until when.
	if a := take("k", 500*time.Millisecond); a.Allowed || a.Count != 3 || !a.Until.Equal(t0.Add(time.Second)) {
		t.Fatalf("attempt within the wait = %+v, want refused until %v", a, t0.Add(time.Second))
	}
	// Another key is not held back.
	if a := take("other", 500*time.Millisecond); !a.Allowed || a.Count != 1 {
		t.Fatalf("another key = %+v", a)
	}
	if a := take("k", time.Second); !a.Allowed || a.Count != 4 {
		t.Fatalf("attempt after the wait = %+v", a)
	}
	// Now 2 s: refused at +2.9 s, allowed at +3 s.
	if a := take("k", 2900*time.Millisecond); a.Allowed {
		t.Fatalf("attempt inside the doubled wait = %+v", a)
	}
	if a := take("k", 3*time.Second); !a.Allowed || a.Count != 5 {
		t.Fatalf("attempt after the doubled wait = %+v", a)
	}
	// Capped: after many attempts the wait is at most 10 s.
	at := 3 * time.Second
	for range 6 {
		at += 10 * time.Second
		if a := take("k", at); !a.Allowed {
			t.Fatalf("attempt after the capped wait = %+v", a)
		}
	}
	if a := take("k", at+10*time.Second); !a.Allowed || a.Count != 12 {
		t.Fatalf("attempt 12 = %+v", a)
	}
	// Cleared after a success: free again.
	if err := st.ClearAttempts(c, "k"); err != nil {
		t.Fatal(err)
	}
	if a := take("k", at+10*time.Second); !a.Allowed || a.Count != 1 {
		t.Fatalf("attempt after clearing = %+v", a)
	}
	// Quiet longer than Reset: counting starts again.
	for range 3 {
		take("q", 0)
	}
	if a := take("q", 2*time.Hour); !a.Allowed || a.Count != 1 {
		t.Fatalf("attempt after a quiet hour = %+v", a)
	}
	if err := st.ClearAttempts(c, "never-seen"); err != nil {
		t.Fatalf("clearing an unknown key: %v", err)
	}
}

func (s *suite) testCrossProcessConfigIf(t *testing.T) {
	a := s.open(t)
	t.Cleanup(func() { a.Close() })
	b := s.second(t, a)
	t.Cleanup(func() { b.Close() })
	c := ctx(t)
	if _, err := a.PutConfigIf(c, "rule", "r", store.Doc{"id": "r", "enabled": true}, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := b.PutConfigIf(c, "rule", "r", store.Doc{"id": "r", "enabled": false}, 1); err != nil {
		t.Fatal(err)
	}
	_, err := a.PutConfigIf(c, "rule", "r", store.Doc{"id": "r", "enabled": true, "name": "lost"}, 1)
	stale(t, "a write from the version the other process replaced", err, 1, 2)
	got, _ := a.GetConfig(c, "rule", "r")
	same(t, "the other process's write", got, store.Doc{"id": "r", "enabled": false, "version": float64(2)})
}

func (s *suite) testCrossProcessAttempts(t *testing.T) {
	a := s.open(t)
	t.Cleanup(func() { a.Close() })
	b := s.second(t, a)
	t.Cleanup(func() { b.Close() })
	c := ctx(t)
	now := time.Now()
	for i, st := range []store.Store{a, b, a} {
		if at, err := st.TakeAttempt(c, "login", now, testPolicy); err != nil || !at.Allowed || at.Count != i+1 {
			t.Fatalf("attempt %d = %+v, %v", i+1, at, err)
		}
	}
	// The third attempt, in process a, holds process b back.
	if at, err := b.TakeAttempt(c, "login", now, testPolicy); err != nil || at.Allowed {
		t.Fatalf("attempt in the other process = %+v, %v; want refused", at, err)
	}
	if err := b.ClearAttempts(c, "login"); err != nil {
		t.Fatal(err)
	}
	if at, err := a.TakeAttempt(c, "login", now, testPolicy); err != nil || !at.Allowed || at.Count != 1 {
		t.Fatalf("after the other process cleared the key: %+v, %v", at, err)
	}
}
