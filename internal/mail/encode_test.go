package mail_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/seatkeeper/seatkeeper/internal/mail"
	"github.com/seatkeeper/seatkeeper/internal/mail/mailtest"
)

func TestEncode(t *testing.T) {
	date := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	long := strings.Repeat("Seats for everyone, ", 10) + "= end"
	m := mail.Message{
		From:    "Seatkeeper <noreply@seats.example.com>",
		To:      "Zoë Šimić <zoe@example.com>",
		Subject: "Grüße\r\nBcc: eve@example.com",
		Text:    "Héllo,\n" + long + "\nhttps://seats.example.com/x?token=abc\n",
		HTML:    "<p>Héllo</p>\n",
	}

	raw, err := mail.Encode(m, date)
	if err != nil {
		t.Fatalf("Encode: %v", err)
	}
	p := mailtest.Parse(t, raw)

	wantHeaders := map[string]string{
		"MIME-Version": "1.0",
		"Date":         "Wed, 04 Mar 2026 05:06:07 +0000",
		"From":         `"Seatkeeper" <noreply@seats.example.com>`,
	}
	for key, want := range wantHeaders {
		if got := p.Header.Get(key); got != want {
			t.Errorf("%s = %q, want %q", key, got, want)
		}
	}
	if p.Header.Get("Bcc") != "" {
		t.Errorf("the subject injected a Bcc header:\n%s", raw)
	}
	if got, want := p.Subject, "Grüße Bcc: eve@example.com"; got != want {
		t.Errorf("Subject = %q, want %q", got, want)
	}
	if !bytes.Contains(raw, []byte("Subject: =?utf-8?q?")) {
		t.Errorf("Subject is not Q-encoded:\n%s", raw)
	}

	to, err := p.Header.AddressList("To")
	if err != nil || len(to) != 1 || to[0].Name+" <"+to[0].Address+">" != m.To {
		t.Errorf("To = %v (%v), want %s", to, err, m.To)
	}
	id := p.Header.Get("Message-ID")
	if !strings.HasPrefix(id, "<") || !strings.HasSuffix(id, "@seats.example.com>") {
		t.Errorf("Message-ID = %q, want <...@seats.example.com>", id)
	}
	contentType := p.Header.Get("Content-Type")
	if !strings.HasPrefix(contentType, "multipart/alternative;") {
		t.Errorf("Content-Type = %q, want multipart/alternative", contentType)
	}

	if p.Text != m.Text {
		t.Errorf("text part = %q, want %q", p.Text, m.Text)
	}
	if p.HTML != m.HTML {
		t.Errorf("HTML part = %q, want %q", p.HTML, m.HTML)
	}
	for line := range strings.SplitSeq(string(raw), "\r\n") {
		if len(line) > 998 || strings.ContainsAny(line, "\r\n") {
			t.Errorf("line is too long or has a bare line break: %q", line)
		}
	}
}

func TestEncodeTextOnly(t *testing.T) {
	m := mail.Message{
		From: "a@example.com", To: "b@example.com", Subject: "Hi", Text: "plain\n",
	}

	raw, err := mail.Encode(m, time.Now())
	if err != nil {
		t.Fatalf("Encode: %v", err)
	}

	p := mailtest.Parse(t, raw)
	if got := p.Header.Get("Content-Type"); got != "text/plain; charset=utf-8" {
		t.Errorf("Content-Type = %q, want text/plain; charset=utf-8", got)
	}
	if p.Text != "plain\n" || p.HTML != "" {
		t.Errorf("body = %q and %q, want only the text", p.Text, p.HTML)
	}
}

func TestEncodeErrors(t *testing.T) {
	valid := mail.Message{From: "a@example.com", To: "b@example.com", Text: "x"}
	tests := []struct {
		name   string
		change func(*mail.Message)
		want   string
	}{
		{"no sender", func(m *mail.Message) { m.From = "" }, "sender"},
		{"bad recipient", func(m *mail.Message) { m.To = "not an address" }, "recipient"},
		{"header injection", func(m *mail.Message) {
			m.To = "b@example.com\r\nBcc: eve@example.com"
		}, "recipient"},
		{"no text", func(m *mail.Message) { m.Text = "" }, "no text"},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := valid
			tt.change(&m)
			_, err := mail.Encode(m, time.Now())
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Encode error = %v, want one mentioning %q", err, tt.want)
			}
		})
	}
}
