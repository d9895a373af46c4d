package seatkeeper

import (
	"context"
	"time"
)

// ID prefixes of the product's side.
const (
	PrefixActivation = "act"
	PrefixSigningKey = "key"
)

// Activation is a machine on which the holder of a license runs the product.
// A license is active on at most its plan's number of machines.
type Activation struct {
	ID          string    `json:"id"`
	LicenseID   string    `json:"license_id"`
	Fingerprint string    `json:"fingerprint"`
	Name        string    `json:"name"`
	CreatedAt   time.Time `json:"created_at"`
}

// ActivationRequest is the input of ProductService.Activate.
type ActivationRequest struct {
	// Fingerprint identifies the machine, as the product computes it.
	Fingerprint string `json:"fingerprint"`

	// Name is what the holder calls the machine ("Ann's laptop").
	Name string `json:"name"`

	// ReplaceOldest makes room on a license at its limit by removing its
	// oldest activations.
	ReplaceOldest bool `json:"replace_oldest"`
}

// TokenRequest names the activated machine a license token is for: by the
// activation's ID, or by the machine's fingerprint.
type TokenRequest struct {
	ActivationID string `json:"activation_id"`
	Fingerprint  string `json:"fingerprint"`
}

// LicenseToken is a signed license token: a JWT that the product verifies
// offline against the keys of ProductService.PublicKeys.
type LicenseToken struct {
	Token        string    `json:"token"`
	ExpiresAt    time.Time `json:"expires_at"`
	KeyID        string    `json:"key_id"`
	ActivationID string    `json:"activation_id"`
}

// PublicKey is a key that verifies license tokens, as a JSON Web Key
// (RFC 8037: an Ed25519 key is of type OKP).
type PublicKey struct {
	KeyType string `json:"kty"`
	Curve   string `json:"crv"`
	X       string `json:"x"`
	KeyID   string `json:"kid"`
	Use     string `json:"use"`
	Alg     string `json:"alg"`
}

// ProductService serves the vendor's product: it activates machines for the
// holders of licenses and signs license tokens for them. Only a license's
// holder sees or changes its activations and gets its tokens; for anyone
// else the license does not exist (ENOTFOUND).
type ProductService interface {
	// Activate activates a machine for a license that the actor holds and
	// that is valid now (else ECONFLICT). A machine already active is
	// returned as it is, with created false. A license at its plan's limit
	// refuses another machine with ECONFLICT unless the request asks to
	// replace the oldest. It returns ERATELIMITED when the license has been
	// activated too often lately.
	Activate(ctx context.Context, a *Actor, c Client, licenseID string, in ActivationRequest) (
		act *Activation, created bool, err error)

	// Activations lists the machines a license that the actor holds is
	// active on, oldest first.
	Activations(ctx context.Context, a *Actor, licenseID string) ([]Activation, error)

	// Deactivate removes an activation of a license that the actor holds.
	Deactivate(ctx context.Context, a *Actor, c Client, licenseID, activationID string) error

	// IssueToken signs a license token for an activated machine of a
	// license that the actor holds. A license that is not valid now gets
	// none (ECONFLICT). The token expires no later than the license's
	// validity and the server's longest token lifetime. It returns
	// ERATELIMITED when the license has had too many tokens lately.
	IssueToken(ctx context.Context, a *Actor, licenseID string, in TokenRequest) (
		*LicenseToken, error)

	// PublicKeys returns every key that may have signed a token that has not
	// expired yet: the current key first, then retired ones.
	PublicKeys(ctx context.Context) ([]PublicKey, error)
}
