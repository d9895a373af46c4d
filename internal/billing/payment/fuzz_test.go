package payment

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	sk "github.com/seatkeeper/seatkeeper"
)

// luhnOracle is the Luhn check written the other way round: the digits
// doubled from the right are looked up, and the sum is taken mod 10.
func luhnOracle(digits string) bool {
	doubled := [10]int{0, 2, 4, 6, 8, 1, 3, 5, 7, 9}
	sum := 0
	for i, double := len(digits)-1, false; i >= 0; i, double = i-1, !double {
		d := int(digits[i] - '0')
		if double {
			d = doubled[d]
		}
		sum += d
	}
	return sum%10 == 0
}

// FuzzLuhn holds luhn to the oracle for every string of digits.
func FuzzLuhn(f *testing.F) {
	for _, s := range []string{"4242424242424242", "4242424242424241", "0", "", "79927398713",
		"4000000000000002", "00000000000000000000000000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		digits := strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' {
				return r
			}
			return -1
		}, s)
		if luhn(digits) != luhnOracle(digits) {
			t.Fatalf("luhn(%q) = %v, the oracle says %v", digits, luhn(digits), luhnOracle(digits))
		}
	})
}

// FuzzTokenize hands the built-in provider fuzzed cards: a card it keeps is
// one whose number, expiry and CVC are valid, and whose kept digits are the
// number's last four; any other card is refused naming the card's fields.
func FuzzTokenize(f *testing.F) {
	for _, c := range []sk.Card{
		{Number: "4242 4242 4242 4242", ExpMonth: 12, ExpYear: 2030, CVC: "123"},
		{Number: "4242-4242-4242-4242", ExpMonth: 3, ExpYear: 2026, CVC: "123"},
		{Number: "4000000000000002", ExpMonth: 1, ExpYear: 2031, CVC: "000"},
		{Number: "378282246310005", ExpMonth: 5, ExpYear: 2032, CVC: "1234"},
		{Number: "5555555555554444", ExpMonth: 13, ExpYear: 2046, CVC: "12"},
		{Number: "", ExpMonth: 0, ExpYear: -1, CVC: ""},
		{Number: "４２４２４２４２４２４２４２４２", ExpMonth: 2, ExpYear: 2026, CVC: "１２３"},
		{Number: "4242424242424242", ExpMonth: -9223372036854775808, ExpYear: 9223372036854775807},
	} {
		f.Add(c.Number, c.ExpMonth, c.ExpYear, c.CVC)
	}
	now := time.Date(2026, 3, 15, 12, 0, 0, 0, time.UTC)

	f.Fuzz(func(t *testing.T, number string, month, year int, cvc string) {
		card := sk.Card{Number: number, ExpMonth: month, ExpYear: year, CVC: cvc}
		m, err := NewBuiltin().Tokenize(context.Background(), card, now)
		if err != nil {
			checkRefusal(t, card, err)
			return
		}

		digits := strings.NewReplacer(" ", "", "-", "").Replace(number)
		switch {
		case strings.Trim(digits, "0123456789") != "" || len(digits) < 12 || len(digits) > 19:
			t.Fatalf("Tokenize(%+v) kept a number that is not 12 to 19 digits", card)
		case !luhnOracle(digits):
			t.Fatalf("Tokenize(%+v) kept a number that fails the Luhn check", card)
		case m.Last4 != digits[len(digits)-4:] || m.Brand != brandOf(digits):
			t.Fatalf("Tokenize(%+v) kept %+v", card, m)
		case month < 1 || month > 12 || year < now.Year() || year > now.Year()+maxYearsAhead:
			t.Fatalf("Tokenize(%+v) kept an impossible expiry", card)
		case strings.Trim(cvc, "0123456789") != "" || len(cvc) < 3 || len(cvc) > 4:
			t.Fatalf("Tokenize(%+v) kept a CVC that is not 3 or 4 digits", card)
		case m.ExpMonth != month || m.ExpYear != year || !strings.HasPrefix(m.Ref, "card_"):
			t.Fatalf("Tokenize(%+v) kept %+v", card, m)
		}
	})
}

// checkRefusal fails unless err refuses the card in the client's terms.
func checkRefusal(t *testing.T, card sk.Card, err error) {
	t.Helper()
	e, ok := errors.AsType[*sk.Error](err)
	switch {
	case !ok:
		t.Fatalf("Tokenize(%+v) = %v, not an *sk.Error", card, err)
	case e.Code == sk.EPAYMENT:
		return
	case e.Code != sk.EINVALID || len(e.Fields) == 0:
		t.Fatalf("Tokenize(%+v) = %#v, want EINVALID naming fields", card, e)
	}
	for _, fe := range e.Fields {
		if !strings.HasPrefix(fe.Field, "card.") {
			t.Fatalf("Tokenize(%+v) names field %q", card, fe.Field)
		}
	}
}
