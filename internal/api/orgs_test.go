package api_test

import (
	"encoding/json"
	"net/http"
	"sync"
	"testing"

	sk "github.com/seatkeeper/seatkeeper"
	"github.com/seatkeeper/seatkeeper/internal/app/apptest"
	"github.com/seatkeeper/seatkeeper/internal/store"
	"github.com/seatkeeper/seatkeeper/internal/store/storetest"
)

func TestOrganizationAndTeams(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		e := apptest.Start(t, db)
		owner := e.User(t, "Olivia Owner")
		org := e.Org(t, owner, "Acme")
		base := "/api/v1/orgs/" + org

		var got struct {
			ID, Name string
			MyRoles  []struct {
				Role   string
				TeamID *string `json:"team_id"`
			} `json:"my_roles"`
		}
		apptest.Must(t, e.Get(t, base, owner.Token), http.StatusOK).Decode(t, &got)
		if got.Name != "Acme" || len(got.MyRoles) != 1 || got.MyRoles[0].Role != "owner" ||
			got.MyRoles[0].TeamID != nil {
			t.Errorf("organization = %+v", got)
		}

		wantField(t, e.Patch(t, base, owner.Token, map[string]string{"name": "  "}),
			http.StatusBadRequest, "name")
		apptest.Must(t, e.Patch(t, base, owner.Token, map[string]string{"name": "Acme Ltd"}),
			http.StatusOK)
		me := apptest.Must(t, e.Get(t, "/api/v1/me", owner.Token), http.StatusOK).JSON(t)
		orgs := me["organizations"].([]any)
		if len(orgs) != 1 || orgs[0].(map[string]any)["name"] != "Acme Ltd" {
			t.Errorf("me.organizations = %v", orgs)
		}

		// Teams: names unique per organization, ignoring case.
		backend := createTeam(t, e, owner, org, "Backend")
		createTeam(t, e, owner, org, "Design")
		wantField(t, e.Post(t, base+"/teams", owner.Token, map[string]string{"name": "BACKEND"}),
			http.StatusBadRequest, "name")
		wantField(t, e.Patch(t, base+"/teams/"+backend, owner.Token,
			map[string]string{"name": "design"}), http.StatusBadRequest, "name")
		apptest.Must(t, e.Patch(t, base+"/teams/"+backend, owner.Token,
			map[string]string{"name": "Platform"}), http.StatusOK)

		var teams struct {
			Data []struct {
				ID, Name     string
				LicenseCount int `json:"license_count"`
			}
		}
		apptest.Must(t, e.Get(t, base+"/teams", owner.Token), http.StatusOK).Decode(t, &teams)
		if len(teams.Data) != 2 || teams.Data[0].Name != "Design" || teams.Data[1].Name != "Platform" {
			t.Errorf("teams = %+v, want Design and Platform by name", teams.Data)
		}
		page := apptest.Must(t, e.Get(t, base+"/teams?limit=1", owner.Token), http.StatusOK).JSON(t)
		cursor, _ := page["next_cursor"].(string)
		apptest.Must(t, e.Get(t, base+"/teams?limit=1&cursor="+cursor, owner.Token),
			http.StatusOK).Decode(t, &teams)
		if len(teams.Data) != 1 || teams.Data[0].Name != "Platform" {
			t.Errorf("second page = %+v", teams.Data)
		}
	})
}

// TestRemovingATeamKeepsItsLicenses delegates licenses, some assigned, to a
// team with roles, removes the team, and checks that the licenses and their
// assignees are back with the organization and the roles are gone.
func TestRemovingATeamKeepsItsLicenses(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		e := apptest.Start(t, db)
		owner := e.User(t, "Olivia Owner")
		lead := e.User(t, "Tess Lead")
		org := e.Org(t, owner, "Acme")
		team := createTeam(t, e, owner, org, "Backend")
		join(t, e, owner, org, &team, lead, sk.RoleManager)

		lics := e.Licenses(t, org, 4)
		e.Hold(t, org,
			store.LicenseHolding{ID: lics[0], TeamID: &team, AssigneeUserID: &lead.ID},
			store.LicenseHolding{ID: lics[1], TeamID: &team, AssigneeUserID: &owner.ID},
			store.LicenseHolding{ID: lics[2], TeamID: &team},
		)
		var before struct {
			LicenseCount int `json:"license_count"`
		}
		apptest.Must(t, e.Get(t, "/api/v1/orgs/"+org+"/teams/"+team, owner.Token),
			http.StatusOK).Decode(t, &before)
		if before.LicenseCount != 3 {
			t.Errorf("license_count = %d, want 3", before.LicenseCount)
		}

		// The team's own Manager may not remove it; an organization Manager may.
		r := e.Delete(t, "/api/v1/orgs/"+org+"/teams/"+team, lead.Token)
		if r.Status != http.StatusForbidden {
			t.Errorf("team manager removing the team: %d", r.Status)
		}
		apptest.Must(t, e.Delete(t, "/api/v1/orgs/"+org+"/teams/"+team, owner.Token),
			http.StatusNoContent)

		holders := map[string]string{}
		for _, h := range e.Holdings(t, org) {
			if h.TeamID != nil {
				t.Errorf("license %s still delegated to %s", h.ID, *h.TeamID)
			}
			if h.AssigneeUserID != nil {
				holders[h.ID] = *h.AssigneeUserID
			}
		}
		if holders[lics[0]] != lead.ID || holders[lics[1]] != owner.ID || len(holders) != 2 {
			t.Errorf("assignees after removal = %v", holders)
		}
		if r := e.Get(t, "/api/v1/me", lead.Token); len(r.JSON(t)["organizations"].([]any)) != 0 {
			t.Errorf("the team's roles outlived it: %s", r.Body)
		}
		if r := e.Get(t, "/api/v1/orgs/"+org+"/teams/"+team, owner.Token); r.Status != 404 {
			t.Errorf("removed team: %d", r.Status)
		}

		events := auditLog(t, e, owner, org)
		removed := events["team.removed"]
		if removed == nil || removed.TargetID != team || removed.ClientIP != "127.0.0.1" {
			t.Fatalf("team.removed event = %+v", removed)
		}
		var after struct {
			Moved int `json:"licenses_returned_to_organization"`
		}
		json.Unmarshal(removed.After, &after)
		if after.Moved != 3 {
			t.Errorf("audit says %d licenses returned, want 3", after.Moved)
		}
	})
}

