package web

import (
	"context"
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

	// planNames names the catalogue's plans by ID, for PlanName.
	planNames map[string]string

	// Destinations are where the actor may move licenses: the organization
	// (value "") and teams.
	Destinations []option
}

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

// PlanName names a license's plan.
func (p licensesPage) PlanName(id string) string { return planName(p.planNames, id) }

// planName is the name of the plan id in names, or the ID written as a
// name for a plan the catalogue no longer has.
func planName(names map[string]string, id string) string {
	if name, ok := names[id]; ok {
		return name
	}
	return titleCase(id)
}

// planNames names the plans of the catalogue by ID.
func (s *Server) planNames(ctx context.Context) (map[string]string, error) {
	plans, err := s.cfg.Billing.Plans(ctx)
	if err != nil {
		return nil, err
	}
	names := make(map[string]string, len(plans))
	for _, p := range plans {
		names[p.ID] = p.Name
	}
	return names, nil
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
	plans, err := s.planNames(ctx)
	if err != nil {
		return err
	}

	data := licensesPage{orgPage: p, Licenses: list, Counts: counts, Filter: f,
		teamNames: make(map[string]string, len(teams)), planNames: plans}
	for _, t := range teams {
		data.teamNames[t.ID] = t.Name
		data.TeamFilter = append(data.TeamFilter, option{t.ID, t.Name, t.ID == f.Team})
	}
	data.Next, data.First = pageLinks(r, page, next)
	data.Destinations = destinations(p, teams, "")
	title := "Licenses · " + p.Org.Name
	if p.Team != nil {
		title = "Licenses · " + p.Team.Name
	}
	s.render(w, r, a, http.StatusOK, "licenses", &view{Title: title, Nav: p.nav(),
		Data: data})
	return nil
}

// destinations lists where the actor may move licenses, the one of chosen
// selected: the organization and the teams where they manage licenses, the
// page's own team aside.
func destinations(p *orgPage, teams []sk.OrgRef, chosen string) []option {
	var out []option
	if p.Can.MoveTo("") {
		out = append(out, option{"", "The organization itself", chosen == ""})
	}
	for _, t := range teams {
		if (p.Team == nil || t.ID != p.Team.ID) && p.Can.MoveTo(t.ID) {
			out = append(out, option{t.ID, t.Name, t.ID == chosen})
		}
	}
	return out
}

// assignPage is the data of the form that assigns one license.
type assignPage struct {
	*orgPage
	License  sk.License
	PlanName string
	Back     string
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
	if f == nil && !p.Can.AssignAt(l.TeamID) {
		return sk.Errorf(sk.EFORBIDDEN,
			"Your role does not allow you to assign the licenses of this scope.")
	}
	plans, err := s.planNames(r.Context())
	if err != nil {
		return err
	}

	data := assignPage{orgPage: p, License: *l, PlanName: planName(plans, l.Plan),
		Back: localPath(r.URL.Query().Get("back"))}
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
// licenses go, for browsers without the script's dialog, and that shows a
// refused change again with its reason.
type changeTeamPage struct {
	*orgPage
	LicenseIDs   []string
	Destinations []option // the one of a refused change selected
	Back         string
}

func (s *Server) changeTeamForm(w http.ResponseWriter, r *http.Request, a *sk.Actor) error {
	q := r.URL.Query()
	if len(q["license"]) == 0 {
		s.redirectError(w, r, localPath(q.Get("back")), "Select the licenses to move first.")
		return nil
	}
	return s.renderChangeTeam(w, r, a, q["license"], localPath(q.Get("back")), nil,
		http.StatusOK)
}

// renderChangeTeam shows where the licenses ids may go, with the change that
// was refused, if any. Opened by its address by someone who may move them
// nowhere, it answers as the service would the change.
func (s *Server) renderChangeTeam(w http.ResponseWriter, r *http.Request, a *sk.Actor,
	ids []string, back string, f *form, status int) error {
	p, err := s.loadOrg(r, a, "licenses")
	if err != nil {
		return err
	}
	teams, err := s.allTeams(r.Context(), a, p)
	if err != nil {
		return err
	}
	data := changeTeamPage{orgPage: p, LicenseIDs: ids,
		Destinations: destinations(p, teams, f.Get("team_id")), Back: back}
	if f == nil && len(data.Destinations) == 0 {
		return errMayNotMove
	}

	s.render(w, r, a, status, "change-team", &view{Title: "Change team", Nav: p.nav(),
		Form: f, Data: data})
	return nil
}

// errMayNotMove is the service's refusal of a change of team, for the form
// that would only lead to it.
var errMayNotMove = sk.Errorf(sk.EFORBIDDEN, "Moving licenses needs the Manager role at "+
	"every scope they leave and at the one they join.")

func (s *Server) changeTeam(w http.ResponseWriter, r *http.Request, a *sk.Actor) error {
	ids := r.PostForm["license"]
	to := back(r, "/orgs/"+r.PathValue("org")+"/licenses")
	if len(ids) == 0 {
		s.redirectError(w, r, to, "Select the licenses to move first.")
		return nil
	}
	moved, err := s.cfg.Licenses.ChangeTeam(r.Context(), a, s.cfg.Client(r),
		r.PathValue("org"), ids, optional(r.PostFormValue("team_id")))
	if f := changeTeamFailure(r, err); f != nil {
		return s.renderChangeTeam(w, r, a, ids, to, f, statusOf(err))
	}
	if err != nil {
		return err
	}
	s.redirect(w, r, to, plural(moved, "license", "licenses")+" moved.")
	return nil
}

// changeTeamFailure is formFailure for a change of team, which names the
// licenses it could not find (IDs the actor sent, so nothing is revealed)
// and reports a bad selection, which no field of the form shows, in the
// form's message.
func changeTeamFailure(r *http.Request, err error) *form {
	f := formFailure(r, "change-team", err)
	if f == nil && sk.ErrorCode(err) == sk.ENOTFOUND {
		f = &form{Values: r.PostForm, Action: "change-team", Message: sk.ErrorMessage(err)}
	}
	if f == nil {
		return nil
	}
	if msg, ok := f.Errors["license_ids"]; ok {
		f.Message = "Nothing was moved. Selected licenses: " + msg + "."
		delete(f.Errors, "license_ids")
	}
	return f
}
