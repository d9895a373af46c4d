// Package api serves Seatkeeper's JSON API under /api/v1, and the health
// probes, over the services of the domain package. Handlers parse the
// request, call one service method and write its answer; they decide no
// permission and no business rule of their own.
package api

import (
	"context"
	"log/slog"
	"net/http"
	"slices"
	"time"

	sk "github.com/seatkeeper/seatkeeper"
	"github.com/seatkeeper/seatkeeper/internal/metrics"
)

// Config is what the API needs from the process that serves it.
type Config struct {
	Logger *slog.Logger

	// Ready reports whether the server can take traffic; /readyz asks it.
	Ready sk.Pinger

	// BaseURL is the server's public URL; an https one makes cookies Secure.
	BaseURL string

	// Client tells where a request comes from, for rate limits and the
	// audit log; nil means the connection's remote address (RemoteClient).
	Client func(r *http.Request) sk.Client

	// DevClock, when set, enables POST /api/v1/dev/clock/advance, and
	// Advanced is called after the clock moves, to run what fell due.
	DevClock *sk.DevClock
	Advanced func(ctx context.Context) error

	Accounts    sk.AccountService
	Orgs        sk.OrgService
	Licenses    sk.LicenseService
	Billing     sk.BillingService
	Idempotency sk.IdempotencyKeys
	Product     sk.ProductService
}

// Server is the HTTP handler of the API.
type Server struct {
	cfg     Config
	mux     *http.ServeMux
	handler http.Handler

	registered []string // the patterns of the routes New registered
}

// route is one entry of the route table.
type route struct {
	pattern string // a net/http pattern, method first
	handle  http.HandlerFunc
}

// New returns the API's handler with every route of routes registered.
func New(cfg Config) *Server {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Client == nil {
		cfg.Client = RemoteClient
	}
	s := &Server{cfg: cfg, mux: http.NewServeMux()}
	routes := s.routes()
	if cfg.DevClock != nil {
		routes = append(routes, route{"POST /api/v1/dev/clock/advance", s.public(s.advanceClock)})
	}
	for _, rt := range routes {
		s.mux.Handle(rt.pattern, metrics.Routed(rt.handle))
		s.registered = append(s.registered, rt.pattern)
	}
	// Browsers may not make state-changing requests from other origins: the
	// CSRF defence for the session cookie (Sec-Fetch-Site, else Origin).
	csrf := http.NewCrossOriginProtection()
	csrf.SetDenyHandler(http.HandlerFunc(crossOrigin))
	// withClient copies the request, so it comes before observe, which
	// reads the route from the request that the mux is given.
	s.handler = s.withClient(observe(cfg.Logger,
		secure(csrf.Handler(http.HandlerFunc(s.dispatch)))))
	return s
}

// routes is the one list of everything the API answers, by area.
func (s *Server) routes() []route {
	return slices.Concat(
		[]route{
			{"GET /healthz", s.healthz},
			{"GET /readyz", s.readyz},
		},
		s.accountRoutes(),
		s.orgRoutes(),
		s.licenseRoutes(),
		s.billingRoutes(),
		s.productRoutes(),
		s.openAPIRoutes(),
	)
}

func (s *Server) accountRoutes() []route {
	return []route{
		{"POST /api/v1/auth/signup", s.public(s.signup)},
		{"POST /api/v1/auth/verify", s.public(s.verify)},
		{"POST /api/v1/auth/verify/resend", s.public(s.resendVerification)},
		{"POST /api/v1/auth/login", s.public(s.login)},
		{"POST /api/v1/auth/session", s.public(s.startSession)},
		{"POST /api/v1/auth/logout", s.authed(s.logout)},
		{"POST /api/v1/auth/password-reset", s.public(s.requestPasswordReset)},
		{"POST /api/v1/auth/password-reset/confirm", s.public(s.confirmPasswordReset)},
		{"GET /api/v1/me", s.authed(s.me)},
		{"POST /api/v1/me/password", s.authed(s.changePassword)},
		{"POST /api/v1/me/email", s.authed(s.changeEmail)},
		{"POST /api/v1/me/email/confirm", s.public(s.confirmEmailChange)},
		{"GET /api/v1/me/tokens", s.authed(s.listTokens)},
		{"POST /api/v1/me/tokens", s.authed(s.createToken)},
		{"DELETE /api/v1/me/tokens/{id}", s.authed(s.deleteToken)},
	}
}

