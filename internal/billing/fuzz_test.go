package billing

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	sk "github.com/seatkeeper/seatkeeper"
	"github.com/seatkeeper/seatkeeper/internal/billing/catalog"
)

// FuzzCheckCheckout decodes fuzzed checkout bodies as the API does and
// checks them against the catalogue: what passes is a checkout that can be
// sold as asked; what fails names only fields of the request.
func FuzzCheckCheckout(f *testing.F) {
	for _, s := range []string{
		`{"plan":"team","period":"month","seats":5,"organization_name":"Acme","card":{}}`,
		`{"plan":"personal","period":"year","seats":1,"payment_method":"pm_x","customer_id":"c"}`,
		`{"plan":"personal","period":"year","seats":1,"organization_name":"No"}`,
		`{"plan":"team","period":"week","seats":0,"organization_name":"  "}`,
		`{"plan":"team","period":"month","seats":10001,"organization_name":"\u0000",` +
			`"payment_method":"pm","card":{}}`,
		`{"plan":"gold","seats":-1}`,
		`{}`,
	} {
		f.Add([]byte(s))
	}
	s := New(Config{Plans: catalog.Default()})
	fields := []string{"plan", "period", "seats", "organization_name", "payment_method",
		"customer_id"}

	f.Fuzz(func(t *testing.T, body []byte) {
		var in sk.Checkout
		if json.Unmarshal(body, &in) != nil {
			return
		}
		plan, err := s.checkCheckout(&in)
		if err != nil {
			e, ok := errors.AsType[*sk.Error](err)
			if !ok || e.Code != sk.EINVALID || len(e.Fields) == 0 {
				t.Fatalf("checkCheckout(%s) = %v, want EINVALID naming fields", body, err)
			}
			for _, fe := range e.Fields {
				if !slices.Contains(fields, fe.Field) {
					t.Fatalf("checkCheckout(%s) names %q", body, fe.Field)
				}
			}
			return
		}
		if problem := sellable(plan, &in); problem != "" {
			t.Fatalf("checkCheckout(%s) accepted it, but %s", body, problem)
		}
	})
}

// sellable says what is wrong with a checkout that was accepted, or "".
func sellable(plan *sk.Plan, in *sk.Checkout) string {
	name := strings.TrimSpace(in.OrganizationName)
	switch {
	case plan == nil || plan.ID != in.Plan:
		return "the plan is not the one asked for"
	case in.Period != sk.PeriodMonth && in.Period != sk.PeriodYear:
		return "the period is unknown"
	case in.Seats < plan.MinSeats || in.Seats > plan.MaxSeats:
		return "the seats are out of the plan's range"
	case plan.Kind == sk.PlanOrganization && (name == "" ||
		utf8.RuneCountInString(name) > 100 ||
		strings.ContainsFunc(name, func(r rune) bool { return r < 0x20 || r == 0x7f })):
		return "the organization name is not a name"
	case plan.Kind == sk.PlanPersonal && in.OrganizationName != "":
		return "a personal plan got an organization name"
	case (in.PaymentMethod == nil) == (in.Card == nil):
		return "it pays with both or neither of a saved card and a new one"
	case in.PaymentMethod != nil && in.CustomerID == nil:
		return "a saved card has no customer"
	}
	return ""
}
