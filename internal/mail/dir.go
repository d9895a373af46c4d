package mail

import (
	"cmp"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// fileTime is the layout of the time that starts each .eml file's name. Its
// fixed width makes names sort by time.
const fileTime = "20060102T150405.000000000Z"

// dirTransport writes each message as an .eml file into a directory, where
// a person or a test can open it.
type dirTransport struct {
	dir    string
	from   string
	logger *slog.Logger

	mu   sync.Mutex
	last time.Time // time of the latest file, so that names strictly increase
}

func newDirTransport(dir, from string, logger *slog.Logger) (*dirTransport, error) {
	if dir == "" {
		return nil, errors.New("invalid --mail setting: dir needs a path, as in dir:PATH")
	}

	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("creating mail directory: %w", err)
	}
	return &dirTransport{dir: dir, from: from, logger: logger}, nil
}

// Send writes m into the directory as NAME.eml, where NAME is the UTC time
// and a random suffix. The file appears whole or not at all: it is written
// to a temporary file that is then renamed.
func (t *dirTransport) Send(ctx context.Context, m Message) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("writing mail file: %w", err)
	}

	m.From = cmp.Or(m.From, t.from)
	now := t.now()
	raw, err := Encode(m, now)
	if err != nil {
		return err
	}

	suffix := strings.ToLower(rand.Text()[:10])
	name := filepath.Join(t.dir, now.UTC().Format(fileTime)+"-"+suffix+".eml")
	if err := writeFileAtomic(name, raw); err != nil {
		return fmt.Errorf("writing mail file: %w", err)
	}

	t.logger.DebugContext(ctx, "mail written", "to", m.To, "file", name)
	return nil
}

// now returns the current wall-clock time, or a nanosecond past the previous
// file's time when the clock has not moved on, so that file names from one
// transport sort in the order the messages were sent.
func (t *dirTransport) now() time.Time {
	t.mu.Lock()
	defer t.mu.Unlock()

	now := time.Now().Round(0)
	if !now.After(t.last) {
		now = t.last.Add(time.Nanosecond)
	}
	t.last = now
	return now
}

// writeFileAtomic writes data to a temporary file beside name, then renames
// it to name, so that readers never see a partial file.
func writeFileAtomic(name string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(name), ".*.tmp")
	if err != nil {
		return fmt.Errorf("creating temporary file: %w", err)
	}
	tmp := f.Name()

	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if closeErr := f.Close(); err == nil {
		err = closeErr
	}
	if err == nil {
		err = os.Rename(tmp, name)
	}

	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("writing %s: %w", filepath.Base(name), err)
	}
	return nil
}
