package mail

import (
	"strings"
	"testing"
	"time"

	"github.com/seatkeeper/seatkeeper/internal/mail/mailtest"
)

// newTestSMTP returns an smtp transport for srv whose TLS trusts srv's
// certificate.
func newTestSMTP(t *testing.T, srv *mailtest.Server, spec string) *smtpTransport {
	t.Helper()
	tr, err := NewTransport(spec, "noreply@seats.example.com", nil)
	if err != nil {
		t.Fatalf("NewTransport: %v", err)
	}
	st := tr.(*smtpTransport)
	st.rootCAs = srv.RootCAs()
	return st
}

var testMessage = Message{
	To:      "ann@example.com",
	Subject: "Hello",
	Text:    "Open https://seats.example.com/verify?token=t1\n",
	HTML:    `<p><a href="https://seats.example.com/verify?token=t1">Verify</a></p>`,
}

func TestSMTPStartTLSWithAuth(t *testing.T) {
	t.Parallel()
	srv := mailtest.StartTLS(t)
	tr := newTestSMTP(t, srv, srv.AuthURL())

	if err := tr.Send(t.Context(), testMessage); err != nil {
		t.Fatalf("Send: %v", err)
	}

	got := srv.Wait(t, 1, 5*time.Second)[0]
	if !got.TLS || got.Username != mailtest.Username {
		t.Errorf("received with TLS %v as %q, want TLS as %q", got.TLS, got.Username,
			mailtest.Username)
	}
	want := "https://seats.example.com/verify?token=t1"
	if link := mailtest.Link(t, got.Data); link != want {
		t.Errorf("Link = %q, want %q", link, want)
	}
}

func TestSMTPVerifiesCertificate(t *testing.T) {
	t.Parallel()
	srv := mailtest.StartTLS(t)
	tr := newTestSMTP(t, srv, srv.URL())

	// The certificate is for the loopback addresses, not for this name.
	tr.host = "mail.example.com"

	err := tr.Send(t.Context(), testMessage)
	if err == nil || !strings.Contains(err.Error(), "starting TLS") {
		t.Errorf("Send error = %v, want a TLS error", err)
	}
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("server received %d messages, want none", n)
	}
}

func TestSMTPRefusesCredentialsWithoutTLS(t *testing.T) {
	t.Parallel()
	srv := mailtest.Start(t)
	tr := newTestSMTP(t, srv, srv.AuthURL())

	// A remote server name, reached here through the loopback address.
	tr.host = "mail.example.com"

	err := tr.Send(t.Context(), testMessage)
	if err == nil || !strings.Contains(err.Error(), "refusing to send credentials") {
		t.Errorf("Send error = %v, want a refusal", err)
	}
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("server received %d messages, want none", n)
	}
}

func TestSMTPPlainWithoutCredentials(t *testing.T) {
	t.Parallel()
	srv := mailtest.Start(t)
	tr := newTestSMTP(t, srv, srv.URL())

	// Without credentials, a remote server without TLS is acceptable.
	tr.host = "mail.example.com"

	if err := tr.Send(t.Context(), testMessage); err != nil {
		t.Fatalf("Send: %v", err)
	}
	if got := srv.Wait(t, 1, 5*time.Second)[0]; got.TLS || got.Username != "" {
		t.Errorf("received with TLS %v as %q, want plain and anonymous",
			got.TLS, got.Username)
	}
}
