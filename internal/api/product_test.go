package api_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strconv"
	"testing"
	"time"

	sk "github.com/seatkeeper/seatkeeper"
	"github.com/seatkeeper/seatkeeper/internal/app/apptest"
	"github.com/seatkeeper/seatkeeper/internal/store"
	"github.com/seatkeeper/seatkeeper/internal/store/storetest"
	"github.com/seatkeeper/seatkeeper/licensetoken"
)

// held gives a user one license of a new subscription of the organization
// and returns the license.
func held(t *testing.T, e *apptest.Env, org string, holder *apptest.User) string {
	t.Helper()
	lic := e.Licenses(t, org, 1)[0]
	e.Hold(t, org, store.LicenseHolding{ID: lic, AssigneeUserID: &holder.ID})
	return lic
}

// setMaxActivations changes how many machines the tests' plan allows.
func setMaxActivations(t *testing.T, e *apptest.Env, n int) {
	t.Helper()
	err := e.DB.Tx(context.Background(), func(tx *store.Tx) error {
		return tx.UpsertPlan(context.Background(), &store.PlanRecord{ID: "fixture",
			Name: "Fixture", Kind: "organization", Currency: "EUR", PriceMonth: 1000,
			PriceYear: 10000, MinSeats: 1, MaxSeats: 100000, MaxActivations: n})
	})
	if err != nil {
		t.Fatal(err)
	}
}

func activate(t *testing.T, e *apptest.Env, by *apptest.User, lic, fingerprint string,
	replace bool) *apptest.Response {
	t.Helper()
	return e.Post(t, "/api/v1/licenses/"+lic+"/activations", by.Token, map[string]any{
		"fingerprint": fingerprint, "name": "Machine " + fingerprint, "replace_oldest": replace})
}

func activations(t *testing.T, e *apptest.Env, by *apptest.User, lic string) []sk.Activation {
	t.Helper()
	var page struct{ Data []sk.Activation }
	apptest.Must(t, e.Get(t, "/api/v1/licenses/"+lic+"/activations", by.Token),
		http.StatusOK).Decode(t, &page)
	return page.Data
}

func fingerprints(list []sk.Activation) []string {
	var out []string
	for _, a := range list {
		out = append(out, a.Fingerprint)
	}
	return out
}

func licenseToken(t *testing.T, e *apptest.Env, by *apptest.User, lic string,
	body map[string]string) *apptest.Response {
	t.Helper()
	return e.Post(t, "/api/v1/licenses/"+lic+"/token", by.Token, body)
}

// keySet fetches the published JWKS, without authentication, and parses it
// as a product would.
func keySet(t *testing.T, e *apptest.Env) *licensetoken.KeySet {
	t.Helper()
	r := apptest.Must(t, e.Get(t, "/api/v1/license-keys", ""), http.StatusOK)
	keys, err := licensetoken.ParseKeySet(r.Body)
	if err != nil {
		t.Fatalf("parsing %s: %v", r.Body, err)
	}
	return keys
}

// orgLicense finds one license in the organization's list.
func orgLicense(t *testing.T, e *apptest.Env, by *apptest.User, org, lic string) sk.License {
	t.Helper()
	for _, l := range listLicenses(t, e, by, org, "").Data {
		if l.ID == lic {
			return l
		}
	}
	t.Fatalf("license %s not in the list", lic)
	return sk.License{}
}

