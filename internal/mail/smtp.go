package mail

import (
	"cmp"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/smtp"
	"net/url"
	"slices"
	"strings"
	"time"
)

const (
	// dialTimeout bounds connecting to the SMTP server.
	dialTimeout = 10 * time.Second

	// sendTimeout bounds one whole delivery, when the caller's context has
	// no earlier deadline.
	sendTimeout = 30 * time.Second
)

// smtpTransport submits each message to an SMTP server on a connection of
// its own.
type smtpTransport struct {
	addr     string // host:port to dial
	host     string // server name for TLS verification and authentication
	username string // empty when the server needs no authentication
	password string
	from     string
	logger   *slog.Logger

	// rootCAs verifies the server's certificate; nil means the system's.
	rootCAs *x509.CertPool
}

func newSMTPTransport(spec, from string, logger *slog.Logger) (*smtpTransport, error) {
	u, err := url.Parse(spec)
	if err != nil {
		// A url.Error repeats the whole URL, password included.
		if uerr, ok := errors.AsType[*url.Error](err); ok {
			err = uerr.Err
		}
		return nil, fmt.Errorf("invalid --mail setting: %w", err)
	}

	if u.Hostname() == "" || u.Port() == "" {
		return nil, errors.New(
			"invalid --mail setting: smtp needs a host and a port, as in smtp://host:587")
	}
	if strings.Trim(u.Path, "/") != "" || u.RawQuery != "" || u.Fragment != "" {
		return nil, errors.New("invalid --mail setting: smtp takes no path or query")
	}

	t := &smtpTransport{addr: u.Host, host: u.Hostname(), from: from, logger: logger}
	if u.User != nil {
		t.username = u.User.Username()
		t.password, _ = u.User.Password()
	}
	return t, nil
}

// Send submits m to the server. It gives up when ctx ends or after
// sendTimeout, whichever comes first.
func (t *smtpTransport) Send(ctx context.Context, m Message) error {
	m.From = cmp.Or(m.From, t.from)
	raw, err := Encode(m, time.Now())
	if err != nil {
		return err
	}
	from, to, err := m.addresses()
	if err != nil {
		return err
	}

	if err := t.deliver(ctx, from.Address, to.Address, raw); err != nil {
		return fmt.Errorf("sending mail via %s: %w", t.addr, err)
	}

	t.logger.DebugContext(ctx, "mail sent", "to", m.To, "smtp_addr", t.addr)
	return nil
}

// deliver connects to the server and submits raw from one address to
// another. A server that stops answering cannot hold the caller past ctx.
func (t *smtpTransport) deliver(ctx context.Context, from, to string, raw []byte) error {
	ctx, cancel := context.WithTimeout(ctx, sendTimeout)
	defer cancel()

	dialer := net.Dialer{Timeout: dialTimeout}
	conn, err := dialer.DialContext(ctx, "tcp", t.addr)
	if err != nil {
		return fmt.Errorf("connecting: %w", err)
	}
	defer conn.Close()

	// Ending ctx, by the caller or by sendTimeout, fails any read or write.
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Now()) })
	defer stop()

	err = t.converse(conn, from, to, raw)
	if err != nil && ctx.Err() != nil {
		return fmt.Errorf("%w: %w", ctx.Err(), err)
	}
	return err
}

// converse speaks SMTP on conn: greeting, STARTTLS, AUTH, then the message.
func (t *smtpTransport) converse(conn net.Conn, from, to string, raw []byte) error {
	c, err := smtp.NewClient(conn, t.host)
	if err != nil {
		return fmt.Errorf("reading greeting: %w", err)
	}
	defer c.Close()

	if err := t.startTLS(c); err != nil {
		return err
	}
	if err := t.authenticate(c); err != nil {
		return err
	}
	if err := transmit(c, from, to, raw); err != nil {
		return err
	}

	// The server took the message when DATA ended; a failed QUIT undoes nothing.
	_ = c.Quit()
	return nil
}

// startTLS switches to TLS when the server offers it. A server without
// STARTTLS is refused when credentials would cross the network in the clear.
func (t *smtpTransport) startTLS(c *smtp.Client) error {
	if ok, _ := c.Extension("STARTTLS"); ok {
		cfg := &tls.Config{
			ServerName: t.host,
			RootCAs:    t.rootCAs,
			MinVersion: tls.VersionTLS12,
		}
		if err := c.StartTLS(cfg); err != nil {
			return fmt.Errorf("starting TLS: %w", err)
		}
		return nil
	}

	if t.username != "" && !isLoopback(t.host) {
		return errors.New(
			"server offers no STARTTLS: refusing to send credentials in the clear")
	}
	return nil
}

// authenticate logs in with AUTH PLAIN when the transport has credentials.
func (t *smtpTransport) authenticate(c *smtp.Client) error {
	if t.username == "" {
		return nil
	}

	ok, mechanisms := c.Extension("AUTH")
	plain := func(m string) bool { return strings.EqualFold(m, "PLAIN") }
	if !ok || !slices.ContainsFunc(strings.Fields(mechanisms), plain) {
		return errors.New("server does not offer AUTH PLAIN")
	}

	if err := c.Auth(smtp.PlainAuth("", t.username, t.password, t.host)); err != nil {
		return fmt.Errorf("authenticating: %w", err)
	}
	return nil
}

// transmit sends the envelope and the message.
func transmit(c *smtp.Client, from, to string, raw []byte) error {
	if err := c.Mail(from); err != nil {
		return fmt.Errorf("sending MAIL FROM: %w", err)
	}
	if err := c.Rcpt(to); err != nil {
		return fmt.Errorf("sending RCPT TO: %w", err)
	}

	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("starting DATA: %w", err)
	}
	if _, err := w.Write(raw); err != nil {
		return fmt.Errorf("writing message: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("ending DATA: %w", err)
	}
	return nil
}

// isLoopback reports whether host names this machine, where a connection
// without TLS never leaves it.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
