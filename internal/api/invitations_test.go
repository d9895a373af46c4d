package api_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	sk "github.com/seatkeeper/seatkeeper"
	"github.com/seatkeeper/seatkeeper/internal/app/apptest"
	"github.com/seatkeeper/seatkeeper/internal/store"
	"github.com/seatkeeper/seatkeeper/internal/store/storetest"
)

// invite sends an invitation and returns its ID and the token of the link
// in the mail it sent.
func invite(t *testing.T, e *apptest.Env, by *apptest.User, org string, team *string,
	email string, role sk.Role) (id, token string) {
	t.Helper()
	var inv struct{ ID, Status string }
	apptest.Must(t, e.Post(t, "/api/v1/orgs/"+org+"/invitations", by.Token, map[string]any{
		"email": email, "role": role, "team_id": team,
	}), http.StatusCreated).Decode(t, &inv)
	if inv.Status != "pending" {
		t.Errorf("new invitation status %q", inv.Status)
	}
	_, token = e.LinkToken(t, e.MailTo(t, email))
	return inv.ID, token
}

func accept(t *testing.T, e *apptest.Env, who *apptest.User, token string) *apptest.Response {
	t.Helper()
	return e.Post(t, "/api/v1/invitations/accept", who.Token, tok(token))
}

func invitationStatus(t *testing.T, e *apptest.Env, by *apptest.User, org, id string) string {
	t.Helper()
	var list struct {
		Data []struct{ ID, Status string }
	}
	apptest.Must(t, e.Get(t, "/api/v1/orgs/"+org+"/invitations", by.Token), 200).Decode(t, &list)
	for _, inv := range list.Data {
		if inv.ID == id {
			return inv.Status
		}
	}
	t.Fatalf("invitation %s not listed", id)
	return ""
}

func TestInvitations(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		e := apptest.Start(t, db)
		owner := e.User(t, "Olivia Owner")
		ann := e.User(t, "Ann")
		eve := e.User(t, "Eve")
		org := e.Org(t, owner, "Acme")
		team := createTeam(t, e, owner, org, "Backend")

		// The mail names the organization, the role and the team.
		apptest.Must(t, e.Post(t, "/api/v1/orgs/"+org+"/invitations", owner.Token,
			map[string]any{"email": "Ann@Example.com", "role": "manager", "team_id": team}),
			http.StatusCreated)
		m := e.MailTo(t, ann.Email)
		for _, want := range []string{"Acme", "Manager", "Backend", "Olivia Owner"} {
			if !strings.Contains(m.Text, want) {
				t.Errorf("invitation mail lacks %q: %s", want, m.Text)
			}
		}
		_, token := e.LinkToken(t, m)

		// Someone else cannot accept it.
		if r := accept(t, e, eve, token); r.Status != http.StatusForbidden {
			t.Errorf("wrong user: %d %s", r.Status, r.Body)
		}
		// Its addressee can, once (emails compare without regard to case).
		apptest.Must(t, accept(t, e, ann, token), http.StatusOK)
		wantField(t, accept(t, e, ann, token), http.StatusBadRequest, "token")

		// Inviting someone who holds a role at the scope is a conflict.
		r := e.Post(t, "/api/v1/orgs/"+org+"/invitations", owner.Token,
			map[string]any{"email": ann.Email, "role": "viewer", "team_id": team})
		if r.Status != http.StatusConflict || !strings.Contains(r.JSON(t)["detail"].(string), "already") {
			t.Errorf("inviting a holder: %d %s", r.Status, r.Body)
		}
		// So is a second pending invitation for one address and scope.
		invite(t, e, owner, org, nil, "dup@example.com", sk.RoleViewer)
		r = e.Post(t, "/api/v1/orgs/"+org+"/invitations", owner.Token,
			map[string]any{"email": "dup@example.com", "role": "viewer"})
		if r.Status != http.StatusConflict {
			t.Errorf("second invitation: %d %s", r.Status, r.Body)
		}

		// Revoked.
		id, token := invite(t, e, owner, org, nil, eve.Email, sk.RoleViewer)
		apptest.Must(t, e.Delete(t, "/api/v1/orgs/"+org+"/invitations/"+id, owner.Token), 204)
		wantField(t, accept(t, e, eve, token), http.StatusBadRequest, "token")
		if s := invitationStatus(t, e, owner, org, id); s != "revoked" {
			t.Errorf("status %q, want revoked", s)
		}

		// Resent: the old link stops working, the new one works.
		id, old := invite(t, e, owner, org, nil, eve.Email, sk.RoleAssigner)
		apptest.Must(t, e.Post(t, "/api/v1/orgs/"+org+"/invitations/"+id+"/resend",
			owner.Token, nil), http.StatusOK)
		_, fresh := e.LinkToken(t, e.MailTo(t, eve.Email))
		wantField(t, accept(t, e, eve, old), http.StatusBadRequest, "token")
		apptest.Must(t, accept(t, e, eve, fresh), http.StatusOK)
		if s := invitationStatus(t, e, owner, org, id); s != "accepted" {
			t.Errorf("status %q, want accepted", s)
		}

		// Expired after seven days; resending revives it.
		id, token = invite(t, e, owner, org, &team, eve.Email, sk.RoleViewer)
		advance(t, e, "169h")
		if s := invitationStatus(t, e, owner, org, id); s != "expired" {
			t.Errorf("status %q, want expired", s)
		}
		wantField(t, accept(t, e, eve, token), http.StatusBadRequest, "token")
		apptest.Must(t, e.Post(t, "/api/v1/orgs/"+org+"/invitations/"+id+"/resend",
			owner.Token, nil), http.StatusOK)
		_, token = e.LinkToken(t, e.MailTo(t, eve.Email))
		apptest.Must(t, accept(t, e, eve, token), http.StatusOK)
		if r := e.Get(t, "/api/v1/orgs/"+org+"/teams/"+team, eve.Token); r.Status != 200 {
			t.Errorf("reading the team joined: %d", r.Status)
		}
	})
}

