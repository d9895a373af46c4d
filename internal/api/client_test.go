package api_test

import (
	"net/http/httptest"
	"net/netip"
	"testing"

	"github.com/seatkeeper/seatkeeper/internal/api"
)

func TestForwardedClient(t *testing.T) {
	t.Parallel()
	trusted := []netip.Prefix{
		netip.MustParsePrefix("10.0.0.0/8"),
		netip.MustParsePrefix("fd00::/8"),
	}
	tests := []struct {
		name      string
		trusted   []netip.Prefix
		remote    string
		forwarded []string // X-Forwarded-For headers, in order
		want      string
	}{
		{"no proxies trusted: the header is ignored", nil, "10.0.0.1:5000",
			[]string{"203.0.113.7"}, "10.0.0.1"},
		{"from an untrusted peer: the header is ignored", trusted, "198.51.100.2:5000",
			[]string{"203.0.113.7"}, "198.51.100.2"},
		{"one trusted proxy", trusted, "10.0.0.1:5000", []string{"203.0.113.7"},
			"203.0.113.7"},
		{"entries a client forged are left of its own", trusted, "10.0.0.1:5000",
			[]string{"1.1.1.1, 2.2.2.2, 203.0.113.7"}, "203.0.113.7"},
		{"a chain of trusted proxies", trusted, "10.0.0.1:5000",
			[]string{"203.0.113.7, 10.1.1.1", "10.2.2.2"}, "203.0.113.7"},
		{"only trusted addresses: the leftmost", trusted, "10.0.0.1:5000",
			[]string{"10.9.9.9, 10.1.1.1"}, "10.9.9.9"},
		{"no header: the proxy itself", trusted, "10.0.0.1:5000", nil, "10.0.0.1"},
		{"garbage stops the walk at the last trusted hop", trusted, "10.0.0.1:5000",
			[]string{"203.0.113.7, nonsense, 10.1.1.1"}, "10.1.1.1"},
		{"entries with ports", trusted, "10.0.0.1:5000",
			[]string{"203.0.113.7:4711, 10.1.1.1:80"}, "203.0.113.7"},
		{"IPv6", trusted, "[fd00::1]:5000", []string{"2001:db8::7, [fd00::2]:443"},
			"2001:db8::7"},
		{"IPv4 mapped into IPv6", trusted, "[::ffff:10.0.0.1]:5000",
			[]string{"::ffff:203.0.113.7"}, "203.0.113.7"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = tt.remote
			for _, h := range tt.forwarded {
				r.Header.Add("X-Forwarded-For", h)
			}
			if got := api.ForwardedClient(tt.trusted)(r).IP; got != tt.want {
				t.Errorf("client = %s, want %s", got, tt.want)
			}
		})
	}
}
