package web

import (
	"net/http"

	sk "github.com/seatkeeper/seatkeeper"
)

// licensesPage is the data of the Licenses part of an organization's or a
// team's page.
type licensesPage struct {
	*orgPage
	Licenses    []sk.License
	Counts      *sk.LicenseCounts
	Filter      sk.LicenseFilter
	Next, First string

	// TeamFilter offers every team to filter by, the chosen one selected.
	TeamFilter []option

	// teamNames names the organization's teams by ID, for TeamName.
	teamNames map[string]string

	// Destinations are where the actor may move licenses: the organization
	// (ID "") and teams.
	Destinations []destination
}

type destination struct{ ID, Name string }

// TeamName names a license's team, or the organization for nil.
func (p licensesPage) TeamName(id *string) string {
	if id == nil {
		return "Organization"
	}
	if p.Team != nil && p.Team.ID == *id {
		return p.Team.Name
	}
	if name, ok := p.teamNames[*id]; ok {
		return name
	}
	return "A team"
}

// option is one choice of a select list. Lists of every team of a large
// organization run to a thousand options, so pages build them, selection
// included, before the template writes them.
type option struct {
	Value, Label string
	Selected     bool
}

// statuses are the license statuses the filter offers.
var statuses = []string{sk.LicenseUnassigned, sk.LicenseAssigned, sk.LicensePending,
	sk.LicenseExpired}

// Statuses lists the statuses the filter offers.
func (licensesPage) Statuses() []string { return statuses }

func (s *Server) orgLicenses(w http.ResponseWriter, r *http.Request, a *sk.Actor) error {
	return s.licenses(w, r, a)
}

func (s *Server) teamLicenses(w http.ResponseWriter, r *http.Request, a *sk.Actor) error {
	return s.licenses(w, r, a)
}

// licenses shows the licenses of an organization or one of its teams, with
// filters, keyset pages and the actions the actor's role allows.
func (s *Server) licenses(w http.ResponseWriter, r *http.Request, a *sk.Actor) error {
	ctx := r.Context()
	p, err := s.loadOrg(r, a, "licenses")
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := sk.LicenseFilter{Team: q.Get("team"), Status: q.Get("status"), Query: q.Get("q")}
	if p.Team != nil {
		f.Team = p.Team.ID
	}

	page := pageOf(r, 50)
	list, counts, next, err := s.cfg.Licenses.Licenses(ctx, a, p.Org.ID, f, page)
	if err != nil {
		return err
	}
	teams, err := s.allTeams(ctx, a, p)
	if err != nil {
		return err
	}

	data := licensesPage{orgPage: p, Licenses: list, Counts: counts, Filter: f,
		teamNames: make(map[string]string, len(teams))}
	for _, t := range teams {
		data.teamNames[t.ID] = t.Name
		data.TeamFilter = append(data.TeamFilter, option{t.ID, t.Name, t.ID == f.Team})
	}
	data.Next, data.First = pageLinks(r, page, next)
	data.Destinations = destinations(p, teams)
	title := "Licenses · " + p.Org.Name
	if p.Team != nil {
		title = "Licenses · " + p.Team.Name
	}
	s.render(w, r, a, http.StatusOK, "licenses", &view{Title: title, Nav: p.nav(),
		Data: data})
	return nil
}

// destinations lists where the actor may move licenses: the organization
// and the teams where they manage licenses, the page's own team aside.
func destinations(p *orgPage, teams []sk.Team) []destination {
	var out []destination
	if p.Team != nil && p.Can.MoveTo("") {
		out = append(out, destination{"", "The organization itself"})
	}
	if p.Team == nil && p.Can.MoveTo("") {
		out = append(out, destination{"", "The organization itself"})
	}
	for _, t := range teams {
		if (p.Team == nil || t.ID != p.Team.ID) && p.Can.MoveTo(t.ID) {
			out = append(out, destination{t.ID, t.Name})
		}
	}
	return out
}

// assignPage is the data of the form that assigns one license.
type assignPage struct {
	*orgPage
	License sk.License
	Back    string
}

func (s *Server) assignForm(w http.ResponseWriter, r *http.Request, a *sk.Actor) error {
	return s.renderAssign(w, r, a, nil, http.StatusOK)
}