// TestInviterRightsCheckedAtAcceptance has a Manager invite someone, lose
// the role, and the invitation stop being acceptable.
func TestInviterRightsCheckedAtAcceptance(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		e := apptest.Start(t, db)
		owner := e.User(t, "Olivia Owner")
		manager := e.User(t, "Mia Manager")
		guest := e.User(t, "Gus Guest")
		org := e.Org(t, owner, "Acme")
		join(t, e, owner, org, nil, manager, sk.RoleManager)

		// A Manager cannot invite an Owner, nor above their level.
		r := e.Post(t, "/api/v1/orgs/"+org+"/invitations", manager.Token,
			map[string]any{"email": guest.Email, "role": "owner"})
		if r.Status != http.StatusForbidden {
			t.Errorf("manager inviting an owner: %d %s", r.Status, r.Body)
		}
		// A team has no Owner.
		team := createTeam(t, e, owner, org, "Backend")
		wantField(t, e.Post(t, "/api/v1/orgs/"+org+"/invitations", owner.Token,
			map[string]any{"email": guest.Email, "role": "owner", "team_id": team}),
			http.StatusBadRequest, "role")

		_, token := invite(t, e, manager, org, nil, guest.Email, sk.RoleManager)
		apptest.Must(t, e.Put(t, "/api/v1/orgs/"+org+"/roles/"+manager.ID, owner.Token,
			map[string]string{"role": "viewer"}), http.StatusOK)
		if r := accept(t, e, guest, token); r.Status != http.StatusConflict {
			t.Errorf("accepting after the inviter lost rights: %d %s", r.Status, r.Body)
		}
		if orgs := apptest.Must(t, e.Get(t, "/api/v1/me", guest.Token), 200).JSON(t)["organizations"]; len(orgs.([]any)) != 0 {
			t.Errorf("guest holds a role after a refused acceptance: %v", orgs)
		}
	})
}

func TestInvitationsAreRateLimitedPerOrganization(t *testing.T) {
	t.Parallel()
	e := apptest.Start(t, storetest.Open(t, store.SQLite))
	owner := e.User(t, "Olivia Owner")
	org := e.Org(t, owner, "Acme")
	other := e.Org(t, owner, "Other")

	for i := range 100 {
		apptest.Must(t, e.Post(t, "/api/v1/orgs/"+org+"/invitations", owner.Token, map[string]any{
			"email": "p" + strconv.Itoa(i) + "@example.com", "role": "viewer"}), http.StatusCreated)
	}
	r := e.Post(t, "/api/v1/orgs/"+org+"/invitations", owner.Token,
		map[string]any{"email": "one.more@example.com", "role": "viewer"})
	if r.Status != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" {
		t.Errorf("101st invitation in an hour: %d %s", r.Status, r.Body)
	}
	// The limit is the organization's own.
	apptest.Must(t, e.Post(t, "/api/v1/orgs/"+other+"/invitations", owner.Token,
		map[string]any{"email": "one.more@example.com", "role": "viewer"}), http.StatusCreated)
}

