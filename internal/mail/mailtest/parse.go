package mailtest

import (
	"bytes"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"regexp"
	"strings"
	"testing"
)

// Parsed is a message taken apart.
type Parsed struct {
	Header  mail.Header
	Subject string // decoded from RFC 2047 words
	Text    string // the first text/plain part, decoded, with \n line breaks
	HTML    string // the first text/html part, decoded, with \n line breaks
}

// linkPattern matches an http or https URL in plain text.
var linkPattern = regexp.MustCompile(`https?://[^\s<>"]+`)

// Parse takes apart a raw message: a text/plain or text/html body, or a
// multipart one, each part quoted-printable or not. It fails the test when
// the message does not parse.
func Parse(t testing.TB, raw []byte) Parsed {
	t.Helper()

	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("mailtest: reading message: %v", err)
	}
	p := Parsed{Header: msg.Header}

	p.Subject, err = new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		t.Fatalf("mailtest: decoding subject: %v", err)
	}

	mediaType, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		t.Fatalf("mailtest: parsing Content-Type: %v", err)
	}

	if !strings.HasPrefix(mediaType, "multipart/") {
		body := decodeBody(t, msg.Header.Get("Content-Transfer-Encoding"), msg.Body)
		p.add(mediaType, body)
		return p
	}

	// NextPart undoes quoted-printable itself.
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return p
		}
		if err != nil {
			t.Fatalf("mailtest: reading part: %v", err)
		}

		partType, _, err := mime.ParseMediaType(part.Header.Get("Content-Type"))
		if err != nil {
			t.Fatalf("mailtest: parsing part Content-Type: %v", err)
		}
		p.add(partType, decodeBody(t, "", part))
	}
}

// Link returns the first http or https URL in the text/plain body of a raw
// message. It fails the test when there is none.
func Link(t testing.TB, raw []byte) string {
	t.Helper()

	text := Parse(t, raw).Text
	link := linkPattern.FindString(text)
	if link == "" {
		t.Fatalf("mailtest: no link in text body:\n%s", text)
	}
	return strings.TrimRight(link, ".,;:!?")
}

// add keeps body as the text or the HTML, unless that part was seen before.
func (p *Parsed) add(mediaType, body string) {
	switch {
	case mediaType == "text/plain" && p.Text == "":
		p.Text = body
	case mediaType == "text/html" && p.HTML == "":
		p.HTML = body
	}
}

// decodeBody reads a body in the given transfer encoding and returns it
// with \n line breaks.
func decodeBody(t testing.TB, encoding string, r io.Reader) string {
	t.Helper()

	if strings.EqualFold(encoding, "quoted-printable") {
		r = quotedprintable.NewReader(r)
	}
	body, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("mailtest: reading body: %v", err)
	}
	return strings.ReplaceAll(string(body), "\r\n", "\n")
}
