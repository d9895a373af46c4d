// Package licensetoken verifies Seatkeeper's signed license tokens offline,
// with nothing but the standard library, so that a vendor's product can check
// a license where it has no network.
//
// A license token is a JWT in JWS compact serialization, signed with Ed25519
// ("alg": "EdDSA") under a key named by its "kid" header. Seatkeeper
// publishes the public keys as a JWKS at GET /api/v1/license-keys. The
// product fetches that document while it is online, keeps it, and verifies
// tokens against it:
//
//	keys, err := licensetoken.ParseKeySet(jwksJSON)
//	v := &licensetoken.Verifier{Keys: keys, Issuer: "https://licenses.example.com",
//		Machine: fingerprint, Leeway: time.Minute}
//	claims, err := v.Verify(token)
//
// Verify returns an error that matches one of the package's sentinel errors
// with errors.Is: ErrMalformed, ErrUnknownKey, ErrBadSignature,
// ErrWrongIssuer, ErrExpired, ErrNotYetValid or ErrWrongMachine. A token
// signed by a key that the kept JWKS does not know (ErrUnknownKey) may come
// from a key rotated in since the JWKS was fetched: fetch it again, once.
//
// Sign makes tokens in the same format. Seatkeeper signs with it; a product
// can use it in its own tests with a key it generates.
package licensetoken

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Algorithm is the only JWS algorithm that license tokens use.
const Algorithm = "EdDSA"

// The ways a token can fail verification. Verify's errors wrap one of them,
// with details, so test them with errors.Is.
var (
	// ErrMalformed: not a compact JWS of this format, an "alg" other than
	// EdDSA, or claims that do not decode.
	ErrMalformed = errors.New("licensetoken: malformed token")

	// ErrUnknownKey: the "kid" names no key of the key set.
	ErrUnknownKey = errors.New("licensetoken: unknown signing key")

	// ErrBadSignature: the signature does not verify under the named key.
	ErrBadSignature = errors.New("licensetoken: bad signature")

	// ErrWrongIssuer: "iss" is not the Verifier's Issuer.
	ErrWrongIssuer = errors.New("licensetoken: wrong issuer")

	// ErrExpired: "exp" has passed.
	ErrExpired = errors.New("licensetoken: token expired")

	// ErrNotYetValid: "nbf" or "iat" lies in the future.
	ErrNotYetValid = errors.New("licensetoken: token not yet valid")

	// ErrWrongMachine: "machine" is not the Verifier's Machine.
	ErrWrongMachine = errors.New("licensetoken: token issued for another machine")
)

// Claims are what a license token says. Times are JWT NumericDates: whole
// seconds since the Unix epoch.
type Claims struct {
	Issuer    string `json:"iss"`           // the Seatkeeper server's base URL
	Subject   string `json:"sub"`           // the holder's user ID
	License   string `json:"license"`       // the license's ID
	Org       string `json:"org,omitempty"` // the organization's ID; "" for a personal license
	Plan      string `json:"plan"`          // the plan's ID
	Machine   string `json:"machine"`       // the fingerprint of the activated machine
	IssuedAt  int64  `json:"iat"`
	NotBefore int64  `json:"nbf,omitempty"`
	ExpiresAt int64  `json:"exp"` // never later than the license's validity
}

// Expires returns the time the token stops being valid.
func (c *Claims) Expires() time.Time { return time.Unix(c.ExpiresAt, 0).UTC() }

// header is the part of the JOSE header that verification reads.
type header struct {
	Alg string `json:"alg"`
	Kid string `json:"kid"`
	Typ string `json:"typ,omitempty"`
}

var b64 = base64.RawURLEncoding

// Sign returns a license token with the claims, signed with key under the
// key ID kid.
func Sign(key ed25519.PrivateKey, kid string, c *Claims) (string, error) {
	if len(key) != ed25519.PrivateKeySize {
		return "", fmt.Errorf("signing license token: key has %d bytes, want %d",
			len(key), ed25519.PrivateKeySize)
	}
	h, err := json.Marshal(header{Alg: Algorithm, Kid: kid, Typ: "JWT"})
	if err != nil {
		return "", fmt.Errorf("encoding token header: %w", err)
	}
	p, err := json.Marshal(c)
	if err != nil {
		return "", fmt.Errorf("encoding token claims: %w", err)
	}

	input := b64.EncodeToString(h) + "." + b64.EncodeToString(p)
	sig := ed25519.Sign(key, []byte(input))
	return input + "." + b64.EncodeToString(sig), nil
}

