package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	sk "github.com/seatkeeper/seatkeeper"
	"github.com/seatkeeper/seatkeeper/internal/app/apptest"
	"github.com/seatkeeper/seatkeeper/internal/store"
	"github.com/seatkeeper/seatkeeper/internal/store/storetest"
)

// TestInvitationControlsFollowTheRole checks that a Manager is offered
// Resend and Revoke on the invitations they may act on, and not on an
// invitation to Owner, which the service refuses them.
func TestInvitationControlsFollowTheRole(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		env := apptest.Start(t, db)
		v := newVisitor(t, env)
		s := buy(t, env, v, env.User(t, "Olivia Owner"))
		boss, err := env.App.Orgs.Invite(context.Background(), actor(s.owner), sk.Client{},
			s.org, sk.Invite{Email: "boss@example.com", Role: sk.RoleOwner})
		if err != nil {
			t.Fatal(err)
		}

		manager := env.User(t, "Max Manager")
		env.Join(t, s.owner, s.org, nil, manager, sk.RoleManager)
		mv := newVisitor(t, env)
		mv.signIn(manager)
		p := mv.get("/orgs/"+s.org+"/roles").must(t, http.StatusOK).
			has(t, "boss@example.com", "/invitations/"+s.invite+"/resend",
				"/invitations/"+s.invite+"/revoke")
		for _, action := range []string{"/resend", "/revoke"} {
			if strings.Contains(p.body, "/invitations/"+boss.ID+action) {
				t.Errorf("a Manager is offered %s on an invitation to Owner", action)
			}
		}
		if strings.Contains(p.body, "Owner applies to the whole organization") {
			t.Error("a Manager, who may not grant Owner, sees the note about Owner")
		}

		mv.post("/orgs/"+s.org+"/invitations/"+boss.ID+"/resend", nil).
			must(t, http.StatusForbidden)
		v.get("/orgs/"+s.org+"/roles").must(t, http.StatusOK).
			has(t, "/invitations/"+boss.ID+"/resend")
	})
}

// TestRoleFormsShowErrorsAtTheirForm sends a refused role change and
// expects its error beside that member's role, not on the Invite member
// form.
func TestRoleFormsShowErrorsAtTheirForm(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		env := apptest.Start(t, db)
		v := newVisitor(t, env)
		s := buy(t, env, v, env.User(t, "Olivia Owner"))
		member := env.User(t, "Mia Member")
		env.Join(t, s.owner, s.org, nil, member, sk.RoleViewer)

		p := v.post("/orgs/"+s.org+"/roles/"+member.ID, url.Values{"role": {"admin"}}).
			must(t, http.StatusBadRequest)
		grants, invite, ok := strings.Cut(p.body, `id="invite-title"`)
		if !ok {
			t.Fatalf("the Owner sees no Invite member form\n%s", excerpt(p.body))
		}
		if !strings.Contains(grants, `id="role-`+member.ID+`-error"`) ||
			!strings.Contains(grants, `aria-describedby="role-`+member.ID+`-error"`) {
			t.Errorf("the role change's error is not beside the member's role\n%s",
				excerpt(p.body))
		}
		if strings.Contains(invite, "field-error") || strings.Contains(invite, "flash-error") ||
			strings.Contains(invite, `aria-invalid`) {
			t.Errorf("the Invite member form shows the role change's error\n%s", invite)
		}
		if n := strings.Count(p.body, "Owner applies to the whole organization"); n != 2 {
			t.Errorf("the note about Owner appears %d times, want beside the grants "+
				"and the invitation form", n)
		}
	})
}

