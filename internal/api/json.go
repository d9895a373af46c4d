package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	sk "github.com/seatkeeper/seatkeeper"
)

// maxBodyBytes bounds every JSON request body. No request of the API comes
// near it; a larger body is a mistake or an attack.
const maxBodyBytes = 64 << 10

// decode reads r's JSON body into dst. Malformed JSON, unknown fields, values
// of the wrong type, trailing data and oversized bodies become EINVALID or
// ETOOLARGE errors that name what is wrong, never a server error.
func decode(w http.ResponseWriter, r *http.Request, dst any) error {
	return decodeLimit(w, r, dst, maxBodyBytes)
}

// decodeLimit is decode with another bound on the body, for the few routes
// that take long lists.
func decodeLimit(w http.ResponseWriter, r *http.Request, dst any, limit int64) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !isJSON(ct) {
		return sk.Invalid("Content-Type", "must be application/json")
	}

	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, limit))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return decodeError(err, limit)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return sk.Errorf(sk.EINVALID, "The request body must hold a single JSON object.")
	}
	return nil
}

func isJSON(contentType string) bool {
	mediaType, _, _ := strings.Cut(contentType, ";")
	mediaType = strings.TrimSpace(strings.ToLower(mediaType))
	return mediaType == "application/json" || strings.HasSuffix(mediaType, "+json")
}

// decodeError explains a decoding failure in the client's terms.
func decodeError(err error, limit int64) error {
	if e, ok := errors.AsType[*json.UnmarshalTypeError](err); ok {
		field := e.Field
		if field == "" {
			return sk.Errorf(sk.EINVALID, "The request body must be a JSON object.")
		}
		return sk.Invalid(field, "must be %s", describeType(e.Type.Kind().String()))
	}
	if _, ok := errors.AsType[*json.SyntaxError](err); ok {
		return sk.Errorf(sk.EINVALID, "The request body is not valid JSON: %v", err)
	}
	if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
		return sk.Errorf(sk.ETOOLARGE, "The request body is larger than %d bytes.", limit)
	}

	msg := err.Error()
	switch {
	case errors.Is(err, io.EOF):
		return sk.Errorf(sk.EINVALID, "The request body is empty; a JSON object is expected.")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return sk.Errorf(sk.EINVALID, "The request body ends in the middle of a JSON value.")
	case strings.HasPrefix(msg, "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(msg, "json: unknown field "), `"`)
		if field == "" {
			return sk.Errorf(sk.EINVALID, "The request body has a member without a name.")
		}
		return sk.Invalid(field, "is not a field of this request")
	}
	return sk.Errorf(sk.EINVALID, "The request body could not be read: %v", err)
}

func describeType(kind string) string {
	switch kind {
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "slice", "array":
		return "an array"
	case "map", "struct":
		return "an object"
	case "ptr":
		return "a value of another type"
	}
	if strings.HasPrefix(kind, "int") || strings.HasPrefix(kind, "uint") {
		return "an integer"
	}
	if strings.HasPrefix(kind, "float") {
		return "a number"
	}
	return fmt.Sprintf("a %s", kind)
}

// writeJSON answers with v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
