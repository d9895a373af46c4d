package api

import (
	"net/http"

	sk "github.com/seatkeeper/seatkeeper"
)

// scope reads the organization and, on team routes, the team from the path.
func scope(r *http.Request) sk.Scope {
	return sk.Scope{OrgID: r.PathValue("org"), TeamID: r.PathValue("team")}
}

func (s *Server) getOrg(w http.ResponseWriter, r *http.Request, a *sk.Actor) error {
	org, err := s.cfg.Orgs.Organization(r.Context(), a, r.PathValue("org"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, org)
	return nil
}

type nameRequest struct {
	Name string `json:"name"`
}

func (s *Server) renameOrg(w http.ResponseWriter, r *http.Request, a *sk.Actor) error {
	var in nameRequest
	if err := decode(w, r, &in); err != nil {
		return err
	}
	org, err := s.cfg.Orgs.RenameOrganization(r.Context(), a, client(r), r.PathValue("org"),
		in.Name)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, org)
	return nil
}

func (s *Server) listTeams(w http.ResponseWriter, r *http.Request, a *sk.Actor) error {
	p, err := parsePage(r)
	if err != nil {
		return err
	}
	teams, next, err := s.cfg.Orgs.Teams(r.Context(), a, r.PathValue("org"), p.Page)
	if err != nil {
		return err
	}
	respondList(w, p, teams, next)
	return nil
}

func (s *Server) getTeam(w http.ResponseWriter, r *http.Request, a *sk.Actor) error {
	team, err := s.cfg.Orgs.Team(r.Context(), a, scope(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, team)
	return nil
}

func (s *Server) createTeam(w http.ResponseWriter, r *http.Request, a *sk.Actor) error {
	var in nameRequest
	if err := decode(w, r, &in); err != nil {
		return err
	}
	team, err := s.cfg.Orgs.CreateTeam(r.Context(), a, client(r), r.PathValue("org"), in.Name)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, team)
	return nil
}

func (s *Server) renameTeam(w http.ResponseWriter, r *http.Request, a *sk.Actor) error {
	var in nameRequest
	if err := decode(w, r, &in); err != nil {
		return err
	}
	team, err := s.cfg.Orgs.RenameTeam(r.Context(), a, client(r), scope(r), in.Name)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, team)
	return nil
}

func (s *Server) removeTeam(w http.ResponseWriter, r *http.Request, a *sk.Actor) error {
	if err := s.cfg.Orgs.RemoveTeam(r.Context(), a, client(r), scope(r)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) listRoles(w http.ResponseWriter, r *http.Request, a *sk.Actor) error {
	p, err := parsePage(r)
	if err != nil {
		return err
	}
	grants, next, err := s.cfg.Orgs.Roles(r.Context(), a, scope(r), p.Page)
	if err != nil {
		return err
	}
	respondList(w, p, grants, next)
	return nil
}

type roleRequest struct {
	Role sk.Role `json:"role"`
}

func (s *Server) setRole(w http.ResponseWriter, r *http.Request, a *sk.Actor) error {
	var in roleRequest
	if err := decode(w, r, &in); err != nil {
		return err
	}
	g, err := s.cfg.Orgs.SetRole(r.Context(), a, client(r), scope(r), r.PathValue("user"), in.Role)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, g)
	return nil
}

func (s *Server) removeRole(w http.ResponseWriter, r *http.Request, a *sk.Actor) error {
	err := s.cfg.Orgs.RemoveRole(r.Context(), a, client(r), scope(r), r.PathValue("user"))
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) abandonRole(w http.ResponseWriter, r *http.Request, a *sk.Actor) error {
	if err := s.cfg.Orgs.AbandonRole(r.Context(), a, client(r), scope(r)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) listInvitations(w http.ResponseWriter, r *http.Request, a *sk.Actor) error {
	p, err := parsePage(r)
	if err != nil {
		return err
	}
	scope := sk.Scope{OrgID: r.PathValue("org"), TeamID: r.PathValue("team")}
	list, next, err := s.cfg.Orgs.Invitations(r.Context(), a, scope, p.Page)
	if err != nil {
		return err
	}
	respondList(w, p, list, next)
	return nil
}

func (s *Server) invite(w http.ResponseWriter, r *http.Request, a *sk.Actor) error {
	var in sk.Invite
	if err := decode(w, r, &in); err != nil {
		return err
	}
	inv, err := s.cfg.Orgs.Invite(r.Context(), a, client(r), r.PathValue("org"), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, inv)
	return nil
}

func (s *Server) revokeInvitation(w http.ResponseWriter, r *http.Request, a *sk.Actor) error {
	err := s.cfg.Orgs.RevokeInvitation(r.Context(), a, client(r), r.PathValue("org"),
		r.PathValue("inv"))
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) resendInvitation(w http.ResponseWriter, r *http.Request, a *sk.Actor) error {
	inv, err := s.cfg.Orgs.ResendInvitation(r.Context(), a, client(r), r.PathValue("org"),
		r.PathValue("inv"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, inv)
	return nil
}

func (s *Server) acceptInvitation(w http.ResponseWriter, r *http.Request, a *sk.Actor) error {
	var in tokenRequest
	if err := decode(w, r, &in); err != nil {
		return err
	}
	inv, err := s.cfg.Orgs.AcceptInvitation(r.Context(), a, client(r), in.Token)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, inv)
	return nil
}

func (s *Server) auditLog(w http.ResponseWriter, r *http.Request, a *sk.Actor) error {
	p, err := parsePage(r)
	if err != nil {
		return err
	}
	events, next, err := s.cfg.Orgs.AuditLog(r.Context(), a, r.PathValue("org"), p.Page)
	if err != nil {
		return err
	}
	respondList(w, p, events, next)
	return nil
}
