package api_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	sk "github.com/seatkeeper/seatkeeper"
	"github.com/seatkeeper/seatkeeper/internal/app/apptest"
	"github.com/seatkeeper/seatkeeper/internal/store"
	"github.com/seatkeeper/seatkeeper/internal/store/storetest"
)

type licensePage struct {
	Data       []sk.License
	NextCursor *string           `json:"next_cursor"`
	Counts     *sk.LicenseCounts `json:"counts"`
}

func listLicenses(t *testing.T, e *apptest.Env, by *apptest.User, org, query string) licensePage {
	t.Helper()
	var p licensePage
	apptest.Must(t, e.Get(t, "/api/v1/orgs/"+org+"/licenses?"+query, by.Token),
		http.StatusOK).Decode(t, &p)
	return p
}

func assign(t *testing.T, e *apptest.Env, by *apptest.User, org, lic, email string,
	replace bool) *apptest.Response {
	t.Helper()
	return e.Put(t, "/api/v1/orgs/"+org+"/licenses/"+lic+"/assignee", by.Token,
		map[string]any{"email": email, "replace": replace})
}

func ids(list []sk.License) []string {
	var out []string
	for _, l := range list {
		out = append(out, l.ID)
	}
	return out
}

func TestAssignAndClaim(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		e := apptest.Start(t, db)
		owner := e.User(t, "Olivia Owner")
		ann := e.User(t, "Ann Holder")
		org := e.Org(t, owner, "Acme")
		lics := e.Licenses(t, org, 3)

		// A verified user gets the license at once, and a mail.
		var got sk.License
		apptest.Must(t, assign(t, e, owner, org, lics[0], "ANN.holder@example.com", false),
			http.StatusOK).Decode(t, &got)
		if got.Status != sk.LicenseAssigned || got.AssigneeID == nil || *got.AssigneeID != ann.ID {
			t.Fatalf("assigned license = %+v", got)
		}
		if m := e.MailTo(t, ann.Email); !strings.Contains(m.Text, "Acme") {
			t.Errorf("assignment mail: %s", m.Text)
		}
		// Again: nothing changes.
		apptest.Must(t, assign(t, e, owner, org, lics[0], ann.Email, false), http.StatusOK)

		// One license of a subscription per person.
		r := assign(t, e, owner, org, lics[1], ann.Email, false)
		if r.Status != http.StatusConflict {
			t.Errorf("second license of one subscription: %d %s", r.Status, r.Body)
		}

		// Held by someone else: a conflict unless replacing is asked for. The
		// message suits the dashboard as well as the API: no field names.
		r = assign(t, e, owner, org, lics[0], "bob@example.com", false)
		want := "The license is held by " + ann.Email +
			"; replace the holder or choose a free license."
		if r.Status != http.StatusConflict || r.JSON(t)["detail"] != want {
			t.Errorf("assigning a held license: %d %s, want 409 saying %q", r.Status, r.Body, want)
		}

		// An address without an account: pending, then claimed at verification.
		apptest.Must(t, assign(t, e, owner, org, lics[1], "carol@example.com", false),
			http.StatusOK).Decode(t, &got)
		if got.Status != sk.LicensePending || *got.AssigneeEmail != "carol@example.com" {
			t.Errorf("pending license = %+v", got)
		}
		e.MailTo(t, "carol@example.com") // told to sign up
		carol := e.SignUp(t, "carol@example.com", "Carol", password)
		var mine struct{ Data []sk.HeldLicense }
		apptest.Must(t, e.Get(t, "/api/v1/me/licenses", carol), http.StatusOK).Decode(t, &mine)
		if len(mine.Data) != 1 || mine.Data[0].ID != lics[1] || !mine.Data[0].Valid ||
			mine.Data[0].Organization == nil || mine.Data[0].Organization.Name != "Acme" ||
			mine.Data[0].Plan.Name != "Fixture" || mine.Data[0].ValidUntil.IsZero() {
			t.Errorf("carol's licenses = %+v", mine.Data)
		}
		// Holding a license shows no organization.
		if orgs := apptest.Must(t, e.Get(t, "/api/v1/me", carol), 200).JSON(t)["organizations"]; len(orgs.([]any)) != 0 {
			t.Errorf("a license holder sees organizations: %v", orgs)
		}

		// Replace, then unassign.
		apptest.Must(t, assign(t, e, owner, org, lics[0], "dave@example.com", true), http.StatusOK)
		apptest.Must(t, e.Delete(t, "/api/v1/orgs/"+org+"/licenses/"+lics[0]+"/assignee",
			owner.Token), http.StatusNoContent)
		apptest.Must(t, e.Get(t, "/api/v1/me/licenses", ann.Token), 200).Decode(t, &mine)
		if len(mine.Data) != 0 {
			t.Errorf("ann still holds %+v", mine.Data)
		}

		// Bad input.
		wantField(t, assign(t, e, owner, org, lics[2], "not-an-address", false),
			http.StatusBadRequest, "email")
		if r := assign(t, e, owner, org, "lic_nope", "x@example.com", false); r.Status != 404 {
			t.Errorf("unknown license: %d", r.Status)
		}

		events := auditLog(t, e, owner, org)
		for _, action := range []string{"license.assigned", "license.unassigned", "license.claimed"} {
			if events[action] == nil || events[action].TargetType != "license" {
				t.Errorf("no %s event", action)
			}
		}
	})
}

