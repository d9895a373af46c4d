package web

import (
	"net/http"

	sk "github.com/seatkeeper/seatkeeper"
)

// rolesPage is the data of the Roles part of an organization's or a team's
// page: who holds which role, the invitations, and the invitation form.
type rolesPage struct {
	*orgPage
	Grants      []sk.Grant
	Invitations []sk.Invitation
	Next, First string

	// Scopes are where the actor may invite: the page's own scope, and on
	// the organization's page each team where they manage roles.
	Scopes []inviteScope
}

type inviteScope struct {
	TeamID, Name string
	Roles        []sk.Role
	Selected     bool // the scope of the form shown again
}

// Pending lists the invitations still waiting for an answer.
func (p rolesPage) Pending() []sk.Invitation {
	var out []sk.Invitation
	for _, inv := range p.Invitations {
		if inv.Status == sk.InvitationPending {
			out = append(out, inv)
		}
	}
	return out
}

func (s *Server) orgRoles(w http.ResponseWriter, r *http.Request, a *sk.Actor) error {
	return s.renderRoles(w, r, a, nil, http.StatusOK)
}

func (s *Server) teamRoles(w http.ResponseWriter, r *http.Request, a *sk.Actor) error {
	return s.renderRoles(w, r, a, nil, http.StatusOK)
}

// renderRoles shows the roles of the organization or team that r's path
// names, with the form that was refused, if any.
func (s *Server) renderRoles(w http.ResponseWriter, r *http.Request, a *sk.Actor, f *form,
	status int) error {
	ctx := r.Context()
	p, err := s.loadOrg(r, a, "roles")
	if err != nil {
		return err
	}
	page := pageOf(r, 50)
	grants, next, err := s.cfg.Orgs.Roles(ctx, a, p.Scope(), page)
	if err != nil {
		return err
	}
	invitations, _, err := s.cfg.Orgs.Invitations(ctx, a, p.Scope(), sk.Page{Limit: 100})
	if err != nil {
		return err
	}
	teams, err := s.allTeams(ctx, a, p)
	if err != nil {
		return err
	}

	data := rolesPage{orgPage: p, Grants: grants, Invitations: invitations,
		Scopes: inviteScopes(p, teams, f.For("invite").Get("team_id"))}
	data.Next, data.First = pageLinks(r, page, next)
	title := "Roles · " + p.Org.Name
	if p.Team != nil {
		title = "Roles · " + p.Team.Name
	}
	s.render(w, r, a, status, "roles", &view{Title: title, Nav: p.nav(), Form: f,
		Here: p.Base + "/roles", Data: data})
	return nil
}

// ScopeOptions are the choices of the invitation form's scope picker.
func (p rolesPage) ScopeOptions() []option {
	out := make([]option, len(p.Scopes))
	for i, s := range p.Scopes {
		out[i] = option{s.TeamID, s.Name, s.Selected}
	}
	return out
}

// inviteScopes lists the scopes the invitation form offers, each with the
// roles the actor may grant there, the one of selected marked. A scope
// where the actor may grant no role is left out, so that someone who may
// invite nobody sees no form.
func inviteScopes(p *orgPage, teams []sk.OrgRef, selected string) []inviteScope {
	if p.Team != nil {
		if roles := p.Can.Grantable(); len(roles) > 0 {
			return []inviteScope{{p.Team.ID, p.Team.Name, roles, true}}
		}
		return nil
	}
	var out []inviteScope
	if roles := p.Can.GrantableAt(""); len(roles) > 0 {
		out = append(out, inviteScope{"", p.Org.Name + " (the organization)", roles,
			selected == ""})
	}
	for _, t := range teams {
		if roles := p.Can.GrantableAt(t.ID); len(roles) > 0 {
			out = append(out, inviteScope{t.ID, t.Name, roles, t.ID == selected})
		}
	}
	return out
}

// scopeOf is the scope that r's path names.
func scopeOf(r *http.Request) sk.Scope {
	return sk.Scope{OrgID: r.PathValue("org"), TeamID: r.PathValue("team")}
}

// rolesPath is the Roles page of a scope.
func rolesPath(s sk.Scope) string {
	if s.TeamID != "" {
		return "/orgs/" + s.OrgID + "/teams/" + s.TeamID + "/roles"
	}
	return "/orgs/" + s.OrgID + "/roles"
}

