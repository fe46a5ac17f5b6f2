//go:build unix

package sqlite_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tracflow/tracflow/internal/store"
	"github.com/tracflow/tracflow/internal/store/sqlite"
)

const killEnv = "TRACFLOW_KILL_TEST_DB"

// TestKill9 runs a writer in a child process, kills it with SIGKILL while it
// writes, reopens the database and looks for every write the child had seen
// acknowledged. It checks that an acknowledged commit is in the database
// file or its WAL, not that it reached the disk: the killed process's writes
// stay in the operating system's page cache, so the test also passes with
// synchronous OFF. TestPragmas is the guard of synchronous FULL on every
// connection; a commit lost to a power cut can only be seen with the power
// cut, which a test process cannot make.
func TestKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	path := filepath.Join(t.TempDir(), "tracflow.db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestKill9Child$", "-test.count=1")
	cmd.Env = append(os.Environ(), killEnv+"="+path)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var events []string
	maxCount := 0
	killed := false
	deadline := time.AfterFunc(60*time.Second, func() { cmd.Process.Kill() })
	defer deadline.Stop()
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) != 3 || f[0] != "ack" {
			continue
		}
		events = append(events, f[1])
		if n, _ := strconv.Atoi(f[2]); n > maxCount {
			maxCount = n
		}
		if !killed && len(events) >= 3000 {
			// Lines the child wrote before dying are still read below.
			cmd.Process.Kill()
			killed = true
		}
	}
	cmd.Wait()
	if !killed {
		t.Fatalf("the child stopped after %d acknowledged writes", len(events))
	}
	st, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatalf("reopening after kill -9: %v", err)
	}
	defer st.Close()
	ctx := context.Background()
	for _, id := range events {
		if _, err := st.Event(ctx, id); err != nil {
			t.Fatalf("event %s was acknowledged but is lost: %v", id, err)
		}
	}
	p, err := st.Profile(ctx, "counter")
	if err != nil {
		t.Fatal(err)
	}
	if n := int(p["n"].(float64)); n < maxCount {
		t.Fatalf("counter is %d, but %d was acknowledged", n, maxCount)
	}
	t.Logf("%d acknowledged writes all found after kill -9 (counter %d)", len(events), maxCount)
}

// TestKill9Child is TestKill9's child process: it writes until killed.
func TestKill9Child(t *testing.T) {
	path := os.Getenv(killEnv)
	if path == "" {
		t.Skip("the child process of TestKill9")
	}
	st, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var mu sync.Mutex
	ack := func(id string, n int) {
		mu.Lock()
		fmt.Fprintf(os.Stdout, "ack %s %d\n", id, n) // unbuffered: one write per line
		mu.Unlock()
	}
	stop := time.Now().Add(50 * time.Second)
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; time.Now().Before(stop); i++ {
				id := fmt.Sprintf("g%d-%d", g, i)
				n, err := increment(ctx, st, id, g%2 == 0)
				if err != nil {
					t.Error(err)
					return
				}
				ack(id, n)
			}
		}()
	}
	wg.Wait()
}

// increment writes event id, and with counted also adds one to the counter
// profile under its lock, returning the new count.
func increment(ctx context.Context, st store.Store, id string, counted bool) (int, error) {
	ev := store.Doc{"id": id, "type": "purchase", "properties": map[string]any{"price": 1.5}}
	if !counted {
		return 0, st.Apply(ctx, &store.ChangeSet{Events: []store.Doc{ev}})
	}
	release, err := st.LockProfile(ctx, "counter")
	if err != nil {
		return 0, err
	}
	defer release()
	p, err := st.Profile(ctx, "counter")
	if errors.Is(err, store.ErrNotFound) {
		p, err = store.Doc{"id": "counter", "n": 0.0}, nil
	}
	if err != nil {
		return 0, err
	}
	n := p["n"].(float64) + 1
	p["n"] = n
	ev["profile"] = map[string]any{"id": "counter"}
	return int(n), st.Apply(ctx, &store.ChangeSet{Profiles: []store.Doc{p}, Events: []store.Doc{ev}})
}
