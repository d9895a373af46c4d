// Package secret makes the random secrets that Seatkeeper hands out (API
// tokens, session cookies, links in emails) and the hashes it keeps of them.
// A secret is shown once; the database holds only its SHA-256, so a copy of
// the database authenticates nobody.
package secret

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
)

// Prefixes that make a secret recognisable wherever it turns up (a log, a
// repository, a secret scanner).
const (
	PrefixAPIToken = "skt_"
	PrefixSession  = "sks_"
	PrefixLink     = "skl_"
)

var encoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// New returns a secret of 256 random bits behind the prefix, and its hash.
func New(prefix string) (plain, hash string) {
	var b [32]byte
	rand.Read(b[:])
	plain = prefix + encoding.EncodeToString(b[:])
	return plain, Hash(plain)
}

// Hash returns the hex SHA-256 of a secret. The secrets carry 256 random
// bits, so a fast hash suffices: there is nothing to guess.
func Hash(plain string) string {
	sum := sha256.Sum256([]byte(plain))
	return hex.EncodeToString(sum[:])
}
