package api

import (
	"net/http"

	sk "github.com/seatkeeper/seatkeeper"
)

// changeTeamBodyBytes fits a change-team of the largest allowed size.
const changeTeamBodyBytes = 1 << 20

// licenseList is a page of licenses with, on the first page, the counts of
// the listed scope.
type licenseList struct {
	list[sk.License]
	Counts *sk.LicenseCounts `json:"counts,omitempty"`
}

func (s *Server) listLicenses(w http.ResponseWriter, r *http.Request, a *sk.Actor) error {
	p, err := parsePage(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := sk.LicenseFilter{Team: q.Get("team"), Status: q.Get("status"), Query: q.Get("q")}
	if team := r.PathValue("team"); team != "" {
		f.Team = team
	}

	licenses, counts, next, err := s.cfg.Licenses.Licenses(r.Context(), a, r.PathValue("org"),
		f, p.Page)
	if err != nil {
		return err
	}
	out := licenseList{list: newList(p, licenses, next), Counts: counts}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) getLicense(w http.ResponseWriter, r *http.Request, a *sk.Actor) error {
	l, err := s.cfg.Licenses.License(r.Context(), a, r.PathValue("org"), r.PathValue("license"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, l)
	return nil
}

func (s *Server) assignLicense(w http.ResponseWriter, r *http.Request, a *sk.Actor) error {
	var in sk.Assignment
	if err := decode(w, r, &in); err != nil {
		return err
	}
	l, err := s.cfg.Licenses.Assign(r.Context(), a, client(r), r.PathValue("org"),
		r.PathValue("license"), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, l)
	return nil
}

func (s *Server) unassignLicense(w http.ResponseWriter, r *http.Request, a *sk.Actor) error {
	err := s.cfg.Licenses.Unassign(r.Context(), a, client(r), r.PathValue("org"),
		r.PathValue("license"))
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type changeTeamRequest struct {
	LicenseIDs []string `json:"license_ids"`
	TeamID     *string  `json:"team_id"`
}

func (s *Server) changeTeam(w http.ResponseWriter, r *http.Request, a *sk.Actor) error {
	var in changeTeamRequest
	if err := decodeLimit(w, r, &in, changeTeamBodyBytes); err != nil {
		return err
	}
	moved, err := s.cfg.Licenses.ChangeTeam(r.Context(), a, client(r), r.PathValue("org"),
		in.LicenseIDs, in.TeamID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"moved": moved, "team_id": in.TeamID})
	return nil
}

func (s *Server) myLicenses(w http.ResponseWriter, r *http.Request, a *sk.Actor) error {
	held, err := s.cfg.Licenses.MyLicenses(r.Context(), a)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, list[sk.HeldLicense]{Data: held})
	return nil
}
