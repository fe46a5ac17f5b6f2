package cli

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"
)

// procStat is what bench reads of the server process from /proc (Linux).
type procStat struct {
	cpu time.Duration // user + system time so far
	rss int64         // resident memory, bytes
	hwm int64         // the most resident memory since the process started
}

// clockTick is the unit of /proc/<pid>/stat's times: USER_HZ, 100 on Linux.
const clockTick = 10 * time.Millisecond

// readProc reads a process's figures.
func readProc(pid int) (*procStat, error) {
	cpu, _, err := readStat(pid)
	if err != nil {
		return nil, err
	}
	p := &procStat{cpu: cpu}
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return nil, err
	}
	sc := bufio.NewScanner(bytes.NewReader(status))
	for sc.Scan() {
		for _, f := range []struct {
			name string
			dst  *int64
		}{{"VmRSS:", &p.rss}, {"VmHWM:", &p.hwm}} {
			if rest, ok := strings.CutPrefix(sc.Text(), f.name); ok {
				kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
				if err != nil {
					return nil, fmt.Errorf("/proc/%d/status: %s %q", pid, f.name, rest)
				}
				*f.dst = kb << 10
			}
		}
	}
	return p, nil
}

// childrenCPU answers the CPU time of a process's running children (serve's
// delivery process): a walk of /proc, made only where CPU is counted.
func childrenCPU(pid int) time.Duration {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return 0
	}
	var cpu time.Duration
	for _, e := range ents {
		child, err := strconv.Atoi(e.Name())
		if err != nil || child == pid {
			continue
		}
		if c, ppid, err := readStat(child); err == nil && ppid == pid {
			cpu += c
		}
	}
	return cpu
}

// readStat reads a process's CPU time (user and system) and its parent's
// id from /proc/<pid>/stat.
func readStat(pid int) (cpu time.Duration, ppid int, err error) {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, 0, err
	}
	// The command name, in parentheses, may hold spaces: fields count from
	// the last ')'.
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return 0, 0, fmt.Errorf("/proc/%d/stat: unexpected format", pid)
	}
	f := strings.Fields(string(stat[i+1:]))
	if len(f) < 13 {
		return 0, 0, fmt.Errorf("/proc/%d/stat: unexpected format", pid)
	}
	// Fields 4, 14 and 15 of stat (ppid, utime, stime) are f[1], f[11] and
	// f[12] here.
	pp, err0 := strconv.Atoi(f[1])
	ut, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err := errors.Join(err0, err1, err2); err != nil {
		return 0, 0, fmt.Errorf("/proc/%d/stat: %w", pid, err)
	}
	return time.Duration(ut+st) * clockTick, pp, nil
}

// scrapeCPU reads process_cpu_seconds_total from the server's /metrics;
// false when it cannot (no such page, a token needed, another process).
func scrapeCPU(url, token string) (time.Duration, bool) {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return 0, false
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	c := &http.Client{Timeout: 5 * time.Second}
	resp, err := c.Do(req)
	if err != nil {
		return 0, false
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, false
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "process_cpu_seconds_total "); ok {
			s, err := strconv.ParseFloat(strings.TrimSpace(rest), 64)
			if err != nil {
				return 0, false
			}
			return time.Duration(s * float64(time.Second)), true
		}
	}
	return 0, false
}
