package cli

import (
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"time"
)

func healthcheckCommand() *command {
	return &command{
		name:  "healthcheck",
		usage: "[--url http://127.0.0.1:8686] [--timeout 5s]",
		short: "check that a server is ready (for container healthchecks)",
		long: `Asks a running server's /readyz whether it is ready (its database answers) and
exits 0 when it is, 1 when not. Container images without a shell or curl use
it as their healthcheck; it asks this machine on the port of TRACFLOW_ADDR
(the server's address), 8686 without it.`,
		flags: func(fs *flag.FlagSet) runFunc {
			base := fs.String("url", defaultHealthURL(os.Getenv("TRACFLOW_ADDR")), "the server's base URL; its default is this machine at the port of TRACFLOW_ADDR")
			timeout := fs.Duration("timeout", 5*time.Second, "how long to wait for the answer")
			return func(e *env, args []string) error {
				if len(args) > 0 {
					return usagef("healthcheck: unexpected argument %q", args[0])
				}
				target := strings.TrimRight(*base, "/") + "/readyz"
				c := &http.Client{Timeout: *timeout}
				resp, err := c.Get(target)
				if err != nil {
					return fmt.Errorf("healthcheck: %w", err)
				}
				defer resp.Body.Close()
				body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
				if resp.StatusCode != http.StatusOK {
					return fmt.Errorf("healthcheck: %s answered %d: %s", target, resp.StatusCode, strings.TrimSpace(string(body)))
				}
				fmt.Fprintf(e.stdout, "ready: %s\n", target)
				return nil
			}
		},
	}
}

// defaultHealthURL is the local URL of a server listening on addr (the
// server's TRACFLOW_ADDR; "" for the default 127.0.0.1:8686).
func defaultHealthURL(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil || port == "" {
		return "http://127.0.0.1:8686"
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port)
}
