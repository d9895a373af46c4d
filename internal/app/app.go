// Package app assembles Seatkeeper from its parts: the services over one
// store, the API in front of them, and the background workers behind them.
// The serve command and the end-to-end tests build the same App, so what the
// tests exercise is what runs.
package app

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	sk "github.com/seatkeeper/seatkeeper"
	"github.com/seatkeeper/seatkeeper/internal/accounts"
	"github.com/seatkeeper/seatkeeper/internal/api"
	"github.com/seatkeeper/seatkeeper/internal/billing"
	"github.com/seatkeeper/seatkeeper/internal/billing/catalog"
	"github.com/seatkeeper/seatkeeper/internal/billing/payment"
	"github.com/seatkeeper/seatkeeper/internal/idempotency"
	"github.com/seatkeeper/seatkeeper/internal/licensing"
	"github.com/seatkeeper/seatkeeper/internal/mail"
	"github.com/seatkeeper/seatkeeper/internal/metrics"
	"github.com/seatkeeper/seatkeeper/internal/orgs"
	"github.com/seatkeeper/seatkeeper/internal/outbox"
	"github.com/seatkeeper/seatkeeper/internal/product"
	"github.com/seatkeeper/seatkeeper/internal/ratelimit"
	"github.com/seatkeeper/seatkeeper/internal/store"
	"github.com/seatkeeper/seatkeeper/internal/web"
)

// Config is what an App is made of.
type Config struct {
	DB      *store.DB
	Mail    mail.Transport
	BaseURL string
	Logger  *slog.Logger

	// Vendor is the seller's name on invoices; empty means the host name
	// of BaseURL (web.Config.Vendor).
	Vendor string

	// Dev installs the development clock and its API route.
	Dev bool

	// Clock, when set and Dev is not, is the time the services read: for
	// tools that fill a store with a history (the scale fixture). Nil means
	// the wall clock.
	Clock sk.Clock

	// Hash sets the password hashing cost; zero means the default.
	Hash accounts.HashParams

	// Plans is the vendor's catalogue; nil means the built-in one.
	Plans []sk.Plan

	// Payments is the payment provider; nil means the built-in one.
	Payments payment.Provider

	// BillingPoll is how often due renewals are looked for; zero means a
	// minute.
	BillingPoll time.Duration

	// TokenTTL is the longest a signed license token lasts; zero means
	// product.DefaultTokenTTL.
	TokenTTL time.Duration

	// Metrics holds the instruments the App reports to; nil makes a
	// registry of the App's own. Either way it is App.Metrics.
	Metrics *metrics.Metrics

	// MetricsElsewhere keeps GET /metrics off Handler, for a process that
	// serves App.Metrics.Handler() on an address of its own.
	MetricsElsewhere bool

	// TrustedProxies are the reverse proxies whose X-Forwarded-For header
	// names the client (api.ForwardedClient); none means that the client
	// is the connection's remote address.
	TrustedProxies []netip.Prefix
}

// App is a running Seatkeeper.
type App struct {
	Handler  http.Handler
	API      *api.Server // the JSON API within Handler
	Accounts *accounts.Service
	Orgs     *orgs.Service
	Licenses *licensing.Service
	Billing  *billing.Service
	Product  *product.Service
	Clock    sk.Clock
	Metrics  *metrics.Metrics

	outbox  *outbox.Worker
	limiter *ratelimit.Limiter
	keys    *idempotency.Keys
	poll    time.Duration
	logger  *slog.Logger
	started atomic.Bool
}

