package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// binary is the seatkeeper executable that TestMain builds for the tests.
var binary string

// client is the HTTP client the tests talk to servers with.
var client = &http.Client{Timeout: 5 * time.Second}

func TestMain(m *testing.M) {
	os.Exit(buildAndRun(m))
}

// buildAndRun builds the binary into a temporary directory, runs the tests
// and removes the directory again.
func buildAndRun(m *testing.M) int {
	dir, err := os.MkdirTemp("", "seatkeeper-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "creating build directory:", err)
		return 1
	}
	defer os.RemoveAll(dir)

	// go test puts the bin directory of its own GOROOT first on PATH, so
	// this is the go tool that is running the tests.
	binary = filepath.Join(dir, "seatkeeper")
	build := exec.Command("go", "build", "-o", binary, ".")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building seatkeeper: %v\n%s", err, out)
		return 1
	}
	return m.Run()
}

// childEnv returns the test's environment without any SEATKEEPER_ variable a
// developer may have set, plus extra ("NAME=value").
func childEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "SEATKEEPER_") {
			env = append(env, kv)
		}
	}
	return append(env, extra...)
}

// serveFlags returns the flags of a quiet server on a free port of the
// loopback interface, with its database at databaseURL, followed by more.
func serveFlags(databaseURL string, more ...string) []string {
	flags := []string{
		"--addr", "127.0.0.1:0",
		"--database", databaseURL,
		"--log-format", "json",
		"--mail", "log",
	}
	return append(flags, more...)
}

// result is how a seatkeeper command that ran to its end went.
type result struct {
	code           int
	stdout, stderr string
}

// runCLI runs seatkeeper with args and the environment variables in env, and
// waits up to 20 seconds for it to exit.
func runCLI(t *testing.T, env []string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()

	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Env = childEnv(env...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()

	var exit *exec.ExitError
	command := strings.Join(args, " ")
	switch {
	case ctx.Err() != nil:
		t.Fatalf("seatkeeper %s did not exit within 20s\nstderr:\n%s", command, &stderr)
	case err != nil && !errors.As(err, &exit):
		t.Fatalf("running seatkeeper %s: %v", command, err)
	}
	return result{cmd.ProcessState.ExitCode(), stdout.String(), stderr.String()}
}

// server is a running "seatkeeper serve" process.
type server struct {
	cmd  *exec.Cmd
	log  *logLines
	addr string // host:port it listens on

	done    chan struct{} // closed once the process has exited
	waitErr error         // what cmd.Wait returned; read it after done
}

// startServer runs "seatkeeper serve" with args and waits until it listens.
// The process is killed when the test ends, should it still be running.
func startServer(t testing.TB, args ...string) *server {
	t.Helper()
	return startServerEnv(t, nil, args...)
}

// startServerEnv is startServer with the environment variables in env.
func startServerEnv(t testing.TB, env []string, args ...string) *server {
	t.Helper()
	cmd := exec.Command(binary, append([]string{"serve"}, args...)...)
	cmd.Env = childEnv(env...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatalf("piping stderr: %v", err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting seatkeeper serve: %v", err)
	}

	s := &server{cmd: cmd, log: newLogLines(), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		s.log.readFrom(stderr)
		s.waitErr = cmd.Wait()
	}()
	t.Cleanup(func() {
		if !s.exited() {
			s.cmd.Process.Kill()
		}
		<-s.done
		if t.Failed() {
			t.Logf("seatkeeper serve stderr:\n%s", s.log)
		}
	})

	rec := s.waitLog(t, "listening")
	s.addr, _ = rec["addr"].(string)
	if s.addr == "" {
		t.Fatalf("listening record without an addr: %v", rec)
	}
	return s
}

// url returns the server's URL for path.
func (s *server) url(path string) string {
	return "http://" + s.addr + path
}

// terminate sends the process SIGTERM, as a service manager does.
func (s *server) terminate(t testing.TB) {
	t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatalf("sending SIGTERM: %v", err)
	}
}

// stop sends SIGTERM and returns the exit code.
func (s *server) stop(t testing.TB) int {
	t.Helper()
	s.terminate(t)
	return s.wait(t, 10*time.Second)
}

// wait waits up to timeout for the process to exit and returns its exit code.
func (s *server) wait(t testing.TB, timeout time.Duration) int {
	t.Helper()
	select {
	case <-s.done:
		return s.cmd.ProcessState.ExitCode()
	case <-time.After(timeout):
		t.Fatalf("seatkeeper serve still running %v later", timeout)
		return -1
	}
}

// exited reports whether the process has exited.
func (s *server) exited() bool {
	select {
	case <-s.done:
		return true
	default:
		return false
	}
}

// waitLog waits up to 20 seconds for a JSON log record whose msg is msg and
// returns it.
func (s *server) waitLog(t testing.TB, msg string) map[string]any {
	t.Helper()
	timeout := time.After(20 * time.Second)
	for {
		rec, grew := s.log.find(msg)
		if rec != nil {
			return rec
		}
		select {
		case <-grew:
		case <-s.done:
			// Every line is in once the process is done.
			if rec, _ := s.log.find(msg); rec != nil {
				return rec
			}
			t.Fatalf("seatkeeper serve exited (%v) without logging %q", s.waitErr, msg)
		case <-timeout:
			t.Fatalf("no %q log record within 20s", msg)
		}
	}
}

// hasLog reports whether a JSON log record whose msg is msg was written yet.
func (s *server) hasLog(msg string) bool {
	rec, _ := s.log.find(msg)
	return rec != nil
}

// logLines collects what a process writes to stderr, line by line.
type logLines struct {
	mu    sync.Mutex
	lines []string
	grew  chan struct{} // closed, and replaced, when a line comes in
}

func newLogLines() *logLines {
	return &logLines{grew: make(chan struct{})}
}

// readFrom adds every line of r until r ends.
func (l *logLines) readFrom(r io.Reader) {
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		l.add(sc.Text())
	}
	// A line too long for the scanner must not leave the process blocked
	// on a full pipe.
	io.Copy(io.Discard, r)
}

func (l *logLines) add(line string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, line)
	close(l.grew)
	l.grew = make(chan struct{})
}

// find returns the first JSON record whose msg is msg, or nil and a channel
// that is closed when the next line comes in.
func (l *logLines) find(msg string) (map[string]any, <-chan struct{}) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, line := range l.lines {
		var rec map[string]any
		if json.Unmarshal([]byte(line), &rec) == nil && rec["msg"] == msg {
			return rec, nil
		}
	}
	return nil, l.grew
}

func (l *logLines) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

// get fetches url and returns the response with its body read.
func get(t testing.TB, url string) (*http.Response, []byte) {
	t.Helper()
	resp, err := client.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()

	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading GET %s: %v", url, err)
	}
	return resp, body
}

// waitStatus fetches url until it answers with status, for up to 5 seconds.
func waitStatus(t testing.TB, url string, status int) (*http.Response, []byte) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		resp, body := get(t, url)
		if resp.StatusCode == status {
			return resp, body
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET %s: %d %s, want %d within 5s",
				url, resp.StatusCode, body, status)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// problemCode returns the code of the problem document in body, after
// checking that resp says it is one.
func problemCode(t *testing.T, resp *http.Response, body []byte) string {
	t.Helper()
	if ct := resp.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("Content-Type = %q, want application/problem+json", ct)
	}
	var p struct{ Code string }
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatalf("decoding problem %s: %v", body, err)
	}
	return p.Code
}
