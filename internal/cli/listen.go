package cli

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// listenError explains a failed net.Listen on addr, set by flag: what holds
// the address, when this machine says, and how to choose another one.
func listenError(flagName, addr string, err error) error {
	env := envName(strings.TrimPrefix(flagName, "--"))
	if !errors.Is(err, syscall.EADDRINUSE) {
		return fmt.Errorf("cannot listen on %s (%s, %s): %w", addr, flagName, env, err)
	}
	_, port, _ := net.SplitHostPort(addr)
	holder := "another program"
	if p := portHolder(port); p != "" {
		holder = p
	}
	msg := fmt.Sprintf("cannot listen on %s: the address is in use by %s", addr, holder)
	if holder == "another program" && port != "" {
		msg += fmt.Sprintf(" (see which with: ss -ltnp 'sport = :%s')", port)
	}
	if port == "8686" {
		msg += ". Port 8686 is also Tracardi's default: a Tracardi API or another tracflow serve may be running"
	}
	alt := "127.0.0.1:8687"
	if host, _, err := net.SplitHostPort(addr); err == nil {
		alt = net.JoinHostPort(host, "8687")
		if port == "8687" {
			alt = net.JoinHostPort(host, "8688")
		}
	}
	msg += fmt.Sprintf(". Stop it, or choose another address with %s %s or %s=%s. Nothing was created or changed", flagName, alt, env, alt)
	return errors.New(msg)
}

// portHolder names the process listening on TCP port, as "process 123
// (python3)", when /proc tells (Linux, and the process is visible to this
// user); otherwise "".
func portHolder(port string) string {
	p, err := strconv.ParseUint(port, 10, 16)
	if err != nil || p == 0 {
		return ""
	}
	inodes := map[string]bool{}
	for _, table := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		b, err := os.ReadFile(table)
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(b), "\n")[1:] {
			f := strings.Fields(line)
			// sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
			if len(f) < 10 || f[3] != "0A" { // 0A: LISTEN
				continue
			}
			_, hexPort, ok := strings.Cut(f[1], ":")
			if n, err := strconv.ParseUint(hexPort, 16, 16); ok && err == nil && n == p {
				inodes["socket:["+f[9]+"]"] = true
			}
		}
	}
	if len(inodes) == 0 {
		return ""
	}
	fds, _ := filepath.Glob("/proc/[0-9]*/fd/*")
	for _, fd := range fds {
		target, err := os.Readlink(fd)
		if err != nil || !inodes[target] {
			continue
		}
		pid := strings.Split(fd, "/")[2]
		comm, _ := os.ReadFile("/proc/" + pid + "/comm")
		if name := strings.TrimSpace(string(comm)); name != "" {
			return fmt.Sprintf("process %s (%s)", pid, name)
		}
		return "process " + pid
	}
	return ""
}
