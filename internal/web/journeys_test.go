package web_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	sk "github.com/seatkeeper/seatkeeper"
	"github.com/seatkeeper/seatkeeper/internal/app/apptest"
	"github.com/seatkeeper/seatkeeper/internal/store"
	"github.com/seatkeeper/seatkeeper/internal/store/storetest"
)

// TestNewcomerJourney walks the dashboard as a newcomer would, in a real
// browser: sign up, verify, buy an organization plan with the test card,
// invite a Manager who accepts, create a team, move three licenses to it,
// assign one, see it as the assignee, change seats with a preview, cancel,
// renew, and abandon a role.
func TestNewcomerJourney(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		env := apptest.Start(t, db)
		b := startBrowser(t, env)

		olivia := b.person("Olivia Owner")
		signUpInBrowser(olivia, "olivia@example.com", "Olivia Owner")
		olivia.see("You hold no license yet")
		olivia.shot("my-licenses-empty")

		// Buy an organization plan with the test card.
		olivia.press("Buy a plan")
		olivia.click(`input[name=plan][value=team]`)
		olivia.fill("#seats", "5")
		olivia.fill("#organization_name", "Acme Robotics")
		olivia.fill("#card-number", "4242 4242 4242 4242")
		olivia.fill("#card-cvc", "123")
		olivia.shot("checkout")
		olivia.press("Pay and create")
		olivia.see("Acme Robotics is ready")
		if n := olivia.count("tbody tr"); n != 5 {
			t.Fatalf("licenses after checkout: %d rows, want 5", n)
		}
		olivia.shot("licenses-after-checkout")
		olivia.fitsWindow("licenses")
		headersNamed(t, olivia, "licenses")
		orgPath := strings.TrimSuffix(olivia.path(), "/licenses")

		// Invite a Manager, who signs up and accepts.
		olivia.press("Roles")
		olivia.fill("#invite-email", "max@example.com")
		olivia.fill("#invite-role", "manager")
		olivia.press("Send invitation")
		olivia.see("Invitation sent to max@example.com")
		olivia.shot("roles-invited")
		headersNamed(t, olivia, "roles")

		max := b.person("Max Manager")
		invitation := inviteLink(t, env, "max@example.com")
		signUpInBrowser(max, "max@example.com", "Max Manager")
		max.open(invitation)
		max.press("Accept invitation")
		max.see("You are now Manager")
		max.shot("invitation-accepted")

		// Max creates a team and moves three licenses to it.
		max.press("Teams")
		max.fill("#name", "Design")
		max.press("Add team")
		max.see("Team Design is created")
		max.press("Licenses")
		for i := 1; i <= 3; i++ {
			max.click(`tbody tr:nth-child(` + string(rune('0'+i)) + `) input[data-select-row]`)
		}
		max.see("3 selected")
		max.shot("licenses-selected")
		max.press("Change team…")
		max.fill("#dialog-team", teamOption(max, "Design"))
		max.shot("change-team-dialog")
		max.press("Move licenses")
		max.see("3 licenses moved")
		if n := strings.Count(max.text(), "Design"); n < 3 {
			t.Errorf("the table names Design %d times, want at least 3", n)
		}

		// Ann has an account; Max assigns her a license from the team.
		ann := b.person("Ann Assignee")
		signUpInBrowser(ann, "ann@example.com", "Ann Assignee")
		max.open(orgPath + "/licenses?status=unassigned")
		max.press("Assign…")
		max.fill("#dialog-email", "ann@example.com")
		max.shot("assign-dialog")
		max.press("Assign")
		max.see("The license is assigned to ann@example.com")
		max.shot("assigned")

		// Ann sees it under My licenses and no organization.
		ann.open("/licenses")
		ann.see("Acme Robotics")
		ann.see("Valid")
		if n := ann.count(".nav-org"); n != 0 {
			t.Errorf("the assignee sees %d organization sections, want none", n)
		}
		ann.shot("assignee-licenses")

		// Olivia changes seats with a preview, cancels and renews.
		olivia.open(orgPath + "/subscriptions")
		olivia.shot("subscriptions")
		olivia.press("Billing portal")
		olivia.see("Payment methods")
		olivia.shot("billing-portal")
		olivia.press("Change seats, cancel or renew")
		olivia.fill("#seats", "7")
		olivia.press("Preview the change")
		olivia.see("is charged now for the rest of this period")
		olivia.shot("seats-preview")
		olivia.press("Confirm: 7 seats")
		olivia.see("The subscription now has 7 seats")
		olivia.press("Cancel at period end")
		olivia.see("Cancel this subscription at the end of its period")
		olivia.shot("cancel-confirm")
		olivia.click(`dialog[open] [data-ok]`)
		olivia.see("The subscription ends on")
		olivia.press("Renew subscription")
		olivia.see("The subscription renews on")
		olivia.shot("renewed")

		// The audit log shows all of that in the window, without scrolling
		// sideways.
		olivia.open(orgPath + "/audit-log")
		olivia.see("licenses.team_changed")
		olivia.shot("audit-log")
		olivia.fitsWindow("audit log")
		if !eval[bool](olivia, "measuring the audit log",
			`(() => { const t = document.querySelector("table.audit");
				return t.scrollWidth <= t.parentElement.clientWidth; })()`) {
			t.Error("the audit log's table is wider than its box")
		}

		// On a phone the sidebar folds into a menu.
		olivia.run("narrowing the window", chromedp.EmulateViewport(390, 844))
		olivia.open(orgPath + "/licenses")
		olivia.see("Acme Robotics")
		if olivia.count("#sidebar:not(.open)") != 1 {
			t.Error("on a narrow screen the sidebar starts open")
		}
		olivia.press("Menu")
		olivia.see("My subscriptions")
		olivia.shot("phone-menu")
		olivia.run("widening the window", chromedp.EmulateReset())

		// Max abandons his role and no longer sees the organization.
		max.open(orgPath + "/licenses")
		max.press("Organization actions")
		max.press("Abandon role in organization")
		max.click(`dialog[open] [data-ok]`)
		max.see("You have given up your role")
		if n := max.count(".nav-org"); n != 0 {
			t.Errorf("after abandoning, %d organization sections remain", n)
		}
	})
}

