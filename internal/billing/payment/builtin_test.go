package payment_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	sk "github.com/seatkeeper/seatkeeper"
	"github.com/seatkeeper/seatkeeper/internal/billing/payment"
)

// now is the clock of the tests that do not say otherwise.
var now = time.Date(2026, 3, 15, 12, 0, 0, 0, time.UTC)

// card is a valid card of the given number, expiring in December 2030.
func card(number string) sk.Card {
	return sk.Card{Number: number, ExpMonth: 12, ExpYear: 2030, CVC: "123"}
}

// withCVC is a valid card of the given number and CVC.
func withCVC(number, cvc string) sk.Card {
	c := card(number)
	c.CVC = cvc
	return c
}

// fieldsOf returns the fields an EINVALID error names, in order.
func fieldsOf(t *testing.T, err error) []string {
	t.Helper()
	e, ok := errors.AsType[*sk.Error](err)
	if !ok || e.Code != sk.EINVALID {
		t.Fatalf("error = %v, want an EINVALID *sk.Error", err)
	}
	var fields []string
	for _, f := range e.Fields {
		fields = append(fields, f.Field)
	}
	return fields
}

func TestTokenize(t *testing.T) {
	t.Parallel()
	utc := func(y int, m time.Month, d, h, min, s int) time.Time {
		return time.Date(y, m, d, h, min, s, 0, time.UTC)
	}
	expiring := func(month, year int) sk.Card {
		c := card("4242424242424242")
		c.ExpMonth, c.ExpYear = month, year
		return c
	}
	plus2h := time.FixedZone("UTC+2", 2*60*60)
	plus14h := time.FixedZone("UTC+14", 14*60*60)

	tests := []struct {
		name       string
		card       sk.Card
		now        time.Time
		wantBrand  string
		wantLast4  string
		wantFields []string
	}{
		{"visa", card("4242424242424242"), now, "visa", "4242", nil},
		{"spaces", card("4242 4242 4242 4242"), now, "visa", "4242", nil},
		{"dashes", card("4242-4242-4242-4242"), now, "visa", "4242", nil},
		{"mastercard 51", card("5100000000000008"), now, "mastercard", "0008", nil},
		{"mastercard 55", card("5555555555554444"), now, "mastercard", "4444", nil},
		{"mastercard 2221", card("2221000000000009"), now, "mastercard", "0009", nil},
		{"mastercard 2720", card("2720999999999996"), now, "mastercard", "9996", nil},
		{"2721 is unknown", card("2721000000000004"), now, "unknown", "0004", nil},
		{"56 is unknown", card("5600000000000003"), now, "unknown", "0003", nil},
		{"amex 34", withCVC("340000000000009", "1234"),
			now, "amex", "0009", nil},
		{"amex 37", withCVC("378282246310005", "1234"),
			now, "amex", "0005", nil},
		{"discover 6011", card("6011111111111117"), now, "discover", "1117", nil},
		{"discover 65", card("6500000000000002"), now, "discover", "0002", nil},
		{"6012 is unknown", card("6012000000000003"), now, "unknown", "0003", nil},
		{"diners is unknown", card("3056930009020004"), now, "unknown", "0004", nil},
		{"12 digits", card("424242424242"), now, "visa", "4242", nil},
		{"19 digits", card("4242424242424242428"), now, "visa", "2428", nil},
		{"charge-failing card", card("4000 0000 0000 0341"), now, "visa", "0341", nil},

		{"11 digits", card("42424242420"), now, "", "", []string{"card.number"}},
		{"20 digits", card("42424242424242424242"), now, "", "", []string{"card.number"}},
		{"luhn", card("4242424242424241"), now, "", "", []string{"card.number"}},
		{"letters", card("4242x24242424242"), now, "", "", []string{"card.number"}},
		{"dots", card("4242.4242.4242.4242"), now, "", "", []string{"card.number"}},
		{"empty number", card(""), now, "", "", []string{"card.number"}},
		{"month 0", expiring(0, 2030), now, "", "", []string{"card.exp_month"}},
		{"month 13", expiring(13, 2030), now, "", "", []string{"card.exp_month"}},
		{"3-digit amex cvc", withCVC("378282246310005", "123"),
			now, "", "", []string{"card.cvc"}},
		{"4-digit visa cvc", withCVC("4242424242424242", "1234"),
			now, "", "", []string{"card.cvc"}},
		{"cvc letters", withCVC("4242424242424242", "12a"),
			now, "", "", []string{"card.cvc"}},
		{"empty cvc", withCVC("4242424242424242", ""),
			now, "", "", []string{"card.cvc"}},

		{"last second of expiry month", expiring(3, 2026), utc(2026, 3, 31, 23, 59, 59),
			"visa", "4242", nil},
		{"first second after expiry month", expiring(3, 2026), utc(2026, 4, 1, 0, 0, 0),
			"", "", []string{"card.exp_month"}},
		{"expiry is in UTC", expiring(3, 2026), time.Date(2026, 4, 1, 1, 0, 0, 0, plus2h),
			"visa", "4242", nil},
		{"last second of december", expiring(12, 2025), utc(2025, 12, 31, 23, 59, 59),
			"visa", "4242", nil},
		{"the year is in UTC", expiring(12, 2025), time.Date(2026, 1, 1, 5, 0, 0, 0, plus14h),
			"visa", "4242", nil},
		{"first second of the next year", expiring(12, 2025), utc(2026, 1, 1, 0, 0, 0),
			"", "", []string{"card.exp_year"}},
		{"last year", expiring(6, 2025), now, "", "", []string{"card.exp_year"}},
		{"two-digit year", expiring(6, 30), now, "", "", []string{"card.exp_year"}},
		{"20 years ahead", expiring(12, 2046), now, "visa", "4242", nil},
		{"21 years ahead", expiring(1, 2047), now, "", "", []string{"card.exp_year"}},

		{"everything wrong", sk.Card{Number: "1234", ExpMonth: 0, ExpYear: 2020, CVC: "1"},
			now, "", "", []string{
				"card.number", "card.exp_month", "card.exp_year", "card.cvc"}},
		{"expired month and no cvc",
			sk.Card{Number: "4242424242424242", ExpMonth: 2, ExpYear: 2026}, now, "", "", []string{"card.exp_month", "card.cvc"}},
	}
	p := payment.NewBuiltin()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := p.Tokenize(context.Background(), tt.card, tt.now)

			if tt.wantFields != nil {
				if got := fieldsOf(t, err); !slices.Equal(got, tt.wantFields) {
					t.Errorf("fields = %q, want %q", got, tt.wantFields)
				}
				return
			}
			if err != nil {
				t.Fatalf("Tokenize: %v", err)
			}

			want := payment.Method{Brand: tt.wantBrand, Last4: tt.wantLast4,
				ExpMonth: tt.card.ExpMonth, ExpYear: tt.card.ExpYear, Ref: m.Ref}
			if m != want {
				t.Errorf("method = %+v, want %+v", m, want)
			}
		})
	}
}

