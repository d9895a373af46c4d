package mail_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/seatkeeper/seatkeeper/internal/mail"
	"github.com/seatkeeper/seatkeeper/internal/mail/mailtest"
)

const testFrom = "Seatkeeper <noreply@seats.example.com>"

func mustTransport(t *testing.T, spec string, logger *slog.Logger) mail.Transport {
	t.Helper()
	tr, err := mail.NewTransport(spec, testFrom, logger)
	if err != nil {
		t.Fatalf("NewTransport(%q): %v", spec, err)
	}
	return tr
}

func mustRender(t *testing.T, name, to string) mail.Message {
	t.Helper()
	m, err := mustTemplates(t).Render(name, to, templateData[name])
	if err != nil {
		t.Fatalf("Render(%s): %v", name, err)
	}
	return m
}

// checkLink checks that the first link in a raw message is the one in the
// sample data of the message called name.
func checkLink(t *testing.T, raw []byte, name string) {
	t.Helper()
	got := mailtest.Link(t, raw)
	if want := templateData[name]["Link"]; got != want {
		t.Errorf("link in %s = %q, want %q", name, got, want)
	}
}

func TestSMTPTransport(t *testing.T) {
	t.Parallel()
	srv := mailtest.Start(t)
	tr := mustTransport(t, srv.URL(), nil)
	m := mustRender(t, mail.VerifyEmail, "Ann Lee <ann@example.com>")

	if err := tr.Send(t.Context(), m); err != nil {
		t.Fatalf("Send: %v", err)
	}

	got := srv.Wait(t, 1, 5*time.Second)[0]
	wantTo := []string{"ann@example.com"}
	if got.From != "noreply@seats.example.com" || !slices.Equal(got.To, wantTo) {
		t.Errorf("envelope = %q -> %q, want noreply@seats.example.com -> %q",
			got.From, got.To, wantTo)
	}
	if got.Username != "" {
		t.Errorf("authenticated as %q, want no authentication", got.Username)
	}

	p := mailtest.Parse(t, got.Data)
	if p.Subject != m.Subject || p.Text != m.Text || p.HTML != m.HTML {
		t.Errorf("received %q\n%s\n%s\nwant %q\n%s\n%s",
			p.Subject, p.Text, p.HTML, m.Subject, m.Text, m.HTML)
	}
	wantFrom := `"Seatkeeper" <noreply@seats.example.com>`
	if from := p.Header.Get("From"); from != wantFrom {
		t.Errorf("From = %q, want %q", from, wantFrom)
	}
	checkLink(t, got.Data, mail.VerifyEmail)
}

func TestSMTPTransportAuth(t *testing.T) {
	t.Parallel()
	srv := mailtest.Start(t)
	tr := mustTransport(t, srv.AuthURL(), nil)
	m := mustRender(t, mail.PasswordReset, "ann@example.com")

	if err := tr.Send(t.Context(), m); err != nil {
		t.Fatalf("Send: %v", err)
	}

	got := srv.Wait(t, 1, 5*time.Second)[0]
	if got.Username != mailtest.Username {
		t.Errorf("authenticated as %q, want %q", got.Username, mailtest.Username)
	}
	checkLink(t, got.Data, mail.PasswordReset)
}

func TestSMTPTransportWrongPassword(t *testing.T) {
	t.Parallel()
	srv := mailtest.Start(t)
	spec := "smtp://" + mailtest.Username + ":wrong@" + srv.Addr()
	tr := mustTransport(t, spec, nil)

	err := tr.Send(t.Context(), mustRender(t, mail.VerifyEmail, "ann@example.com"))
	if err == nil || !strings.Contains(err.Error(), "authenticating") {
		t.Errorf("Send error = %v, want an authentication error", err)
	}
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("server received %d messages, want none", n)
	}
}

func TestSMTPTransportContextDeadline(t *testing.T) {
	t.Parallel()

	// A server that accepts connections and never answers.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	t.Cleanup(func() {
		close(done)
		ln.Close()
	})
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		<-done
		conn.Close()
	}()

	tr := mustTransport(t, "smtp://"+ln.Addr().String(), nil)
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()

	start := time.Now()
	err = tr.Send(ctx, mustRender(t, mail.VerifyEmail, "ann@example.com"))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Send error = %v, want context.DeadlineExceeded", err)
	}
	if elapsed := time.Since(start); elapsed > 3*time.Second {
		t.Errorf("Send took %v after a 200ms deadline", elapsed)
	}
}

