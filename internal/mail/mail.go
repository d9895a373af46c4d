// Package mail composes Seatkeeper's email and hands it to a transport: the
// logger, an SMTP server, or a directory of .eml files, as the --mail setting
// says. Templates renders the messages that the service sends.
package mail

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"net/mail"
	"strings"
)

// DefaultFrom is the sender address used when NewTransport is given none.
const DefaultFrom = "Seatkeeper <seatkeeper@localhost>"

// Message is one email to one recipient. To and From are RFC 5322
// addresses, with or without a display name ("Ann <ann@example.com>").
type Message struct {
	// From is the sender. A Transport fills it in when it is empty.
	From string

	To      string
	Subject string

	// Text is the plain-text body; it is required.
	Text string

	// HTML is the HTML body; without it the message is plain text only.
	HTML string
}

// Transport delivers messages. Send returns an error when the message is
// invalid (a malformed address, no text) or could not be handed over; a nil
// error means the message left Seatkeeper, not that it reached an inbox.
type Transport interface {
	Send(ctx context.Context, m Message) error
}

// NewTransport returns the Transport that the --mail setting spec names:
//
//   - "log" or "": write each message, its text body included, to logger at
//     Info. Links in the body carry secrets, so this is for development.
//   - "smtp://user:pass@host:port": submit to an SMTP server, with STARTTLS
//     when the server offers it. Without STARTTLS, credentials are sent only
//     to a loopback host. User and password are optional.
//   - "dir:PATH": write one .eml file per message into PATH, which is created.
//
// from is the sender of messages that have none; empty means DefaultFrom.
// A nil logger means slog.Default(). NewTransport returns an error naming the
// setting when spec is not one of the above.
func NewTransport(spec, from string, logger *slog.Logger) (Transport, error) {
	from = cmp.Or(from, DefaultFrom)
	if _, err := mail.ParseAddress(from); err != nil {
		return nil, fmt.Errorf("parsing sender address %q: %w", from, err)
	}

	logger = cmp.Or(logger, slog.Default())

	scheme, rest, _ := strings.Cut(spec, ":")
	switch strings.ToLower(scheme) {
	case "", "log":
		if rest != "" {
			return nil, fmt.Errorf("invalid --mail setting: log takes no argument")
		}
		return &logTransport{from: from, logger: logger}, nil
	case "dir":
		return newDirTransport(rest, from, logger)
	case "smtp":
		return newSMTPTransport(spec, from, logger)
	}

	// The scheme alone is named: the rest of the setting may hold a password.
	return nil, fmt.Errorf("invalid --mail setting: unknown scheme %q "+
		"(want log, smtp://host:port or dir:PATH)", scheme)
}

// addresses parses the message's sender and recipient.
func (m Message) addresses() (from, to *mail.Address, err error) {
	from, err = mail.ParseAddress(m.From)
	if err != nil {
		return nil, nil, fmt.Errorf("parsing sender address %q: %w", m.From, err)
	}

	to, err = mail.ParseAddress(m.To)
	if err != nil {
		return nil, nil, fmt.Errorf("parsing recipient address %q: %w", m.To, err)
	}
	return from, to, nil
}