// New builds an App. Call Run to start its background work.
func New(cfg Config) (*App, error) {
	templates, err := mail.NewTemplates()
	if err != nil {
		return nil, err
	}
	baseURL := strings.TrimSuffix(cfg.BaseURL, "/")

	var clock sk.Clock = sk.SystemClock{}
	if cfg.Clock != nil {
		clock = cfg.Clock
	}
	var devClock *sk.DevClock
	if cfg.Dev {
		devClock = &sk.DevClock{}
		clock = devClock
	}

	m := cfg.Metrics
	if m == nil {
		m = metrics.New(cfg.Logger)
	}
	if err := m.WatchStore(cfg.DB, clock); err != nil {
		return nil, fmt.Errorf("watching the store for metrics: %w", err)
	}

	worker := outbox.NewWorker(cfg.DB, cfg.Mail, clock, cfg.Logger)
	worker.Metrics = m
	limiter := &ratelimit.Limiter{DB: cfg.DB, Clock: clock}
	accountService := accounts.New(accounts.Config{
		DB:      cfg.DB,
		Clock:   clock,
		Limiter: limiter,
		Mail:    templates,
		BaseURL: baseURL,
		Hash:    cfg.Hash,
		Logger:  cfg.Logger,
		Queued:  worker.Wake,
	})

	orgService := orgs.New(orgs.Config{
		DB:      cfg.DB,
		Clock:   clock,
		Limiter: limiter,
		Mail:    templates,
		BaseURL: baseURL,
		Logger:  cfg.Logger,
		Queued:  worker.Wake,
		Metrics: m,
	})

	licenseService := licensing.New(licensing.Config{
		DB:      cfg.DB,
		Clock:   clock,
		Mail:    templates,
		BaseURL: baseURL,
		Logger:  cfg.Logger,
		Queued:  worker.Wake,
		Metrics: m,
	})

	if cfg.Plans == nil {
		cfg.Plans = catalog.Default()
	}
	if cfg.Payments == nil {
		cfg.Payments = payment.NewBuiltin()
	}
	billingService := billing.New(billing.Config{
		DB:       cfg.DB,
		Clock:    clock,
		Provider: cfg.Payments,
		Orgs:     orgService,
		Plans:    cfg.Plans,
		Logger:   cfg.Logger,
		Metrics:  m,
	})
	m.PreparePlans(cfg.Plans)

	productService := product.New(product.Config{
		DB:       cfg.DB,
		Clock:    clock,
		Limiter:  limiter,
		Logger:   cfg.Logger,
		Issuer:   baseURL,
		TokenTTL: cfg.TokenTTL,
	})

	a := &App{Accounts: accountService, Orgs: orgService, Licenses: licenseService,
		Billing: billingService,
		Product: productService, Clock: clock, Metrics: m, outbox: worker,
		limiter: limiter, keys: &idempotency.Keys{DB: cfg.DB, Clock: clock},
		poll: cmp.Or(cfg.BillingPoll, time.Minute), logger: cfg.Logger}
	apiServer := api.New(api.Config{
		Logger:   cfg.Logger,
		Ready:    cfg.DB,
		BaseURL:  baseURL,
		Client:   api.ForwardedClient(cfg.TrustedProxies),
		DevClock: devClock,
		Advanced: a.runDue,
		Accounts: accountService,
		Orgs:     orgService,
		Licenses: licenseService,
		Billing:  billingService,
		Product:  productService,

		Idempotency: a.keys,
	})
	dashboard, err := web.New(web.Config{
		Logger:   cfg.Logger,
		BaseURL:  baseURL,
		Client:   api.ForwardedClient(cfg.TrustedProxies),
		Clock:    clock,
		Dev:      cfg.Dev,
		Vendor:   cfg.Vendor,
		Accounts: accountService,
		Orgs:     orgService,
		Licenses: licenseService,
		Billing:  billingService,
		Product:  productService,

		Idempotency: a.keys,
	})
	if err != nil {
		return nil, err
	}
	a.API = apiServer
	a.Handler = a.handler(apiServer, api.Observe(cfg.Logger, dashboard), cfg.MetricsElsewhere)
	return a, nil
}

// handler is what the App serves: the API, and its metrics unless they are
// served elsewhere, with every request counted by the route that served it.
func (a *App) handler(apiServer, dashboard http.Handler, metricsElsewhere bool) http.Handler {
	mux := http.NewServeMux()
	if !metricsElsewhere {
		mux.Handle("GET /metrics", metrics.Routed(a.Metrics.Handler()))
	}
	mux.Handle("/api/", apiServer)
	mux.Handle("/healthz", apiServer)
	mux.Handle("/readyz", apiServer)
	mux.Handle("/", dashboard)
	return a.Metrics.Instrument(mux)
}

// Start prepares the store for the App: it writes the plan catalogue and
// makes the first key that signs license tokens. On a schema not yet
// migrated it fails; Run keeps trying until it succeeds.
func (a *App) Start(ctx context.Context) error {
	if a.started.Load() {
		return nil
	}
	if err := a.Billing.SavePlans(ctx); err != nil {
		return err
	}
	if err := a.Product.EnsureKey(ctx); err != nil {
		return err
	}
	a.started.Store(true)
	return nil
}

// Run does the App's background work (delivering mail, renewing
// subscriptions) until ctx ends, and returns when all of it has stopped.
func (a *App) Run(ctx context.Context) {
	var wg sync.WaitGroup
	wg.Go(func() { a.outbox.Run(ctx) })
	wg.Go(func() { a.renewals(ctx) })
	wg.Wait()
}

// renewals runs what falls due, every poll, until ctx ends.
func (a *App) renewals(ctx context.Context) {
	ticker := time.NewTicker(a.poll)
	defer ticker.Stop()
	for {
		if err := a.runDue(ctx); err != nil && ctx.Err() == nil {
			a.logger.ErrorContext(ctx, "running due renewals", "error", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
	}
}

// runDue runs the billing work that is due, sends the mail it queued, and
// forgets what has expired: idempotency keys a day old, and rate-limit
// counters of windows long over. Every server runs it, and each step is
// safe to run at once with the others'.
func (a *App) runDue(ctx context.Context) error {
	if err := a.Start(ctx); err != nil {
		return err
	}
	_, err := a.Billing.RunDue(ctx)
	a.outbox.Wake()

	_, keysErr := a.keys.Prune(ctx)
	_, limitsErr := a.limiter.Prune(ctx)
	return errors.Join(err, keysErr, limitsErr)
}