func TestTokenizeKeepsNoNumber(t *testing.T) {
	t.Parallel()
	p := payment.NewBuiltin()
	numbers := []string{"4242424242424242", "4000000000000341", "378282246310005",
		"5555 5555 5555 4444", "6011-1111-1111-1117"}

	for _, n := range numbers {
		c := card(n)
		if strings.HasPrefix(n, "37") {
			c.CVC = "1234"
		}
		m, err := p.Tokenize(context.Background(), c, now)
		if err != nil {
			t.Fatalf("Tokenize(%s): %v", n, err)
		}

		kept := fmt.Sprintf("%+v", m)
		digits := strings.NewReplacer(" ", "", "-", "").Replace(n)
		for _, secret := range []string{n, digits, digits[:len(digits)-4], c.CVC} {
			if strings.Contains(kept, secret) {
				t.Errorf("method %s of %s contains %q", kept, n, secret)
			}
		}
	}
}

func TestTokenizeRefs(t *testing.T) {
	t.Parallel()
	p := payment.NewBuiltin()
	seen := map[string]bool{}

	for range 100 {
		m, err := p.Tokenize(context.Background(), card("4242424242424242"), now)
		if err != nil {
			t.Fatalf("Tokenize: %v", err)
		}
		rest, ok := strings.CutPrefix(m.Ref, "card_")
		base32 := strings.Trim(rest, "abcdefghijklmnopqrstuvwxyz234567") == ""
		if !ok || len(rest) != 24 || !base32 {
			t.Fatalf("ref %q is not card_ and 24 base32 characters", m.Ref)
		}
		if seen[m.Ref] {
			t.Fatalf("ref %q given twice", m.Ref)
		}
		seen[m.Ref] = true
	}
}