func TestActivations(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		e := apptest.Start(t, db)
		owner := e.User(t, "Olivia Owner")
		ann := e.User(t, "Ann Holder")
		org := e.Org(t, owner, "Acme")
		lic := held(t, e, org, ann)
		setMaxActivations(t, e, 2)

		// New machines are 201; the same machine again is 200, the same one.
		var first, again sk.Activation
		apptest.Must(t, activate(t, e, ann, lic, "m1", false), http.StatusCreated).Decode(t, &first)
		apptest.Must(t, activate(t, e, ann, lic, "m1", false), http.StatusOK).Decode(t, &again)
		if first.ID != again.ID || first.LicenseID != lic || first.Name != "Machine m1" ||
			!sk.HasPrefix(first.ID, sk.PrefixActivation) {
			t.Errorf("activations %+v and %+v", first, again)
		}
		apptest.Must(t, activate(t, e, ann, lic, "m2", false), http.StatusCreated)

		// At the plan's limit: refused, unless replacing the oldest.
		r := activate(t, e, ann, lic, "m3", false)
		if r.Status != http.StatusConflict || r.Code(t) != sk.ECONFLICT {
			t.Errorf("third machine of two: %d %s", r.Status, r.Body)
		}
		apptest.Must(t, activate(t, e, ann, lic, "m3", true), http.StatusCreated)
		if got := fingerprints(activations(t, e, ann, lic)); fmt.Sprint(got) != "[m2 m3]" {
			t.Errorf("after replacing the oldest: %v, want [m2 m3]", got)
		}

		// A plan that shrank: replacing removes as many as it takes.
		setMaxActivations(t, e, 1)
		apptest.Must(t, activate(t, e, ann, lic, "m4", true), http.StatusCreated)
		list := activations(t, e, ann, lic)
		if fmt.Sprint(fingerprints(list)) != "[m4]" {
			t.Errorf("after shrinking the plan: %v, want [m4]", fingerprints(list))
		}

		// Managers see the count; the holder removes one.
		if n := orgLicense(t, e, owner, org, lic).Activations; n != 1 {
			t.Errorf("organization list says %d activations, want 1", n)
		}
		path := "/api/v1/licenses/" + lic + "/activations/" + list[0].ID
		apptest.Must(t, e.Delete(t, path, ann.Token), http.StatusNoContent)
		if r := e.Delete(t, path, ann.Token); r.Status != http.StatusNotFound {
			t.Errorf("removing it twice: %d", r.Status)
		}
		if n := orgLicense(t, e, owner, org, lic).Activations; n != 0 {
			t.Errorf("organization list says %d activations after removal, want 0", n)
		}

		events := auditLog(t, e, owner, org)
		for _, action := range []string{"activation.created", "activation.removed"} {
			ev := events[action]
			if ev == nil || ev.TargetType != "activation" || ev.Actor == nil ||
				ev.Actor.ID != ann.ID {
				t.Errorf("%s event = %+v", action, ev)
			}
		}
	})
}

func TestActivationsBelongToTheHolder(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		e := apptest.Start(t, db)
		owner := e.User(t, "Olivia Owner")
		ann := e.User(t, "Ann Holder")
		bob := e.User(t, "Bob Other")
		org := e.Org(t, owner, "Acme")
		lic := held(t, e, org, ann)
		var act sk.Activation
		apptest.Must(t, activate(t, e, ann, lic, "m1", false), http.StatusCreated).Decode(t, &act)

		// Not even the Owner reaches another's activations or tokens.
		for _, who := range []*apptest.User{owner, bob} {
			for _, r := range []*apptest.Response{
				activate(t, e, who, lic, "m9", false),
				e.Get(t, "/api/v1/licenses/"+lic+"/activations", who.Token),
				e.Delete(t, "/api/v1/licenses/"+lic+"/activations/"+act.ID, who.Token),
				licenseToken(t, e, who, lic, map[string]string{"activation_id": act.ID}),
			} {
				if r.Status != http.StatusNotFound {
					t.Errorf("%s reaching Ann's license: %d %s", who.Name, r.Status, r.Body)
				}
			}
		}
		if r := e.Get(t, "/api/v1/licenses/"+lic+"/activations", ""); r.Status != 401 {
			t.Errorf("without a token: %d", r.Status)
		}

		// Bad input names its field.
		wantField(t, activate(t, e, ann, lic, "", false), http.StatusBadRequest, "fingerprint")
		wantField(t, activate(t, e, ann, lic, " padded", false), http.StatusBadRequest,
			"fingerprint")
		wantField(t, e.Post(t, "/api/v1/licenses/"+lic+"/activations", ann.Token,
			map[string]any{"fingerprint": "m2"}), http.StatusBadRequest, "name")

		// A new holder starts with no activations.
		apptest.Must(t, assign(t, e, owner, org, lic, bob.Email, true), http.StatusOK)
		if r := e.Get(t, "/api/v1/licenses/"+lic+"/activations", ann.Token); r.Status != 404 {
			t.Errorf("the former holder lists activations: %d", r.Status)
		}
		if list := activations(t, e, bob, lic); len(list) != 0 {
			t.Errorf("the new holder inherits activations %v", fingerprints(list))
		}
	})
}

