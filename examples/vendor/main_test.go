package main

import (
	"context"
	"errors"
	"net/http"
	"path/filepath"
	"testing"

	"github.com/seatkeeper/seatkeeper/internal/app/apptest"
	"github.com/seatkeeper/seatkeeper/internal/store"
	"github.com/seatkeeper/seatkeeper/internal/store/storetest"
	"github.com/seatkeeper/seatkeeper/licensetoken"
)

// TestVendorProduct runs the example's steps against a real Seatkeeper: the
// product activates its machine, obtains a token and checks it offline;
// once the license is unassigned the server refuses at once, and the token
// in hand is refused once it expires.
func TestVendorProduct(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		ctx := context.Background()
		e := apptest.Start(t, db)
		owner := e.User(t, "Olivia Owner")
		ann := e.User(t, "Ann Holder")
		org := e.Org(t, owner, "Acme")
		lic := e.Licenses(t, org, 1)[0]
		e.Hold(t, org, store.LicenseHolding{ID: lic, AssigneeUserID: &ann.ID})
		path := filepath.Join(t.TempDir(), "state.json")
		product := &client{server: e.URL, apiToken: ann.Token}

		s, err := product.refresh(ctx, lic, "machine-1")
		if err != nil {
			t.Fatal(err)
		}
		if err := save(path, s); err != nil {
			t.Fatal(err)
		}
		claims, err := check(path, "machine-1", e.App.Clock.Now())
		if err != nil || claims.License != lic || claims.Subject != ann.ID {
			t.Fatalf("offline check = %+v, %v", claims, err)
		}
		if _, err := check(path, "machine-2", e.App.Clock.Now()); !errors.Is(err,
			licensetoken.ErrWrongMachine) {
			t.Errorf("the state copied to another machine: %v, want ErrWrongMachine", err)
		}

		apptest.Must(t, e.Delete(t, "/api/v1/orgs/"+org+"/licenses/"+lic+"/assignee",
			owner.Token), http.StatusNoContent)
		if ok, err := product.holds(ctx, lic); ok || err != nil {
			t.Errorf("online check after unassignment = %v, %v; want false", ok, err)
		}
		if _, err := product.refresh(ctx, lic, "machine-1"); err == nil {
			t.Error("a new token after unassignment")
		}
		if _, err := check(path, "machine-1", e.App.Clock.Now()); err != nil {
			t.Errorf("the token in hand before it expires: %v", err)
		}

		apptest.Must(t, e.Post(t, "/api/v1/dev/clock/advance", "",
			map[string]string{"duration": "170h"}), http.StatusOK)
		if _, err := check(path, "machine-1", e.App.Clock.Now()); !errors.Is(err,
			licensetoken.ErrExpired) {
			t.Errorf("offline check after expiry = %v, want ErrExpired", err)
		}
	})
}
