package outbox_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	sk "github.com/seatkeeper/seatkeeper"
	"github.com/seatkeeper/seatkeeper/internal/mail"
	"github.com/seatkeeper/seatkeeper/internal/mail/mailtest"
	"github.com/seatkeeper/seatkeeper/internal/outbox"
	"github.com/seatkeeper/seatkeeper/internal/store"
	"github.com/seatkeeper/seatkeeper/internal/store/storetest"
)

// leaseWatcher sends through a real transport and, at each send, counts
// the messages that workers hold leased.
type leaseWatcher struct {
	mail.Transport
	db    *store.DB
	clock sk.Clock

	mu     sync.Mutex
	leased []int
}

func (w *leaseWatcher) Send(ctx context.Context, m mail.Message) error {
	q, err := w.db.Queues(ctx, w.clock.Now())
	if err != nil {
		return err
	}
	w.mu.Lock()
	w.leased = append(w.leased, q.MailUnsent-q.MailDue)
	w.mu.Unlock()
	return w.Transport.Send(ctx, m)
}

// TestWorkerLeasesOnlyWhatItSends checks that a worker holds a lease only
// on the message it is sending. Were it to lease a batch, the last of the
// batch could wait out its lease behind slow sends of the others, and then
// be sent by this worker and by another that took it meanwhile.
func TestWorkerLeasesOnlyWhatItSends(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		smtp := mailtest.Start(t)
		transport, err := mail.NewTransport(smtp.URL(), "", quiet)
		if err != nil {
			t.Fatal(err)
		}
		clock := sk.SystemClock{}
		const n = 5
		for i := range n {
			if err := enqueue(t, db, clock, fmt.Sprint("message ", i), nil); err != nil {
				t.Fatal(err)
			}
		}

		watcher := &leaseWatcher{Transport: transport, db: db, clock: clock}
		w := outbox.NewWorker(db, watcher, clock, quiet)
		w.Poll = time.Hour
		run(t, w)
		w.Wake()
		smtp.Wait(t, n, 20*time.Second)

		watcher.mu.Lock()
		defer watcher.mu.Unlock()
		for i, leased := range watcher.leased {
			if leased != 1 {
				t.Errorf("send %d: %d messages leased, want only the one being sent",
					i+1, leased)
			}
		}
	})
}