func TestLicenseTokens(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		e := apptest.Start(t, db)
		owner := e.User(t, "Olivia Owner")
		ann := e.User(t, "Ann Holder")
		org := e.Org(t, owner, "Acme")
		lic := held(t, e, org, ann)
		var act sk.Activation
		apptest.Must(t, activate(t, e, ann, lic, "m1", false), http.StatusCreated).Decode(t, &act)

		var tok sk.LicenseToken
		apptest.Must(t, licenseToken(t, e, ann, lic, map[string]string{"fingerprint": "m1"}),
			http.StatusOK).Decode(t, &tok)
		now := e.App.Clock.Now()
		v := &licensetoken.Verifier{Keys: keySet(t, e), Issuer: e.URL, Machine: "m1",
			Now: e.App.Clock.Now}
		c, err := v.Verify(tok.Token)
		if err != nil {
			t.Fatalf("verifying %s: %v", tok.Token, err)
		}
		want := licensetoken.Claims{Issuer: e.URL, Subject: ann.ID, License: lic, Org: org,
			Plan: "fixture", Machine: "m1", IssuedAt: c.IssuedAt, NotBefore: c.IssuedAt,
			ExpiresAt: c.IssuedAt + int64(7*24*time.Hour/time.Second)}
		if *c != want {
			t.Errorf("claims = %+v, want %+v", c, want)
		}
		if d := now.Unix() - c.IssuedAt; d < 0 || d > 60 || !tok.ExpiresAt.Equal(c.Expires()) ||
			tok.ActivationID != act.ID {
			t.Errorf("token %+v issued at %d (now %v)", tok, c.IssuedAt, now)
		}

		// Asking by activation ID gives a token for the same machine.
		apptest.Must(t, licenseToken(t, e, ann, lic, map[string]string{"activation_id": act.ID}),
			http.StatusOK).Decode(t, &tok)
		if c, err := v.Verify(tok.Token); err != nil || c.Machine != "m1" {
			t.Errorf("token by activation ID: %+v, %v", c, err)
		}

		tests := []struct {
			name   string
			body   map[string]string
			status int
			field  string
		}{
			{"nothing named", map[string]string{}, 400, "activation_id"},
			{"not an activation ID", map[string]string{"activation_id": "lic_1"}, 400,
				"activation_id"},
			{"machine not activated", map[string]string{"fingerprint": "m9"}, 404, ""},
			{"unknown activation", map[string]string{
				"activation_id": sk.NewID(sk.PrefixActivation, now)}, 404, ""},
			{"mismatched pair", map[string]string{"activation_id": act.ID, "fingerprint": "m9"},
				400, "fingerprint"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				wantField(t, licenseToken(t, e, ann, lic, tt.body), tt.status, tt.field)
			})
		}
	})
}