// wantFields checks for an invalid-request problem that names exactly the
// fields, in any order.
func wantFields(t *testing.T, r *apptest.Response, fields ...string) {
	t.Helper()
	if r.Status != http.StatusBadRequest {
		t.Fatalf("status %d, want 400: %s", r.Status, r.Body)
	}
	var p struct {
		Errors []struct{ Field string }
	}
	r.Decode(t, &p)
	var got []string
	for _, f := range p.Errors {
		got = append(got, f.Field)
	}
	slices.Sort(got)
	want := slices.Sorted(slices.Values(fields))
	if !slices.Equal(got, want) {
		t.Errorf("fields %v, want %v: %s", got, want, r.Body)
	}
}

// TestInvitationValidation sends invitations with bad fields: each is named,
// all at once, and none of them is a server error.
func TestInvitationValidation(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		e := apptest.Start(t, db)
		owner := e.User(t, "Olivia Owner")
		org := e.Org(t, owner, "Acme")
		team := createTeam(t, e, owner, org, "Backend")

		tests := []struct {
			name   string
			body   map[string]any
			fields []string
		}{
			{"bad email and role", map[string]any{"email": "nope", "role": "boss"},
				[]string{"email", "role"}},
			{"an empty team", map[string]any{"email": "q@x.com", "role": "viewer",
				"team_id": ""}, []string{"team_id"}},
			{"nothing right", map[string]any{"email": "", "role": "", "team_id": ""},
				[]string{"email", "role", "team_id"}},
			{"no email", map[string]any{"role": "viewer"}, []string{"email"}},
			{"Owner at a team and a bad email", map[string]any{"email": "q@", "role": "owner",
				"team_id": team}, []string{"email", "role"}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				wantFields(t, e.Post(t, "/api/v1/orgs/"+org+"/invitations", owner.Token,
					tt.body), tt.fields...)
			})
		}

		var list struct{ Data []sk.Invitation }
		apptest.Must(t, e.Get(t, "/api/v1/orgs/"+org+"/invitations", owner.Token),
			http.StatusOK).Decode(t, &list)
		if len(list.Data) != 0 {
			t.Errorf("refused invitations were made: %+v", list.Data)
		}
	})
}

// TestResendMakesTheResenderTheInviter has a Manager invite Gus and lose
// the role; the Owner resends. The mail, the invitation and the check at
// acceptance all name the Owner, so Gus can accept.
func TestResendMakesTheResenderTheInviter(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		e := apptest.Start(t, db)
		owner := e.User(t, "Olivia Owner")
		manager := e.User(t, "Mia Manager")
		guest := e.User(t, "Gus Guest")
		org := e.Org(t, owner, "Acme")
		join(t, e, owner, org, nil, manager, sk.RoleManager)

		id, _ := invite(t, e, manager, org, nil, guest.Email, sk.RoleAssigner)
		apptest.Must(t, e.Put(t, "/api/v1/orgs/"+org+"/roles/"+manager.ID, owner.Token,
			map[string]string{"role": "viewer"}), http.StatusOK)

		var inv sk.Invitation
		apptest.Must(t, e.Post(t, "/api/v1/orgs/"+org+"/invitations/"+id+"/resend",
			owner.Token, nil), http.StatusOK).Decode(t, &inv)
		if inv.InvitedBy == nil || inv.InvitedBy.ID != owner.ID {
			t.Errorf("resent invitation invited_by = %+v, want the Owner", inv.InvitedBy)
		}
		m := e.MailTo(t, guest.Email)
		if !strings.Contains(m.Text, owner.Name) || strings.Contains(m.Text, manager.Name) {
			t.Errorf("the resent mail does not name the Owner alone: %s", m.Text)
		}
		_, token := e.LinkToken(t, m)
		apptest.Must(t, accept(t, e, guest, token), http.StatusOK)

		resent := auditLog(t, e, owner, org)["invitation.resent"]
		if resent == nil {
			t.Fatal("no invitation.resent event")
		}
		var before, after struct {
			InvitedBy struct{ ID string } `json:"invited_by"`
		}
		json.Unmarshal(resent.Before, &before)
		json.Unmarshal(resent.After, &after)
		if before.InvitedBy.ID != manager.ID || after.InvitedBy.ID != owner.ID {
			t.Errorf("invitation.resent inviter %s -> %s, want the Manager -> the Owner",
				before.InvitedBy.ID, after.InvitedBy.ID)
		}
	})
}