// Verifier checks tokens against a key set and what the product expects of
// them. Its zero Leeway and nil Now mean no clock skew and the wall clock. A
// Verifier is safe for concurrent use once set up.
type Verifier struct {
	Keys *KeySet

	// Issuer is the base URL of the Seatkeeper server that issues the
	// tokens; a token's "iss" must equal it. It is required: an empty
	// Issuer accepts no token.
	Issuer string

	// Machine, when not empty, is this machine's fingerprint: a token's
	// "machine" must equal it.
	Machine string

	// Leeway tolerates that much difference between this machine's clock
	// and the server's when checking "exp", "nbf" and "iat".
	Leeway time.Duration

	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

// Verify checks a token's signature and claims and returns the claims. The
// error, if any, matches one of the package's sentinel errors.
func (v *Verifier) Verify(token string) (*Claims, error) {
	c, err := v.verifySignature(token)
	if err != nil {
		return nil, err
	}
	if err := v.check(c); err != nil {
		return nil, err
	}
	return c, nil
}

// verifySignature checks the token's form, key and signature, and decodes
// its claims.
func (v *Verifier) verifySignature(token string) (*Claims, error) {
	first := strings.IndexByte(token, '.')
	last := strings.LastIndexByte(token, '.')
	if first < 0 || first == last {
		return nil, fmt.Errorf("%w: want three dot-separated parts", ErrMalformed)
	}
	// One copy of the token serves the decoding and the signing input.
	raw := []byte(token)

	var h header
	err := decodePart(raw[:first], func(b []byte) error { return decodeHeader(b, &h) })
	if err != nil {
		return nil, fmt.Errorf("%w: header: %v", ErrMalformed, err)
	}
	if h.Alg != Algorithm {
		return nil, fmt.Errorf("%w: alg %q, want %s", ErrMalformed, h.Alg, Algorithm)
	}
	key, ok := v.Keys.key(h.Kid)
	if !ok {
		return nil, fmt.Errorf("%w: kid %q", ErrUnknownKey, h.Kid)
	}

	var sig [ed25519.SignatureSize]byte
	n, err := b64.Decode(sig[:], raw[last+1:])
	if err != nil || n != len(sig) || b64.DecodedLen(len(raw)-last-1) != len(sig) {
		return nil, fmt.Errorf("%w: signature is not %d bytes of base64url", ErrMalformed,
			len(sig))
	}
	if !ed25519.Verify(key, raw[:last], sig[:]) {
		return nil, ErrBadSignature
	}

	c := new(Claims)
	err = decodePart(raw[first+1:last], func(b []byte) error { return decodeClaims(b, c) })
	if err != nil {
		return nil, fmt.Errorf("%w: claims: %v", ErrMalformed, err)
	}
	return c, nil
}

// decodePart decodes one base64url part of the token and hands it to decode.
func decodePart(part []byte, decode func([]byte) error) error {
	out := make([]byte, b64.DecodedLen(len(part)))
	n, err := b64.Decode(out, part)
	if err != nil {
		return err
	}
	return decode(out[:n])
}

// check holds the claims against the Verifier's expectations and clock.
func (v *Verifier) check(c *Claims) error {
	if c.Issuer != v.Issuer || v.Issuer == "" {
		return fmt.Errorf("%w: %q", ErrWrongIssuer, c.Issuer)
	}
	if c.ExpiresAt == 0 {
		return fmt.Errorf("%w: no exp claim", ErrMalformed)
	}

	now := time.Now()
	if v.Now != nil {
		now = v.Now()
	}
	leeway := int64(v.Leeway / time.Second)
	at := now.Unix()
	switch {
	case at >= c.ExpiresAt+leeway:
		return fmt.Errorf("%w at %s", ErrExpired, c.Expires().Format(time.RFC3339))
	case c.NotBefore != 0 && at+leeway < c.NotBefore:
		return fmt.Errorf("%w: nbf %d is after %d", ErrNotYetValid, c.NotBefore, at)
	case at+leeway < c.IssuedAt:
		return fmt.Errorf("%w: iat %d is after %d", ErrNotYetValid, c.IssuedAt, at)
	}

	if v.Machine != "" && c.Machine != v.Machine {
		return fmt.Errorf("%w: %q", ErrWrongMachine, c.Machine)
	}
	return nil
}
