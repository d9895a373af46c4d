package store

import (
	"context"
	"fmt"
	"time"

	sk "github.com/seatkeeper/seatkeeper"
	"github.com/seatkeeper/seatkeeper/internal/mail"
)

// QueuedMail is a message in the outbox.
type QueuedMail struct {
	ID       string
	Attempts int
	mail.Message
}

// EnqueueMail adds a message to the outbox in the transaction, so that it
// goes out only if the transaction commits.
func (tx *Tx) EnqueueMail(ctx context.Context, m mail.Message, now time.Time) error {
	_, err := tx.q.ExecContext(ctx, `
		INSERT INTO outbox (id, recipient, subject, text_body, html_body, created_at,
			next_attempt_at)
		VALUES ($1, $2, $3, $4, $5, $6, $6)`,
		sk.NewID("mail", now), m.To, m.Subject, m.Text, m.HTML, now)
	if err != nil {
		return fmt.Errorf("queueing mail: %w", err)
	}
	return nil
}

// ClaimMail takes up to limit messages that are due at now and leases them
// until now+lease: no other worker takes them in that time, and if this one
// dies they fall due again.
func (tx *Tx) ClaimMail(ctx context.Context, now time.Time, lease time.Duration, limit int) (
	[]QueuedMail, error) {
	rows, err := tx.q.QueryContext(ctx, `
		SELECT id, attempts, recipient, subject, text_body, html_body FROM outbox
		WHERE sent_at IS NULL AND next_attempt_at <= $1
		ORDER BY next_attempt_at, id LIMIT $2`+tx.skipLocked(), now, limit)
	if err != nil {
		return nil, fmt.Errorf("claiming mail: %w", err)
	}
	var list []QueuedMail
	for rows.Next() {
		var m QueuedMail
		if err := rows.Scan(&m.ID, &m.Attempts, &m.To, &m.Subject, &m.Text, &m.HTML); err != nil {
			rows.Close()
			return nil, fmt.Errorf("reading queued mail: %w", err)
		}
		list = append(list, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("claiming mail: %w", err)
	}

	for i := range list {
		list[i].Attempts++
		_, err := tx.q.ExecContext(ctx, `
			UPDATE outbox SET attempts = $2, next_attempt_at = $3 WHERE id = $1`,
			list[i].ID, list[i].Attempts, now.Add(lease))
		if err != nil {
			return nil, fmt.Errorf("leasing mail: %w", err)
		}
	}
	return list, nil
}

// MailSent records that the transport took the message.
func (tx *Tx) MailSent(ctx context.Context, id string, now time.Time) error {
	_, err := tx.q.ExecContext(ctx,
		`UPDATE outbox SET sent_at = $2, last_error = NULL WHERE id = $1`, id, now)
	if err != nil {
		return fmt.Errorf("marking mail sent: %w", err)
	}
	return nil
}

// MailFailed records a failed attempt and when to try again.
func (tx *Tx) MailFailed(ctx context.Context, id, reason string, retryAt time.Time) error {
	_, err := tx.q.ExecContext(ctx,
		`UPDATE outbox SET last_error = $2, next_attempt_at = $3 WHERE id = $1`,
		id, reason, retryAt)
	if err != nil {
		return fmt.Errorf("marking mail failed: %w", err)
	}
	return nil
}

// skipLocked lets concurrent PostgreSQL workers pass over rows another has
// locked. SQLite has one writer at a time and needs no such clause.
func (tx *Tx) skipLocked() string {
	if tx.dialect == Postgres {
		return " FOR UPDATE SKIP LOCKED"
	}
	return ""
}
