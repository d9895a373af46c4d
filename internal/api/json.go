package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
	"time"

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

	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		return decodeError(err, limit)
	}

	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		if field := timeField(err, body, dst); field != "" {
			return sk.Invalid(field, "must be a time in RFC 3339 format, "+
				"such as 2030-01-31T09:00:00Z")
		}
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

// timeField names the member of body that a time field of dst could not
// decode, when err is that failure, and returns "" otherwise: time.Time's
// decoder says what is wrong with the text but not which field held it. It
// looks at dst's own fields, where every request keeps its times.
func timeField(err error, body []byte, dst any) string {
	_, parse := errors.AsType[*time.ParseError](err)
	if !parse && !strings.HasPrefix(err.Error(), "Time.UnmarshalJSON: ") {
		return ""
	}
	var members map[string]json.RawMessage
	t := reflect.TypeOf(dst)
	if json.Unmarshal(body, &members) != nil || t.Kind() != reflect.Pointer ||
		t.Elem().Kind() != reflect.Struct {
		return ""
	}

	for f := range t.Elem().Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" || !isTime(f.Type) {
			continue
		}
		for key, raw := range members {
			// Member names match fields without regard to case, as in Decode.
			if strings.EqualFold(key, name) && json.Unmarshal(raw, new(time.Time)) != nil {
				return name
			}
		}
	}
	return ""
}

var timeType = reflect.TypeFor[time.Time]()

func isTime(t reflect.Type) bool {
	return t == timeType || (t.Kind() == reflect.Pointer && t.Elem() == timeType)
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
