package seatkeeper

import (
	"net/mail"
	"strings"
	"unicode/utf8"
)

// ValidEmail reports whether s is a plain email address (no display name,
// no surrounding spaces) of at most 254 bytes.
func ValidEmail(s string) bool {
	if s == "" || len(s) > 254 || strings.TrimSpace(s) != s {
		return false
	}
	addr, err := mail.ParseAddress(s)
	return err == nil && addr.Address == s && addr.Name == ""
}

// CheckName records an error for field unless name, once trimmed, is 1 to
// max characters long without control characters.
func CheckName(v *Validation, field, name string, max int) {
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		v.Add(field, "is required")
	case utf8.RuneCountInString(name) > max:
		v.Add(field, "must be at most %d characters", max)
	case strings.ContainsFunc(name, func(r rune) bool { return r < 0x20 || r == 0x7f }):
		v.Add(field, "must not contain control characters")
	}
}