// signUpInBrowser creates an account through the forms and the mailed
// link, and signs in.
func signUpInBrowser(p *person, email, name string) {
	p.t.Helper()
	p.open("/sign-up")
	p.fill("#name", name)
	p.fill("#email", email)
	p.fill("#password", "correct horse battery")
	p.press("Create account")
	p.see("Check your inbox")
	p.follow(email)
	p.press("Confirm my address")
	p.see("Your address is confirmed")
	p.fill("#password", "correct horse battery")
	p.press("Sign in")
	p.see("Sign out")
}

// inviteLink returns the path and token of the invitation mailed to address.
func inviteLink(t *testing.T, env *apptest.Env, address string) string {
	t.Helper()
	path, token := env.LinkToken(t, env.MailTo(t, address))
	return path + "?token=" + token
}

// teamOption returns the value of the option named name in the open
// change-team dialog.
func teamOption(p *person, name string) string {
	p.t.Helper()
	js := fmt.Sprintf(`Array.from(document.querySelectorAll("#dialog-team option"))
		.find(o => o.textContent.trim() === %q).value`, name)
	return eval[string](p, "finding team "+name, js)
}

// TestPermissionJourneys signs in people of each lower role and checks that
// the pages offer them no control their role does not allow.
func TestPermissionJourneys(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		env := apptest.Start(t, db)
		owner := env.User(t, "Olivia Owner")
		org := env.Org(t, owner, "Acme Robotics")
		ids := env.Licenses(t, org, 6)
		team := createTeam(t, env, owner, org, "Design")
		holder := env.User(t, "Hal Holder")
		env.Hold(t, org, store.LicenseHolding{ID: ids[0], AssigneeUserID: &holder.ID})

		viewer := env.User(t, "Vera Viewer")
		env.Join(t, owner, org, nil, viewer, sk.RoleViewer)
		assigner := env.User(t, "Art Assigner")
		env.Join(t, owner, org, nil, assigner, sk.RoleAssigner)
		manager := env.User(t, "Max Manager")
		env.Join(t, owner, org, nil, manager, sk.RoleManager)
		b := startBrowser(t, env)

		t.Run("viewer", func(t *testing.T) {
			p := b.person("Vera Viewer")
			p.t = t
			p.signIn(viewer.Email, apptest.Password)
			for _, page := range []string{"/licenses", "/teams", "/roles"} {
				p.open("/orgs/" + org + page)
				p.see("Acme Robotics")
				p.shot("viewer" + strings.ReplaceAll(page, "/", "-"))
				expectNone(t, p, page, changeControls)
			}
			for _, page := range []string{"/licenses", "/roles"} {
				p.open("/orgs/" + org + "/teams/" + team + page)
				p.see("Design")
				p.shot("viewer-team" + strings.ReplaceAll(page, "/", "-"))
				expectNone(t, p, "team"+page, changeControls)
				headersNamed(t, p, "team"+page)
			}
			if strings.Contains(p.text(), "Invite member") {
				t.Error("a Viewer is offered Invite member on a team's Roles page")
			}
			if p.count(`nav.tabs a[href$="/subscriptions"]`) != 0 {
				t.Error("a Viewer sees the Subscriptions tab")
			}
		})

		t.Run("assigner", func(t *testing.T) {
			p := b.person("Art Assigner")
			p.t = t
			p.signIn(assigner.Email, apptest.Password)
			p.open("/orgs/" + org + "/licenses")
			p.see("Acme Robotics")
			p.shot("assigner-licenses")
			if p.count(`a[data-dialog="assign-dialog"]`) == 0 {
				t.Error("an Assigner sees no Assign button")
			}
			if p.count(`form[action$="/unassign"]`) == 0 {
				t.Error("an Assigner sees no Unassign button")
			}
			expectNone(t, p, "licenses", teamAndRoleControls)
			for _, page := range []string{"/teams", "/roles"} {
				p.open("/orgs/" + org + page)
				p.see("Acme Robotics")
				p.shot("assigner" + strings.ReplaceAll(page, "/", "-"))
				expectNone(t, p, page, teamAndRoleControls)
			}
			for _, page := range []string{"/licenses", "/roles"} {
				p.open("/orgs/" + org + "/teams/" + team + page)
				p.see("Design")
				p.shot("assigner-team" + strings.ReplaceAll(page, "/", "-"))
				expectNone(t, p, "team"+page, teamAndRoleControls)
			}

			// No Subscriptions tab, and its address is refused.
			if p.count(`nav.tabs a[href$="/subscriptions"]`) != 0 {
				t.Error("an Assigner sees the Subscriptions tab")
			}
			p.open("/orgs/" + org + "/subscriptions")
			p.see("Only Owners and Managers see the organization's subscriptions")
		})

		t.Run("manager", func(t *testing.T) {
			p := b.person("Max Manager")
			p.t = t
			p.signIn(manager.Email, apptest.Password)
			p.open("/orgs/" + org + "/licenses")
			p.press("Subscriptions")
			p.see("only Owners open the billing portal")
			p.shot("manager-subscriptions")
			if n := p.count(`tbody tr`); n != 1 {
				t.Errorf("a Manager sees %d subscriptions, want 1", n)
			}
			if n := p.count(`a[href^="/billing/"]`); n != 0 {
				t.Errorf("a Manager sees %d links to the billing portal", n)
			}
			headersNamed(t, p, "subscriptions")
		})
	})
}

