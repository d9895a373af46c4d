package accounts

import (
	"errors"
	"testing"
	"unicode/utf8"

	sk "github.com/seatkeeper/seatkeeper"
)

// FuzzCredentialRules holds the sign-up rules to their documented shape: a
// password is accepted exactly when it has 8 to 128 characters, an address
// exactly when ValidEmail accepts it, and each refusal names its field.
func FuzzCredentialRules(f *testing.F) {
	f.Add("ada@example.com", "correct horse battery")
	f.Add("", "")
	f.Add("not an address", "short")
	f.Add("ada@example.com", "12345678")
	f.Add("ada@example.com", "1234567")
	f.Add("Ada <ada@example.com>", string(make([]byte, 129)))
	f.Add("ada@example.com", "ééééééé\xff")

	f.Fuzz(func(t *testing.T, email, password string) {
		var v sk.Validation
		checkEmail(&v, "email", email)
		checkPasswordRules(&v, "password", password)

		n := utf8.RuneCountInString(password)
		want := map[string]bool{
			"email":    !sk.ValidEmail(email),
			"password": n < minPassword || n > maxPassword,
		}
		got := map[string]bool{}
		if err := v.Err(); err != nil {
			e, ok := errors.AsType[*sk.Error](err)
			if !ok || e.Code != sk.EINVALID {
				t.Fatalf("rules(%q, %q) = %v, want EINVALID", email, password, err)
			}
			for _, fe := range e.Fields {
				got[fe.Field] = true
			}
		}
		if got["email"] != want["email"] || got["password"] != want["password"] {
			t.Fatalf("rules(%q, %q) refuse %v, want %v", email, password, got, want)
		}
	})
}

// FuzzDecodeHash reads stored password hashes: a malformed one is an error,
// never a panic, and one that decodes has a key to compare against.
func FuzzDecodeHash(f *testing.F) {
	f.Add(hashPassword("pw", HashParams{Memory: 64, Time: 1, Threads: 1}))
	f.Add("$argon2id$v=19$m=64,t=1,p=1$c2FsdA$a2V5")
	f.Add("$argon2id$v=19$m=64,t=1,p=1$$")
	f.Add("$argon2id$v=19$m=-1,t=1,p=999$c2FsdA$a2V5")
	f.Add("$argon2id$v=19$m=64,t=1,p=1$c2FsdA$a2V5$extra")
	f.Add("$$$$$")

	f.Fuzz(func(t *testing.T, encoded string) {
		_, _, key, err := decodeHash(encoded)
		if err == nil && len(key) == 0 {
			t.Fatalf("decodeHash(%q) accepted a hash without a key", encoded)
		}
	})
}
