package api

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	sk "github.com/seatkeeper/seatkeeper"
)

// statuses maps every error code to its HTTP status and the title of its
// problem document. It is the only place that decides an error's status.
var statuses = map[string]struct {
	status int
	title  string
}{
	sk.EINVALID:         {http.StatusBadRequest, "Invalid request"},
	sk.EUNAUTHENTICATED: {http.StatusUnauthorized, "Authentication required"},
	sk.EPAYMENT:         {http.StatusPaymentRequired, "Payment failed"},
	sk.EFORBIDDEN:       {http.StatusForbidden, "Forbidden"},
	sk.ENOTFOUND:        {http.StatusNotFound, "Not found"},
	sk.EMETHOD:          {http.StatusMethodNotAllowed, "Method not allowed"},
	sk.ECONFLICT:        {http.StatusConflict, "Conflict"},
	sk.ETOOLARGE:        {http.StatusRequestEntityTooLarge, "Request too large"},
	sk.ERATELIMITED:     {http.StatusTooManyRequests, "Too many requests"},
	sk.EINTERNAL:        {http.StatusInternalServerError, "Internal error"},
	sk.EUNAVAILABLE:     {http.StatusServiceUnavailable, "Service unavailable"},
}

// Problem is an RFC 9457 problem document with Seatkeeper's extensions: a
// stable code, and the fields that were wrong.
type Problem struct {
	Type   string          `json:"type"`
	Title  string          `json:"title"`
	Status int             `json:"status"`
	Detail string          `json:"detail"`
	Code   string          `json:"code"`
	Errors []sk.FieldError `json:"errors,omitempty"`
}

// StatusOf returns the HTTP status for err's code.
func StatusOf(err error) int {
	if s, ok := statuses[sk.ErrorCode(err)]; ok {
		return s.status
	}
	return http.StatusInternalServerError
}

// ProblemOf turns err into the problem document a client sees. An internal
// error says nothing of its cause.
func ProblemOf(err error) Problem {
	code := sk.ErrorCode(err)
	s, ok := statuses[code]
	if !ok {
		code, s = sk.EINTERNAL, statuses[sk.EINTERNAL]
	}
	p := Problem{
		Type:   "about:blank",
		Title:  s.title,
		Status: s.status,
		Detail: sk.ErrorMessage(err),
		Code:   code,
	}
	if e, ok := errors.AsType[*sk.Error](err); ok {
		p.Errors = e.Fields
	}
	return p
}

// writeError answers with err's problem document. Server faults are logged
// with their cause at Error; client mistakes at Debug.
func writeError(w http.ResponseWriter, r *http.Request, err error) {
	p := ProblemOf(err)
	log := requestLogger(r)
	if p.Status >= 500 {
		log.ErrorContext(r.Context(), "request failed", "error", err)
	} else {
		log.DebugContext(r.Context(), "request refused", "code", p.Code, "error", err)
	}

	if e, ok := errors.AsType[*sk.Error](err); ok && e.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(e.RetryAfter))
	}
	writeProblem(w, p)
}

func writeProblem(w http.ResponseWriter, p Problem) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(p.Status)
	if err := json.NewEncoder(w).Encode(p); err != nil {
		slog.Debug("writing problem", "error", err)
	}
}