// TestTokenExpiryFollowsTheLicense checks that a token never outlives the
// license's period, that a personal license's token names no organization,
// and that a license that is not valid gets none.
func TestTokenExpiryFollowsTheLicense(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		e := apptest.Start(t, db)
		ann := e.User(t, "Ann Holder")
		now := e.App.Clock.Now()
		end := now.Add(26*time.Hour + 500*time.Millisecond)
		sub, lic := personalLicense(t, e, ann, end)
		apptest.Must(t, activate(t, e, ann, lic, "m1", false), http.StatusCreated)

		var tok sk.LicenseToken
		apptest.Must(t, licenseToken(t, e, ann, lic, map[string]string{"fingerprint": "m1"}),
			http.StatusOK).Decode(t, &tok)
		v := &licensetoken.Verifier{Keys: keySet(t, e), Issuer: e.URL, Now: e.App.Clock.Now}
		c, err := v.Verify(tok.Token)
		if err != nil {
			t.Fatal(err)
		}
		if c.Org != "" || c.Plan != "solo" || c.ExpiresAt != end.Unix() {
			t.Errorf("personal token claims %+v, want no org, plan solo, exp %d",
				c, end.Unix())
		}

		// The period runs out: no token; the subscription ends: none either.
		advance(t, e, "27h")
		r := licenseToken(t, e, ann, lic, map[string]string{"fingerprint": "m1"})
		if r.Status != http.StatusConflict {
			t.Errorf("token after the period: %d %s", r.Status, r.Body)
		}
		if r := activate(t, e, ann, lic, "m2", true); r.Status != http.StatusConflict {
			t.Errorf("activating after the period: %d %s", r.Status, r.Body)
		}
		e.EndSubscription(t, sub)
		r = licenseToken(t, e, ann, lic, map[string]string{"fingerprint": "m1"})
		if r.Status != http.StatusConflict {
			t.Errorf("token of an ended subscription: %d %s", r.Status, r.Body)
		}
		// Its machines stay for a renewal to restore.
		if list := activations(t, e, ann, lic); len(list) != 1 {
			t.Errorf("activations of an ended subscription: %v", fingerprints(list))
		}
	})
}

// personalLicense gives the user a personal subscription, straight in the
// store, whose period ends at end, and returns it and its license. It is
// past due with no retry scheduled, so that billing leaves it alone when
// the clock passes its end.
func personalLicense(t *testing.T, e *apptest.Env, u *apptest.User, end time.Time) (
	string, string) {
	t.Helper()
	ctx := context.Background()
	now := e.App.Clock.Now()
	subID := sk.NewID(sk.PrefixSubscription, now)
	var lic string
	err := e.DB.Tx(ctx, func(tx *store.Tx) error {
		err := tx.UpsertPlan(ctx, &store.PlanRecord{ID: "solo", Name: "Solo", Kind: "personal",
			Currency: "EUR", PriceMonth: 900, PriceYear: 9000, MinSeats: 1, MaxSeats: 1,
			MaxActivations: 2})
		if err != nil {
			return err
		}
		customer := &store.CustomerRecord{ID: sk.NewID(sk.PrefixCustomer, now),
			BillingName: u.Name, BillingEmail: u.Email, Currency: "EUR", CreatedAt: now}
		if err := tx.CreateCustomer(ctx, customer); err != nil {
			return err
		}
		ids, err := tx.CreateSubscription(ctx, &store.SubscriptionRecord{ID: subID,
			CustomerID: customer.ID, UserID: &u.ID, PlanID: "solo", Period: "month", Seats: 1,
			Status: "past_due", PeriodStart: now, PeriodEnd: sk.Normalize(end), CreatedAt: now})
		if err != nil {
			return err
		}
		lic = ids[0]
		return tx.SetAssignee(ctx, lic, &u.ID, nil, now)
	})
	if err != nil {
		t.Fatalf("creating a personal license: %v", err)
	}
	return subID, lic
}

// TestVendorFlow is the vendor's product from start to end: activate the
// machine, get a token, verify it offline; after the license is unassigned
// the online check and new tokens say so at once, while the token in hand
// keeps verifying until it expires.
func TestVendorFlow(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		e := apptest.Start(t, db)
		owner := e.User(t, "Olivia Owner")
		ann := e.User(t, "Ann Holder")
		org := e.Org(t, owner, "Acme")
		lic := held(t, e, org, ann)

		apptest.Must(t, activate(t, e, ann, lic, "m1", false), http.StatusCreated)
		var tok sk.LicenseToken
		apptest.Must(t, licenseToken(t, e, ann, lic, map[string]string{"fingerprint": "m1"}),
			http.StatusOK).Decode(t, &tok)
		product := &licensetoken.Verifier{Keys: keySet(t, e), Issuer: e.URL, Machine: "m1",
			Leeway: time.Minute, Now: e.App.Clock.Now}
		if _, err := product.Verify(tok.Token); err != nil {
			t.Fatalf("offline check: %v", err)
		}

		apptest.Must(t, e.Delete(t, "/api/v1/orgs/"+org+"/licenses/"+lic+"/assignee",
			owner.Token), http.StatusNoContent)
		var mine struct{ Data []sk.HeldLicense }
		apptest.Must(t, e.Get(t, "/api/v1/me/licenses", ann.Token), 200).Decode(t, &mine)
		if len(mine.Data) != 0 {
			t.Errorf("the online check still lists %+v", mine.Data)
		}
		r := licenseToken(t, e, ann, lic, map[string]string{"fingerprint": "m1"})
		if r.Status != http.StatusNotFound {
			t.Errorf("token after unassignment: %d %s", r.Status, r.Body)
		}
		if _, err := product.Verify(tok.Token); err != nil {
			t.Errorf("the token in hand stops verifying before it expires: %v", err)
		}

		advance(t, e, "170h")
		if _, err := product.Verify(tok.Token); !errors.Is(err, licensetoken.ErrExpired) {
			t.Errorf("offline check after expiry = %v, want ErrExpired", err)
		}
	})
}