// headersNamed fails the test for each table header of the page that has
// no text for a screen reader: one hidden with display: none reads empty.
func headersNamed(t *testing.T, p *person, page string) {
	t.Helper()
	js := `Array.from(document.querySelectorAll("th"))
		.filter(th => th.innerText.trim() === "" && !th.querySelector("[aria-label]"))
		.length`
	if n := eval[int](p, "reading the table headers", js); n > 0 {
		t.Errorf("%s: %d table headers without text", page, n)
	}
}

// changeControls find every control that changes an organization's
// licenses, teams or roles.
var changeControls = append([]string{
	`a[data-dialog="assign-dialog"]`, `a[href$="/assign"]`, `form[action$="/unassign"]`,
}, teamAndRoleControls...)

// teamAndRoleControls find the controls of teams and roles.
var teamAndRoleControls = []string{
	`input[data-select-row]`, `[data-dialog="change-team-dialog"]`,
	`form[action$="/teams"][method=post]`, `a[href$="/rename"]`, `form[action$="/remove"]`,
	`form[action*="/invitations"]`, `form[action*="/roles/"]`,
}

// expectNone fails the test for each control of sels that the page shows.
func expectNone(t *testing.T, p *person, page string, sels []string) {
	t.Helper()
	for _, sel := range sels {
		if n := p.count(sel); n > 0 {
			t.Errorf("%s: %d of %s", page, n, sel)
		}
	}
}

// createTeam makes a team through the API.
func createTeam(t *testing.T, env *apptest.Env, by *apptest.User, org, name string) string {
	t.Helper()
	var team struct{ ID string }
	apptest.Must(t, env.Post(t, "/api/v1/orgs/"+org+"/teams", by.Token,
		map[string]string{"name": name}), http.StatusCreated).Decode(t, &team)
	return team.ID
}
