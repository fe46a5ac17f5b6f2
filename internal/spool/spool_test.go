package spool

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
)

// all answers the waiting records, oldest first.
func all(t *testing.T, s *Spool) []string {
	t.Helper()
	var out []string
	for id, ok := s.Next(0); ok; id, ok = s.Next(id) {
		b, err := s.Read(id)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, string(b))
	}
	return out
}

func TestOrderAndReopen(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "spool")
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	var ids []uint64
	for _, r := range []string{"one", "two", "three"} {
		id, err := s.Push([]byte(r))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if got := all(t, s); len(got) != 3 || got[0] != "one" || got[2] != "three" {
		t.Fatalf("records %q", got)
	}
	if n, b := s.Len(); n != 3 || b != 11 {
		t.Fatalf("Len = %d records, %d bytes; want 3, 11", n, b)
	}
	if err := s.Remove(ids[0]); err != nil {
		t.Fatal(err)
	}
	if err := s.Remove(ids[0]); err != nil {
		t.Fatalf("removing twice: %v", err)
	}
	// A push cut short by a crash leaves a temporary file: dropped at open.
	if err := os.WriteFile(filepath.Join(dir, tmp+"99"), []byte("half"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := all(t, s); len(got) != 2 || got[0] != "two" || got[1] != "three" {
		t.Fatalf("after reopening: records %q; want two, three", got)
	}
	if n, b := s.Len(); n != 2 || b != 8 {
		t.Fatalf("after reopening: Len = %d, %d; want 2, 8", n, b)
	}
	if _, err := os.Stat(filepath.Join(dir, tmp+"99")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the cut-short push is still there: %v", err)
	}
	// Ids go on after the highest kept: a new record sorts last.
	if _, err := s.Push([]byte("four")); err != nil {
		t.Fatal(err)
	}
	if got := all(t, s); len(got) != 3 || got[2] != "four" {
		t.Fatalf("records %q; want four last", got)
	}
	if id, ok := s.Next(ids[1]); !ok || id != ids[2] {
		t.Fatalf("Next(%d) = %d, %v; want %d", ids[1], id, ok, ids[2])
	}
}

func TestConcurrentPushes(t *testing.T) {
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 10 {
				if _, err := s.Push([]byte("x")); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	var prev uint64
	n := 0
	for id, ok := s.Next(0); ok; id, ok = s.Next(id) {
		if id <= prev {
			t.Fatalf("ids out of order: %d after %d", id, prev)
		}
		prev = id
		n++
	}
	if n != 80 {
		t.Fatalf("%d records; want 80", n)
	}
}

func TestLocked(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no flock")
	}
	base := filepath.Join(t.TempDir(), "backlog")
	a, err := Open(base)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Open(base); !errors.Is(err, ErrLocked) {
		t.Fatalf("a second Open of a folder in use: %v; want ErrLocked", err)
	}
	// Let go, it opens again, with what it holds.
	if _, err := a.Push([]byte("left")); err != nil {
		t.Fatal(err)
	}
	a.Close()
	b, err := Open(base)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if got := all(t, b); len(got) != 1 || got[0] != "left" {
		t.Fatalf("records %q; want left", got)
	}
}

// A push that cannot be written says so, and leaves nothing behind.
func TestPushFails(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "spool")
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Push([]byte("lost")); err == nil {
		t.Fatal("a push into a removed folder succeeded")
	}
	if n, b := s.Len(); n != 0 || b != 0 {
		t.Fatalf("Len = %d, %d after a failed push; want 0, 0", n, b)
	}
	if _, ok := s.Next(0); ok {
		t.Fatal("a failed push left a record")
	}
}