func TestKeyRotation(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		e := apptest.Start(t, db)
		owner := e.User(t, "Olivia Owner")
		ann := e.User(t, "Ann Holder")
		org := e.Org(t, owner, "Acme")
		lic := held(t, e, org, ann)
		apptest.Must(t, activate(t, e, ann, lic, "m1", false), http.StatusCreated)
		token := func() sk.LicenseToken {
			var tok sk.LicenseToken
			apptest.Must(t, licenseToken(t, e, ann, lic, map[string]string{"fingerprint": "m1"}),
				http.StatusOK).Decode(t, &tok)
			return tok
		}
		before := token()

		key, retired, err := e.App.Product.RotateKey(context.Background())
		if err != nil || retired != before.KeyID || key.KeyID == retired {
			t.Fatalf("RotateKey = %+v, %q, %v; want a new key retiring %s",
				key, retired, err, before.KeyID)
		}
		after := token()
		if after.KeyID != key.KeyID {
			t.Errorf("signed with %s after rotating to %s", after.KeyID, key.KeyID)
		}
		keys := keySet(t, e)
		v := &licensetoken.Verifier{Keys: keys, Issuer: e.URL, Now: e.App.Clock.Now}
		for _, tok := range []sk.LicenseToken{before, after} {
			if _, err := v.Verify(tok.Token); err != nil || keys.Len() != 2 {
				t.Errorf("verifying a token of key %s with %d keys: %v", tok.KeyID,
					keys.Len(), err)
			}
		}

		// Once every token of the retired key has expired, it goes.
		advance(t, e, "170h")
		if keys := keySet(t, e); keys.Len() != 1 {
			t.Errorf("%d keys published a week after rotating, want 1", keys.Len())
		}
	})
}

func TestProductRateLimits(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		e := apptest.Start(t, db)
		owner := e.User(t, "Olivia Owner")
		ann := e.User(t, "Ann Holder")
		org := e.Org(t, owner, "Acme")
		lic := held(t, e, org, ann)

		for i := range 20 {
			apptest.Must(t, activate(t, e, ann, lic, "m"+strconv.Itoa(i), true),
				http.StatusCreated)
		}
		r := activate(t, e, ann, lic, "one-more", true)
		if r.Status != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" {
			t.Errorf("21st activation in an hour: %d %s", r.Status, r.Body)
		}

		for range 60 {
			apptest.Must(t, licenseToken(t, e, ann, lic, map[string]string{"fingerprint": "m19"}),
				http.StatusOK)
		}
		r = licenseToken(t, e, ann, lic, map[string]string{"fingerprint": "m19"})
		if r.Status != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" {
			t.Errorf("61st token in an hour: %d %s", r.Status, r.Body)
		}

		// Another license has limits of its own.
		other := held(t, e, org, owner)
		apptest.Must(t, activate(t, e, owner, other, "m0", false), http.StatusCreated)
	})
}

