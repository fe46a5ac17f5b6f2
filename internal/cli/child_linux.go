package cli

import (
	"os"
	"strconv"
	"syscall"

	"golang.org/x/sys/unix"
)

// lowerPriority sets the nice value of every thread of this process, and
// with idle puts them in the kernel's idle scheduling class (SCHED_IDLE):
// a thread of another class that wakes takes the processor from them at
// once, and they get one only when no other thread wants it. Linux sets
// both per thread (a nice value or class given to the process's first
// thread alone leaves the others as they were); threads made later inherit
// them from the thread that makes them. A few passes catch threads made
// meanwhile.
func lowerPriority(nice int, idle bool) error {
	done := map[int]bool{}
	for range 3 {
		ents, err := os.ReadDir("/proc/self/task")
		if err != nil {
			return err
		}
		fresh := false
		for _, e := range ents {
			tid, err := strconv.Atoi(e.Name())
			if err != nil || done[tid] {
				continue
			}
			if idle {
				// The class first: a nice value given with it does not
				// stay (sched_setattr leaves it at 0 for this class).
				if err := unix.SchedSetAttr(tid, &unix.SchedAttr{Policy: unix.SCHED_IDLE}, 0); err != nil {
					return err
				}
			}
			if err := syscall.Setpriority(syscall.PRIO_PROCESS, tid, nice); err != nil {
				return err
			}

			done[tid], fresh = true, true
		}
		if !fresh {
			break
		}
	}
	return nil
}

// childAttr puts the delivery process in a process group of its own: a
// terminal's ^C goes to serve, which stops it in order.
func childAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setpgid: true} }

// selfExe is the file to start this program again from: /proc/self/exe,
// which stays this very binary even when the file at its path was replaced
// (an upgrade in place) or removed.
func selfExe() (string, error) {
	if _, err := os.Stat("/proc/self/exe"); err == nil {
		return "/proc/self/exe", nil
	}
	return os.Executable()
}
