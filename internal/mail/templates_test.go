package mail_test

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/seatkeeper/seatkeeper/internal/mail"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// templateData is sample data for every message, each link distinct.
var templateData = map[string]map[string]any{
	mail.VerifyEmail: {
		"Name": "Ann Lee", "Link": "https://seats.example.com/verify?token=v1&x=1",
	},
	mail.PasswordReset: {
		"Name": "Ann Lee", "Link": "https://seats.example.com/reset?token=r1",
	},
	mail.SignupExisting: {
		"Name":       "Ann Lee",
		"SignInLink": "https://seats.example.com/login",
		"ResetLink":  "https://seats.example.com/reset",
	},
	mail.EmailChange: {
		"Name": "Ann Lee", "Link": "https://seats.example.com/email?token=e1",
	},
	mail.Invitation: {
		"InviterName": "Bo Chen", "OrgName": "Acme", "Role": "Manager",
		"TeamName": "Design", "Link": "https://seats.example.com/invite?token=i1",
	},
	mail.LicenseAssigned: {
		"Name": "Ann Lee", "OrgName": "Acme", "PlanName": "Team",
		"Link": "https://seats.example.com/licenses",
	},
}

func mustTemplates(t *testing.T) *mail.Templates {
	t.Helper()
	tmpl, err := mail.NewTemplates()
	if err != nil {
		t.Fatalf("NewTemplates: %v", err)
	}
	return tmpl
}

func TestTemplatesNames(t *testing.T) {
	got := mustTemplates(t).Names()
	for name := range templateData {
		if !slices.Contains(got, name) {
			t.Errorf("Names() = %v, missing %q", got, name)
		}
	}
	if len(got) != len(templateData) {
		t.Errorf("Names() = %v, want the %d messages with test data",
			got, len(templateData))
	}
}

func TestTemplatesRender(t *testing.T) {
	tmpl := mustTemplates(t)

	for _, name := range tmpl.Names() {
		t.Run(name, func(t *testing.T) {
			data := templateData[name]
			m, err := tmpl.Render(name, "ann@example.com", data)
			if err != nil {
				t.Fatalf("Render: %v", err)
			}

			if m.To != "ann@example.com" {
				t.Errorf("To = %q, want ann@example.com", m.To)
			}
			if m.Subject == "" || strings.ContainsAny(m.Subject, "\r\n") {
				t.Errorf("Subject = %q, want one non-empty line", m.Subject)
			}
			if !strings.HasSuffix(m.Text, "\n") || strings.Contains(m.Text, "<no ") {
				t.Errorf("Text is malformed:\n%s", m.Text)
			}
			if !strings.Contains(m.HTML, "<title>"+m.Subject+"</title>") {
				t.Errorf("HTML title is not the subject %q:\n%s", m.Subject, m.HTML)
			}

			for key, value := range data {
				if !strings.HasSuffix(key, "Link") {
					continue
				}
				link := value.(string)
				if !strings.Contains(m.Text, link) {
					t.Errorf("Text lacks %s %s:\n%s", key, link, m.Text)
				}
				href := `href="` + strings.ReplaceAll(link, "&", "&amp;") + `"`
				if !strings.Contains(m.HTML, href) {
					t.Errorf("HTML lacks %s:\n%s", href, m.HTML)
				}
			}

			checkGolden(t, name, m)
		})
	}
}

// checkGolden compares a rendered message with testdata/NAME.golden, or
// rewrites the file under -update.
func checkGolden(t *testing.T, name string, m mail.Message) {
	t.Helper()

	got := "Subject: " + m.Subject + "\n\n" + m.Text + "\n" + m.HTML
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}

	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading golden file (run with -update to create it): %v", err)
	}
	if got != string(want) {
		t.Errorf("rendered %s differs from %s (-update rewrites it):\n%s",
			name, path, got)
	}
}

func TestTemplatesEscapeHTML(t *testing.T) {
	tmpl := mustTemplates(t)
	data := struct{ InviterName, OrgName, Role, TeamName, Link string }{
		InviterName: "<script>alert(1)</script>",
		OrgName:     `Tom & "Jerry"`,
		Role:        "Viewer",
		Link:        "javascript:alert(1)",
	}

	m, err := tmpl.Render(mail.Invitation, "ann@example.com", data)
	if err != nil {
		t.Fatalf("Render: %v", err)
	}

	if strings.Contains(m.HTML, "<script>") {
		t.Errorf("HTML contains an unescaped <script>:\n%s", m.HTML)
	}
	if !strings.Contains(m.HTML, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Errorf("HTML lacks the escaped name:\n%s", m.HTML)
	}
	if !strings.Contains(m.HTML, "Tom &amp; &#34;Jerry&#34;") {
		t.Errorf("HTML lacks the escaped organization:\n%s", m.HTML)
	}
	if strings.Contains(m.HTML, `href="javascript:`) {
		t.Errorf("HTML links to a javascript: URL:\n%s", m.HTML)
	}
	if !strings.Contains(m.Text, "<script>alert(1)</script> invited you to join") {
		t.Errorf("Text should hold the name verbatim:\n%s", m.Text)
	}
	if strings.Contains(m.Text, "in the team") {
		t.Errorf("Text mentions a team though TeamName is empty:\n%s", m.Text)
	}
}

func TestTemplatesRenderErrors(t *testing.T) {
	tmpl := mustTemplates(t)

	_, err := tmpl.Render("no_such_message", "ann@example.com", nil)
	if !errors.Is(err, mail.ErrUnknownTemplate) {
		t.Errorf("Render(unknown) error = %v, want ErrUnknownTemplate", err)
	}

	noLink := map[string]any{"Name": "Ann"}
	_, err = tmpl.Render(mail.VerifyEmail, "ann@example.com", noLink)
	if err == nil || !strings.Contains(err.Error(), "Link") {
		t.Errorf("Render without Link: error = %v, want one naming Link", err)
	}
}
