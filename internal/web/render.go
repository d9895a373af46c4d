package web

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"

	sk "github.com/seatkeeper/seatkeeper"
	"github.com/seatkeeper/seatkeeper/internal/api"
)

//go:embed templates
var templateFiles embed.FS

// pages holds every page's template, each parsed with the layout and the
// shared partials.
type pages struct {
	byName map[string]*template.Template
}

// parsePages parses templates/pages/*.html, each on a copy of the layout,
// so that every page may define its own "title" and "content".
func parsePages() (*pages, error) {
	base, err := template.New("").Funcs(funcs).ParseFS(templateFiles,
		"templates/layout.html", "templates/partials/*.html")
	if err != nil {
		return nil, fmt.Errorf("parsing layout: %w", err)
	}
	names, err := fs.Glob(templateFiles, "templates/pages/*.html")
	if err != nil {
		return nil, err
	}

	p := &pages{byName: map[string]*template.Template{}}
	for _, file := range names {
		t, err := template.Must(base.Clone()).ParseFS(templateFiles, file)
		if err != nil {
			return nil, fmt.Errorf("parsing %s: %w", file, err)
		}
		p.byName[strings.TrimSuffix(path.Base(file), ".html")] = t
	}
	return p, nil
}

// Names lists the pages, for tests that render every one.
func (p *pages) names() []string {
	var out []string
	for name := range p.byName {
		out = append(out, name)
	}
	return out
}

// view is what every page's template receives: the page's own data, and
// what the layout shows around it.
type view struct {
	Title string
	User  *sk.User
	Orgs  []sk.Membership // the sidebar's sections
	Nav   string          // the sidebar entry to mark as current
	Flash *flash
	CSRF  string
	Dev   bool
	Form  *form
	Here  string // this page's path and query, where its forms come back to
	Data  any
}

// render writes page with status. An authenticated page also shows the
// user's organizations in the sidebar; a nil actor renders a page for
// visitors.
func (s *Server) render(w http.ResponseWriter, r *http.Request, a *sk.Actor, status int,
	page string, v *view) {
	t, ok := s.pages.byName[page]
	if !ok {
		s.renderError(w, r, fmt.Errorf("no page %q", page))
		return
	}
	v.CSRF = s.csrfToken(w, r)
	v.Dev = s.cfg.Dev
	if v.Here == "" {
		v.Here = r.URL.RequestURI()
	}
	if v.Flash == nil {
		v.Flash = s.takeFlash(w, r)
	}
	if a != nil && v.User == nil {
		u, orgs, err := s.cfg.Accounts.Me(r.Context(), a)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		v.User, v.Orgs = u, orgs
	}

	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		s.renderError(w, r, fmt.Errorf("rendering %s: %w", page, err))
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	buf.WriteTo(w)
}

// errorPage is the data of the error page.
type errorPage struct {
	Status  int
	Message string
}

// renderError shows err on a page of its own with its status. Server faults
// are logged with their cause and shown as a generic message.
func (s *Server) renderError(w http.ResponseWriter, r *http.Request, err error) {
	status := api.StatusOf(err)
	if status >= 500 {
		s.cfg.Logger.ErrorContext(r.Context(), "page failed", "error", err,
			"method", r.Method, "path", r.URL.Path)
	}
	msg := sk.ErrorMessage(err)
	if status == http.StatusNotFound {
		msg = "There is nothing here, or you may not see it. Check the address, " +
			"or go back to your licenses."
	}

	t := s.pages.byName["error"]
	v := &view{Title: http.StatusText(status), Data: errorPage{status, msg}}
	if a, aerr := s.actor(r); aerr == nil {
		v.User, v.Orgs, _ = s.cfg.Accounts.Me(r.Context(), a)
	}
	v.CSRF = s.csrfToken(w, r)
	var buf bytes.Buffer
	if t == nil || t.ExecuteTemplate(&buf, "layout", v) != nil {
		http.Error(w, msg, status)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	buf.WriteTo(w)
}

// notFound answers every path the dashboard does not serve.
func (s *Server) notFound(w http.ResponseWriter, r *http.Request) error {
	return sk.Errorf(sk.ENOTFOUND, "Not found.")
}

// fieldErrors returns err's field errors by field, or nil when err is not
// about the input.
func fieldErrors(err error) map[string]string {
	e, ok := errors.AsType[*sk.Error](err)
	if !ok || e.Code != sk.EINVALID {
		return nil
	}
	out := map[string]string{}
	for _, f := range e.Fields {
		if _, seen := out[f.Field]; !seen {
			out[f.Field] = f.Message
		}
	}
	return out
}
