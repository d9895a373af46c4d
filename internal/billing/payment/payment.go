// Package payment is the boundary to whoever moves the money: a Provider
// turns a card into something that may be kept, and charges it.
package payment

import (
	"context"
	"time"

	sk "github.com/seatkeeper/seatkeeper"
)

// Method is what may be kept of a card: never its number or CVC, only what
// a customer needs to recognise it and the provider's reference to it.
type Method struct {
	Brand    string
	Last4    string
	ExpMonth int
	ExpYear  int
	Ref      string
}

// Charge asks a provider for money. Key makes the request idempotent: a
// charge retried with the same Key is the same charge. Amount is in minor
// units of Currency, an ISO 4217 code.
type Charge struct {
	Key      string
	Amount   int64
	Currency string
	Method   Method
}

// Provider is a payment provider.
type Provider interface {
	// Tokenize validates a card at now and returns what may be kept of it.
	// A malformed or expired card is EINVALID, naming each wrong field; a
	// declined card is EPAYMENT.
	Tokenize(ctx context.Context, card sk.Card, now time.Time) (Method, error)

	// Charge takes the amount from the method and returns the charge's
	// reference; the same Key always gives the same result and charges once.
	// A refused charge is EPAYMENT; any other error means the charge could
	// not be made and may be retried with the same Key.
	Charge(ctx context.Context, c Charge) (ref string, err error)
}
