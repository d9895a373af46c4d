package licensing

import (
	"encoding/json"
	"errors"
	"slices"
	"testing"

	sk "github.com/seatkeeper/seatkeeper"
)

// FuzzCheckIDs holds the change-team's check of its license IDs (checkChange,
// moving to the organization) to its promise: what passes is a sorted list,
// without repeats, of one or more license IDs, each of them asked for; what
// fails names license_ids.
func FuzzCheckIDs(f *testing.F) {
	id := sk.NewID(sk.PrefixLicense, sk.SystemClock{}.Now())
	for _, s := range []string{`[]`, `["` + id + `"]`, `["` + id + `","` + id + `"]`,
		`["lic_x"]`, `["team_00000000000000000000000000000000"]`,
		`["lic_00000000000000000000000000000000","lic_zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz"]`,
		`[""]`, `null`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var ids []string
		if json.Unmarshal(body, &ids) != nil {
			return
		}
		got, err := checkChange(ids, nil)
		if err != nil {
			e, ok := errors.AsType[*sk.Error](err)
			if !ok || e.Code != sk.EINVALID || len(e.Fields) != 1 ||
				e.Fields[0].Field != "license_ids" {
				t.Fatalf("checkChange(%q) = %v, want EINVALID naming license_ids", ids, err)
			}
			return
		}
		if len(got) == 0 || !slices.IsSorted(got) || len(slices.Compact(slices.Clone(got))) !=
			len(got) {
			t.Fatalf("checkChange(%q) = %q, not a sorted list without repeats", ids, got)
		}
		for _, id := range got {
			if !sk.HasPrefix(id, sk.PrefixLicense) || !slices.Contains(ids, id) {
				t.Fatalf("checkChange(%q) passed %q", ids, id)
			}
		}
	})
}

// FuzzCheckFilter checks the licenses list's filter: a status passes only
// when it is one of the four, a search only up to 200 bytes.
func FuzzCheckFilter(f *testing.F) {
	for _, s := range []string{"", "assigned", "pending", "unassigned", "expired", "Assigned",
		"all"} {
		f.Add(s, "ada")
	}
	f.Fuzz(func(t *testing.T, status, q string) {
		err := checkFilter(sk.LicenseFilter{Status: status, Query: q})
		statuses := []string{"", sk.LicenseUnassigned, sk.LicenseAssigned, sk.LicensePending,
			sk.LicenseExpired}
		want := slices.Contains(statuses, status) && len(q) <= 200
		if (err == nil) != want {
			t.Fatalf("checkFilter(%q, %q) = %v", status, q, err)
		}
	})
}
