package web

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	sk "github.com/seatkeeper/seatkeeper"
	"github.com/seatkeeper/seatkeeper/internal/api"
)

// form is a submitted form shown again: what was entered, and what was wrong
// with it, by field and as a whole.
type form struct {
	Values  url.Values
	Errors  map[string]string
	Message string

	// Action names the form that was sent, when a page has several.
	Action string
}

// Get returns the entered value of a field.
func (f *form) Get(name string) string {
	if f == nil {
		return ""
	}
	return f.Values.Get(name)
}

// Error returns what was wrong with a field, or "".
func (f *form) Error(name string) string {
	if f == nil {
		return ""
	}
	return f.Errors[name]
}

// Problem returns what was wrong with a field, or else with the form as a
// whole, for a small form whose one control shows both.
func (f *form) Problem(name string) string {
	if f == nil {
		return ""
	}
	if e := f.Errors[name]; e != "" {
		return e
	}
	return f.Message
}

// Is reports whether this is the form named action, so that a page with
// several forms shows errors only on the one that was sent.
func (f *form) Is(action string) bool { return f != nil && f.Action == action }

// For returns the form if it is the one named action, else nil, so that a
// page's other forms show nothing of it.
func (f *form) For(action string) *form {
	if f.Is(action) {
		return f
	}
	return nil
}

// formFailure turns a service's refusal of a form into the form to show
// again: invalid fields next to their inputs, and conflicts, declined
// payments and limits as the form's message. It returns nil for other
// errors, which deserve a page of their own.
func formFailure(r *http.Request, action string, err error) *form {
	e, ok := errors.AsType[*sk.Error](err)
	if !ok {
		return nil
	}
	switch e.Code {
	case sk.EINVALID, sk.ECONFLICT, sk.EPAYMENT, sk.ERATELIMITED, sk.EFORBIDDEN:
	default:
		return nil
	}
	f := &form{Values: r.PostForm, Errors: fieldErrors(err), Action: action}
	if len(f.Errors) == 0 || e.Code != sk.EINVALID {
		f.Message = e.Message
	} else {
		f.Message = "Please correct the fields marked below."
	}
	return f
}

// intField reads a whole number from a form field; a missing or malformed
// one is reported against the field.
func intField(r *http.Request, name string, v *sk.Validation) int {
	s := strings.TrimSpace(r.PostFormValue(name))
	n, err := strconv.Atoi(s)
	if err != nil {
		v.Add(name, "must be a whole number")
	}
	return n
}

// statusOf is the HTTP status of err: the API's table decides it for pages
// too.
func statusOf(err error) int { return api.StatusOf(err) }

func urlQuery(s string) string { return url.QueryEscape(s) }

// optionalInt is intField for a field that may be left empty, which reads
// as zero.
func optionalInt(r *http.Request, name string, v *sk.Validation) int {
	if strings.TrimSpace(r.PostFormValue(name)) == "" {
		return 0
	}
	return intField(r, name, v)
}

// optional returns a pointer to s, or nil when s is empty.
func optional(s string) *string {
	if s = strings.TrimSpace(s); s == "" {
		return nil
	}
	return &s
}

// confirmed reports whether a destructive form was confirmed, by the
// script's dialog or by the confirmation page.
func confirmed(r *http.Request) bool {
	return r.PostFormValue("confirm") == "yes"
}

// back returns the page a form came from, named by its "back" field, or
// fallback when it names none on this site.
func back(r *http.Request, fallback string) string {
	if b := r.PostFormValue("back"); b != "" {
		return localPath(b)
	}
	return fallback
}

// confirmation is the question a destructive form asks before it acts.
type confirmation struct {
	Title, Question, Detail, Button string
	Danger                          bool

	// Filled in by askConfirm: where the form goes, what it carries, and
	// where Cancel leads.
	Action string
	Fields []hiddenField
	Back   string
}

type hiddenField struct{ Name, Value string }

// askConfirm shows a page that asks the question of c, with a button that
// sends the same form again, confirmed. The script's dialog asks the same
// in place and confirms at once, so this page is for browsers without it.
func (s *Server) askConfirm(w http.ResponseWriter, r *http.Request, a *sk.Actor,
	c confirmation) error {
	c.Action = r.URL.Path
	c.Back = back(r, "/")
	for name, values := range r.PostForm {
		if name == "confirm" {
			continue
		}
		for _, v := range values {
			c.Fields = append(c.Fields, hiddenField{name, v})
		}
	}
	slices.SortStableFunc(c.Fields, func(x, y hiddenField) int {
		return strings.Compare(x.Name, y.Name)
	})
	s.render(w, r, a, http.StatusOK, "confirm", &view{Title: c.Title, Data: c})
	return nil
}
