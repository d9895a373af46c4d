package licensetoken

import (
	"encoding/json"
	"errors"
	"unicode/utf8"
)

// A token's header and claims are flat JSON objects of strings and numbers.
// They are decoded here rather than by encoding/json, whose reflection would
// cost a tenth of the signature check; FuzzDecodeClaims holds the two to the
// same answers.

var (
	errNotObject = errors.New("not a JSON object")
	errSyntax    = errors.New("invalid JSON")
	errType      = errors.New("claim of the wrong type")
	errCrit      = errors.New(`"crit" header parameters are not supported`)
)

// value is one member's value: a string, a number, null, true, false, or an
// object or array, which is skipped.
type value struct {
	kind    byte   // '"', '0', 'n', 't', 'f', or 'x' for an object or array
	raw     []byte // a string's content, or its quoted form if escaped; a number
	escaped bool   // a string that holds escape sequences
}

// members calls fn with the name and value of each member of the JSON object
// in data, in order, and fails on anything but one object.
func members(data []byte, fn func(name []byte, v value) error) error {
	i := skipSpace(data, 0)
	if i >= len(data) || data[i] != '{' {
		return errNotObject
	}
	i = skipSpace(data, i+1)
	if i < len(data) && data[i] == '}' {
		return end(data, i+1)
	}
	for {
		name, next, err := memberName(data, i)
		if err != nil {
			return err
		}
		v, next, err := scanValue(data, skipSpace(data, next))
		if err != nil {
			return err
		}
		if err := fn(name, v); err != nil {
			return err
		}

		i = skipSpace(data, next)
		switch {
		case i < len(data) && data[i] == ',':
			i = skipSpace(data, i+1)
		case i < len(data) && data[i] == '}':
			return end(data, i+1)
		default:
			return errSyntax
		}
	}
}

// memberName reads `"name" :` at i and returns the name and where its value
// starts.
func memberName(data []byte, i int) ([]byte, int, error) {
	raw, escaped, next, err := scanString(data, i)
	if err != nil {
		return nil, 0, err
	}
	if escaped {
		s, err := unescape(data[i:next])
		if err != nil {
			return nil, 0, err
		}
		raw = []byte(s)
	}
	next = skipSpace(data, next)
	if next >= len(data) || data[next] != ':' {
		return nil, 0, errSyntax
	}
	return raw, next + 1, nil
}

func end(data []byte, i int) error {
	if skipSpace(data, i) != len(data) {
		return errSyntax
	}
	return nil
}

