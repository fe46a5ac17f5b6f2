package cli

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"

	"golang.org/x/sys/unix"
)

// TestLowerPriority checks, in a process of its own (lowering is for good),
// that every thread gets the nice value and, asked, the idle class: those
// that ran before the call and those made after it.
func TestLowerPriority(t *testing.T) {
	if os.Getenv("TRACFLOW_TEST_LOWER") != "" {
		lowerPriorityChild()
		return
	}
	for _, idle := range []bool{true, false} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestLowerPriority$")
		cmd.Env = append(os.Environ(), "TRACFLOW_TEST_LOWER="+strconv.FormatBool(idle))
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("idle=%v: %v\n%s", idle, err, out)
		}
		wantPolicy := uint32(unix.SCHED_NORMAL)
		if idle {
			wantPolicy = unix.SCHED_IDLE
		}
		threads := 0
		for _, line := range strings.Split(string(out), "\n") {
			var tid int
			var policy uint32
			var nice int
			if n, _ := fmt.Sscanf(line, "thread %d policy %d nice %d", &tid, &policy, &nice); n != 3 {
				continue
			}
			threads++
			if policy != wantPolicy || nice != 7 {
				t.Errorf("idle=%v: thread %d has policy %d and nice %d, want policy %d and nice 7", idle, tid, policy, nice, wantPolicy)
			}
		}
		if threads < 3 {
			t.Fatalf("idle=%v: %d threads reported, want 3 at least:\n%s", idle, threads, out)
		}
	}
}

// lowerPriorityChild lowers this process's priority, makes two threads
// more, and prints every thread's class and nice value.
func lowerPriorityChild() {
	idle, _ := strconv.ParseBool(os.Getenv("TRACFLOW_TEST_LOWER"))
	if err := lowerPriority(7, idle); err != nil {
		fmt.Println("lowerPriority:", err)
		os.Exit(1)
	}
	var made, hold sync.WaitGroup
	hold.Add(1)
	for range 2 {
		made.Add(1)
		go func() {
			runtime.LockOSThread() // a thread of its own, kept while we look
			made.Done()
			hold.Wait()
		}()
	}
	made.Wait()
	ents, err := os.ReadDir("/proc/self/task")
	if err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
	for _, e := range ents {
		tid, _ := strconv.Atoi(e.Name())
		attr, err := unix.SchedGetAttr(tid, 0)
		if err != nil {
			fmt.Println("thread", tid, err)
			os.Exit(1)
		}
		fmt.Printf("thread %d policy %d nice %d\n", tid, attr.Policy, attr.Nice)
	}
	hold.Done()
	os.Exit(0)
}