// TestRefusalsShowAsMessages checks that refused actions land on a page
// with the reason rather than on an error page: abandoning the last Owner
// role, and a change of team with a stale or malformed selection.
func TestRefusalsShowAsMessages(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		env := apptest.Start(t, db)
		v := newVisitor(t, env)
		s := buy(t, env, v, env.User(t, "Olivia Owner"))
		org := "/orgs/" + s.org

		// The only Owner is told why they cannot abandon, and sending the
		// form anyway shows the refusal on the page they came from.
		abandon := `action="` + org + `/abandon"`
		p := v.get(org+"/licenses").must(t, http.StatusOK).has(t, "only Owner")
		if strings.Contains(p.body, abandon) {
			t.Error("the only Owner is offered to abandon their role")
		}
		p = v.post(org+"/abandon", url.Values{"confirm": {"yes"},
			"back": {org + "/roles"}}).must(t, http.StatusSeeOther)
		if p.location != org+"/roles" {
			t.Errorf("a refused abandon went to %q", p.location)
		}
		v.get(p.location).must(t, http.StatusOK).
			has(t, "flash-error", "must keep at least one Owner")

		second := env.User(t, "Sam Second")
		env.Join(t, s.owner, s.org, nil, second, sk.RoleOwner)
		v.get(org+"/licenses").must(t, http.StatusOK).has(t, abandon)

		// A change of team that names a license that is gone, or no license
		// at all, shows the form again with the reason.
		lic := firstLicense(t, env, s)
		gone := sk.NewID(sk.PrefixLicense, time.Now())
		form := url.Values{"license": {lic, gone}, "team_id": {s.team}, "confirm": {"yes"},
			"back": {org + "/licenses"}}
		v.post(org+"/licenses/change-team", form).must(t, http.StatusNotFound).
			has(t, "No such license: "+gone, "Move licenses", `value="`+gone+`"`).
			strict(t, "change-team refused")
		form.Set("license", "not-a-license")
		v.post(org+"/licenses/change-team", form).must(t, http.StatusBadRequest).
			has(t, "Nothing was moved. Selected licenses:", "is not a license ID",
				"Move licenses")
		for _, h := range env.Holdings(t, s.org) {
			if h.TeamID != nil {
				t.Errorf("license %s moved by a refused change", h.ID)
			}
		}
	})
}

// TestFormsOpenOnlyForWhoMaySend opens forms by their address as people
// whose role would have them refused, and expects the answer that sending
// them gets: 403 with the reason, or 404 for what they may not see.
func TestFormsOpenOnlyForWhoMaySend(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		env := apptest.Start(t, db)
		v := newVisitor(t, env)
		s := buy(t, env, v, env.User(t, "Olivia Owner"))
		org := "/orgs/" + s.org
		ops, err := env.App.Orgs.CreateTeam(context.Background(), actor(s.owner), sk.Client{},
			s.org, "Ops")
		if err != nil {
			t.Fatal(err)
		}
		lic := firstLicense(t, env, s)

		viewer := env.User(t, "Vera Viewer")
		env.Join(t, s.owner, s.org, nil, viewer, sk.RoleViewer)
		vv := newVisitor(t, env)
		vv.signIn(viewer)
		vv.get(org+"/rename").must(t, http.StatusForbidden).has(t, "rename the organization")
		vv.get(org+"/teams/"+s.team+"/rename").must(t, http.StatusForbidden).
			has(t, "create, rename or remove teams")
		vv.get(org+"/licenses/"+lic+"/assign").must(t, http.StatusForbidden).
			has(t, "assign the licenses")
		vv.get(org+"/licenses/change-team?license="+lic).must(t, http.StatusForbidden).
			has(t, "Manager role")

		manager := env.User(t, "Max Manager")
		env.Join(t, s.owner, s.org, nil, manager, sk.RoleManager)
		mv := newVisitor(t, env)
		mv.signIn(manager)
		mv.get(org+"/rename").must(t, http.StatusForbidden).has(t, "rename the organization")
		mv.get(org+"/teams/"+s.team+"/rename").must(t, http.StatusOK).has(t, "Team name")

		lead := env.User(t, "Tess Lead")
		env.Join(t, s.owner, s.org, &s.team, lead, sk.RoleManager)
		lv := newVisitor(t, env)
		lv.signIn(lead)
		lv.get(org+"/teams/"+s.team+"/rename").must(t, http.StatusForbidden)
		lv.get(org+"/teams/"+ops.ID+"/rename").must(t, http.StatusNotFound)
	})
}
