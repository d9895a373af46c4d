package payment

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	sk "github.com/seatkeeper/seatkeeper"
)

// The built-in provider's test card numbers. Any other valid number is
// accepted and charged.
const (
	// CardSucceeds is accepted and every charge to it succeeds.
	CardSucceeds = "4242424242424242"

	// CardDeclined is declined when it is added.
	CardDeclined = "4000000000000002"

	// CardChargeFails is accepted when it is added, but every charge to it
	// is declined.
	CardChargeFails = "4000000000000341"
)

// maxYearsAhead is how far in the future an expiry year may be; cards are
// not issued for longer, so a later year is a typing mistake.
const maxYearsAhead = 20

var refEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").
	WithPadding(base32.NoPadding)

// builtin is the provider that serves when no external one is configured,
// so that every billing flow can be tried locally. It moves no money and
// keeps no state.
type builtin struct{}

// NewBuiltin returns the built-in provider. It accepts any valid card
// except the test numbers CardDeclined (declined when added) and
// CardChargeFails (every charge declined).
//
// It keeps no state and never sees a card again after Tokenize, so Charge
// recognises CardChargeFails from the Method alone: a visa card whose last
// four digits are 0341. Every real card with that brand and ending is
// declined too, which is harmless for a provider that moves no money.
func NewBuiltin() Provider {
	return builtin{}
}

// Tokenize checks the card's number, expiry and CVC and returns its brand,
// last four digits, expiry and a fresh random reference.
func (builtin) Tokenize(ctx context.Context, card sk.Card, now time.Time) (
	Method, error) {
	if err := ctx.Err(); err != nil {
		return Method{}, fmt.Errorf("tokenizing card: %w", err)
	}

	number := strings.NewReplacer(" ", "", "-", "").Replace(card.Number)
	brand := brandOf(number)
	var v sk.Validation
	checkNumber(&v, number)
	checkExpiry(&v, card.ExpMonth, card.ExpYear, now)
	checkCVC(&v, card.CVC, brand)
	if err := v.Err(); err != nil {
		return Method{}, err
	}

	if number == CardDeclined {
		return Method{}, sk.Errorf(sk.EPAYMENT, "The card was declined.")
	}

	return Method{
		Brand:    brand,
		Last4:    number[len(number)-4:],
		ExpMonth: card.ExpMonth,
		ExpYear:  card.ExpYear,
		Ref:      newRef(),
	}, nil
}

// Charge returns a reference derived from the Key alone, so a retried
// charge gets the reference of the first. It declines the failing test
// card, recognised by its brand and last four digits.
func (builtin) Charge(ctx context.Context, c Charge) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", fmt.Errorf("charging %q: %w", c.Key, err)
	}

	switch {
	case c.Key == "":
		return "", errors.New("charging: the idempotency key is empty")
	case c.Amount <= 0:
		return "", fmt.Errorf("charging %q: amount %d is not positive", c.Key, c.Amount)
	case !validCurrency(c.Currency):
		return "", fmt.Errorf("charging %q: currency %q is not an ISO 4217 code",
			c.Key, c.Currency)
	}

	if c.Method.Brand == "visa" && c.Method.Last4 == CardChargeFails[12:] {
		return "", sk.Errorf(sk.EPAYMENT, "The card was declined when charged.")
	}

	sum := sha256.Sum256([]byte(c.Key))
	return "ch_" + hex.EncodeToString(sum[:])[:24], nil
}

// brandOf names a card's network from the leading digits of its number:
// "visa", "mastercard", "amex", "discover" or "unknown".
func brandOf(number string) string {
	prefix := func(n int) int {
		if len(number) < n {
			return -1
		}
		p, err := strconv.Atoi(number[:n])
		if err != nil {
			return -1
		}
		return p
	}

	switch p2, p4 := prefix(2), prefix(4); {
	case prefix(1) == 4:
		return "visa"
	case p2 >= 51 && p2 <= 55, p4 >= 2221 && p4 <= 2720:
		return "mastercard"
	case p2 == 34, p2 == 37:
		return "amex"
	case p4 == 6011, p2 == 65:
		return "discover"
	}
	return "unknown"
}

// checkNumber records what is wrong with a card number, already stripped
// of spaces and dashes.
func checkNumber(v *sk.Validation, number string) {
	const field = "card.number"
	switch {
	case number == "":
		v.Add(field, "is required")
	case strings.Trim(number, "0123456789") != "":
		v.Add(field, "must contain only digits, spaces and dashes")
	case len(number) < 12 || len(number) > 19:
		v.Add(field, "must be 12 to 19 digits")
	case !luhn(number):
		v.Add(field, "is not a valid card number")
	}
}

// checkExpiry records what is wrong with an expiry at now. A card is valid
// through the last second of its expiry month, in UTC.
func checkExpiry(v *sk.Validation, month, year int, now time.Time) {
	now = now.UTC()
	monthOK := month >= 1 && month <= 12
	v.Check(monthOK, "card.exp_month", "must be from 1 to 12")

	switch {
	case year < now.Year():
		v.Add("card.exp_year", "is in the past; the card has expired")
	case year > now.Year()+maxYearsAhead:
		v.Add("card.exp_year", "must be at most %d years ahead", maxYearsAhead)
	case monthOK && !now.Before(expiresAt(month, year)):
		v.Add("card.exp_month", "is in the past; the card has expired")
	}
}

// expiresAt returns the first instant a card is no longer valid: the start
// of the month after its expiry month, in UTC.
func expiresAt(month, year int) time.Time {
	return time.Date(year, time.Month(month)+1, 1, 0, 0, 0, 0, time.UTC)
}

// checkCVC records what is wrong with a CVC: American Express prints four
// digits, the other networks three.
func checkCVC(v *sk.Validation, cvc, brand string) {
	want := 3
	if brand == "amex" {
		want = 4
	}
	ok := len(cvc) == want && strings.Trim(cvc, "0123456789") == ""
	v.Check(ok, "card.cvc", "must be %d digits", want)
}

// luhn reports whether a string of digits passes the Luhn checksum.
func luhn(digits string) bool {
	sum := 0
	for i := range len(digits) {
		d := int(digits[len(digits)-1-i] - '0')
		if i%2 == 1 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return sum%10 == 0
}

// validCurrency reports whether s looks like an ISO 4217 code: three
// upper-case letters.
func validCurrency(s string) bool {
	return len(s) == 3 && strings.Trim(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") == ""
}

// newRef returns a fresh card reference: "card_" and 24 random base32
// characters (120 bits).
func newRef() string {
	var b [15]byte
	rand.Read(b[:])
	return "card_" + refEncoding.EncodeToString(b[:])
}
