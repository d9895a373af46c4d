package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	sk "github.com/seatkeeper/seatkeeper"
	"github.com/seatkeeper/seatkeeper/internal/store"
	"github.com/seatkeeper/seatkeeper/internal/store/storetest"
)

func TestServeReady(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			s := startServer(t, serveFlags(storetest.URL(t, d))...)

			// An empty database is migrated before the server listens.
			ready := s.waitLog(t, "database ready")
			if n, _ := ready["migrations_applied"].(float64); n < 1 {
				t.Errorf("migrations_applied = %v, want at least one",
					ready["migrations_applied"])
			}
			if ready["dialect"] != string(d) {
				t.Errorf("dialect = %v, want %s", ready["dialect"], d)
			}

			if resp, body := get(t, s.url("/healthz")); resp.StatusCode != http.StatusOK {
				t.Errorf("GET /healthz: %d %s", resp.StatusCode, body)
			}
			resp, body := get(t, s.url("/readyz"))
			var status map[string]string
			err := json.Unmarshal(body, &status)
			if err != nil || resp.StatusCode != http.StatusOK || len(status) != 1 ||
				status["status"] != "ready" {
				t.Errorf("GET /readyz: %d %s, want 200 {\"status\":\"ready\"}",
					resp.StatusCode, body)
			}

			if code := s.stop(t); code != 0 {
				t.Errorf("exit code after SIGTERM = %d, want 0", code)
			}
			s.waitLog(t, "stopped")
		})
	}
}

func TestServeWithoutMigrateIsNotReady(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			dbURL := storetest.URL(t, d)
			s := startServer(t, serveFlags(dbURL, "--migrate=false")...)
			if s.hasLog("database ready") {
				t.Errorf("--migrate=false still migrated the database")
			}

			// Alive, but not ready for traffic on an empty schema.
			if resp, body := get(t, s.url("/healthz")); resp.StatusCode != http.StatusOK {
				t.Errorf("GET /healthz: %d %s", resp.StatusCode, body)
			}
			resp, body := get(t, s.url("/readyz"))
			if resp.StatusCode != http.StatusServiceUnavailable {
				t.Fatalf("GET /readyz before migrating: %d %s, want 503",
					resp.StatusCode, body)
			}
			if code := problemCode(t, resp, body); code != sk.EUNAVAILABLE {
				t.Errorf("problem code = %q, want %q", code, sk.EUNAVAILABLE)
			}

			applied := migrateUp(t, dbURL)
			if applied < 1 {
				t.Fatalf("migrate up on an empty database applied %d migrations", applied)
			}
			waitStatus(t, s.url("/readyz"), http.StatusOK)

			// Every migration is listed as applied, and there is nothing left to do.
			r := runCLI(t, nil, "migrate", "status", "--database", dbURL)
			if r.code != 0 {
				t.Fatalf("migrate status: exit %d\n%s", r.code, r.stderr)
			}
			lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
			if len(lines) != 1+applied {
				t.Errorf("migrate status: %d lines, want a header and %d migrations:\n%s",
					len(lines), applied, r.stdout)
			}
			for _, line := range lines[1:] {
				if !strings.Contains(line, "applied") {
					t.Errorf("migrate status line %q: want applied", line)
				}
			}
			if again := migrateUp(t, dbURL); again != 0 {
				t.Errorf("second migrate up applied %d migrations, want 0", again)
			}

			if code := s.stop(t); code != 0 {
				t.Errorf("exit code after SIGTERM = %d, want 0", code)
			}
		})
	}
}

// appliedLine is what "migrate up" prints.
var appliedLine = regexp.MustCompile(`^applied (\d+) migration\(s\)\n$`)

// migrateUp runs "seatkeeper migrate up" on the database and returns how
// many migrations it says it applied.
func migrateUp(t *testing.T, databaseURL string) int {
	t.Helper()
	r := runCLI(t, nil, "migrate", "up", "--database", databaseURL)
	if r.code != 0 {
		t.Fatalf("migrate up: exit %d\n%s", r.code, r.stderr)
	}

	m := appliedLine.FindStringSubmatch(r.stdout)
	if m == nil {
		t.Fatalf("migrate up printed %q, want \"applied N migration(s)\"", r.stdout)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

func TestGracefulShutdownFinishesRequestInFlight(t *testing.T) {
	t.Parallel()
	s := startServer(t, serveFlags(storetest.URL(t, store.SQLite))...)

	// A sign-in whose body is only half sent when the signal comes.
	body := `{"email":"nobody@example.com","password":"wrong password"}`
	conn, err := net.DialTimeout("tcp", s.addr, 5*time.Second)
	if err != nil {
		t.Fatalf("dialling %s: %v", s.addr, err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(15 * time.Second))
	send(t, conn, fmt.Sprintf("POST /api/v1/auth/login HTTP/1.1\r\nHost: %s\r\n"+
		"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s",
		s.addr, len(body), body[:len(body)/2]))
	time.Sleep(200 * time.Millisecond)

	s.terminate(t)
	s.waitLog(t, "shutting down")
	refused(t, s.addr)
	time.Sleep(300 * time.Millisecond)
	if s.exited() {
		t.Fatalf("seatkeeper exited (%v) with a request in flight", s.waitErr)
	}

	// The rest of the body arrives, and the request is answered in full.
	send(t, conn, body[len(body)/2:])
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("reading the response: %v", err)
	}
	answer, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading the response body: %v", err)
	}
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("login during shutdown: %d %s, want 401", resp.StatusCode, answer)
	}
	if code := problemCode(t, resp, answer); code != sk.EUNAUTHENTICATED {
		t.Errorf("problem code = %q, want %q", code, sk.EUNAUTHENTICATED)
	}

	if code := s.wait(t, 5*time.Second); code != 0 {
		t.Errorf("exit code after SIGTERM = %d, want 0", code)
	}
	s.waitLog(t, "stopped")
}