func TestLicenseListAndFilters(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		e := apptest.Start(t, db)
		owner := e.User(t, "Olivia Owner")
		zoe := e.User(t, "Zoe Quinn")
		org := e.Org(t, owner, "Acme")
		team := createTeam(t, e, owner, org, "Backend")
		sub, lics := e.Subscription(t, org, 5)
		old, expired := e.Subscription(t, org, 1)
		e.Hold(t, org, store.LicenseHolding{ID: lics[0], TeamID: &team, AssigneeUserID: &zoe.ID},
			store.LicenseHolding{ID: lics[1], TeamID: &team})
		apptest.Must(t, assign(t, e, owner, org, lics[2], "pending@example.com", false), 200)
		e.EndSubscription(t, old)

		all := listLicenses(t, e, owner, org, "")
		if len(all.Data) != 6 || !slices.IsSorted(ids(all.Data)) {
			t.Fatalf("all licenses = %v", ids(all.Data))
		}
		if c := all.Counts; c == nil || c.Total != 6 || c.Assigned != 2 || c.Free != 4 {
			t.Errorf("organization counts = %+v", all.Counts)
		}
		if all.Data[0].SubscriptionID != sub && all.Data[0].SubscriptionID != old {
			t.Errorf("subscription_id = %q", all.Data[0].SubscriptionID)
		}

		tests := []struct {
			query string
			want  []string
		}{
			{"team=" + team, []string{lics[0], lics[1]}},
			{"team=organization", []string{lics[2], lics[3], lics[4], expired[0]}},
			{"status=assigned", []string{lics[0]}},
			{"status=pending", []string{lics[2]}},
			{"status=unassigned", []string{lics[1], lics[3], lics[4]}},
			{"status=expired", []string{expired[0]}},
			{"q=quinn", []string{lics[0]}},
			{"q=PENDING@", []string{lics[2]}},
			{"q=" + url.QueryEscape("%"), nil},
			{"team=organization&status=unassigned", []string{lics[3], lics[4]}},
		}
		for _, tt := range tests {
			got := ids(listLicenses(t, e, owner, org, tt.query).Data)
			want := slices.Clone(tt.want)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("%s: got %v, want %v", tt.query, got, want)
			}
		}

		// The team's sub-page lists the same, with the team's counts.
		var teamPage licensePage
		apptest.Must(t, e.Get(t, "/api/v1/orgs/"+org+"/teams/"+team+"/licenses", owner.Token),
			http.StatusOK).Decode(t, &teamPage)
		if len(teamPage.Data) != 2 || teamPage.Counts.Total != 2 || teamPage.Counts.Assigned != 1 {
			t.Errorf("team page = %v %+v", ids(teamPage.Data), teamPage.Counts)
		}

		// Pagination walks every license once, in order; counts come first.
		var walked []string
		query := "limit=4"
		for {
			p := listLicenses(t, e, owner, org, query)
			if (p.Counts != nil) != (len(walked) == 0) {
				t.Errorf("counts on page after %d: %v", len(walked), p.Counts)
			}
			walked = append(walked, ids(p.Data)...)
			if p.NextCursor == nil {
				break
			}
			query = "limit=4&cursor=" + *p.NextCursor
		}
		if !slices.Equal(walked, ids(all.Data)) {
			t.Errorf("paged %v, want %v", walked, ids(all.Data))
		}

		wantField(t, e.Get(t, "/api/v1/orgs/"+org+"/licenses?status=lost", owner.Token),
			http.StatusBadRequest, "status")
		if r := e.Get(t, "/api/v1/orgs/"+org+"/licenses?team=team_nope", owner.Token); r.Status != 404 {
			t.Errorf("unknown team filter: %d", r.Status)
		}
	})
}