// auditLog reads an organization's whole audit log, by action (the newest
// event of each).
func auditLog(t *testing.T, e *apptest.Env, by *apptest.User, org string) map[string]*sk.AuditEvent {
	t.Helper()
	events := map[string]*sk.AuditEvent{}
	path := "/api/v1/orgs/" + org + "/audit-log?limit=2"
	for path != "" {
		var page struct {
			Data       []sk.AuditEvent
			NextCursor *string `json:"next_cursor"`
		}
		apptest.Must(t, e.Get(t, path, by.Token), http.StatusOK).Decode(t, &page)
		for i := range page.Data {
			if events[page.Data[i].Action] == nil {
				events[page.Data[i].Action] = &page.Data[i]
			}
		}
		path = ""
		if page.NextCursor != nil {
			path = "/api/v1/orgs/" + org + "/audit-log?limit=2&cursor=" + *page.NextCursor
		}
	}
	return events
}

func TestAuditLogRecordsEveryChange(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		e := apptest.Start(t, db)
		owner := e.User(t, "Olivia Owner")
		member := e.User(t, "Max Member")
		org := e.Org(t, owner, "Acme")
		base := "/api/v1/orgs/" + org

		apptest.Must(t, e.Patch(t, base, owner.Token, map[string]string{"name": "Acme Ltd"}), 200)
		team := createTeam(t, e, owner, org, "Backend")
		apptest.Must(t, e.Patch(t, base+"/teams/"+team, owner.Token,
			map[string]string{"name": "Platform"}), 200)
		join(t, e, owner, org, nil, member, sk.RoleViewer)
		apptest.Must(t, e.Put(t, base+"/roles/"+member.ID, owner.Token,
			map[string]string{"role": "manager"}), 200)
		apptest.Must(t, e.Put(t, base+"/teams/"+team+"/roles/"+member.ID, owner.Token,
			map[string]string{"role": "viewer"}), 200)
		apptest.Must(t, e.Delete(t, base+"/teams/"+team+"/roles/"+member.ID, owner.Token), 204)
		var inv struct{ ID string }
		apptest.Must(t, e.Post(t, base+"/invitations", owner.Token, map[string]any{
			"email": "new@example.com", "role": "viewer"}), 201).Decode(t, &inv)
		apptest.Must(t, e.Post(t, base+"/invitations/"+inv.ID+"/resend", owner.Token, nil), 200)
		apptest.Must(t, e.Delete(t, base+"/invitations/"+inv.ID, owner.Token), 204)
		apptest.Must(t, e.Delete(t, base+"/roles/me", member.Token), 204)
		apptest.Must(t, e.Delete(t, base+"/teams/"+team, owner.Token), 204)

		events := auditLog(t, e, owner, org)
		for _, action := range []string{"organization.created", "organization.renamed",
			"team.created", "team.renamed", "team.removed", "role.granted", "role.changed",
			"role.removed", "role.abandoned", "invitation.created", "invitation.resent",
			"invitation.revoked", "invitation.accepted"} {
			if events[action] == nil {
				t.Errorf("no %s event", action)
			}
		}

		changed := events["role.changed"]
		if changed == nil {
			t.FailNow()
		}
		var before, after struct{ Role string }
		json.Unmarshal(changed.Before, &before)
		json.Unmarshal(changed.After, &after)
		if before.Role != "viewer" || after.Role != "manager" || changed.TargetID != member.ID ||
			changed.Actor == nil || changed.Actor.ID != owner.ID {
			t.Errorf("role.changed = %+v (before %s, after %s)", changed, before.Role, after.Role)
		}
		if events["role.abandoned"].Actor.ID != member.ID {
			t.Errorf("role.abandoned actor = %+v", events["role.abandoned"].Actor)
		}
	})
}

