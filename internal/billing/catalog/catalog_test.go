package catalog_test

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	sk "github.com/seatkeeper/seatkeeper"
	"github.com/seatkeeper/seatkeeper/internal/billing/catalog"
)

func TestDefault(t *testing.T) {
	t.Parallel()
	plans := catalog.Default()
	if len(plans) != 2 {
		t.Fatalf("Default has %d plans, want 2", len(plans))
	}

	personal, team := plans[0], plans[1]
	if personal.ID != "personal" || personal.Kind != sk.PlanPersonal ||
		personal.Prices != (sk.Prices{Month: 900, Year: 9000}) ||
		personal.MaxSeats != 1 || personal.MaxActivations != 2 {
		t.Errorf("personal plan = %+v", personal)
	}
	if team.ID != "team" || team.Kind != sk.PlanOrganization ||
		team.Prices != (sk.Prices{Month: 1500, Year: 15000}) ||
		team.MinSeats != 1 || team.MaxSeats != 10_000 || team.MaxActivations != 3 {
		t.Errorf("team plan = %+v", team)
	}

	plans[0].Name = "Changed"
	if catalog.Default()[0].Name != "Personal" {
		t.Error("Default returns a shared slice")
	}
}

// TestExample checks that example.toml is valid and is the default, so that
// the file a vendor copies describes what runs without one.
func TestExample(t *testing.T) {
	t.Parallel()
	plans, err := catalog.Load("example.toml")
	if err != nil {
		t.Fatalf("Load(example.toml): %v", err)
	}
	if want := catalog.Default(); !reflect.DeepEqual(plans, want) {
		t.Errorf("example.toml = %+v\nwant the default %+v", plans, want)
	}
}

func TestParseDefaults(t *testing.T) {
	t.Parallel()
	plans, err := catalog.Parse([]byte(`
[[plan]]
id = "solo"
name = "  Solo  "
kind = "personal"
currency = "EUR"
prices = { month = 0, year = 0 }

[[plan]]
id = "org"
name = "Org"
kind = "organization"
currency = "EUR"
prices.month = 1000
prices.year = 10000
`))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}

	want := []sk.Plan{
		{ID: "solo", Name: "Solo", Kind: sk.PlanPersonal, Currency: "EUR",
			MinSeats: 1, MaxSeats: 1, MaxActivations: 1},
		{ID: "org", Name: "Org", Kind: sk.PlanOrganization, Currency: "EUR",
			Prices: sk.Prices{Month: 1000, Year: 10000}, MinSeats: 1, MaxSeats: 10_000,
			MaxActivations: 1},
	}
	if !reflect.DeepEqual(plans, want) {
		t.Errorf("Parse = %+v\nwant %+v", plans, want)
	}
}

