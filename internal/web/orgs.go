package web

import (
	"context"
	"net/http"

	sk "github.com/seatkeeper/seatkeeper"
	"github.com/seatkeeper/seatkeeper/internal/policy"
)

// maxTeams bounds the teams a page lists in its pickers.
const maxTeams = 1000

// orgPage is what every page of an organization, or of one of its teams,
// shows around its own part: the names, the tabs and the menus.
type orgPage struct {
	Org  *sk.Organization
	Team *sk.Team // on a team's sub-page
	Can  perms
	Tab  string // the current tab: licenses, subscriptions, teams or roles
	Base string // the path of the organization's or the team's pages

	// SoleOwner marks the organization's only Owner, whose menu explains
	// why they may not abandon their role instead of offering it.
	SoleOwner bool
}

// Scope is the page's scope, as the services name it.
func (p *orgPage) Scope() sk.Scope {
	if p.Team != nil {
		return sk.Scope{OrgID: p.Org.ID, TeamID: p.Team.ID}
	}
	return sk.Scope{OrgID: p.Org.ID}
}

// TeamID is the page's team, or "" on the organization's pages.
func (p *orgPage) TeamID() string { return p.Scope().TeamID }

// loadOrg reads the organization (and team) that r's path names, as the
// actor sees it. One the actor may not see is ENOTFOUND.
func (s *Server) loadOrg(r *http.Request, a *sk.Actor, tab string) (*orgPage, error) {
	ctx := r.Context()
	org, err := s.cfg.Orgs.Organization(ctx, a, r.PathValue("org"))
	if err != nil {
		return nil, err
	}
	p := &orgPage{Org: org, Tab: tab, Base: "/orgs/" + org.ID,
		Can: perms{g: policy.Grants(org.MyRoles)}}

	if teamID := r.PathValue("team"); teamID != "" {
		p.Team, err = s.cfg.Orgs.Team(ctx, a, sk.Scope{OrgID: org.ID, TeamID: teamID})
		if err != nil {
			return nil, err
		}
		p.Can.team = teamID
		p.Base += "/teams/" + teamID
		return p, nil
	}

	p.SoleOwner, err = s.soleOwner(ctx, a, p)
	if err != nil {
		return nil, err
	}
	return p, nil
}

// ownerScan is how many of an organization's grants soleOwner reads.
const ownerScan = 50

// soleOwner reports whether the actor is the organization's only Owner,
// which the service refuses to let abandon their role. The services count
// no Owners for the dashboard, so it reads one short page of grants: when
// the organization has more and none of those is another Owner, it reports
// false and the service's refusal shows as the page's message instead.
func (s *Server) soleOwner(ctx context.Context, a *sk.Actor, p *orgPage) (bool, error) {
	if !p.Can.OwnsOrg() {
		return false, nil
	}
	grants, next, err := s.cfg.Orgs.Roles(ctx, a, sk.Scope{OrgID: p.Org.ID},
		sk.Page{Limit: ownerScan})
	if err != nil {
		return false, err
	}
	for _, g := range grants {
		if g.Role == sk.RoleOwner && g.User.ID != a.User.ID {
			return false, nil
		}
	}
	return next == "", nil
}

// nav is the sidebar entry of an organization's page.
func (p *orgPage) nav() string {
	if p.Team != nil && !p.Can.ReadOrg() {
		return "team:" + p.Team.ID
	}
	return "org:" + p.Org.ID
}

// allTeams lists an organization's teams by name, for pickers and names.
// It returns none to an actor who may not read the organization.
func (s *Server) allTeams(ctx context.Context, a *sk.Actor, p *orgPage) ([]sk.OrgRef, error) {
	if !p.Can.ReadOrg() {
		return nil, nil
	}
	return s.cfg.Orgs.TeamNames(ctx, a, p.Org.ID, maxTeams)
}

// orgHome opens an organization: its Manage page for those who may read
// it, else an overview of the teams where the user holds a role.
func (s *Server) orgHome(w http.ResponseWriter, r *http.Request, a *sk.Actor) error {
	p, err := s.loadOrg(r, a, "")
	if err != nil {
		return err
	}
	if p.Can.ReadOrg() {
		http.Redirect(w, r, p.Base+"/licenses", http.StatusSeeOther)
		return nil
	}

	var teams []navTeam
	for _, o := range sidebar([]sk.Membership{{ID: p.Org.ID, MyRoles: p.Org.MyRoles}}) {
		teams = o.Teams
	}
	s.render(w, r, a, http.StatusOK, "org-overview", &view{Title: p.Org.Name,
		Nav: p.nav(), Data: struct {
			*orgPage
			Teams []navTeam
		}{p, teams}})
	return nil
}

