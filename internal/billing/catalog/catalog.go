// Package catalog is the vendor's plan catalogue: the built-in default, or
// plans read from a TOML file such as example.toml.
package catalog

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/BurntSushi/toml"
	sk "github.com/seatkeeper/seatkeeper"
)

// Bounds of a plan, which keep every price and invoice total exact in an
// int64: a period of MaxSeats seats at MaxPrice is 10^15 minor units.
const (
	// MaxPrice is the highest price per seat per period, in minor units.
	MaxPrice = 1_000_000_000

	// MaxSeats is the highest seat count, and bounds max_activations too.
	MaxSeats = 1_000_000
)

// Defaults of the optional keys.
const (
	defaultMinSeats         = 1
	defaultMaxSeatsOrg      = 10_000
	defaultMaxSeatsPersonal = 1
	defaultMaxActivations   = 1
)

// A plan's id is a short slug, since it appears in URLs and on invoices.
var idPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,39}$`)

const idRule = "must be 1 to 40 lower-case letters, digits and dashes, " +
	"starting with a letter or digit"

// maxNameLength is the longest plan name, in characters.
const maxNameLength = 100

// Default returns the catalogue used when the vendor configures none: a
// personal plan and a per-seat team plan, in US dollars.
func Default() []sk.Plan {
	return []sk.Plan{
		{
			ID:             "personal",
			Name:           "Personal",
			Kind:           sk.PlanPersonal,
			Currency:       "USD",
			Prices:         sk.Prices{Month: 900, Year: 9000},
			MinSeats:       1,
			MaxSeats:       1,
			MaxActivations: 2,
		},
		{
			ID:             "team",
			Name:           "Team",
			Kind:           sk.PlanOrganization,
			Currency:       "USD",
			Prices:         sk.Prices{Month: 1500, Year: 15000},
			MinSeats:       1,
			MaxSeats:       10_000,
			MaxActivations: 3,
		},
	}
}

// Load reads and checks the catalogue file at path; see Parse.
func Load(path string) ([]sk.Plan, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("loading plan catalogue: %w", err)
	}

	plans, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("loading plan catalogue %s: %w", path, err)
	}
	return plans, nil
}

// Parse reads a catalogue in TOML: one [[plan]] table per plan, with the
// keys of example.toml. It fills in the optional keys' defaults and checks
// every plan. The error lists every problem, one a line, each naming the
// plan and the key, as in
//
//	plan 2 ("team"): prices.month: must be a whole number of minor units
func Parse(data []byte) ([]sk.Plan, error) {
	var f struct {
		// Plans stay tables until they are read, so that a plan's unknown
		// keys can be reported with the plan.
		Plans []map[string]any `toml:"plan"`
	}
	md, err := toml.Decode(string(data), &f)
	if err != nil {
		return nil, fmt.Errorf("decoding TOML: %w", err)
	}

	// Everything under [[plan]] is decoded into maps, so an undecoded key
	// is a top-level one or lies beneath one; naming the top is enough.
	var errs []error
	for _, key := range md.Undecoded() {
		if len(key) == 1 {
			errs = append(errs, fmt.Errorf("%s: unknown key", key))
		}
	}
	if len(f.Plans) == 0 {
		errs = append(errs, errors.New("no plans: the catalogue needs a [[plan]] table"))
	}

	plans := make([]sk.Plan, 0, len(f.Plans))
	seen := make(map[string]int)
	for i, values := range f.Plans {
		p, problems := readPlan(values)
		if first, ok := seen[p.ID]; ok {
			problems = append(problems, fmt.Sprintf("id: repeats plan %d", first+1))
		} else if p.ID != "" {
			seen[p.ID] = i
		}

		for _, problem := range problems {
			errs = append(errs, fmt.Errorf("%s: %s", label(i, values), problem))
		}
		plans = append(plans, p)
	}

	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return plans, nil
}

// label names the i-th plan of a file, counting from 1, with its id when it
// has one.
func label(i int, values map[string]any) string {
	if id, ok := values["id"].(string); ok {
		return fmt.Sprintf("plan %d (%q)", i+1, id)
	}
	return fmt.Sprintf("plan %d", i+1)
}

// readPlan turns one [[plan]] table into a plan, with the defaults filled
// in, and lists its problems as "key: what is wrong".
func readPlan(values map[string]any) (sk.Plan, []string) {
	var problems []string
	r := newReader(values, "", &problems)

	id, ok := r.str("id")
	r.check(!ok || idPattern.MatchString(id), "id", idRule)

	name, ok := r.str("name")
	name = strings.TrimSpace(name)
	r.check(!ok || (name != "" && utf8.RuneCountInString(name) <= maxNameLength),
		"name", "must be 1 to %d characters", maxNameLength)
	r.check(!ok || !strings.ContainsFunc(name, isControl),
		"name", "must not contain control characters")

	kind, ok := r.str("kind")
	r.check(!ok || kind == sk.PlanPersonal || kind == sk.PlanOrganization,
		"kind", "must be %q or %q", sk.PlanPersonal, sk.PlanOrganization)

	currency, ok := r.str("currency")
	r.check(!ok || isCurrency(currency), "currency",
		`must be an ISO 4217 code of three upper-case letters, such as "USD"`)

	var prices sk.Prices
	if pr, ok := r.table("prices"); ok {
		prices = sk.Prices{Month: pr.price("month"), Year: pr.price("year")}
		pr.checkUnknown()
	}

	defaultMaxSeats := defaultMaxSeatsOrg
	if kind == sk.PlanPersonal {
		defaultMaxSeats = defaultMaxSeatsPersonal
	}
	p := sk.Plan{ID: id, Name: name, Kind: kind, Currency: currency, Prices: prices,
		MinSeats:       r.count("min_seats", defaultMinSeats),
		MaxSeats:       r.count("max_seats", defaultMaxSeats),
		MaxActivations: r.count("max_activations", defaultMaxActivations),
	}

	r.check(p.MinSeats <= p.MaxSeats, "min_seats",
		"must not be more than max_seats (%d)", p.MaxSeats)
	r.check(kind != sk.PlanPersonal || p.MaxSeats == 1,
		"max_seats", "must be 1 for a personal plan")
	r.checkUnknown()
	return p, problems
}

// isCurrency reports whether s has the shape of an ISO 4217 code.
func isCurrency(s string) bool {
	return len(s) == 3 && strings.Trim(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") == ""
}

// isControl reports whether r is an ASCII control character.
func isControl(r rune) bool {
	return r < 0x20 || r == 0x7f
}
