package seatkeeper

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/binary"
	"strings"
	"time"
)

// ID prefixes, one per kind of resource, so that an ID says what it names.
const (
	PrefixUser         = "usr"
	PrefixOrganization = "org"
	PrefixTeam         = "team"
	PrefixLicense      = "lic"
	PrefixSubscription = "sub"
	PrefixInvitation   = "inv"
	PrefixCustomer     = "cus"
	PrefixPayment      = "pm"
	PrefixInvoice      = "in"
	PrefixToken        = "tok"
	PrefixGrant        = "grant"
	PrefixAudit        = "evt"
)

// idEncoding is Crockford's base32 alphabet in lower case, without padding.
var idEncoding = base32.NewEncoding("0123456789abcdefghjkmnpqrstvwxyz").
	WithPadding(base32.NoPadding)

// NewID returns a fresh opaque ID such as "org_01jf3…": the prefix, then 48
// bits of milliseconds and 112 random bits in lower-case Crockford base32.
// IDs made later sort after earlier ones (to the millisecond), which gives
// lists a stable order that follows creation.
func NewID(prefix string, now time.Time) string {
	var b [20]byte
	binary.BigEndian.PutUint64(b[:8], uint64(now.UnixMilli())<<16)
	rand.Read(b[6:])
	return prefix + "_" + idEncoding.EncodeToString(b[:])
}

// DerivedID returns the ID that NewID would give at the time at, with the
// random part replaced by a hash of seed: the same seed always gives the same
// ID, so that work run twice names what it makes the same way.
func DerivedID(prefix string, at time.Time, seed string) string {
	var b [20]byte
	binary.BigEndian.PutUint64(b[:8], uint64(at.UnixMilli())<<16)
	sum := sha256.Sum256([]byte(prefix + "\x00" + seed))
	copy(b[6:], sum[:])
	return prefix + "_" + idEncoding.EncodeToString(b[:])
}

// HasPrefix reports whether id looks like an ID of the given kind. It checks
// only the shape; whether the thing exists is the store's business.
func HasPrefix(id, prefix string) bool {
	rest, ok := strings.CutPrefix(id, prefix+"_")
	return ok && len(rest) == 32 && strings.Trim(rest, "0123456789abcdefghjkmnpqrstvwxyz") == ""
}