func skipSpace(data []byte, i int) int {
	for i < len(data) {
		switch data[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// scanString reads the string that starts at i and returns its content, whether
// it holds escapes, and the index after its closing quote.
func scanString(data []byte, i int) ([]byte, bool, int, error) {
	if i >= len(data) || data[i] != '"' {
		return nil, false, 0, errSyntax
	}
	escaped := false
	for j := i + 1; j < len(data); j++ {
		switch c := data[j]; {
		case c == '"':
			return data[i+1 : j], escaped, j + 1, nil
		case c == '\\':
			escaped = true
			n, ok := escapeLen(data[j+1:])
			if !ok {
				return nil, false, 0, errSyntax
			}
			j += n
		case c < 0x20:
			return nil, false, 0, errSyntax
		}
	}
	return nil, false, 0, errSyntax
}

// escapeLen returns how many bytes follow the backslash of a valid escape
// sequence at the start of rest.
func escapeLen(rest []byte) (int, bool) {
	if len(rest) == 0 {
		return 0, false
	}
	switch rest[0] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		return 1, true
	case 'u':
		if len(rest) < 5 {
			return 0, false
		}
		for _, c := range rest[1:5] {
			if !isHex(c) {
				return 0, false
			}
		}
		return 5, true
	}
	return 0, false
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

// scanValue reads the value that starts at i.
func scanValue(data []byte, i int) (value, int, error) {
	if i >= len(data) {
		return value{}, 0, errSyntax
	}
	switch c := data[i]; {
	case c == '"':
		raw, escaped, next, err := scanString(data, i)
		if escaped {
			raw = data[i:next]
		}
		return value{kind: '"', raw: raw, escaped: escaped}, next, err
	case c == '-' || (c >= '0' && c <= '9'):
		j := i + 1
		for j < len(data) && isNumberByte(data[j]) {
			j++
		}
		if !validNumber(data[i:j]) {
			return value{}, 0, errSyntax
		}
		return value{kind: '0', raw: data[i:j]}, j, nil
	case c == '{' || c == '[':
		next, err := skipNested(data, i)
		return value{kind: 'x'}, next, err
	}
	for _, lit := range []string{"null", "true", "false"} {
		if len(data)-i >= len(lit) && string(data[i:i+len(lit)]) == lit {
			return value{kind: lit[0]}, i + len(lit), nil
		}
	}
	return value{}, 0, errSyntax
}

// validNumber reports whether b is a JSON number:
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func validNumber(b []byte) bool {
	i := 0
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		i = digits(b, i)
	default:
		return false
	}
	if i < len(b) && b[i] == '.' {
		if i = digits(b, i+1); b[i-1] == '.' {
			return false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		start := i
		if i = digits(b, i); i == start {
			return false
		}
	}
	return i == len(b)
}

func digits(b []byte, i int) int {
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		i++
	}
	return i
}

func isNumberByte(c byte) bool {
	return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E'
}

// skipNested skips the object or array that starts at i. Claims of those
// types are not Seatkeeper's; a token may carry them all the same. The bytes
// are checked by encoding/json, which this rare path can afford.
func skipNested(data []byte, i int) (int, error) {
	depth := 0
	for j := i; j < len(data); j++ {
		switch data[j] {
		case '"':
			_, _, next, err := scanString(data, j)
			if err != nil {
				return 0, err
			}
			j = next - 1
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				if !json.Valid(data[i : j+1]) {
					return 0, errSyntax
				}
				return j + 1, nil
			}
		}
	}
	return 0, errSyntax
}

// str returns a string value; null reads as "".
func (v value) str() (string, error) {
	switch {
	case v.kind == 'n':
		return "", nil
	case v.kind != '"':
		return "", errType
	case v.escaped:
		return unescape(v.raw)
	case !utf8.Valid(v.raw):
		// encoding/json's answer: each invalid byte becomes U+FFFD.
		return unescape(append(append([]byte{'"'}, v.raw...), '"'))
	}
	return string(v.raw), nil
}

// int returns a number value that is a whole number of seconds; null reads
// as 0.
func (v value) int() (int64, error) {
	if v.kind == 'n' {
		return 0, nil
	}
	if v.kind != '0' {
		return 0, errType
	}
	digits, neg := v.raw, false
	if digits[0] == '-' {
		digits, neg = digits[1:], true
	}
	if len(digits) == 0 || len(digits) > 18 || (digits[0] == '0' && len(digits) > 1) {
		return 0, errType
	}
	var n int64
	for _, c := range digits {
		if c < '0' || c > '9' {
			return 0, errType
		}
		n = n*10 + int64(c-'0')
	}
	if neg {
		n = -n
	}
	return n, nil
}

func unescape(quoted []byte) (string, error) {
	var s string
	if err := json.Unmarshal(quoted, &s); err != nil {
		return "", errSyntax
	}
	return s, nil
}

// decodeHeader reads a JOSE header. An "alg" of EdDSA costs no copy.
func decodeHeader(data []byte, h *header) error {
	return members(data, func(name []byte, v value) error {
		var err error
		switch string(name) {
		case "alg":
			if v.kind == '"' && string(v.raw) == Algorithm {
				h.Alg = Algorithm
				return nil
			}
			h.Alg, err = v.str()
		case "kid":
			h.Kid, err = v.str()
		case "crit":
			err = errCrit
		}
		return err
	})
}

// decodeClaims reads a token's claims. Members that Seatkeeper does not
// write are skipped; a claim of the wrong type is an error.
func decodeClaims(data []byte, c *Claims) error {
	return members(data, func(name []byte, v value) error {
		var err error
		switch string(name) {
		case "iss":
			c.Issuer, err = v.str()
		case "sub":
			c.Subject, err = v.str()
		case "license":
			c.License, err = v.str()
		case "org":
			c.Org, err = v.str()
		case "plan":
			c.Plan, err = v.str()
		case "machine":
			c.Machine, err = v.str()
		case "iat":
			c.IssuedAt, err = v.int()
		case "nbf":
			c.NotBefore, err = v.int()
		case "exp":
			c.ExpiresAt, err = v.int()
		}
		return err
	})
}
