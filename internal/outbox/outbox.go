// Package outbox delivers the mail that services queue in their
// transactions. A message leaves only after the change it reports has
// committed, and is retried with growing delays until the transport takes
// it. Several servers may run workers on one database: a claimed message is
// leased to one worker, and falls due again only if that worker dies.
package outbox

import (
	"context"
	"log/slog"
	"time"

	sk "github.com/seatkeeper/seatkeeper"
	"github.com/seatkeeper/seatkeeper/internal/mail"
	"github.com/seatkeeper/seatkeeper/internal/metrics"
	"github.com/seatkeeper/seatkeeper/internal/store"
)

const (
	// lease is how long a claimed message is left alone by other workers.
	// It covers one delivery, which sendTimeout bounds, and recording it. A
	// worker claims one message at a time: a batch would leave the last of
	// its messages waiting behind slow deliveries of the others until their
	// lease ran out and another worker sent them too.
	lease       = 2 * time.Minute
	sendTimeout = time.Minute
	maxDelay    = time.Hour
)

// Worker sends queued mail.
type Worker struct {
	DB        *store.DB
	Transport mail.Transport
	Clock     sk.Clock
	Logger    *slog.Logger

	// Poll is how often the worker looks for due mail when nobody wakes it.
	Poll time.Duration

	// Metrics counts delivered messages and failed attempts; nil counts
	// nothing.
	Metrics *metrics.Metrics

	wake chan struct{}
}

// NewWorker returns a worker; call Run to start it.
func NewWorker(db *store.DB, t mail.Transport, clock sk.Clock, logger *slog.Logger) *Worker {
	return &Worker{DB: db, Transport: t, Clock: clock, Logger: logger,
		Poll: 5 * time.Second, wake: make(chan struct{}, 1)}
}

// Wake makes the worker look for due mail now. It never blocks.
func (w *Worker) Wake() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// Run delivers mail until ctx ends.
func (w *Worker) Run(ctx context.Context) {
	ticker := time.NewTicker(w.Poll)
	defer ticker.Stop()
	for {
		for w.deliverNext(ctx) {
		}
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		case <-w.wake:
		}
	}
}

// deliverNext claims the message due first, if any, and sends it. It
// reports whether there was one.
func (w *Worker) deliverNext(ctx context.Context) bool {
	var claimed []store.QueuedMail
	err := w.DB.Tx(ctx, func(tx *store.Tx) error {
		var err error
		claimed, err = tx.ClaimMail(ctx, w.Clock.Now(), lease, 1)
		return err
	})
	if err != nil {
		if ctx.Err() == nil {
			w.Logger.ErrorContext(ctx, "claiming mail", "error", err)
		}
		return false
	}
	if len(claimed) == 0 {
		return false
	}
	w.deliver(ctx, claimed[0])
	return true
}

func (w *Worker) deliver(ctx context.Context, m store.QueuedMail) {
	sendCtx, cancel := context.WithTimeout(ctx, sendTimeout)
	sendErr := w.Transport.Send(sendCtx, m.Message)
	cancel()
	err := w.DB.Tx(ctx, func(tx *store.Tx) error {
		if sendErr != nil {
			return tx.MailFailed(ctx, m.ID, sendErr.Error(), w.Clock.Now().Add(delay(m.Attempts)))
		}
		return tx.MailSent(ctx, m.ID, w.Clock.Now())
	})
	if sendErr != nil {
		w.Metrics.MailFailed()
	} else {
		w.Metrics.MailSent()
	}

	log := w.Logger.With("mail_id", m.ID, "attempt", m.Attempts)
	switch {
	case err != nil:
		log.ErrorContext(ctx, "recording mail delivery", "error", err, "send_error", sendErr)
	case sendErr != nil:
		log.WarnContext(ctx, "mail not delivered; will retry", "error", sendErr)
	default:
		log.DebugContext(ctx, "mail delivered")
	}
}

// delay is how long to wait after the given failed attempt: 30 s, 2 min,
// 4.5 min, … up to an hour.
func delay(attempt int) time.Duration {
	return min(time.Duration(attempt*attempt)*30*time.Second, maxDelay)
}
