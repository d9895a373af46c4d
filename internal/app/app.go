// Package app assembles Seatkeeper from its parts: the services over one
// store, the API in front of them, and the background workers behind them.
// The serve command and the end-to-end tests build the same App, so what the
// tests exercise is what runs.
package app

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"sync"

	sk "github.com/seatkeeper/seatkeeper"
	"github.com/seatkeeper/seatkeeper/internal/accounts"
	"github.com/seatkeeper/seatkeeper/internal/api"
	"github.com/seatkeeper/seatkeeper/internal/licensing"
	"github.com/seatkeeper/seatkeeper/internal/mail"
	"github.com/seatkeeper/seatkeeper/internal/orgs"
	"github.com/seatkeeper/seatkeeper/internal/outbox"
	"github.com/seatkeeper/seatkeeper/internal/ratelimit"
	"github.com/seatkeeper/seatkeeper/internal/store"
)

// Config is what an App is made of.
type Config struct {
	DB      *store.DB
	Mail    mail.Transport
	BaseURL string
	Logger  *slog.Logger

	// Dev installs the development clock and its API route.
	Dev bool

	// Hash sets the password hashing cost; zero means the default.
	Hash accounts.HashParams
}

// App is a running Seatkeeper.
type App struct {
	Handler  http.Handler
	Accounts *accounts.Service
	Orgs     *orgs.Service
	Clock    sk.Clock

	outbox *outbox.Worker
}

// New builds an App. Call Run to start its background work.
func New(cfg Config) (*App, error) {
	templates, err := mail.NewTemplates()
	if err != nil {
		return nil, err
	}
	baseURL := strings.TrimSuffix(cfg.BaseURL, "/")

	var clock sk.Clock = sk.SystemClock{}
	var devClock *sk.DevClock
	if cfg.Dev {
		devClock = &sk.DevClock{}
		clock = devClock
	}

	worker := outbox.NewWorker(cfg.DB, cfg.Mail, clock, cfg.Logger)
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
	})

	licenseService := licensing.New(licensing.Config{
		DB:      cfg.DB,
		Clock:   clock,
		Mail:    templates,
		BaseURL: baseURL,
		Logger:  cfg.Logger,
		Queued:  worker.Wake,
	})

	handler := api.New(api.Config{
		Logger:   cfg.Logger,
		Ready:    cfg.DB,
		BaseURL:  baseURL,
		DevClock: devClock,
		Advanced: worker.Wake,
		Accounts: accountService,
		Orgs:     orgService,
		Licenses: licenseService,
	})
	return &App{Handler: handler, Accounts: accountService, Orgs: orgService, Clock: clock,
		outbox: worker}, nil
}

// Run does the App's background work (delivering mail) until ctx ends, and
// returns when all of it has stopped.
func (a *App) Run(ctx context.Context) {
	var wg sync.WaitGroup
	wg.Go(func() { a.outbox.Run(ctx) })
	wg.Wait()
}
