package mail

import (
	"cmp"
	"context"
	"log/slog"
)

// logTransport writes messages to a logger instead of sending them. It is
// the default, so that a development server shows its email, links and all.
type logTransport struct {
	from   string
	logger *slog.Logger
}

// Send logs m as one Info record with its text body. The body's links carry
// secret tokens, which is why this transport is for development only.
func (t *logTransport) Send(ctx context.Context, m Message) error {
	m.From = cmp.Or(m.From, t.from)
	if _, _, err := m.addresses(); err != nil {
		return err
	}

	t.logger.InfoContext(ctx, "mail message",
		"from", m.From, "to", m.To, "subject", m.Subject, "body", m.Text)
	return nil
}