// TestLastOwner checks that the organization keeps an Owner: alone, an Owner
// can neither leave nor step down, and when two Owners race to demote,
// remove or abandon at the same moment, exactly one request wins and the
// other is refused, on both stores.
func TestLastOwner(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		e := apptest.Start(t, db)
		ada := e.User(t, "Ada Owner")
		bob := e.User(t, "Bob Owner")
		org := e.Org(t, ada, "Acme")
		base := "/api/v1/orgs/" + org

		// Alone, an Owner can neither leave nor step down.
		for _, r := range []*apptest.Response{
			e.Delete(t, base+"/roles/me", ada.Token),
			e.Put(t, base+"/roles/"+ada.ID, ada.Token, map[string]string{"role": "manager"}),
			e.Delete(t, base+"/roles/"+ada.ID, ada.Token),
		} {
			if r.Status != http.StatusConflict {
				t.Errorf("removing the last Owner: %d %s", r.Status, r.Body)
			}
		}
		join(t, e, ada, org, nil, bob, sk.RoleOwner)

		// The loser of each race acts after the winner, in effect: demoted to
		// Manager, they may not touch an Owner (403); removed, they no longer
		// see the organization (404); the last to abandon is the last Owner
		// (409).
		tests := []struct {
			name string
			send func(by, other *apptest.User) *apptest.Response
			lost int
		}{
			{"demote each other", func(by, other *apptest.User) *apptest.Response {
				return e.Put(t, base+"/roles/"+other.ID, by.Token,
					map[string]string{"role": "manager"})
			}, http.StatusForbidden},
			{"remove each other", func(by, other *apptest.User) *apptest.Response {
				return e.Delete(t, base+"/roles/"+other.ID, by.Token)
			}, http.StatusNotFound},
			{"both abandon", func(by, _ *apptest.User) *apptest.Response {
				return e.Delete(t, base+"/roles/me", by.Token)
			}, http.StatusConflict},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				for round := range 5 {
					statuses := make([]int, 2)
					var wg sync.WaitGroup
					start := make(chan struct{})
					for i, pair := range [][2]*apptest.User{{ada, bob}, {bob, ada}} {
						wg.Go(func() {
							<-start
							statuses[i] = tt.send(pair[0], pair[1]).Status
						})
					}
					close(start)
					wg.Wait()

					won := http.StatusOK
					if statuses[0] == http.StatusNoContent || statuses[1] == http.StatusNoContent {
						won = http.StatusNoContent
					}
					if !sameStatuses(statuses, won, tt.lost) {
						t.Fatalf("round %d: statuses %v, want one %d and one %d",
							round, statuses, won, tt.lost)
					}
					if n := owners(t, e, ada, bob, org); n != 1 {
						t.Fatalf("round %d: %d Owners left", round, n)
					}
					restoreOwners(t, e, ada, bob, org)
				}
			})
		}
	})
}

// sameStatuses reports whether the two statuses are a and b, in any order.
func sameStatuses(got []int, a, b int) bool {
	return (got[0] == a && got[1] == b) || (got[0] == b && got[1] == a)
}

// owners counts the Owners among the two users, asking as each of them.
func owners(t *testing.T, e *apptest.Env, a, b *apptest.User, org string) int {
	t.Helper()
	n := 0
	for _, u := range []*apptest.User{a, b} {
		if isOwner(t, e, u, org) {
			n++
		}
	}
	return n
}

// isOwner reports whether the user is an Owner of the organization, asking
// as them.
func isOwner(t *testing.T, e *apptest.Env, u *apptest.User, org string) bool {
	t.Helper()
	r := e.Get(t, "/api/v1/orgs/"+org, u.Token)
	if r.Status != http.StatusOK {
		return false
	}
	var o sk.Organization
	r.Decode(t, &o)
	for _, ref := range o.MyRoles {
		if ref.TeamID == nil && ref.Role == sk.RoleOwner {
			return true
		}
	}
	return false
}

// restoreOwners makes both users Owners again, after a race left one: the
// other is made Owner again if still a member, else invited back.
func restoreOwners(t *testing.T, e *apptest.Env, a, b *apptest.User, org string) {
	t.Helper()
	for _, pair := range [][2]*apptest.User{{a, b}, {b, a}} {
		owner, other := pair[0], pair[1]
		if !isOwner(t, e, owner, org) {
			continue
		}
		if e.Get(t, "/api/v1/orgs/"+org, other.Token).Status == http.StatusNotFound {
			join(t, e, owner, org, nil, other, sk.RoleOwner)
			return
		}
		apptest.Must(t, e.Put(t, "/api/v1/orgs/"+org+"/roles/"+other.ID, owner.Token,
			map[string]string{"role": "owner"}), http.StatusOK)
		return
	}
	t.Fatal("neither user is an Owner")
}
