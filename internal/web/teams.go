package web

import (
	"net/http"

	sk "github.com/seatkeeper/seatkeeper"
)

// teamsPage is the data of the Teams part of an organization's page.
type teamsPage struct {
	*orgPage
	Teams       []sk.Team
	Next, First string
}

func (s *Server) teams(w http.ResponseWriter, r *http.Request, a *sk.Actor) error {
	return s.renderTeams(w, r, a, nil, http.StatusOK)
}

// renderTeams shows the organization's teams, with the form that was
// refused, if any.
func (s *Server) renderTeams(w http.ResponseWriter, r *http.Request, a *sk.Actor, f *form,
	status int) error {
	p, err := s.loadOrg(r, a, "teams")
	if err != nil {
		return err
	}
	page := pageOf(r, 50)
	teams, next, err := s.cfg.Orgs.Teams(r.Context(), a, p.Org.ID, page)
	if err != nil {
		return err
	}

	data := teamsPage{orgPage: p, Teams: teams}
	data.Next, data.First = pageLinks(r, page, next)
	s.render(w, r, a, status, "teams", &view{Title: "Teams · " + p.Org.Name, Nav: p.nav(),
		Form: f, Here: p.Base + "/teams", Data: data})
	return nil
}

func (s *Server) createTeam(w http.ResponseWriter, r *http.Request, a *sk.Actor) error {
	orgID := r.PathValue("org")
	team, err := s.cfg.Orgs.CreateTeam(r.Context(), a, s.cfg.Client(r), orgID,
		r.PostFormValue("name"))
	if f := formFailure(r, "create-team", err); f != nil {
		return s.renderTeams(w, r, a, f, statusOf(err))
	}
	if err != nil {
		return err
	}
	s.redirect(w, r, "/orgs/"+orgID+"/teams",
		"Team "+team.Name+" is created. Move licenses to it from the Licenses tab.")
	return nil
}

// removeTeam removes a team. Its licenses, with their assignees, go back to
// the organization; its roles and invitations end.
func (s *Server) removeTeam(w http.ResponseWriter, r *http.Request, a *sk.Actor) error {
	scope := sk.Scope{OrgID: r.PathValue("org"), TeamID: r.PathValue("team")}
	if !confirmed(r) {
		return s.askConfirm(w, r, a, confirmation{Title: "Remove team",
			Question: "Remove the team " + r.PostFormValue("name") + "?",
			Detail: "Its licenses go back to the organization with their assignees; " +
				"the roles held in the team end.",
			Button: "Remove team", Danger: true})
	}
	if err := s.cfg.Orgs.RemoveTeam(r.Context(), a, s.cfg.Client(r), scope); err != nil {
		return err
	}
	s.redirect(w, r, "/orgs/"+scope.OrgID+"/teams",
		"The team is removed; its licenses are back with the organization.")
	return nil
}