func TestTestCards(t *testing.T) {
	t.Parallel()
	tests := []struct {
		number       string
		wantTokenize string // an error code, "" for success
		wantCharge   string
		wantMessage  string
	}{
		{payment.CardSucceeds, "", "", ""},
		{"4000 0000 0000 0002", sk.EPAYMENT, "", "The card was declined."},
		{payment.CardChargeFails, "", sk.EPAYMENT, "The card was declined when charged."},
		{"5555555555554444", "", "", ""},
	}
	p := payment.NewBuiltin()
	ctx := context.Background()
	for _, tt := range tests {
		t.Run(tt.number, func(t *testing.T) {
			m, err := p.Tokenize(ctx, card(tt.number), now)
			if code := sk.ErrorCode(err); code != tt.wantTokenize {
				t.Fatalf("Tokenize: code %q (%v), want %q", code, err, tt.wantTokenize)
			}
			if err != nil {
				if msg := sk.ErrorMessage(err); msg != tt.wantMessage {
					t.Errorf("Tokenize: message %q, want %q", msg, tt.wantMessage)
				}
				return
			}

			c := payment.Charge{Key: "checkout-1", Amount: 900, Currency: "USD", Method: m}
			ref, err := p.Charge(ctx, c)
			if code := sk.ErrorCode(err); code != tt.wantCharge {
				t.Fatalf("Charge: code %q (%v), want %q", code, err, tt.wantCharge)
			}
			if err != nil {
				if msg := sk.ErrorMessage(err); msg != tt.wantMessage {
					t.Errorf("Charge: message %q, want %q", msg, tt.wantMessage)
				}
				if ref != "" {
					t.Errorf("Charge: ref %q with an error", ref)
				}
				return
			}
			if !strings.HasPrefix(ref, "ch_") || len(ref) != 27 {
				t.Errorf("Charge: ref %q, want ch_ and 24 characters", ref)
			}
		})
	}
}

func TestChargeIdempotent(t *testing.T) {
	t.Parallel()
	p := payment.NewBuiltin()
	ctx := context.Background()
	m, err := p.Tokenize(ctx, card(payment.CardSucceeds), now)
	if err != nil {
		t.Fatalf("Tokenize: %v", err)
	}
	charge := func(key string) string {
		t.Helper()
		ref, err := p.Charge(ctx, payment.Charge{Key: key, Amount: 1500, Currency: "EUR",
			Method: m})
		if err != nil {
			t.Fatalf("Charge(%q): %v", key, err)
		}
		return ref
	}

	first := charge("renewal-sub_1-2026-04")
	if again := charge("renewal-sub_1-2026-04"); again != first {
		t.Errorf("retried charge ref = %q, want %q", again, first)
	}
	if other := charge("renewal-sub_1-2026-05"); other == first {
		t.Errorf("another key gave the same ref %q", other)
	}

	ref, err := payment.NewBuiltin().Charge(ctx, payment.Charge{
		Key: "renewal-sub_1-2026-04", Amount: 1500, Currency: "EUR", Method: m})
	if err != nil || ref != first {
		t.Errorf("another provider: ref %q, %v; want %q", ref, err, first)
	}
}

func TestChargeMistakes(t *testing.T) {
	t.Parallel()
	m := payment.Method{Brand: "visa", Last4: "4242", ExpMonth: 12, ExpYear: 2030,
		Ref: "card_abcdefghijklmnopqrstuvwx"}
	tests := []struct {
		name   string
		charge payment.Charge
	}{
		{"zero amount", payment.Charge{Key: "k", Currency: "USD", Method: m}},
		{"negative amount", payment.Charge{Key: "k", Amount: -1, Currency: "USD",
			Method: m}},
		{"no key", payment.Charge{Amount: 100, Currency: "USD", Method: m}},
		{"no currency", payment.Charge{Key: "k", Amount: 100, Method: m}},
		{"lower-case currency", payment.Charge{Key: "k", Amount: 100, Currency: "usd",
			Method: m}},
		{"long currency", payment.Charge{Key: "k", Amount: 100, Currency: "USDT",
			Method: m}},
	}
	p := payment.NewBuiltin()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := p.Charge(context.Background(), tt.charge)
			if code := sk.ErrorCode(err); code != sk.EINTERNAL {
				t.Errorf("code %q (%v), want %q", code, err, sk.EINTERNAL)
			}
		})
	}
}

func TestChargeFailingCardByBrand(t *testing.T) {
	t.Parallel()
	tests := []struct {
		brand, last4 string
		wantCode     string
	}{
		{"visa", "0341", sk.EPAYMENT},
		{"mastercard", "0341", ""},
		{"visa", "0342", ""},
	}
	p := payment.NewBuiltin()
	for _, tt := range tests {
		t.Run(tt.brand+"-"+tt.last4, func(t *testing.T) {
			m := payment.Method{Brand: tt.brand, Last4: tt.last4}
			_, err := p.Charge(context.Background(),
				payment.Charge{Key: "k", Amount: 100, Currency: "USD", Method: m})
			if code := sk.ErrorCode(err); code != tt.wantCode {
				t.Errorf("code %q (%v), want %q", code, err, tt.wantCode)
			}
		})
	}
}

func TestCancelledContext(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	p := payment.NewBuiltin()

	if _, err := p.Tokenize(ctx, card(payment.CardSucceeds), now); !errors.Is(err,
		context.Canceled) {
		t.Errorf("Tokenize: %v, want context.Canceled", err)
	}
	_, err := p.Charge(ctx, payment.Charge{Key: "k", Amount: 1, Currency: "USD"})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Charge: %v, want context.Canceled", err)
	}
}