// plan returns a valid organization plan table with the given lines added
// or, for one of its keys, replaced; a value of "-" removes the key.
func plan(lines ...string) string {
	fields := map[string]string{
		"id": `"team"`, "name": `"Team"`, "kind": `"organization"`,
		"currency": `"USD"`, "prices": `{ month = 1500, year = 15000 }`,
	}
	var b strings.Builder
	b.WriteString("[[plan]]\n")
	for _, line := range lines {
		key, value, _ := strings.Cut(line, " = ")
		if _, ok := fields[key]; ok {
			fields[key] = value
			continue
		}
		b.WriteString(line + "\n")
	}
	for _, key := range []string{"id", "name", "kind", "currency", "prices"} {
		if v := fields[key]; v != "-" {
			b.WriteString(key + " = " + v + "\n")
		}
	}
	return b.String()
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	personal := plan(`id = "solo"`, `kind = "personal"`)
	tests := []struct {
		name string
		file string
		want []string
	}{
		{"syntax", "[[plan]\n", []string{"decoding TOML"}},
		{"empty", "", []string{"no plans"}},
		{"only comments", "# nothing\n", []string{"no plans"}},
		{"misspelt table", strings.Replace(plan(), "[[plan]]", "[[plans]]", 1),
			[]string{"plans: unknown key", "no plans"}},
		{"unknown top-level key", "currency = \"USD\"\n" + plan(),
			[]string{"currency: unknown key"}},
		{"unknown plan key", plan(`seats = 3`),
			[]string{`plan 1 ("team"): seats: unknown key`}},
		{"float price", personal + plan(`prices = { month = 15.0, year = 15000 }`),
			[]string{`plan 2 ("team"): prices.month: must be a whole number of minor`}},
		{"float year price", plan(`prices = { month = 1500, year = 1.5e4 }`),
			[]string{`plan 1 ("team"): prices.year: must be a whole number of minor`}},
		{"string price", plan(`prices = { month = "15", year = 15000 }`),
			[]string{`prices.month: must be a whole number of minor units`}},
		{"negative price", plan(`prices = { month = -1, year = 15000 }`),
			[]string{`prices.month: must be from 0 to 1000000000`}},
		{"huge price", plan(`prices = { month = 1_000_000_001, year = 15000 }`),
			[]string{`prices.month: must be from 0 to 1000000000`}},
		{"missing year", plan(`prices = { month = 1500 }`),
			[]string{`plan 1 ("team"): prices.year: is required`}},
		{"missing prices", plan(`prices = -`),
			[]string{`prices.month: is required`, `prices.year: is required`}},
		{"prices not a table", plan(`prices = 1500`),
			[]string{`plan 1 ("team"): prices: must be a table`}},
		{"unknown price key", plan(`prices = { month = 1500, year = 15000, week = 400 }`),
			[]string{`plan 1 ("team"): prices.week: unknown key`}},
		{"missing id", plan(`id = -`), []string{`plan 1: id: is required`}},
		{"id not a string", plan(`id = 7`),
			[]string{`plan 1: id: must be a string`}},
		{"upper-case id", plan(`id = "Team"`),
			[]string{`plan 1 ("Team"): id: must be 1 to 40 lower-case letters`}},
		{"id starting with a dash", plan(`id = "-team"`), []string{`id: must be 1 to 40`}},
		{"long id", plan(`id = "` + strings.Repeat("a", 41) + `"`),
			[]string{`id: must be 1 to 40`}},
		{"empty id", plan(`id = ""`), []string{`plan 1 (""): id: must be 1 to 40`}},
		{"duplicate id", plan() + personal + plan(),
			[]string{`plan 3 ("team"): id: repeats plan 1`}},
		{"missing name", plan(`name = -`), []string{`plan 1 ("team"): name: is required`}},
		{"blank name", plan(`name = "   "`),
			[]string{`plan 1 ("team"): name: must be 1 to 100 characters`}},
		{"long name", plan(`name = "` + strings.Repeat("é", 101) + `"`),
			[]string{`name: must be 1 to 100 characters`}},
		{"control character in name", plan(`name = "Te\tam"`),
			[]string{`name: must not contain control characters`}},
		{"unknown kind", plan(`kind = "family"`),
			[]string{`plan 1 ("team"): kind: must be "personal" or "organization"`}},
		{"missing kind", plan(`kind = -`), []string{`kind: is required`}},
		{"lower-case currency", plan(`currency = "usd"`),
			[]string{`plan 1 ("team"): currency: must be an ISO 4217 code`}},
		{"long currency", plan(`currency = "USDT"`),
			[]string{`currency: must be an ISO 4217`}},
		{"missing currency", plan(`currency = -`), []string{`currency: is required`}},
		{"zero min seats", plan(`min_seats = 0`),
			[]string{`plan 1 ("team"): min_seats: must be from 1 to 1000000`}},
		{"float seats", plan(`max_seats = 10.0`),
			[]string{`plan 1 ("team"): max_seats: must be a whole number`}},
		{"too many seats", plan(`max_seats = 1_000_001`),
			[]string{`max_seats: must be from 1 to 1000000`}},
		{"min above max", plan(`min_seats = 5`, `max_seats = 4`),
			[]string{`plan 1 ("team"): min_seats: must not be more than max_seats (4)`}},
		{"min above default max", personal + plan(`min_seats = 10001`),
			[]string{`plan 2 ("team"): min_seats: must not be more than max_seats (10000)`},
		},
		{"personal with seats", plan(`kind = "personal"`, `max_seats = 5`),
			[]string{`plan 1 ("team"): max_seats: must be 1 for a personal plan`}},
		{"personal with min seats", plan(`kind = "personal"`, `min_seats = 2`),
			[]string{`min_seats: must not be more than max_seats (1)`}},
		{"zero activations", plan(`max_activations = 0`),
			[]string{`plan 1 ("team"): max_activations: must be from 1 to 1000000`}},
		{"string activations", plan(`max_activations = "3"`),
			[]string{`max_activations: must be a whole number`}},
		{"every problem", personal + plan(`id = "solo"`, `currency = "usd"`, `colour = 1`),
			[]string{`plan 2 ("solo"): id: repeats plan 1`,
				`plan 2 ("solo"): currency: must be`,
				`plan 2 ("solo"): colour: unknown key`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plans, err := catalog.Parse([]byte(tt.file))
			if err == nil {
				t.Fatalf("Parse succeeded with %+v; file:\n%s", plans, tt.file)
			}
			if plans != nil {
				t.Errorf("Parse returned plans with an error: %+v", plans)
			}
			for _, want := range tt.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not contain %q; file:\n%s", err, want, tt.file)
				}
			}
		})
	}
}

func TestLoadErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.toml")
	if err := os.WriteFile(bad, []byte("[[plan]]\nid = \"x\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name, path, want string
	}{
		{"missing file", filepath.Join(dir, "none.toml"), "no such file"},
		{"invalid file", bad, bad + `: plan 1 ("x"): name: is required`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := catalog.Load(tt.path)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Load(%s) = %v, want an error containing %q",
					tt.path, err, tt.want)
			}
		})
	}
}
