// Package spool keeps records, byte strings, in the order they were pushed,
// in a folder on disk: a file each, written durably (written, synced, then
// renamed into place), until they are removed. It is the hand-off between a
// producer that must not wait and a consumer that may fall behind: serve's
// batches of destination deliveries wait in one while the delivery process
// is busy or not running, instead of being stored by serve itself, on the
// CPU its /track requests need.
//
// One process uses a spool folder at a time (a lock file in it says so).
package spool

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// ErrLocked is Open's error for a folder another process uses.
var ErrLocked = errors.New("spool: the folder is in use by another process")

const (
	suffix = ".rec"
	tmp    = ".tmp-"
)

// Spool is an open spool folder. Its methods are safe for concurrent use.
type Spool struct {
	dir    string
	unlock func() error

	mu    sync.Mutex
	ids   []uint64 // waiting, oldest first
	sizes map[uint64]int64
	bytes int64
	last  uint64 // the last id given
}

// Open opens (creating it, readable by its owner only) the spool folder
// dir, and locks it; ErrLocked when another process has it.
func Open(dir string) (*Spool, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("spool: %w", err)
	}
	unlock, err := lock(filepath.Join(dir, "lock"))
	if err != nil {
		return nil, err
	}
	s := &Spool{dir: dir, unlock: unlock, sizes: map[uint64]int64{}}
	ents, err := os.ReadDir(dir)
	if err != nil {
		_ = unlock()
		return nil, fmt.Errorf("spool: %w", err)
	}
	for _, e := range ents {
		name := e.Name()
		if strings.HasPrefix(name, tmp) { // a push cut short: never acknowledged
			_ = os.Remove(filepath.Join(dir, name))
			continue
		}
		id, err := strconv.ParseUint(strings.TrimSuffix(name, suffix), 10, 64)
		if err != nil || !strings.HasSuffix(name, suffix) {
			continue
		}
		info, err := e.Info()
		if err != nil {
			_ = unlock()
			return nil, fmt.Errorf("spool: %w", err)
		}
		s.ids = append(s.ids, id)
		s.sizes[id] = info.Size()
		s.bytes += info.Size()
		s.last = max(s.last, id)
	}
	slices.Sort(s.ids)
	return s, nil
}

// Dir answers the spool's folder.
func (s *Spool) Dir() string { return s.dir }

func (s *Spool) path(id uint64) string {
	return filepath.Join(s.dir, fmt.Sprintf("%020d%s", id, suffix))
}

// Push stores a record after the others; once it returns, the record
// survives a crash of the process and of the machine.
func (s *Spool) Push(b []byte) (uint64, error) {
	s.mu.Lock()
	s.last++
	id := s.last
	s.mu.Unlock()
	t := filepath.Join(s.dir, tmp+strconv.FormatUint(id, 10))
	if err := writeSynced(t, b); err != nil {
		_ = os.Remove(t)
		return 0, fmt.Errorf("spool: %w", err)
	}
	if err := os.Rename(t, s.path(id)); err != nil {
		_ = os.Remove(t)
		return 0, fmt.Errorf("spool: %w", err)
	}
	if err := syncDir(s.dir); err != nil {
		return 0, fmt.Errorf("spool: %w", err)
	}
	s.mu.Lock()
	// Pushes running side by side may finish out of order; ids keep the
	// order they were given in.
	i, _ := slices.BinarySearch(s.ids, id)
	s.ids = slices.Insert(s.ids, i, id)
	s.sizes[id] = int64(len(b))
	s.bytes += int64(len(b))
	s.mu.Unlock()
	return id, nil
}

func writeSynced(path string, b []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// Next answers the oldest waiting record's id after the id after (0: the
// oldest of all); false when there is none.
func (s *Spool) Next(after uint64) (uint64, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i, found := slices.BinarySearch(s.ids, after)
	if found {
		i++
	}
	if i >= len(s.ids) {
		return 0, false
	}
	return s.ids[i], true
}

// Read answers a waiting record.
func (s *Spool) Read(id uint64) ([]byte, error) {
	b, err := os.ReadFile(s.path(id))
	if err != nil {
		return nil, fmt.Errorf("spool: %w", err)
	}
	return b, nil
}

// Open opens a waiting record's file for reading, and answers its size.
func (s *Spool) Open(id uint64) (*os.File, int64, error) {
	f, err := os.Open(s.path(id))
	if err != nil {
		return nil, 0, fmt.Errorf("spool: %w", err)
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, fmt.Errorf("spool: %w", err)
	}
	return f, info.Size(), nil
}

// Remove drops a record (one already removed is no error).
func (s *Spool) Remove(id uint64) error {
	s.mu.Lock()
	i, found := slices.BinarySearch(s.ids, id)
	if found {
		s.ids = slices.Delete(s.ids, i, i+1)
		s.bytes -= s.sizes[id]
		delete(s.sizes, id)
	}
	s.mu.Unlock()
	if err := os.Remove(s.path(id)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("spool: %w", err)
	}
	return nil
}

// Len answers how many records wait, and their bytes.
func (s *Spool) Len() (records int, bytes int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.ids), s.bytes
}

// Close unlocks the folder; the records stay for the next Open.
func (s *Spool) Close() error { return s.unlock() }
