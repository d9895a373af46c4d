package mail

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"io"
	"strings"
	texttemplate "text/template"
)

// The messages that Templates renders, with the fields their data needs.
// Every field must be present, even an optional one left empty.
const (
	// VerifyEmail asks a new user to confirm their address: Name, Link.
	VerifyEmail = "verify_email"

	// PasswordReset carries a password reset link: Name, Link.
	PasswordReset = "password_reset"

	// SignupExisting answers a signup with an address that already has an
	// account, pointing to sign-in and password reset: Name, SignInLink,
	// ResetLink.
	SignupExisting = "signup_existing"

	// EmailChange asks a user to confirm a new address: Name, Link.
	EmailChange = "email_change"

	// Invitation invites an address to a role: InviterName, OrgName, Role,
	// TeamName (empty at the organization scope), Link.
	Invitation = "invitation"

	// LicenseAssigned tells a user that they hold a new license: Name,
	// OrgName, PlanName, Link.
	LicenseAssigned = "license_assigned"
)

// ErrUnknownTemplate is returned by Render for a name it does not know.
var ErrUnknownTemplate = errors.New("unknown mail template")

// names lists every message, in the order that Names returns them.
var names = []string{
	VerifyEmail, PasswordReset, SignupExisting, EmailChange, Invitation, LicenseAssigned,
}

// templateFS holds, per message, NAME.txt, which defines "subject" and
// "content", and NAME.html, which defines "content" for layout.html.
//
//go:embed templates
var templateFS embed.FS

// Templates renders Seatkeeper's messages from the embedded templates. It
// is safe for concurrent use.
type Templates struct {
	messages map[string]messageTemplate
}

// messageTemplate is one message's parsed text and HTML templates.
type messageTemplate struct {
	text *texttemplate.Template
	html *htmltemplate.Template
}

// page is what the HTML layout renders: the subject for the title, and the
// caller's data for the content.
type page struct {
	Subject string
	Data    any
}

// NewTemplates parses the embedded templates. An error means a template is
// missing or malformed, which tests catch before a release.
func NewTemplates() (*Templates, error) {
	layout, err := htmltemplate.New("layout").
		Option("missingkey=error").
		ParseFS(templateFS, "templates/layout.html")
	if err != nil {
		return nil, fmt.Errorf("parsing mail layout: %w", err)
	}

	t := &Templates{messages: make(map[string]messageTemplate, len(names))}
	for _, name := range names {
		m, err := parseMessage(layout, name)
		if err != nil {
			return nil, fmt.Errorf("parsing mail template %s: %w", name, err)
		}
		t.messages[name] = m
	}
	return t, nil
}

// parseMessage parses one message's text template and, over a copy of the
// layout, its HTML template.
func parseMessage(layout *htmltemplate.Template, name string) (messageTemplate, error) {
	text, err := texttemplate.New(name).
		Option("missingkey=error").
		ParseFS(templateFS, "templates/"+name+".txt")
	if err != nil {
		return messageTemplate{}, err
	}

	html, err := layout.Clone()
	if err != nil {
		return messageTemplate{}, err
	}
	html, err = html.ParseFS(templateFS, "templates/"+name+".html")
	if err != nil {
		return messageTemplate{}, err
	}

	for _, required := range []string{"subject", "content"} {
		if text.Lookup(required) == nil {
			return messageTemplate{}, fmt.Errorf("%s.txt defines no %q", name, required)
		}
	}
	if html.Lookup("content") == nil {
		return messageTemplate{}, fmt.Errorf("%s.html defines no \"content\"", name)
	}
	return messageTemplate{text: text, html: html}, nil
}

// Names returns the names of all messages that Render knows.
func (t *Templates) Names() []string {
	return append([]string(nil), names...)
}

// Render returns the message name addressed to to, with data filling in its
// subject, text and HTML. Data is a struct or a map holding the fields that
// the message's constant lists. Render returns ErrUnknownTemplate for an
// unknown name, and an error when data lacks a field.
func (t *Templates) Render(name, to string, data any) (Message, error) {
	m, ok := t.messages[name]
	if !ok {
		return Message{}, fmt.Errorf("rendering %q: %w", name, ErrUnknownTemplate)
	}

	subject, err := execute(m.text, "subject", data)
	if err != nil {
		return Message{}, fmt.Errorf("rendering %s subject: %w", name, err)
	}
	subject = strings.Join(strings.Fields(subject), " ")

	text, err := execute(m.text, "content", data)
	if err != nil {
		return Message{}, fmt.Errorf("rendering %s text: %w", name, err)
	}

	html, err := execute(m.html, "layout", page{Subject: subject, Data: data})
	if err != nil {
		return Message{}, fmt.Errorf("rendering %s HTML: %w", name, err)
	}

	return Message{To: to, Subject: subject, Text: text + "\n", HTML: html + "\n"}, nil
}

// executor is what text and HTML templates have in common.
type executor interface {
	ExecuteTemplate(w io.Writer, name string, data any) error
}

// execute runs one named template and returns its output without leading
// or trailing space.
func execute(tmpl executor, name string, data any) (string, error) {
	var buf bytes.Buffer
	if err := tmpl.ExecuteTemplate(&buf, name, data); err != nil {
		return "", err
	}
	return strings.TrimSpace(buf.String()), nil
}
