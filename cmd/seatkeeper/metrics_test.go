package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/seatkeeper/seatkeeper/internal/metrics/metricstest"
	"github.com/seatkeeper/seatkeeper/internal/store"
	"github.com/seatkeeper/seatkeeper/internal/store/storetest"
)

func TestMetricsOnTheMainAddress(t *testing.T) {
	t.Parallel()
	s := startServer(t, serveFlags(storetest.URL(t, store.SQLite))...)
	for range 3 {
		get(t, s.url("/healthz"))
	}

	scrape := metricstest.Get(t, s.url("/metrics"))
	n, _ := scrape.Value("seatkeeper_http_requests_total", "route", "GET /healthz",
		"code", "200")
	if n != 3 {
		t.Errorf("GET /healthz counted %v times, want 3", n)
	}
	if _, ok := scrape.Value("seatkeeper_db_connections_open"); !ok {
		t.Error("no database pool metrics")
	}
}

func TestMetricsOnTheirOwnAddress(t *testing.T) {
	t.Parallel()
	s := startServer(t, serveFlags(storetest.URL(t, store.SQLite),
		"--metrics-addr", "127.0.0.1:0")...)
	addr, _ := s.waitLog(t, "serving metrics")["addr"].(string)

	get(t, s.url("/healthz"))
	scrape := metricstest.Get(t, "http://"+addr+"/metrics")
	if n, _ := scrape.Value("seatkeeper_http_requests_total", "route", "GET /healthz",
		"code", "200"); n != 1 {
		t.Errorf("GET /healthz on the main address counted %v times, want 1", n)
	}
	if resp, body := get(t, s.url("/metrics")); resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET /metrics on the main address: %d %s, want 404", resp.StatusCode, body)
	}
	if code := s.stop(t); code != 0 {
		t.Errorf("exit code after SIGTERM = %d, want 0", code)
	}
}

// TestTrustedProxies runs a server that trusts the loopback address as its
// proxy, and one that trusts none: the audit log records the forwarded
// client address on the first, and the connection's on the second.
func TestTrustedProxies(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		flags []string
		want  string
	}{
		{"trusted", []string{"--trusted-proxies", "10.0.0.0/8, 127.0.0.1"}, "203.0.113.9"},
		{"not trusted", nil, "127.0.0.1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			mailDir := t.TempDir()
			s := startServer(t, serveFlags(storetest.URL(t, store.SQLite),
				append(tt.flags, "--mail", "dir:"+mailDir)...)...)
			if ip := auditedClient(t, s, mailDir); ip != tt.want {
				t.Errorf("audit log's client_ip = %q, want %q", ip, tt.want)
			}
		})
	}

	r := runCLI(t, nil, "serve", "--trusted-proxies", "10.0.0.0/33",
		"--database", storetest.URL(t, store.SQLite))
	if r.code == 0 || !strings.Contains(r.stderr, "trusted-proxies") {
		t.Errorf("a bad CIDR: exit %d, stderr %q", r.code, r.stderr)
	}
}

// auditedClient signs up, buys an organization plan, all through a proxy
// that forwards for 203.0.113.9, and returns the client address that the
// audit log recorded for the checkout.
func auditedClient(t *testing.T, s *server, mailDir string) string {
	t.Helper()
	forwarded(t, s, "/api/v1/auth/signup", "", map[string]string{
		"email": "ada@example.com", "name": "Ada", "password": "correct horse battery"}, 202)
	forwarded(t, s, "/api/v1/auth/verify", "",
		map[string]string{"token": mailedToken(t, mailDir)}, 200)
	var login struct{ Token string }
	decodeInto(t, forwarded(t, s, "/api/v1/auth/login", "", map[string]string{
		"email": "ada@example.com", "password": "correct horse battery"}, 200), &login)
	var bought struct{ Organization struct{ ID string } }
	decodeInto(t, forwarded(t, s, "/api/v1/checkout", login.Token, map[string]any{
		"plan": "team", "period": "month", "seats": 2, "organization_name": "Acme",
		"card": map[string]any{"number": "4242424242424242", "exp_month": 12,
			"exp_year": 2040, "cvc": "123"},
	}, 201), &bought)

	var log struct {
		Data []struct {
			Action   string
			ClientIP string `json:"client_ip"`
		}
	}
	decodeInto(t, call(t, s, "GET", "/api/v1/orgs/"+bought.Organization.ID+"/audit-log",
		login.Token, nil, 200), &log)
	for _, e := range log.Data {
		if e.Action == "subscription.created" {
			return e.ClientIP
		}
	}
	t.Fatalf("no subscription.created in the audit log: %+v", log.Data)
	return ""
}

// forwarded posts body as a proxy would, with an X-Forwarded-For naming a
// client and a forged entry left of it, and checks the status.
func forwarded(t *testing.T, s *server, path, token string, body any, want int) []byte {
	t.Helper()
	b, _ := json.Marshal(body)
	r, _ := http.NewRequest("POST", s.url(path), bytes.NewReader(b))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("X-Forwarded-For", "198.51.100.66, 203.0.113.9")
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := client.Do(r)
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	var out bytes.Buffer
	out.ReadFrom(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("POST %s: %d, want %d: %s", path, resp.StatusCode, want, out.Bytes())
	}
	return out.Bytes()
}