// renderAssign shows the assign form of the license that r's path names.
func (s *Server) renderAssign(w http.ResponseWriter, r *http.Request, a *sk.Actor, f *form,
	status int) error {
	p, err := s.loadOrg(r, a, "licenses")
	if err != nil {
		return err
	}
	l, err := s.cfg.Licenses.License(r.Context(), a, p.Org.ID, r.PathValue("license"))
	if err != nil {
		return err
	}
	data := assignPage{orgPage: p, License: *l, Back: localPath(r.URL.Query().Get("back"))}
	if r.Method == http.MethodPost {
		data.Back = back(r, p.Base+"/licenses")
	}
	s.render(w, r, a, status, "assign", &view{Title: "Assign a license", Nav: p.nav(),
		Form: f, Data: data})
	return nil
}

func (s *Server) assign(w http.ResponseWriter, r *http.Request, a *sk.Actor) error {
	in := sk.Assignment{Email: r.PostFormValue("email"),
		Replace: r.PostFormValue("replace") == "yes"}
	l, err := s.cfg.Licenses.Assign(r.Context(), a, s.cfg.Client(r), r.PathValue("org"),
		r.PathValue("license"), in)
	if f := formFailure(r, "assign", err); f != nil {
		return s.renderAssign(w, r, a, f, statusOf(err))
	}
	if err != nil {
		return err
	}

	msg := "The license is assigned to " + in.Email + ", who has been told by email."
	if l.Status == sk.LicensePending {
		msg = "The license is held for " + in.Email + " until they create an account; " +
			"we have emailed them."
	}
	s.redirect(w, r, back(r, "/orgs/"+r.PathValue("org")+"/licenses"), msg)
	return nil
}

func (s *Server) unassign(w http.ResponseWriter, r *http.Request, a *sk.Actor) error {
	if !confirmed(r) {
		return s.askConfirm(w, r, a, confirmation{Title: "Unassign license",
			Question: "Unassign this license from " + r.PostFormValue("holder") + "?",
			Detail:   "They lose access to the product at once.",
			Button:   "Unassign", Danger: true})
	}
	err := s.cfg.Licenses.Unassign(r.Context(), a, s.cfg.Client(r), r.PathValue("org"),
		r.PathValue("license"))
	if err != nil {
		return err
	}
	s.redirect(w, r, back(r, "/orgs/"+r.PathValue("org")+"/licenses"),
		"The license is unassigned and free to give to someone else.")
	return nil
}

// changeTeamPage is the data of the page that picks where selected
// licenses go, for browsers without the script's dialog.
type changeTeamPage struct {
	*orgPage
	LicenseIDs   []string
	Destinations []destination
	Back         string
}

func (s *Server) changeTeamForm(w http.ResponseWriter, r *http.Request, a *sk.Actor) error {
	p, err := s.loadOrg(r, a, "licenses")
	if err != nil {
		return err
	}
	teams, err := s.allTeams(r.Context(), a, p)
	if err != nil {
		return err
	}
	ids := r.URL.Query()["license"]
	if len(ids) == 0 {
		s.redirect(w, r, localPath(r.URL.Query().Get("back")),
			"Select the licenses to move first.")
		return nil
	}
	data := changeTeamPage{orgPage: p, LicenseIDs: ids, Destinations: destinations(p, teams),
		Back: localPath(r.URL.Query().Get("back"))}
	s.render(w, r, a, http.StatusOK, "change-team", &view{Title: "Change team",
		Nav: p.nav(), Data: data})
	return nil
}

func (s *Server) changeTeam(w http.ResponseWriter, r *http.Request, a *sk.Actor) error {
	ids := r.PostForm["license"]
	if len(ids) == 0 {
		s.redirect(w, r, back(r, "/orgs/"+r.PathValue("org")+"/licenses"),
			"Select the licenses to move first.")
		return nil
	}
	moved, err := s.cfg.Licenses.ChangeTeam(r.Context(), a, s.cfg.Client(r),
		r.PathValue("org"), ids, optional(r.PostFormValue("team_id")))
	if err != nil {
		return err
	}
	s.redirect(w, r, back(r, "/orgs/"+r.PathValue("org")+"/licenses"),
		plural(moved, "license", "licenses")+" moved.")
	return nil
}