func (s *Server) setRole(w http.ResponseWriter, r *http.Request, a *sk.Actor) error {
	scope := scopeOf(r)
	role := sk.Role(r.PostFormValue("role"))
	g, err := s.cfg.Orgs.SetRole(r.Context(), a, s.cfg.Client(r), scope,
		r.PathValue("user"), role)
	if f := formFailure(r, "role:"+r.PathValue("user"), err); f != nil {
		return s.renderRoles(w, r, a, f, statusOf(err))
	}
	if err != nil {
		return err
	}
	s.redirect(w, r, rolesPath(scope), g.User.Name+" is now "+roleName(g.Role)+".")
	return nil
}

func (s *Server) removeRole(w http.ResponseWriter, r *http.Request, a *sk.Actor) error {
	scope := scopeOf(r)
	if !confirmed(r) {
		return s.askConfirm(w, r, a, confirmation{Title: "Remove role",
			Question: "Remove the role of " + r.PostFormValue("name") + "?",
			Detail:   "Licenses they hold stay theirs.",
			Button:   "Remove role", Danger: true})
	}
	err := s.cfg.Orgs.RemoveRole(r.Context(), a, s.cfg.Client(r), scope, r.PathValue("user"))
	if err != nil {
		return err
	}
	s.redirect(w, r, rolesPath(scope), "The role is removed.")
	return nil
}

func (s *Server) invite(w http.ResponseWriter, r *http.Request, a *sk.Actor) error {
	scope := scopeOf(r)
	in := sk.Invite{Email: r.PostFormValue("email"), Role: sk.Role(r.PostFormValue("role")),
		TeamID: optional(r.PostFormValue("team_id"))}
	if scope.TeamID != "" {
		in.TeamID = &scope.TeamID
	}
	inv, err := s.cfg.Orgs.Invite(r.Context(), a, s.cfg.Client(r), scope.OrgID, in)
	if f := formFailure(r, "invite", err); f != nil {
		return s.renderRoles(w, r, a, f, statusOf(err))
	}
	if err != nil {
		return err
	}
	s.redirect(w, r, rolesPath(scope),
		"Invitation sent to "+inv.Email+". The link works for 7 days.")
	return nil
}

func (s *Server) revokeInvitation(w http.ResponseWriter, r *http.Request, a *sk.Actor) error {
	if !confirmed(r) {
		return s.askConfirm(w, r, a, confirmation{Title: "Revoke invitation",
			Question: "Revoke the invitation of " + r.PostFormValue("email") + "?",
			Detail:   "Its link stops working. You can invite them again later.",
			Button:   "Revoke", Danger: true})
	}
	err := s.cfg.Orgs.RevokeInvitation(r.Context(), a, s.cfg.Client(r), r.PathValue("org"),
		r.PathValue("inv"))
	if err != nil {
		return err
	}
	s.redirect(w, r, back(r, "/orgs/"+r.PathValue("org")+"/roles"),
		"The invitation is revoked.")
	return nil
}

func (s *Server) resendInvitation(w http.ResponseWriter, r *http.Request, a *sk.Actor) error {
	inv, err := s.cfg.Orgs.ResendInvitation(r.Context(), a, s.cfg.Client(r),
		r.PathValue("org"), r.PathValue("inv"))
	if err != nil {
		return err
	}
	s.redirect(w, r, back(r, "/orgs/"+r.PathValue("org")+"/roles"),
		"A new link went to "+inv.Email+"; the old one no longer works.")
	return nil
}

// invitationPage is the data of the page that accepts an invitation.
type invitationPage struct {
	Token string
}

func (s *Server) invitationForm(w http.ResponseWriter, r *http.Request, a *sk.Actor) error {
	data := invitationPage{Token: r.URL.Query().Get("token")}
	s.render(w, r, a, http.StatusOK, "invitation", &view{Title: "Accept invitation",
		Data: data})
	return nil
}

func (s *Server) acceptInvitation(w http.ResponseWriter, r *http.Request, a *sk.Actor) error {
	token := r.PostFormValue("token")
	inv, err := s.cfg.Orgs.AcceptInvitation(r.Context(), a, s.cfg.Client(r), token)
	if f := formFailure(r, "accept", err); f != nil {
		s.render(w, r, a, statusOf(err), "invitation", &view{Title: "Accept invitation",
			Form: f, Data: invitationPage{Token: token}})
		return nil
	}
	if err != nil {
		return err
	}
	s.redirect(w, r, "/orgs/"+inv.OrgID,
		"Welcome! You are now "+roleName(inv.Role)+".")
	return nil
}