func (s *Server) orgRoutes() []route {
	return []route{
		{"GET /api/v1/orgs/{org}", s.authed(s.getOrg)},
		{"PATCH /api/v1/orgs/{org}", s.authed(s.renameOrg)},
		{"GET /api/v1/orgs/{org}/teams", s.authed(s.listTeams)},
		{"POST /api/v1/orgs/{org}/teams", s.authed(s.createTeam)},
		{"GET /api/v1/orgs/{org}/teams/{team}", s.authed(s.getTeam)},
		{"PATCH /api/v1/orgs/{org}/teams/{team}", s.authed(s.renameTeam)},
		{"DELETE /api/v1/orgs/{org}/teams/{team}", s.authed(s.removeTeam)},
		{"GET /api/v1/orgs/{org}/roles", s.authed(s.listRoles)},
		{"PUT /api/v1/orgs/{org}/roles/{user}", s.authed(s.setRole)},
		{"DELETE /api/v1/orgs/{org}/roles/{user}", s.authed(s.removeRole)},
		{"DELETE /api/v1/orgs/{org}/roles/me", s.authed(s.abandonRole)},
		{"GET /api/v1/orgs/{org}/teams/{team}/roles", s.authed(s.listRoles)},
		{"PUT /api/v1/orgs/{org}/teams/{team}/roles/{user}", s.authed(s.setRole)},
		{"DELETE /api/v1/orgs/{org}/teams/{team}/roles/{user}", s.authed(s.removeRole)},
		{"DELETE /api/v1/orgs/{org}/teams/{team}/roles/me", s.authed(s.abandonRole)},
		{"GET /api/v1/orgs/{org}/invitations", s.authed(s.listInvitations)},
		{"GET /api/v1/orgs/{org}/teams/{team}/invitations", s.authed(s.listInvitations)},
		{"POST /api/v1/orgs/{org}/invitations", s.authed(s.invite)},
		{"DELETE /api/v1/orgs/{org}/invitations/{inv}", s.authed(s.revokeInvitation)},
		{"POST /api/v1/orgs/{org}/invitations/{inv}/resend", s.authed(s.resendInvitation)},
		{"POST /api/v1/invitations/accept", s.authed(s.acceptInvitation)},
		{"GET /api/v1/orgs/{org}/audit-log", s.authed(s.auditLog)},
	}
}

func (s *Server) licenseRoutes() []route {
	return []route{
		{"GET /api/v1/orgs/{org}/licenses", s.authed(s.listLicenses)},
		{"GET /api/v1/orgs/{org}/licenses/{license}", s.authed(s.getLicense)},
		{"GET /api/v1/orgs/{org}/teams/{team}/licenses", s.authed(s.listLicenses)},
		{"PUT /api/v1/orgs/{org}/licenses/{license}/assignee", s.authed(s.assignLicense)},
		{"DELETE /api/v1/orgs/{org}/licenses/{license}/assignee", s.authed(s.unassignLicense)},
		{"POST /api/v1/orgs/{org}/licenses/change-team", s.authed(s.changeTeam)},
		{"GET /api/v1/me/licenses", s.authed(s.myLicenses)},
	}
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.handler.ServeHTTP(w, r)
}

// dispatch sends r to its route. A request that matches none, or matches a
// path but not its method, gets a problem document rather than the mux's
// plain-text answer.
func (s *Server) dispatch(w http.ResponseWriter, r *http.Request) {
	h, pattern := s.mux.Handler(r)
	if pattern != "" {
		s.mux.ServeHTTP(w, r)
		return
	}
	h.ServeHTTP(&unmatchedWriter{w: w, r: r}, r)
}

// unmatchedWriter turns the mux's 404 and 405 answers into problems.
type unmatchedWriter struct {
	w       http.ResponseWriter
	r       *http.Request
	written bool
}

func (u *unmatchedWriter) Header() http.Header { return u.w.Header() }

func (u *unmatchedWriter) WriteHeader(status int) {
	if u.written {
		return
	}
	u.written = true
	if status == http.StatusMethodNotAllowed {
		writeError(u.w, u.r, sk.Errorf(sk.EMETHOD, "%s is not allowed on %s; allowed: %s.",
			u.r.Method, u.r.URL.Path, u.w.Header().Get("Allow")))
		return
	}
	notFound(u.w, u.r)
}

func (u *unmatchedWriter) Write(b []byte) (int, error) {
	u.WriteHeader(http.StatusNotFound)
	return len(b), nil
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// readyz answers 200 only when the database answers and its schema is
// current, so that a load balancer sends no traffic to a server that could
// not serve it.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Ready == nil {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
		return
	}

	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.cfg.Ready.Ready(ctx); err != nil {
		requestLogger(r).WarnContext(ctx, "not ready", "error", err)
		writeProblem(w, Problem{
			Type:   "about:blank",
			Title:  "Service unavailable",
			Status: http.StatusServiceUnavailable,
			Detail: "The server cannot reach its database or the schema is not current.",
			Code:   sk.EUNAVAILABLE,
		})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}

func crossOrigin(w http.ResponseWriter, r *http.Request) {
	writeError(w, r, sk.Errorf(sk.EFORBIDDEN,
		"Cross-origin requests that change something are not accepted."))
}
