package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	sk "github.com/seatkeeper/seatkeeper"
	"github.com/seatkeeper/seatkeeper/internal/app"
	"github.com/seatkeeper/seatkeeper/internal/billing/catalog"
	"github.com/seatkeeper/seatkeeper/internal/demo"
	"github.com/seatkeeper/seatkeeper/internal/mail"
	"github.com/seatkeeper/seatkeeper/internal/product"
	"github.com/seatkeeper/seatkeeper/internal/store"
)

const defaultDatabase = "sqlite:seatkeeper.db"

// defaultAddr is where serve listens unless told otherwise.
const defaultAddr = "127.0.0.1:8080"

// serveConfig is everything serve reads from its flags.
type serveConfig struct {
	addr            string
	mailFrom        string
	plans           string
	database        string
	mail            string
	baseURL         string
	vendor          string
	dev             bool
	migrate         bool
	logFormat       string
	logLevel        string
	shutdownTimeout time.Duration
	tokenTTL        time.Duration
	metricsAddr     string
	trustedProxies  prefixList
	demo            bool
}

func (c *serveConfig) flags(fs *flag.FlagSet) {
	fs.StringVar(&c.addr, "addr", defaultAddr, "address to listen on")
	fs.StringVar(&c.database, "database", defaultDatabase,
		"database URL: sqlite:PATH, or postgres://… for PostgreSQL")
	fs.StringVar(&c.mail, "mail", "log",
		"where mail goes: log, smtp://user:pass@host:port, or dir:PATH")
	fs.StringVar(&c.mailFrom, "mail-from", mail.DefaultFrom, "sender of the mail Seatkeeper sends")
	fs.StringVar(&c.baseURL, "base-url", "",
		"public URL of this server, for links in emails (default http://ADDR)")
	fs.StringVar(&c.vendor, "vendor", "",
		"the seller's name on invoices (default the host name of --base-url)")
	fs.StringVar(&c.plans, "plans", "",
		"plan catalogue file (TOML); the built-in catalogue when empty")
	fs.BoolVar(&c.dev, "dev", false,
		"development mode: a test clock that POST /api/v1/dev/clock/advance moves")
	fs.BoolVar(&c.migrate, "migrate", true, "apply pending migrations at start")
	fs.StringVar(&c.logFormat, "log-format", "text", "log format: text or json")
	fs.StringVar(&c.logLevel, "log-level", "info", "log level: debug, info, warn or error")
	fs.DurationVar(&c.shutdownTimeout, "shutdown-timeout", 30*time.Second,
		"how long requests in flight may take to finish after SIGTERM")
	fs.DurationVar(&c.tokenTTL, "token-ttl", product.DefaultTokenTTL,
		"longest a signed license token lasts before the product must ask again")
	fs.StringVar(&c.metricsAddr, "metrics-addr", "",
		"serve /metrics on this address instead of --addr")
	fs.BoolVar(&c.demo, "demo", false,
		"fill an empty store with a demo organization and print how to sign in")
	fs.Var(&c.trustedProxies, "trusted-proxies",
		"comma-separated CIDRs of reverse proxies whose X-Forwarded-For is believed")
}

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var cfg serveConfig
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg.flags(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("serve takes no arguments, got %q", fs.Args())
	}
	if cfg.tokenTTL <= 0 {
		return fmt.Errorf("invalid --token-ttl %s: want a positive duration", cfg.tokenTTL)
	}

	logger, err := newLogger(stderr, cfg.logFormat, cfg.logLevel)
	if err != nil {
		return err
	}
	return serve(ctx, cfg, logger, stdout)
}

// serve wires the server together and runs it until ctx ends, then lets the
// requests in flight finish.
func serve(ctx context.Context, cfg serveConfig, logger *slog.Logger, stdout io.Writer) error {
	db, err := store.Open(ctx, cfg.database)
	if err != nil {
		return err
	}
	defer db.Close()

	if cfg.migrate {
		n, err := db.Migrate(ctx)
		if err != nil {
			return err
		}
		logger.Info("database ready", "dialect", db.Dialect(), "migrations_applied", n)
	}

	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", cfg.addr, err)
	}
	if cfg.baseURL == "" {
		cfg.baseURL = "http://" + ln.Addr().String()
	}

	transport, err := mail.NewTransport(cfg.mail, cfg.mailFrom, logger)
	if err != nil {
		return err
	}
	plans := catalog.Default()
	if cfg.plans != "" {
		if plans, err = catalog.Load(cfg.plans); err != nil {
			return err
		}
	}
	seatkeeper, err := app.New(app.Config{
		DB:      db,
		Mail:    transport,
		BaseURL: cfg.baseURL,
		Vendor:  cfg.vendor,
		Logger:  logger,
		Dev:     cfg.dev,
		Plans:   plans,

		TokenTTL: cfg.tokenTTL,

		MetricsElsewhere: cfg.metricsAddr != "",
		TrustedProxies:   cfg.trustedProxies,
	})
	if err != nil {
		return err
	}
	if cfg.metricsAddr != "" {
		stopMetrics, err := serveMetrics(cfg.metricsAddr, seatkeeper.Metrics.Handler(), logger)
		if err != nil {
			return err
		}
		defer stopMetrics()
	}
	if err := seatkeeper.Start(ctx); err != nil {
		// Without migrations the schema may not be there yet: the server
		// answers /readyz with 503 and writes the catalogue once it can.
		logger.Warn("plan catalogue not written yet", "error", err)
	}
	if cfg.demo {
		seedDemo(ctx, seatkeeper, db, cfg.baseURL, logger, stdout)
	}

	// Background work outlives the signal until the requests in flight
	// have finished, so that the mail they queue still goes out.
	workCtx, stopWork := context.WithCancel(context.WithoutCancel(ctx))
	workDone := make(chan struct{})
	go func() {
		defer close(workDone)
		seatkeeper.Run(workCtx)
	}()
	defer func() {
		stopWork()
		<-workDone
	}()

	srv := &http.Server{
		Handler:           seatkeeper.Handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	return listenAndServe(ctx, srv, ln, cfg, logger)
}

// listenAndServe serves on ln until ctx ends, then shuts srv down gracefully.
func listenAndServe(ctx context.Context, srv *http.Server, ln net.Listener,
	cfg serveConfig, logger *slog.Logger) error {
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	logger.Info("listening", "addr", ln.Addr().String(), "base_url", cfg.baseURL,
		"version", sk.Version, "dev", cfg.dev)

	select {
	case err := <-errc:
		return fmt.Errorf("serving: %w", err)
	case <-ctx.Done():
	}

	logger.Info("shutting down", "timeout", cfg.shutdownTimeout)
	shutdownCtx, cancel := context.WithTimeout(context.Background(), cfg.shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutting down: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serving: %w", err)
	}
	logger.Info("stopped")
	return nil
}

// seedDemo fills an empty store with the demo organization and prints how
// to sign in. A store that has accounts is left alone, with a word why.
func seedDemo(ctx context.Context, a *app.App, db *store.DB, baseURL string,
	logger *slog.Logger, stdout io.Writer) {
	people, err := demo.Seed(ctx, a, db)
	switch {
	case errors.Is(err, demo.ErrNotEmpty):
		logger.Warn("demo data not added", "reason", err)
	case err != nil:
		logger.Error("adding demo data", "error", err)
	default:
		demo.Print(stdout, baseURL, people)
	}
}
