package seatkeeper

import (
	"errors"
	"fmt"
	"strings"
)

// Error codes, stable strings that clients may switch on. The API maps each
// to one HTTP status; nothing else in the project decides a status.
const (
	EINVALID         = "invalid"
	ENOTFOUND        = "not_found"
	EMETHOD          = "method_not_allowed"
	ECONFLICT        = "conflict"
	EUNAUTHENTICATED = "unauthenticated"
	EFORBIDDEN       = "forbidden"
	ERATELIMITED     = "rate_limited"
	EPAYMENT         = "payment_failed"
	ETOOLARGE        = "too_large"
	EUNAVAILABLE     = "unavailable"
	EINTERNAL        = "internal"
)

// Error is an error meant for the person who made the request: its Message is
// shown to them as it is. Any other error is internal, logged and answered
// with a generic message.
type Error struct {
	Code    string
	Message string

	// Fields names the input that was wrong, for EINVALID.
	Fields []FieldError

	// RetryAfter is how long a rate-limited caller should wait, in seconds.
	RetryAfter int
}

// FieldError says what is wrong with one input field. Field is the name the
// request used, with dots for nesting ("card.number").
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

func (e *Error) Error() string {
	if len(e.Fields) == 0 {
		return fmt.Sprintf("seatkeeper error: code=%s message=%s", e.Code, e.Message)
	}
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Field + ": " + f.Message
	}
	return fmt.Sprintf("seatkeeper error: code=%s message=%s fields=[%s]",
		e.Code, e.Message, strings.Join(parts, "; "))
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL for
// any other error, and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the message of the first *Error in err's chain, or a
// generic message that reveals nothing of an internal error.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Message
	}
	return "An internal error occurred."
}

// Validation collects field errors so that a request with several mistakes
// hears about all of them at once.
type Validation struct {
	fields []FieldError
}

// Add records that field is wrong.
func (v *Validation) Add(field, format string, args ...any) {
	v.fields = append(v.fields, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

// Check records the message for field when ok is false.
func (v *Validation) Check(ok bool, field, format string, args ...any) {
	if !ok {
		v.Add(field, format, args...)
	}
}

// Err returns an EINVALID *Error listing every recorded field, or nil.
func (v *Validation) Err() error {
	if len(v.fields) == 0 {
		return nil
	}
	msg := "The request has an invalid field."
	if len(v.fields) > 1 {
		msg = "The request has invalid fields."
	}
	return &Error{Code: EINVALID, Message: msg, Fields: v.fields}
}

// Invalid returns an EINVALID *Error about a single field.
func Invalid(field, format string, args ...any) error {
	var v Validation
	v.Add(field, format, args...)
	return v.Err()
}
