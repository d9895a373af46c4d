// Package accounts implements seatkeeper.AccountService: sign-up with a
// verified email address, passwords, sessions, API tokens and the mail that
// goes with them.
package accounts

import (
	"context"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	sk "github.com/seatkeeper/seatkeeper"
	"github.com/seatkeeper/seatkeeper/internal/mail"
	"github.com/seatkeeper/seatkeeper/internal/ratelimit"
	"github.com/seatkeeper/seatkeeper/internal/secret"
	"github.com/seatkeeper/seatkeeper/internal/store"
)

// How long things last. The choices are written down in docs/accounts.md.
const (
	verifyLinkTTL      = 48 * time.Hour
	resetLinkTTL       = time.Hour
	emailChangeLinkTTL = 24 * time.Hour
	sessionIdle        = 72 * time.Hour
	sessionAbsolute    = 14 * 24 * time.Hour
	loginTokenTTL      = 30 * 24 * time.Hour
	touchInterval      = time.Minute
)

// Password length rules: long enough to resist guessing, short enough that
// hashing stays cheap. No composition rules.
const (
	minPassword = 8
	maxPassword = 128
)

// The rate limits. Failed sign-ins count per client address and per account;
// every request that sends mail counts per client address and per address
// mailed, whether or not it has an account.
var (
	loginPerIP      = ratelimit.Rule{Name: "login-ip", Limit: 30, Window: 15 * time.Minute}
	loginPerAccount = ratelimit.Rule{Name: "login-account", Limit: 10, Window: 15 * time.Minute}
	mailPerIP       = ratelimit.Rule{Name: "mail-ip", Limit: 20, Window: time.Hour}
	mailPerAddress  = ratelimit.Rule{Name: "mail-address", Limit: 5, Window: time.Hour}

	// verifyOnLogin spaces the verification links that signing in with the
	// right password of an unverified address sends.
	verifyOnLogin = ratelimit.Rule{Name: "verify-on-login", Limit: 1, Window: 15 * time.Minute}
)

// Config is what the service needs.
type Config struct {
	DB      *store.DB
	Clock   sk.Clock
	Limiter *ratelimit.Limiter
	Mail    *mail.Templates
	BaseURL string // for links in mail, without a trailing slash
	Hash    HashParams
	Logger  *slog.Logger

	// Queued is called after a transaction that queued mail commits, to
	// wake the delivery worker.
	Queued func()
}

// Service implements sk.AccountService.
type Service struct {
	cfg Config

	// dummyHash is checked against when an email has no account, so that
	// such a sign-in takes as long as one with a wrong password.
	dummyHash string
}

var _ sk.AccountService = (*Service)(nil)

// New returns the service.
func New(cfg Config) *Service {
	if cfg.Hash == (HashParams{}) {
		cfg.Hash = DefaultHashParams
	}
	if cfg.Queued == nil {
		cfg.Queued = func() {}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Service{cfg: cfg, dummyHash: hashPassword(secret.Hash("dummy"), cfg.Hash)}
}

func (s *Service) now() time.Time { return s.cfg.Clock.Now() }

// link returns an absolute dashboard URL carrying a token.
func (s *Service) link(path, token string) string {
	return s.cfg.BaseURL + path + "?token=" + token
}

// enqueue renders a message and queues it in tx.
func (s *Service) enqueue(ctx context.Context, tx *store.Tx, name, to string, data any) error {
	m, err := s.cfg.Mail.Render(name, to, data)
	if err != nil {
		return err
	}
	return tx.EnqueueMail(ctx, m, s.now())
}

func checkPasswordRules(v *sk.Validation, field, password string) {
	n := utf8.RuneCountInString(password)
	v.Check(n >= minPassword, field, "must be at least %d characters", minPassword)
	v.Check(n <= maxPassword, field, "must be at most %d characters", maxPassword)
}

func checkEmail(v *sk.Validation, field, email string) {
	switch {
	case email == "":
		v.Add(field, "is required")
	case !sk.ValidEmail(email):
		v.Add(field, "must be an email address such as name@example.com")
	}
}

// mailKeys are the rate-limit keys of a request that mails address.
func mailKeys(c sk.Client, address string) []ratelimit.Key {
	return []ratelimit.Key{
		{Rule: mailPerIP, Subject: c.IP},
		{Rule: mailPerAddress, Subject: strings.ToLower(address)},
	}
}

// mailRequest checks the address of a request that mails it and counts the
// request against the client's and the address's limits.
func (s *Service) mailRequest(ctx context.Context, c sk.Client, email string) error {
	var v sk.Validation
	checkEmail(&v, "email", email)
	if err := v.Err(); err != nil {
		return err
	}
	return s.cfg.Limiter.Hit(ctx, mailKeys(c, email)...)
}
