package mail

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"strings"
	"time"
)

// Encode returns m as an RFC 5322 message dated date, with MIME-Version,
// Date, From, To, Subject and Message-ID headers. The body is
// multipart/alternative with a text/plain and a text/html part, or text/plain
// alone when m has no HTML; both are UTF-8 and quoted-printable. A non-ASCII
// subject is encoded as RFC 2047 words. Encode returns an error when From or
// To is not a valid address or when m has no text.
func Encode(m Message, date time.Time) ([]byte, error) {
	from, to, err := m.addresses()
	if err != nil {
		return nil, err
	}
	if m.Text == "" {
		return nil, errors.New("encoding message: no text body")
	}

	// Collapsing whitespace keeps the subject on one header line.
	subject := strings.Join(strings.Fields(m.Subject), " ")

	var buf bytes.Buffer
	writeHeader(&buf, "MIME-Version", "1.0")
	writeHeader(&buf, "Date", date.Format(time.RFC1123Z))
	writeHeader(&buf, "From", from.String())
	writeHeader(&buf, "To", to.String())
	writeHeader(&buf, "Subject", mime.QEncoding.Encode("utf-8", subject))
	writeHeader(&buf, "Message-ID", messageID(from))

	if m.HTML == "" {
		err = writeSingle(&buf, m.Text)
	} else {
		err = writeAlternative(&buf, m.Text, m.HTML)
	}
	if err != nil {
		return nil, fmt.Errorf("encoding message body: %w", err)
	}
	return buf.Bytes(), nil
}

// writeHeader writes one header field. Values are already encoded.
func writeHeader(buf *bytes.Buffer, key, value string) {
	buf.WriteString(key)
	buf.WriteString(": ")
	buf.WriteString(value)
	buf.WriteString("\r\n")
}

// messageID returns a new, globally unique Message-ID in the sender's domain.
func messageID(from *mail.Address) string {
	domain := "localhost"
	if i := strings.LastIndexByte(from.Address, '@'); i >= 0 {
		domain = from.Address[i+1:]
	}
	return "<" + rand.Text() + "@" + domain + ">"
}

// writeSingle ends the header and writes text as the whole body.
func writeSingle(buf *bytes.Buffer, text string) error {
	writeHeader(buf, "Content-Type", textType("text/plain"))
	writeHeader(buf, "Content-Transfer-Encoding", "quoted-printable")
	buf.WriteString("\r\n")

	return writeQuotedPrintable(buf, text)
}

// writeAlternative ends the header and writes a multipart/alternative body
// with text first, as RFC 2046 asks: the richest part comes last.
func writeAlternative(buf *bytes.Buffer, text, html string) error {
	mw := multipart.NewWriter(buf)
	params := map[string]string{"boundary": mw.Boundary()}
	contentType := mime.FormatMediaType("multipart/alternative", params)
	writeHeader(buf, "Content-Type", contentType)
	buf.WriteString("\r\n")

	if err := writePart(mw, "text/plain", text); err != nil {
		return err
	}
	if err := writePart(mw, "text/html", html); err != nil {
		return err
	}
	return mw.Close()
}

// writePart writes one quoted-printable UTF-8 part of the given media type.
func writePart(mw *multipart.Writer, mediaType, body string) error {
	h := textproto.MIMEHeader{}
	h.Set("Content-Type", textType(mediaType))
	h.Set("Content-Transfer-Encoding", "quoted-printable")

	w, err := mw.CreatePart(h)
	if err != nil {
		return fmt.Errorf("creating %s part: %w", mediaType, err)
	}
	return writeQuotedPrintable(w, body)
}

// writeQuotedPrintable writes body quoted-printable, with CRLF line breaks.
func writeQuotedPrintable(w io.Writer, body string) error {
	qp := quotedprintable.NewWriter(w)
	if _, err := io.WriteString(qp, body); err != nil {
		return fmt.Errorf("writing quoted-printable: %w", err)
	}
	if err := qp.Close(); err != nil {
		return fmt.Errorf("writing quoted-printable: %w", err)
	}
	return nil
}

// textType returns the Content-Type of a UTF-8 text part.
func textType(mediaType string) string {
	return mime.FormatMediaType(mediaType, map[string]string{"charset": "utf-8"})
}
