// Package mailtest runs a real SMTP server for tests, records what it
// receives, and takes received messages apart.
package mailtest

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/url"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// The credentials that the server accepts with AUTH PLAIN. Authentication is
// optional: a client that does not authenticate may send too.
const (
	Username = "mailtest"
	Password = "mailtest-password"
)

// Received is one message as the server took it.
type Received struct {
	From     string   // envelope sender (MAIL FROM)
	To       []string // envelope recipients (RCPT TO)
	Data     []byte   // the raw message, as sent after DATA
	Username string   // the authenticated user, empty without AUTH
	TLS      bool     // whether the message came over TLS
}

// Server is an SMTP server on a loopback port that records every message.
type Server struct {
	t       testing.TB
	smtp    *smtp.Server
	addr    string
	rootCAs *x509.CertPool

	mu       sync.Mutex
	received []Received
	arrived  chan struct{} // closed and replaced whenever a message arrives
	closed   bool
}

// Start starts a server without TLS and closes it when the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	return start(t, nil, nil)
}

// StartTLS starts a server that offers STARTTLS with a self-signed
// certificate for 127.0.0.1, ::1 and localhost, which RootCAs trusts. It
// closes the server when the test ends.
func StartTLS(t testing.TB) *Server {
	t.Helper()
	cfg, pool := selfSigned(t)
	return start(t, cfg, pool)
}

func start(t testing.TB, cfg *tls.Config, pool *x509.CertPool) *Server {
	t.Helper()

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("mailtest: listening: %v", err)
	}

	s := &Server{
		t:       t,
		addr:    ln.Addr().String(),
		rootCAs: pool,
		arrived: make(chan struct{}),
	}
	s.smtp = smtp.NewServer(smtp.BackendFunc(s.newSession))
	s.smtp.Domain = "localhost"
	s.smtp.TLSConfig = cfg
	s.smtp.AllowInsecureAuth = true
	s.smtp.ReadTimeout = 10 * time.Second
	s.smtp.WriteTimeout = 10 * time.Second
	s.smtp.ErrorLog = serverLog{s}

	go func() {
		err := s.smtp.Serve(ln)
		if errors.Is(err, smtp.ErrServerClosed) || errors.Is(err, net.ErrClosed) {
			return
		}
		s.logf("serving: %v", err)
	}()
	t.Cleanup(s.close)
	return s
}

// close stops the server; from then on its goroutines no longer log to the
// test, which may have ended.
func (s *Server) close() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()

	s.smtp.Close()
}

// Addr returns the server's host:port.
func (s *Server) Addr() string {
	return s.addr
}

// URL returns a --mail setting that sends to the server without
// authentication.
func (s *Server) URL() string {
	return "smtp://" + s.addr
}

// AuthURL returns a --mail setting that sends to the server as Username.
func (s *Server) AuthURL() string {
	u := url.URL{Scheme: "smtp", Host: s.addr, User: url.UserPassword(Username, Password)}
	return u.String()
}

// RootCAs returns the pool that trusts a StartTLS server's certificate, or
// nil for a server without TLS.
func (s *Server) RootCAs() *x509.CertPool {
	return s.rootCAs
}

// Messages returns the messages received so far, oldest first.
func (s *Server) Messages() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.received)
}

// Wait returns the messages received once there are at least n, oldest
// first. It fails the test when they do not arrive within timeout.
func (s *Server) Wait(t testing.TB, n int, timeout time.Duration) []Received {
	t.Helper()

	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		s.mu.Lock()
		got, arrived := slices.Clone(s.received), s.arrived
		s.mu.Unlock()
		if len(got) >= n {
			return got
		}

		select {
		case <-arrived:
		case <-timer.C:
			t.Fatalf("mailtest: got %d messages after %v, want %d", len(got), timeout, n)
			return nil
		}
	}
}

// record adds a message and wakes every Wait.
func (s *Server) record(r Received) {
	s.mu.Lock()
	defer s.mu.Unlock()

	s.received = append(s.received, r)
	close(s.arrived)
	s.arrived = make(chan struct{})
}

// logf logs to the test while it runs.
func (s *Server) logf(format string, args ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()

	if !s.closed {
		s.t.Logf("mailtest: "+format, args...)
	}
}

// serverLog routes the SMTP server's error log to the test.
type serverLog struct{ s *Server }

func (l serverLog) Printf(format string, args ...any) { l.s.logf(format, args...) }

func (l serverLog) Println(args ...any) { l.s.logf("%v", args) }

func (s *Server) newSession(c *smtp.Conn) (smtp.Session, error) {
	return &session{server: s, conn: c}, nil
}

// session is one client connection's state.
type session struct {
	server   *Server
	conn     *smtp.Conn
	username string
	from     string
	to       []string
}

// AuthMechanisms implements smtp.AuthSession.
func (s *session) AuthMechanisms() []string {
	return []string{sasl.Plain}
}

// Auth implements smtp.AuthSession, accepting Username and Password.
func (s *session) Auth(mech string) (sasl.Server, error) {
	if mech != sasl.Plain {
		return nil, smtp.ErrAuthUnknownMechanism
	}

	return sasl.NewPlainServer(func(identity, username, password string) error {
		if identity != "" && identity != username {
			return smtp.ErrAuthFailed
		}
		if username != Username || password != Password {
			return smtp.ErrAuthFailed
		}
		s.username = username
		return nil
	}), nil
}

// Mail implements smtp.Session.
func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	s.from = from
	return nil
}

// Rcpt implements smtp.Session.
func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = append(s.to, to)
	return nil
}

// Data implements smtp.Session, recording the message.
func (s *session) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}

	_, isTLS := s.conn.TLSConnectionState()
	s.server.record(Received{
		From:     s.from,
		To:       slices.Clone(s.to),
		Data:     data,
		Username: s.username,
		TLS:      isTLS,
	})
	return nil
}

// Reset implements smtp.Session.
func (s *session) Reset() {
	s.from = ""
	s.to = nil
}

// Logout implements smtp.Session.
func (s *session) Logout() error {
	return nil
}
