package cli

import (
	"os"
	"strconv"
	"syscall"
)

// lowerPriority sets the nice value of every thread of this process
// (Linux sets it per thread; threads made later inherit it from the thread
// that makes them). A few passes catch threads made meanwhile.
func lowerPriority(nice int) error {
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
