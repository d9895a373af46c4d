package seatkeeper_test

import (
	"errors"
	"net/mail"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	sk "github.com/seatkeeper/seatkeeper"
)

// FuzzValidEmail holds ValidEmail to what the rest of Seatkeeper relies on:
// an address it accepts is short, has a local part and a domain, cannot
// break a mail header, and reads back as itself.
func FuzzValidEmail(f *testing.F) {
	for _, s := range []string{
		"ada@example.com", "Ada.Lovelace+tag@Example.COM", " ada@example.com", "ada",
		"Ada <ada@example.com>", `"a b"@example.com`, "a@b", "a@[127.0.0.1]",
		"a@example.com\r\nBcc: x@example.com", "ada@exa\x00mple.com", "@example.com",
		strings.Repeat("a", 250) + "@b.cd", "é@example.com", "a@é.example",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !sk.ValidEmail(s) {
			return
		}
		local, domain, ok := strings.Cut(s, "@")
		switch {
		case len(s) > 254:
			t.Fatalf("%q accepted with %d bytes", s, len(s))
		case !ok || local == "" || domain == "":
			t.Fatalf("%q accepted without a local part and a domain", s)
		case !utf8.ValidString(s):
			t.Fatalf("%q accepted though it is not UTF-8", s)
		case strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }):
			t.Fatalf("%q accepted with a control character", s)
		case strings.TrimSpace(s) != s:
			t.Fatalf("%q accepted with surrounding space", s)
		}
		addr, err := mail.ParseAddress(s)
		if err != nil || addr.Address != s {
			t.Fatalf("%q accepted but reads back as %v, %v", s, addr, err)
		}
	})
}

// FuzzCheckName holds CheckName to its rule: a name is accepted exactly when,
// trimmed, it has 1 to max characters and no control character; a refusal
// names the field once.
func FuzzCheckName(f *testing.F) {
	for _, s := range []string{"Acme", "  Acme  ", "", " \t ", "a\x00b", "tab\there",
		"del\x7f", strings.Repeat("é", 100), strings.Repeat("é", 101), "\xff\xfe",
		"\u2028line separator", "emoji 🚀"} {
		f.Add(s, 100)
	}
	f.Add("abc", 2)
	f.Add("abc", 0)

	f.Fuzz(func(t *testing.T, name string, max int) {
		var v sk.Validation
		sk.CheckName(&v, "name", name, max)
		err := v.Err()

		trimmed := strings.TrimSpace(name)
		n := utf8.RuneCountInString(trimmed)
		control := strings.ContainsFunc(trimmed, func(r rune) bool {
			return r < 0x20 || r == 0x7f
		})
		want := trimmed != "" && n <= max && !control
		if (err == nil) != want {
			t.Fatalf("CheckName(%q, %d) = %v; want accepted: %v", name, max, err, want)
		}
		if err == nil {
			return
		}
		e, ok := errors.AsType[*sk.Error](err)
		if !ok || e.Code != sk.EINVALID || len(e.Fields) != 1 || e.Fields[0].Field != "name" {
			t.Fatalf("CheckName(%q, %d) = %#v; want one EINVALID field \"name\"", name, max, err)
		}
	})
}

// FuzzIDs checks that every ID NewID and DerivedID make has the shape
// HasPrefix accepts, and that HasPrefix accepts nothing of another shape.
func FuzzIDs(f *testing.F) {
	f.Add("org", int64(0), "seed", "org_01jf3zzzzzzzzzzzzzzzzzzzzzzzzzzz")
	f.Add("lic", int64(1767225600000), "", "lic_")
	f.Add("team", int64(-1), "x", "team_0123456789abcdefghjkmnpqrstvwxyz")
	f.Add("", int64(1<<62), "\x00", "_0000000000000000000000000000000O")
	f.Add("in", int64(1700000000000), "in_", "in_0000000000000000000000000000000i")

	f.Fuzz(func(t *testing.T, prefix string, ms int64, seed, candidate string) {
		at := time.UnixMilli(ms)
		for _, id := range []string{sk.NewID(prefix, at), sk.DerivedID(prefix, at, seed)} {
			if !sk.HasPrefix(id, prefix) {
				t.Fatalf("HasPrefix(%q, %q) = false for an ID made with that prefix", id, prefix)
			}
		}
		if sk.DerivedID(prefix, at, seed) != sk.DerivedID(prefix, at, seed) {
			t.Fatalf("DerivedID(%q, %v, %q) is not stable", prefix, at, seed)
		}

		if !sk.HasPrefix(candidate, prefix) {
			return
		}
		rest := strings.TrimPrefix(candidate, prefix+"_")
		if len(rest) != 32 || strings.Trim(rest, "0123456789abcdefghjkmnpqrstvwxyz") != "" {
			t.Fatalf("HasPrefix(%q, %q) = true for a candidate of another shape",
				candidate, prefix)
		}
	})
}

// FuzzRole checks that a role is valid exactly when it is one of the four,
// with levels in their order.
func FuzzRole(f *testing.F) {
	for _, s := range []string{"viewer", "assigner", "manager", "owner", "Owner", "",
		"admin", "owner ", "viewer\x00"} {
		f.Add(s)
	}
	levels := map[sk.Role]int{sk.RoleViewer: 1, sk.RoleAssigner: 2, sk.RoleManager: 3,
		sk.RoleOwner: 4}
	f.Fuzz(func(t *testing.T, s string) {
		r := sk.Role(s)
		if r.Valid() != (levels[r] > 0) || r.Level() != levels[r] {
			t.Fatalf("Role(%q): Valid %v, Level %d", s, r.Valid(), r.Level())
		}
	})
}
