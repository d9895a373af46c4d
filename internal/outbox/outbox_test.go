package outbox_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
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

var quiet = slog.New(slog.DiscardHandler)

func enqueue(t *testing.T, db *store.DB, clock sk.Clock, subject string, fail error) error {
	t.Helper()
	return db.Tx(context.Background(), func(tx *store.Tx) error {
		m := mail.Message{To: "ada@example.com", Subject: subject, Text: "Hello."}
		if err := tx.EnqueueMail(context.Background(), m, clock.Now()); err != nil {
			t.Fatal(err)
		}
		return fail
	})
}

// run starts the worker until the test ends.
func run(t *testing.T, w *outbox.Worker) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		w.Run(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
}

func TestRolledBackMailIsNotSent(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		smtp := mailtest.Start(t)
		transport, err := mail.NewTransport(smtp.URL(), "", quiet)
		if err != nil {
			t.Fatal(err)
		}
		clock := sk.SystemClock{}
		w := outbox.NewWorker(db, transport, clock, quiet)
		run(t, w)

		boom := errors.New("boom")
		if err := enqueue(t, db, clock, "rolled back", boom); !errors.Is(err, boom) {
			t.Fatal(err)
		}
		if err := enqueue(t, db, clock, "committed", nil); err != nil {
			t.Fatal(err)
		}
		w.Wake()

		got := smtp.Wait(t, 1, 10*time.Second)
		time.Sleep(100 * time.Millisecond) // room for a wrong second message
		if got = smtp.Messages(); len(got) != 1 {
			t.Fatalf("%d messages sent, want only the committed one", len(got))
		}
		if p := mailtest.Parse(t, got[0].Data); p.Subject != "committed" {
			t.Errorf("sent %q", p.Subject)
		}
	})
}

// TestFailedMailIsRetried puts a regular file where a dir: transport writes,
// so that delivery fails, then clears the way and moves the clock past the
// retry delay.
func TestFailedMailIsRetried(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		dir := filepath.Join(t.TempDir(), "mail")
		transport, err := mail.NewTransport("dir:"+dir, "", quiet)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.Remove(dir); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dir, []byte("in the way"), 0o600); err != nil {
			t.Fatal(err)
		}
		clock := &sk.DevClock{}
		w := outbox.NewWorker(db, transport, clock, quiet)
		w.Poll = 10 * time.Millisecond
		run(t, w)

		if err := enqueue(t, db, clock, "retried", nil); err != nil {
			t.Fatal(err)
		}
		time.Sleep(200 * time.Millisecond) // the first attempt fails
		if err := os.Remove(dir); err != nil {
			t.Fatal(err)
		}
		if err := os.Mkdir(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		time.Sleep(200 * time.Millisecond) // not due yet: nothing happens
		if files, _ := os.ReadDir(dir); len(files) != 0 {
			t.Fatalf("delivered before the retry delay: %v", files)
		}

		clock.Advance(31 * time.Second)
		deadline := time.Now().Add(10 * time.Second)
		for {
			files, _ := os.ReadDir(dir)
			if len(files) == 1 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("after the delay: %d files, want 1", len(files))
			}
			time.Sleep(20 * time.Millisecond)
		}
		clock.Advance(time.Hour)
		time.Sleep(100 * time.Millisecond)
		if files, _ := os.ReadDir(dir); len(files) != 1 {
			t.Errorf("%d files after more time: delivered more than once", len(files))
		}
	})
}

// TestWorkersShareTheQueue runs two workers on one database; each message
// goes out exactly once.
func TestWorkersShareTheQueue(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		smtp := mailtest.Start(t)
		transport, err := mail.NewTransport(smtp.URL(), "", quiet)
		if err != nil {
			t.Fatal(err)
		}
		clock := sk.SystemClock{}

		const n = 40
		for i := range n {
			if err := enqueue(t, db, clock, fmt.Sprint("message ", i), nil); err != nil {
				t.Fatal(err)
			}
		}
		var workers []*outbox.Worker
		for range 2 {
			w := outbox.NewWorker(db, transport, clock, quiet)
			workers = append(workers, w)
			run(t, w)
		}
		var wg sync.WaitGroup
		for _, w := range workers {
			wg.Go(w.Wake)
		}
		wg.Wait()

		smtp.Wait(t, n, 20*time.Second)
		time.Sleep(200 * time.Millisecond)
		seen := map[string]int{}
		for _, m := range smtp.Messages() {
			seen[mailtest.Parse(t, m.Data).Subject]++
		}
		for subject, count := range seen {
			if count != 1 {
				t.Errorf("%q sent %d times", subject, count)
			}
		}
		if len(seen) != n {
			t.Errorf("%d distinct messages, want %d", len(seen), n)
		}
	})
}
