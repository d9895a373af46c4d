package product

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	sk "github.com/seatkeeper/seatkeeper"
)

// FuzzTokenRequest checks what a license token request must name: an
// activation ID of the right shape, or else a fingerprint of 1 to 200
// characters without surrounding spaces or control characters.
func FuzzTokenRequest(f *testing.F) {
	act := sk.NewID(sk.PrefixActivation, sk.SystemClock{}.Now())
	f.Add("", "")
	f.Add(act, "")
	f.Add("act_x", "")
	f.Add("", "machine-1")
	f.Add("", " machine")
	f.Add("", "a\x00b")
	f.Add("", strings.Repeat("é", 201))
	f.Add(act, "\x7f")

	f.Fuzz(func(t *testing.T, activationID, fingerprint string) {
		err := checkTokenRequest(sk.TokenRequest{ActivationID: activationID,
			Fingerprint: fingerprint})
		var want bool
		if activationID != "" {
			want = sk.HasPrefix(activationID, sk.PrefixActivation)
		} else {
			want = goodFingerprint(fingerprint)
		}
		if (err == nil) != want {
			t.Fatalf("checkTokenRequest(%q, %q) = %v", activationID, fingerprint, err)
		}
		if e, ok := errors.AsType[*sk.Error](err); err != nil && (!ok || len(e.Fields) != 1) {
			t.Fatalf("checkTokenRequest(%q, %q) = %v, want one field", activationID,
				fingerprint, err)
		}
	})
}

func goodFingerprint(fp string) bool {
	return fp != "" && utf8.RuneCountInString(fp) <= maxFingerprint &&
		strings.TrimSpace(fp) == fp &&
		!strings.ContainsFunc(fp, func(r rune) bool { return r < 0x20 || r == 0x7f })
}