func TestChangeTeam(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		e := apptest.Start(t, db)
		owner := e.User(t, "Olivia Owner")
		lead := e.User(t, "Tess Lead")
		org := e.Org(t, owner, "Acme")
		other := e.Org(t, owner, "Elsewhere")
		backend := createTeam(t, e, owner, org, "Backend")
		design := createTeam(t, e, owner, org, "Design")
		join(t, e, owner, org, &backend, lead, sk.RoleManager)
		join(t, e, owner, org, &design, lead, sk.RoleManager)
		lics := e.Licenses(t, org, 4)
		foreign := e.Licenses(t, other, 1)
		e.Hold(t, org, store.LicenseHolding{ID: lics[0], AssigneeUserID: &lead.ID})

		move := func(by *apptest.User, licenses []string, team *string) *apptest.Response {
			return e.Post(t, "/api/v1/orgs/"+org+"/licenses/change-team", by.Token,
				map[string]any{"license_ids": licenses, "team_id": team})
		}
		teamsOf := func() map[string]string {
			out := map[string]string{}
			for _, h := range e.Holdings(t, org) {
				if h.TeamID != nil {
					out[h.ID] = *h.TeamID
				}
			}
			return out
		}

		// Organization to team: needs Manager at the organization. The team's
		// Manager may not even see the organization's own licenses.
		if r := move(lead, lics[:3], &backend); r.Status != http.StatusNotFound {
			t.Errorf("team manager moving organization licenses: %d %s", r.Status, r.Body)
		}
		apptest.Must(t, move(owner, lics[:3], &backend), http.StatusOK)
		if got := teamsOf(); len(got) != 3 || got[lics[0]] != backend {
			t.Fatalf("after the move: %v", got)
		}
		// The assignee stays.
		for _, h := range e.Holdings(t, org) {
			if h.ID == lics[0] && (h.AssigneeUserID == nil || *h.AssigneeUserID != lead.ID) {
				t.Errorf("assignee lost: %+v", h)
			}
		}
		// A team Manager who sees the licenses but not the organization scope
		// they would return to is forbidden.
		if r := move(lead, lics[1:2], nil); r.Status != http.StatusForbidden {
			t.Errorf("team manager returning licenses to the organization: %d %s", r.Status, r.Body)
		}

		// Team to team, by a Manager of both.
		apptest.Must(t, move(lead, lics[1:2], &design), http.StatusOK)

		// "" is neither a team nor the organization (null is): nothing moves.
		empty := ""
		wantField(t, move(owner, lics[:1], &empty), http.StatusBadRequest, "team_id")
		if got := teamsOf(); got[lics[0]] != backend {
			t.Errorf("a refused change moved something: %v", got)
		}

		// One foreign or unknown license: nothing moves.
		for _, bad := range [][]string{{lics[0], foreign[0]}, {lics[0], "lic_0000000000000000000000000000zzzz"}} {
			r := move(owner, bad, nil)
			if r.Status != http.StatusNotFound {
				t.Errorf("moving %v: %d %s", bad, r.Status, r.Body)
			}
		}
		if got := teamsOf(); got[lics[0]] != backend {
			t.Errorf("a refused change moved something: %v", got)
		}

		// Back to the organization.
		apptest.Must(t, move(owner, lics, nil), http.StatusOK)
		if got := teamsOf(); len(got) != 0 {
			t.Errorf("after returning all: %v", got)
		}

		wantField(t, move(owner, nil, nil), http.StatusBadRequest, "license_ids")
		wantField(t, move(owner, []string{"team_x"}, nil), http.StatusBadRequest, "license_ids")
		wantFields(t, move(owner, nil, &empty), "license_ids", "team_id")
		if events := auditLog(t, e, owner, org); events["licenses.team_changed"] == nil {
			t.Error("no licenses.team_changed event")
		}
	})
}