func TestLogTransport(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&buf, nil))
	tr := mustTransport(t, "log", logger)
	m := mustRender(t, mail.EmailChange, "ann@example.com")

	if err := tr.Send(t.Context(), m); err != nil {
		t.Fatalf("Send: %v", err)
	}

	var record map[string]any
	if err := json.Unmarshal(buf.Bytes(), &record); err != nil {
		t.Fatalf("want one JSON record, got %q: %v", buf.String(), err)
	}
	want := map[string]string{
		"level":   "INFO",
		"to":      "ann@example.com",
		"from":    testFrom,
		"subject": m.Subject,
		"body":    m.Text,
	}
	for key, value := range want {
		if record[key] != value {
			t.Errorf("record[%q] = %v, want %q", key, record[key], value)
		}
	}
	link := templateData[mail.EmailChange]["Link"].(string)
	if !strings.Contains(buf.String(), link) {
		t.Errorf("log lacks the link %s:\n%s", link, buf.String())
	}
}

func TestLogTransportRejectsBadAddress(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	tr := mustTransport(t, "", slog.New(slog.NewTextHandler(&buf, nil)))

	err := tr.Send(t.Context(), mail.Message{To: "nobody", Text: "x"})
	if err == nil {
		t.Error("Send to a bad address succeeded")
	}
	if buf.Len() != 0 {
		t.Errorf("logged a message that was refused:\n%s", buf.String())
	}
}

func TestDirTransport(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "mail", "out")
	tr := mustTransport(t, "dir:"+dir, nil)
	names := []string{mail.VerifyEmail, mail.PasswordReset, mail.Invitation}

	for _, name := range names {
		m := mustRender(t, name, "ann@example.com")
		if err := tr.Send(t.Context(), m); err != nil {
			t.Fatalf("Send(%s): %v", name, err)
		}
	}

	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != len(names) {
		t.Fatalf("directory holds %v, want %d .eml files", entries, len(names))
	}

	// ReadDir sorts by name, which must be the order of sending.
	for i, entry := range entries {
		if !strings.HasSuffix(entry.Name(), ".eml") {
			t.Errorf("file %q is not an .eml file", entry.Name())
		}
		raw, err := os.ReadFile(filepath.Join(dir, entry.Name()))
		if err != nil {
			t.Fatal(err)
		}

		m := mustRender(t, names[i], "ann@example.com")
		p := mailtest.Parse(t, raw)
		if p.Subject != m.Subject || p.Text != m.Text || p.HTML != m.HTML {
			t.Errorf("%s holds %q, want message %s", entry.Name(), p.Subject, names[i])
		}
		checkLink(t, raw, names[i])
	}
}

func TestNewTransportErrors(t *testing.T) {
	t.Parallel()
	dirFile := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(dirFile, nil, 0o600); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name string
		spec string
		from string
	}{
		{"unknown scheme", "smtps://user:hunter2@mail.example.com:465", ""},
		{"bare word", "sendmail", ""},
		{"log with argument", "log:stdout", ""},
		{"smtp without port", "smtp://mail.example.com", ""},
		{"smtp without host", "smtp://:25", ""},
		{"smtp opaque", "smtp:mail.example.com:25", ""},
		{"smtp with path", "smtp://mail.example.com:25/inbox", ""},
		{"smtp with query", "smtp://mail.example.com:25?tls=no", ""},
		{"smtp bad URL", "smtp://user:hunter2@mail example.com:25", ""},
		{"dir without path", "dir:", ""},
		{"dir under a file", "dir:" + filepath.Join(dirFile, "mail"), ""},
		{"bad sender", "log", "not an address"},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr, err := mail.NewTransport(tt.spec, tt.from, nil)
			if err == nil {
				t.Fatalf("NewTransport(%q) = %T, want an error", tt.spec, tr)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("error reveals the password: %v", err)
			}
			if tt.from == "" && !strings.Contains(err.Error(), "--mail") &&
				!strings.Contains(err.Error(), "mail directory") {
				t.Errorf("error %q does not name the --mail setting", err)
			}
		})
	}
}
