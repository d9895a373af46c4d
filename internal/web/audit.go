package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"

	sk "github.com/seatkeeper/seatkeeper"
)

// auditPage is the data of the audit log.
type auditPage struct {
	*orgPage
	Events      []auditEvent
	Next, First string
}

// auditEvent is one event of the audit log with its before and after
// written out as lines, for people rather than for programs.
type auditEvent struct {
	sk.AuditEvent
	Before, After auditFields
}

// auditFields are the lines of one side of an event.
type auditFields []auditField

// auditField is one line of an event's before or after: the path to a value
// in the stored document (dots between the keys) and the value.
type auditField struct {
	Key, Value string

	// Changed marks a value that the other side of the event has not.
	Changed bool
}

// Long reports whether the lines are too many to show open in a table
// cell: the page folds them in a <details> element.
func (fs auditFields) Long() bool { return len(fs) > 8 }

// ChangedCount counts the lines marked Changed.
func (fs auditFields) ChangedCount() int {
	n := 0
	for _, f := range fs {
		if f.Changed {
			n++
		}
	}
	return n
}

func (s *Server) auditLog(w http.ResponseWriter, r *http.Request, a *sk.Actor) error {
	p, err := s.loadOrg(r, a, "")
	if err != nil {
		return err
	}
	page := pageOf(r, 50)
	events, next, err := s.cfg.Orgs.AuditLog(r.Context(), a, p.Org.ID, page)
	if err != nil {
		return err
	}

	data := auditPage{orgPage: p, Events: make([]auditEvent, len(events))}
	for i, e := range events {
		data.Events[i] = newAuditEvent(e)
	}
	data.Next, data.First = pageLinks(r, page, next)
	s.render(w, r, a, http.StatusOK, "audit-log", &view{Title: "Audit log · " + p.Org.Name,
		Nav: "audit:" + p.Org.ID, Data: data})
	return nil
}

// newAuditEvent writes out an event's before and after, marking on each
// side what differs from the other when the event has both.
func newAuditEvent(e sk.AuditEvent) auditEvent {
	out := auditEvent{AuditEvent: e, Before: flattenJSON(e.Before),
		After: flattenJSON(e.After)}
	if len(out.Before) == 0 || len(out.After) == 0 {
		return out
	}
	markChanged(out.Before, out.After)
	markChanged(out.After, out.Before)
	return out
}

// markChanged marks each line of fs whose key other lacks or holds another
// value.
func markChanged(fs, other auditFields) {
	values := make(map[string]string, len(other))
	for _, f := range other {
		values[f.Key] = f.Value
	}
	for i, f := range fs {
		v, ok := values[f.Key]
		fs[i].Changed = !ok || v != f.Value
	}
}

// flattenJSON turns a stored JSON document into lines, one per value, in
// the document's own order: {"user": {"name": "Ann"}} is "user.name: Ann".
// An empty or null document has none; one that does not parse is one line
// of its text.
func flattenJSON(doc []byte) auditFields {
	doc = bytes.TrimSpace(doc)
	if len(doc) == 0 || string(doc) == "null" {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var out auditFields
	if err := flattenValue(dec, "", &out); err != nil {
		return auditFields{{Value: string(doc)}}
	}
	return out
}

// flattenValue reads one value from dec and appends its lines to out.
func flattenValue(dec *json.Decoder, key string, out *auditFields) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}

	switch t := tok.(type) {
	case json.Delim:
		return flattenContainer(dec, t, key, out)
	case string:
		if t == "" {
			t = `""`
		}
		*out = append(*out, auditField{Key: key, Value: t})
	case nil:
		*out = append(*out, auditField{Key: key, Value: "none"})
	case json.Number:
		*out = append(*out, auditField{Key: key, Value: t.String()})
	case bool:
		*out = append(*out, auditField{Key: key, Value: strconv.FormatBool(t)})
	}
	return nil
}

// flattenContainer reads the members of the object or array that open
// began, each under its key or index.
func flattenContainer(dec *json.Decoder, open json.Delim, key string,
	out *auditFields) error {
	n := 0
	for ; dec.More(); n++ {
		child := strconv.Itoa(n)
		if open == '{' {
			tok, err := dec.Token()
			if err != nil {
				return err
			}
			name, ok := tok.(string)
			if !ok {
				return errors.New("object key is not a string")
			}
			child = name
		}
		if key != "" {
			child = key + "." + child
		}
		if err := flattenValue(dec, child, out); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil && err != io.EOF {
		return err
	}

	if n == 0 {
		empty := "{}"
		if open == '[' {
			empty = "[]"
		}
		*out = append(*out, auditField{Key: key, Value: empty})
	}
	return nil
}
