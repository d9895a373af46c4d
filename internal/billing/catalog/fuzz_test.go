package catalog_test

import (
	"os"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	sk "github.com/seatkeeper/seatkeeper"
	"github.com/seatkeeper/seatkeeper/internal/billing/catalog"
)

var planID = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,39}$`)

// FuzzParse reads fuzzed plan files: whatever Parse accepts is a catalogue
// that checkout can sell from without a further check, and whatever it
// refuses it explains.
func FuzzParse(f *testing.F) {
	example, err := os.ReadFile("example.toml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(example)
	for _, s := range []string{
		``, `[[plan]]`, `plan = 1`, `[[plan]]` + "\n" + `id = "a"` + "\n" + `prices = 3`,
		`[[plan]]
id = "x"
name = "X"
kind = "organization"
currency = "EUR"
prices = { month = 1.5, year = -1 }
min_seats = 5
max_seats = 2
extra = true`,
		`[[plan]]
id = "p"
name = "P"
kind = "personal"
currency = "usd"
prices = { month = 9223372036854775807, year = 0, week = 1 }
max_seats = 2`,
		`[[plan]]` + "\n" + `id = "dup"` + "\n" + `[[plan]]` + "\n" + `id = "dup"`,
		"[[plan]]\nname = \"\u0000\"\nid = \"\"\"\n",
		`top = { a = [1, [2, [3]]] }`,
	} {
		f.Add([]byte(s))
	}

	f.Fuzz(func(t *testing.T, data []byte) {
		plans, err := catalog.Parse(data)
		if err != nil {
			if err.Error() == "" {
				t.Fatalf("Parse(%q) refused without saying why", data)
			}
			return
		}
		if len(plans) == 0 {
			t.Fatalf("Parse(%q) accepted a catalogue without plans", data)
		}
		seen := map[string]bool{}
		for _, p := range plans {
			checkPlan(t, data, p)
			if seen[p.ID] {
				t.Fatalf("Parse(%q) accepted plan %q twice", data, p.ID)
			}
			seen[p.ID] = true
		}
	})
}

// checkPlan fails unless p is a plan checkout can sell.
func checkPlan(t *testing.T, data []byte, p sk.Plan) {
	t.Helper()
	name := strings.TrimSpace(p.Name)
	ok := planID.MatchString(p.ID) &&
		name == p.Name && name != "" && utf8.RuneCountInString(name) <= 100 &&
		!strings.ContainsFunc(name, func(r rune) bool { return r < 0x20 || r == 0x7f }) &&
		(p.Kind == sk.PlanPersonal || p.Kind == sk.PlanOrganization) &&
		len(p.Currency) == 3 && strings.ToUpper(p.Currency) == p.Currency &&
		strings.Trim(p.Currency, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") == "" &&
		p.Prices.Month >= 0 && p.Prices.Month <= catalog.MaxPrice &&
		p.Prices.Year >= 0 && p.Prices.Year <= catalog.MaxPrice &&
		p.MinSeats >= 1 && p.MinSeats <= p.MaxSeats && p.MaxSeats <= catalog.MaxSeats &&
		p.MaxActivations >= 1 && p.MaxActivations <= catalog.MaxSeats &&
		(p.Kind != sk.PlanPersonal || p.MaxSeats == 1)
	if !ok {
		t.Fatalf("Parse(%q) accepted a plan checkout cannot sell: %+v", data, p)
	}
}
