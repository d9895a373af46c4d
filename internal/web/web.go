// Package web serves Seatkeeper's dashboard: server-rendered HTML pages over
// the same services that the JSON API calls. Pages work without JavaScript;
// a small script only improves row selection, dialogs and confirmations.
//
// Handlers parse a form, call one service method, and either redirect with a
// message (Post/Redirect/Get) or render the page again with the errors next
// to their fields. They decide no permission: services refuse what the
// policy forbids, and pages ask the same policy only to hide controls that
// would be refused.
package web

import (
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"

	sk "github.com/seatkeeper/seatkeeper"
	"github.com/seatkeeper/seatkeeper/internal/api"
	"github.com/seatkeeper/seatkeeper/internal/metrics"
)

// Config is what the dashboard needs from the process that serves it.
type Config struct {
	Logger *slog.Logger

	// BaseURL is the server's public URL; an https one makes cookies Secure.
	BaseURL string

	// Client tells where a request comes from, for rate limits; nil means
	// the connection's remote address.
	Client func(r *http.Request) sk.Client

	// Clock tells the time; nil means the wall clock.
	Clock sk.Clock

	// Dev marks a server run with --dev: pages say that its clock and
	// payments are for trying things out.
	Dev bool

	// Vendor is the name of the business that sells through this server,
	// which invoices name as the seller. Empty means the host name of
	// BaseURL, or "Seatkeeper" when that is no public name (see seller).
	Vendor string

	Accounts sk.AccountService
	Orgs     sk.OrgService
	Licenses sk.LicenseService
	Billing  sk.BillingService
	Product  sk.ProductService

	// Idempotency makes the forms that charge money safe to submit twice.
	Idempotency sk.IdempotencyKeys
}

// Server is the dashboard's HTTP handler.
type Server struct {
	cfg     Config
	pages   *pages
	mux     *http.ServeMux
	handler http.Handler
}

// New returns the dashboard's handler with every route of routes registered.
func New(cfg Config) (*Server, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Client == nil {
		cfg.Client = api.RemoteClient
	}
	if cfg.Clock == nil {
		cfg.Clock = sk.SystemClock{}
	}
	p, err := parsePages()
	if err != nil {
		return nil, err
	}

	s := &Server{cfg: cfg, pages: p, mux: http.NewServeMux()}
	for _, rt := range s.routes() {
		s.mux.Handle(rt.pattern, metrics.Routed(rt.handle))
	}
	s.mux.Handle("/", s.public(s.notFound))

	csrf := http.NewCrossOriginProtection()
	csrf.SetDenyHandler(http.HandlerFunc(s.crossOrigin))
	s.handler = headers(csrf.Handler(s.mux))
	return s, nil
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.handler.ServeHTTP(w, r)
}

// contentSecurity allows nothing inline and nothing from elsewhere: every
// script and style is a file of this server.
const contentSecurity = "default-src 'self'; script-src 'self'; style-src 'self'; " +
	"img-src 'self' data:; font-src 'self'; connect-src 'self'; form-action 'self'; " +
	"frame-ancestors 'none'; base-uri 'none'; object-src 'none'"

// headers sets the security headers of every page.
func headers(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurity)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		next.ServeHTTP(w, r)
	})
}

// crossOrigin answers a state-changing request that another site's page
// made.
func (s *Server) crossOrigin(w http.ResponseWriter, r *http.Request) {
	s.renderError(w, r, sk.Errorf(sk.EFORBIDDEN,
		"This form was sent from another site, so it was not accepted."))
}

// seller is the name invoices give as the seller: Config.Vendor, else the
// host name customers reach the server by, which is the vendor's, else the
// product's own name for a server without a public one.
func (s *Server) seller() string {
	if s.cfg.Vendor != "" {
		return s.cfg.Vendor
	}
	u, err := url.Parse(s.cfg.BaseURL)
	if err != nil {
		return "Seatkeeper"
	}
	host := u.Hostname()
	if host == "" || host == "localhost" || net.ParseIP(host) != nil {
		return "Seatkeeper"
	}
	return host
}

func (s *Server) secureCookies(r *http.Request) bool {
	return r.TLS != nil || strings.HasPrefix(s.cfg.BaseURL, "https://")
}
