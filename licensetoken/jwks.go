package licensetoken

import (
	"crypto/ed25519"
	"encoding/json"
	"fmt"
)

// JWK is one public key of a JWKS, as RFC 8037 writes an Ed25519 key.
type JWK struct {
	KeyType string `json:"kty"`           // "OKP"
	Curve   string `json:"crv"`           // "Ed25519"
	X       string `json:"x"`             // the public key, base64url
	KeyID   string `json:"kid"`           // names the key in a token's header
	Use     string `json:"use,omitempty"` // "sig"
	Alg     string `json:"alg,omitempty"` // "EdDSA"
}

// JWKS is a JSON Web Key Set: the document Seatkeeper publishes at
// GET /api/v1/license-keys.
type JWKS struct {
	Keys []JWK `json:"keys"`
}

// NewJWK describes an Ed25519 public key as a JWK with the key ID kid.
func NewJWK(kid string, pub ed25519.PublicKey) JWK {
	return JWK{KeyType: "OKP", Curve: "Ed25519", X: b64.EncodeToString(pub), KeyID: kid,
		Use: "sig", Alg: Algorithm}
}

// KeySet is the public keys that tokens may be signed with, by key ID,
// parsed once so that verifying a token only looks one up.
type KeySet struct {
	keys map[string]ed25519.PublicKey
}

// NewKeySet returns a key set of the keys, by key ID.
func NewKeySet(keys map[string]ed25519.PublicKey) *KeySet {
	ks := &KeySet{keys: make(map[string]ed25519.PublicKey, len(keys))}
	for kid, pub := range keys {
		ks.keys[kid] = pub
	}
	return ks
}

// ParseKeySet reads a JWKS document. It keeps the Ed25519 signing keys and
// skips keys of other types, curves or uses, which a future Seatkeeper may
// publish beside them. An Ed25519 key that is ill-formed, or two keys with
// one key ID, make it fail with ErrMalformed.
func ParseKeySet(data []byte) (*KeySet, error) {
	var set JWKS
	if err := json.Unmarshal(data, &set); err != nil {
		return nil, fmt.Errorf("%w: JWKS: %v", ErrMalformed, err)
	}

	ks := &KeySet{keys: make(map[string]ed25519.PublicKey, len(set.Keys))}
	for i, k := range set.Keys {
		if k.KeyType != "OKP" || k.Curve != "Ed25519" || (k.Use != "" && k.Use != "sig") ||
			(k.Alg != "" && k.Alg != Algorithm) {
			continue
		}
		pub, err := b64.DecodeString(k.X)
		if err != nil || len(pub) != ed25519.PublicKeySize {
			return nil, fmt.Errorf("%w: JWKS key %d (%q): x is not an Ed25519 public key",
				ErrMalformed, i, k.KeyID)
		}
		if _, dup := ks.keys[k.KeyID]; dup || k.KeyID == "" {
			return nil, fmt.Errorf("%w: JWKS key %d: kid %q is empty or repeated",
				ErrMalformed, i, k.KeyID)
		}
		ks.keys[k.KeyID] = ed25519.PublicKey(pub)
	}
	return ks, nil
}

// Len returns how many keys the set holds.
func (ks *KeySet) Len() int {
	if ks == nil {
		return 0
	}
	return len(ks.keys)
}

func (ks *KeySet) key(kid string) (ed25519.PublicKey, bool) {
	if ks == nil {
		return nil, false
	}
	k, ok := ks.keys[kid]
	return k, ok
}
