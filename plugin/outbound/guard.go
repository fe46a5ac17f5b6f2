package outbound

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync/atomic"
	"syscall"
	"time"
)

// ErrDenied is wrapped by the error of a call or dial refused because the
// address it resolved to is private, loopback, link-local or otherwise
// special (see Denied). errors.Is(err, ErrDenied) tells it apart.
var ErrDenied = errors.New("address not allowed for outbound calls")

var (
	allowPrivate  atomic.Bool // server setting: every address allowed
	allowLoopback atomic.Bool // tests: loopback stand-ins allowed
)

// SetAllowPrivate sets the server-wide setting that lets connectors reach
// private, loopback and link-local addresses (tracflow serve
// --allow-private-outbound). It is off by default, so a URL taken from
// event data or a flow's config cannot reach the server's own network. It
// returns the previous value.
func SetAllowPrivate(allow bool) bool {
	prev := allowPrivate.Swap(allow)
	if prev != allow {
		shared.closeIdle()
	}
	return prev
}

// AllowPrivate reports the server-wide setting.
func AllowPrivate() bool { return allowPrivate.Load() }

// SetAllowLoopback lets calls reach loopback addresses (127.0.0.0/8, ::1)
// while other special addresses stay denied. Tests use it for httptest
// stand-ins; it returns the previous value to restore.
func SetAllowLoopback(allow bool) bool {
	prev := allowLoopback.Swap(allow)
	if prev != allow {
		shared.closeIdle()
	}
	return prev
}

// special lists ranges no public service lives in, beside those netip's
// predicates name (private, loopback, link-local, multicast, unspecified).
var special = func() []netip.Prefix {
	var out []netip.Prefix
	for _, s := range []string{
		"0.0.0.0/8",       // "this network"
		"100.64.0.0/10",   // carrier-grade NAT
		"192.0.0.0/24",    // IETF protocol assignments
		"192.0.2.0/24",    // documentation
		"198.18.0.0/15",   // benchmarking
		"198.51.100.0/24", // documentation
		"203.0.113.0/24",  // documentation
		"240.0.0.0/4",     // reserved, and broadcast
		"64:ff9b::/96",    // NAT64: may map to any IPv4 address
		"64:ff9b:1::/48",  // local-use NAT64
		"100::/64",        // discard-only
		"2001::/23",       // IETF protocol assignments (Teredo and others)
		"2001:db8::/32",   // documentation
		"2002::/16",       // 6to4: embeds an IPv4 address
		"fec0::/10",       // deprecated site-local
	} {
		out = append(out, netip.MustParsePrefix(s))
	}
	return out
}()

// Denied reports whether ip is an address outbound calls must not reach
// under the default setting: private (10/8, 172.16/12, 192.168/16, fc00::/7),
// loopback, link-local (169.254/16 with cloud metadata services, fe80::/10),
// multicast, unspecified, and the reserved and special-purpose ranges.
// IPv4-mapped IPv6 addresses are judged as the IPv4 address they carry.
func Denied(ip netip.Addr) bool {
	ip = ip.Unmap()
	if !ip.IsValid() || ip.IsPrivate() || ip.IsLoopback() || ip.IsLinkLocalUnicast() ||
		ip.IsLinkLocalMulticast() || ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified() {
		return true
	}
	for _, p := range special {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// check is the dialer's Control function: it runs after name resolution,
// on the very address the socket connects to, so a name that resolves to a
// public address when validated and to a private one when dialled (DNS
// rebinding) is still caught.
func check(_, address string, _ syscall.RawConn) error {
	if allowPrivate.Load() {
		return nil
	}
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: cannot read %q", ErrDenied, address)
	}
	ip := ap.Addr().Unmap()
	if allowLoopback.Load() && ip.IsLoopback() {
		return nil
	}
	if Denied(ip) {
		return fmt.Errorf("%w: %s is a private or special address (start the server with --allow-private-outbound to allow it)", ErrDenied, ip)
	}
	return nil
}

// Dialer returns a dialer with the outbound deny-list: connections to
// denied addresses fail with ErrDenied. Connectors that speak other
// protocols than HTTP (SMTP, whois, databases) dial through it.
func Dialer(timeout time.Duration) *net.Dialer {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	return &net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second, Control: check}
}

// DialContext dials address with Dialer's deny-list; its signature fits
// clients that take a dial function.
func DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	return Dialer(0).DialContext(ctx, network, address)
}