// TestConcurrentActivations races ten machines for a license's one place
// through three servers: one wins, the rest are told the license is full.
func TestConcurrentActivations(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		servers := apptest.Cluster(t, db, 3)
		e := servers[0]
		owner := e.User(t, "Olivia Owner")
		ann := e.User(t, "Ann Holder")
		org := e.Org(t, owner, "Acme")
		lic := held(t, e, org, ann)

		statuses := race(t, servers, 10, func(s *apptest.Env, i int) *apptest.Response {
			return activate(t, s, ann, lic, fmt.Sprintf("m%d", i), false)
		})
		if statuses[http.StatusCreated] != 1 || statuses[http.StatusConflict] != 9 {
			t.Errorf("ten machines, one place: %v", statuses)
		}
		if list := activations(t, e, ann, lic); len(list) != 1 {
			t.Errorf("%d activations stored, want 1", len(list))
		}

		// The three servers made one signing key between them.
		if keys := keySet(t, servers[2]); keys.Len() != 1 {
			t.Errorf("%d signing keys after three first starts, want 1", keys.Len())
		}
	})
}

// TestOnlineCheck checks the product's online check, GET /api/v1/me/licenses,
// which reads the token and the licenses in one statement: it answers as the
// session cookie's path, which reads them apart, does, for every status.
func TestOnlineCheck(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		e := apptest.Start(t, db)
		owner := e.User(t, "Olivia Owner")
		ann := e.User(t, "Ann Holder")
		nobody := e.User(t, "Nora Nobody")
		org := e.Org(t, owner, "Acme")
		team := createTeam(t, e, owner, org, "Backend")
		orgLic := held(t, e, org, ann)
		e.Hold(t, org, store.LicenseHolding{ID: orgLic, TeamID: &team, AssigneeUserID: &ann.ID})
		endedSub, endedLics := e.Subscription(t, org, 1)
		e.Hold(t, org, store.LicenseHolding{ID: endedLics[0], AssigneeUserID: &ann.ID})
		e.EndSubscription(t, endedSub)
		_, personal := personalLicense(t, e, ann, e.App.Clock.Now().Add(time.Hour))

		var byToken, bySession struct{ Data []sk.HeldLicense }
		apptest.Must(t, e.Get(t, "/api/v1/me/licenses", ann.Token), http.StatusOK).Decode(t,
			&byToken)
		cookie := startSession(t, e, ann.Email, "fixture passphrase")
		apptest.Must(t, withCookie(t, e, cookie, http.MethodGet, "/api/v1/me/licenses", nil),
			http.StatusOK).Decode(t, &bySession)
		if !reflect.DeepEqual(byToken.Data, bySession.Data) || len(byToken.Data) == 0 {
			t.Errorf("by token %+v\nby session %+v", byToken.Data, bySession.Data)
		}

		got := map[string]sk.HeldLicense{}
		for _, l := range byToken.Data {
			got[l.ID] = l
		}
		o, ended, p := got[orgLic], got[endedLics[0]], got[personal]
		if len(got) != 3 || !o.Valid || o.Status != sk.LicenseAssigned || o.Team == nil ||
			o.Team.Name != "Backend" || o.Organization == nil || o.MaxActivations != 1 {
			t.Errorf("organization license %+v (of %d)", o, len(got))
		}
		if ended.Valid || ended.Status != sk.LicenseExpired {
			t.Errorf("license of an ended subscription %+v", ended)
		}
		if !p.Valid || p.Organization != nil || p.Plan.ID != "solo" || p.MaxActivations != 2 {
			t.Errorf("personal license %+v", p)
		}

		// An hour on, the personal license's period is over: not valid.
		advance(t, e, "61m")
		apptest.Must(t, e.Get(t, "/api/v1/me/licenses", ann.Token), http.StatusOK).Decode(t,
			&byToken)
		for _, l := range byToken.Data {
			if l.ID == personal && l.Valid {
				t.Errorf("personal license valid after its period: %+v", l)
			}
		}

		// Holding nothing is an empty list, not null; a bad token is a 401.
		r := apptest.Must(t, e.Get(t, "/api/v1/me/licenses", nobody.Token), http.StatusOK)
		if string(r.Body) != "{\"data\":[],\"next_cursor\":null}\n" {
			t.Errorf("nothing held: %s", r.Body)
		}
		if r := e.Get(t, "/api/v1/me/licenses", "skt_UNKNOWN"); r.Status != 401 {
			t.Errorf("unknown token: %d", r.Status)
		}
	})
}