func (s *Server) teamHome(w http.ResponseWriter, r *http.Request, a *sk.Actor) error {
	p, err := s.loadOrg(r, a, "")
	if err != nil {
		return err
	}
	http.Redirect(w, r, p.Base+"/licenses", http.StatusSeeOther)
	return nil
}

// renamePage is the data of the form that renames an organization or team.
type renamePage struct {
	*orgPage
	Action, Current, Label string
}

// renameForm shows the form that renames the organization or the team
// that r's path names.
func (s *Server) renameForm(w http.ResponseWriter, r *http.Request, a *sk.Actor) error {
	return s.renderRename(w, r, a, nil, http.StatusOK)
}

func (s *Server) renameOrg(w http.ResponseWriter, r *http.Request, a *sk.Actor) error {
	org, err := s.cfg.Orgs.RenameOrganization(r.Context(), a, s.cfg.Client(r),
		r.PathValue("org"), r.PostFormValue("name"))
	if f := formFailure(r, "rename", err); f != nil {
		return s.renderRename(w, r, a, f, statusOf(err))
	}
	if err != nil {
		return err
	}
	s.redirect(w, r, "/orgs/"+org.ID, "The organization is now called "+org.Name+".")
	return nil
}

func (s *Server) renameTeam(w http.ResponseWriter, r *http.Request, a *sk.Actor) error {
	scope := scopeOf(r)
	team, err := s.cfg.Orgs.RenameTeam(r.Context(), a, s.cfg.Client(r), scope,
		r.PostFormValue("name"))
	if f := formFailure(r, "rename", err); f != nil {
		return s.renderRename(w, r, a, f, statusOf(err))
	}
	if err != nil {
		return err
	}
	s.redirect(w, r, "/orgs/"+scope.OrgID+"/teams", "The team is now called "+team.Name+".")
	return nil
}

// renderRename shows the rename form of the organization or team that r's
// path names, with the form that was refused, if any.
func (s *Server) renderRename(w http.ResponseWriter, r *http.Request, a *sk.Actor, f *form,
	status int) error {
	p, err := s.loadOrg(r, a, "")
	if err != nil {
		return err
	}
	if f == nil {
		if err := mayRename(p); err != nil {
			return err
		}
	}

	data := renamePage{orgPage: p, Action: p.Base + "/rename", Current: p.Org.Name,
		Label: "Organization name"}
	title := "Rename organization"
	if p.Team != nil {
		data.Current, data.Label, title = p.Team.Name, "Team name", "Rename team"
	}
	s.render(w, r, a, status, "rename", &view{Title: title, Nav: p.nav(), Form: f,
		Data: data})
	return nil
}

// mayRename refuses the rename form to whoever the service would refuse
// the rename, with the service's words, so that opening the form by its
// address answers as sending it would.
func mayRename(p *orgPage) error {
	switch {
	case p.Team == nil && !p.Can.Rename():
		return sk.Errorf(sk.EFORBIDDEN, "Your role does not allow you to rename the "+
			"organization.")
	case p.Team != nil && !p.Can.ManageTeams():
		return sk.Errorf(sk.EFORBIDDEN, "Your role does not allow you to create, rename "+
			"or remove teams.")
	}
	return nil
}

// abandonRole gives up the actor's own role at the organization or at a
// team. It never touches the licenses the actor holds.
func (s *Server) abandonRole(w http.ResponseWriter, r *http.Request, a *sk.Actor) error {
	scope := sk.Scope{OrgID: r.PathValue("org"), TeamID: r.PathValue("team")}
	if !confirmed(r) {
		q := "Give up your role in this organization? You lose access to its pages " +
			"unless you hold a role in one of its teams."
		if scope.TeamID != "" {
			q = "Give up your role in this team? You lose access to its pages unless " +
				"your organization role covers them."
		}
		return s.askConfirm(w, r, a, confirmation{Title: "Abandon role", Question: q,
			Detail: "Licenses you hold stay yours.", Button: "Abandon role", Danger: true})
	}

	err := s.cfg.Orgs.AbandonRole(r.Context(), a, s.cfg.Client(r), scope)
	if code := sk.ErrorCode(err); code == sk.ECONFLICT || code == sk.EFORBIDDEN {
		s.redirectError(w, r, back(r, "/orgs/"+scope.OrgID), sk.ErrorMessage(err))
		return nil
	}
	if err != nil {
		return err
	}
	s.redirect(w, r, "/licenses", "You have given up your role.")
	return nil
}
