package accounts

import (
	"strings"
	"testing"
)

func TestPasswordHash(t *testing.T) {
	t.Parallel()
	hash := hashPassword("correct horse battery", DefaultHashParams)
	if !strings.HasPrefix(hash, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %q does not record the default parameters", hash)
	}
	if again := hashPassword("correct horse battery", DefaultHashParams); again == hash {
		t.Error("two hashes of one password are equal: the salt is not random")
	}

	tests := []struct {
		password string
		want     bool
	}{
		{"correct horse battery", true},
		{"correct horse batterY", false},
		{"", false},
	}
	for _, tt := range tests {
		ok, err := verifyPassword(tt.password, hash)
		if err != nil || ok != tt.want {
			t.Errorf("verifyPassword(%q) = %v, %v; want %v", tt.password, ok, err, tt.want)
		}
	}

	// Hashes made with other parameters still verify.
	cheap := hashPassword("pw", HashParams{Memory: 64, Time: 1, Threads: 1})
	if ok, err := verifyPassword("pw", cheap); !ok || err != nil {
		t.Errorf("cheap hash: %v, %v", ok, err)
	}
}

func TestMalformedHashes(t *testing.T) {
	t.Parallel()
	for _, h := range []string{
		"",
		"plain",
		"$argon2i$v=19$m=64,t=1,p=1$c2FsdA$a2V5",
		"$argon2id$v=18$m=64,t=1,p=1$c2FsdA$a2V5",
		"$argon2id$v=19$m=x,t=1,p=1$c2FsdA$a2V5",
		"$argon2id$v=19$m=64,t=1,p=1$!!$a2V5",
		"$argon2id$v=19$m=64,t=1,p=1$c2FsdA$",
	} {
		if ok, err := verifyPassword("pw", h); ok || err == nil {
			t.Errorf("verifyPassword(%q) = %v, %v; want an error", h, ok, err)
		}
	}
}
