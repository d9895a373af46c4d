package api

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"strings"

	sk "github.com/seatkeeper/seatkeeper"
)

const clientKey ctxKey = iota + 200

// RemoteClient is the client of r as the connection tells it: the remote
// address, with no header believed.
func RemoteClient(r *http.Request) sk.Client {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	return sk.Client{IP: host}
}

// ForwardedClient returns a function that tells where a request comes from
// when Seatkeeper runs behind reverse proxies whose addresses are in trusted.
// A request whose connection comes from a trusted proxy is from the
// rightmost address of its X-Forwarded-For headers that is not itself a
// trusted proxy: each proxy appends the address it was connected from, so
// the entries left of the nearest untrusted one are whatever the client
// chose to send. Any other request is from its connection's remote address.
// With no trusted proxies, that is every request.
func ForwardedClient(trusted []netip.Prefix) func(r *http.Request) sk.Client {
	if len(trusted) == 0 {
		return RemoteClient
	}
	isTrusted := func(a netip.Addr) bool {
		for _, p := range trusted {
			if p.Contains(a) {
				return true
			}
		}
		return false
	}
	return func(r *http.Request) sk.Client {
		peer, ok := parseAddr(RemoteClient(r).IP)
		if !ok || !isTrusted(peer) {
			return RemoteClient(r)
		}
		return sk.Client{IP: forwardedFor(r.Header.Values("X-Forwarded-For"), peer,
			isTrusted).String()}
	}
}

// forwardedFor walks the X-Forwarded-For entries from the right, past the
// trusted proxies, to the first address that is not one. If the entries
// end, or one is not an address (no proxy writes that), the client is the
// last trusted address the walk reached.
func forwardedFor(headers []string, peer netip.Addr,
	trusted func(netip.Addr) bool) netip.Addr {
	var entries []string
	for _, h := range headers {
		entries = append(entries, strings.Split(h, ",")...)
	}

	client := peer
	for i := len(entries) - 1; i >= 0; i-- {
		a, ok := parseAddr(strings.TrimSpace(entries[i]))
		if !ok {
			return client
		}
		client = a
		if !trusted(a) {
			return a
		}
	}
	return client
}

// parseAddr reads an address as proxies write it: bare, or with a port
// (IPv6 then in brackets). IPv4 addresses mapped into IPv6 are unmapped.
func parseAddr(s string) (netip.Addr, bool) {
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap(), true
	}
	a, err := netip.ParseAddr(strings.Trim(s, "[]"))
	if err != nil {
		return netip.Addr{}, false
	}
	return a.WithZone("").Unmap(), true
}

// withClient notes in the request's context where it comes from, as
// cfg.Client tells, for client to read.
func (s *Server) withClient(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		r = r.WithContext(context.WithValue(ctx, clientKey, s.cfg.Client(r)))
		next.ServeHTTP(w, r)
	})
}