// send writes text to conn.
func send(t *testing.T, conn net.Conn, text string) {
	t.Helper()
	if _, err := io.WriteString(conn, text); err != nil {
		t.Fatalf("writing to %s: %v", conn.RemoteAddr(), err)
	}
}

// refused checks that new connections to addr fail within two seconds, the
// listener having closed.
func refused(t *testing.T, addr string) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for time.Now().Before(deadline) {
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			return
		}
		conn.Close()
		time.Sleep(20 * time.Millisecond)
	}
	t.Errorf("%s still accepts connections 2s after SIGTERM", addr)
}

func TestEnvironmentConfiguresFlags(t *testing.T) {
	t.Parallel()

	t.Run("environment alone", func(t *testing.T) {
		t.Parallel()
		path := filepath.Join(t.TempDir(), "from-env.db")
		s := startServerEnv(t, []string{
			"SEATKEEPER_ADDR=127.0.0.1:0",
			"SEATKEEPER_DATABASE=sqlite:" + path,
			"SEATKEEPER_LOG_FORMAT=json",
		})

		// JSON logs, a free port rather than the default 8080, the file we named.
		host, port, _ := net.SplitHostPort(s.addr)
		if host != "127.0.0.1" || port == "8080" {
			t.Errorf("listening on %s, want 127.0.0.1 and a free port", s.addr)
		}
		if _, err := os.Stat(path); err != nil {
			t.Errorf("database file from SEATKEEPER_DATABASE: %v", err)
		}
		if code := s.stop(t); code != 0 {
			t.Errorf("exit code after SIGTERM = %d, want 0", code)
		}
	})

	t.Run("flag wins over environment", func(t *testing.T) {
		t.Parallel()
		s := startServerEnv(t, []string{"SEATKEEPER_LOG_FORMAT=bogus"},
			serveFlags(storetest.URL(t, store.SQLite))...)
		if code := s.stop(t); code != 0 {
			t.Errorf("exit code after SIGTERM = %d, want 0", code)
		}
	})

	t.Run("bad environment", func(t *testing.T) {
		t.Parallel()
		r := runCLI(t, []string{
			"SEATKEEPER_ADDR=127.0.0.1:0",
			"SEATKEEPER_DATABASE=" + storetest.URL(t, store.SQLite),
			"SEATKEEPER_LOG_FORMAT=bogus",
		}, "serve")
		if r.code == 0 || !strings.Contains(r.stderr, "log-format") {
			t.Errorf("SEATKEEPER_LOG_FORMAT=bogus: exit %d, stderr %q; "+
				"want non-zero and an error naming log-format", r.code, r.stderr)
		}
	})
}

func TestVersionAndUsage(t *testing.T) {
	t.Parallel()
	const usage = `(?s)^usage: seatkeeper <command> \[flags\]\n.*`
	tests := []struct {
		name           string
		args           []string
		code           int
		stdout, stderr string // regular expressions the whole output must match
	}{
		{"version", []string{"version"}, 0, `^seatkeeper dev\n$`, `^$`},
		{"help", []string{"help"}, 0, usage, `^$`},
		{"no command", nil, 2, `^$`, usage + `seatkeeper: no command given\n$`},
		{"unknown command", []string{"bogus"}, 2, `^$`,
			usage + `seatkeeper: unknown command "bogus"\n$`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := runCLI(t, nil, tt.args...)

			if r.code != tt.code {
				t.Errorf("exit code = %d, want %d", r.code, tt.code)
			}
			if !regexp.MustCompile(tt.stdout).MatchString(r.stdout) {
				t.Errorf("stdout = %q, want a match for %s", r.stdout, tt.stdout)
			}
			if !regexp.MustCompile(tt.stderr).MatchString(r.stderr) {
				t.Errorf("stderr = %q, want a match for %s", r.stderr, tt.stderr)
			}
		})
	}
}
