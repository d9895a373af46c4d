// Package product implements seatkeeper.ProductService, the licensed
// product's side of Seatkeeper: machine activations, and license tokens
// signed with Ed25519 that the product verifies offline with package
// licensetoken. Only a license's holder reaches these; roles in the
// organization play no part.
package product

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	sk "github.com/seatkeeper/seatkeeper"
	"github.com/seatkeeper/seatkeeper/internal/ratelimit"
	"github.com/seatkeeper/seatkeeper/internal/store"
)

// DefaultTokenTTL is the longest a license token lasts unless configured
// otherwise: a week offline before the product must ask again.
const DefaultTokenTTL = 7 * 24 * time.Hour

// keyGrace keeps a retired key published a little beyond the longest token
// it can have signed: a server may sign with a key in the moment that
// another retires it.
const keyGrace = time.Minute

// The rate limits, per license. A product asks for a token when the last one
// nears its end, and activates a machine once; these leave room for restarts
// and reinstalls and stop a leaked API token from minting tokens in bulk.
var (
	tokensPerLicense      = ratelimit.Rule{Name: "token-license", Limit: 60, Window: time.Hour}
	activationsPerLicense = ratelimit.Rule{Name: "activate-license", Limit: 20,
		Window: time.Hour}
)

// Config is what the service needs.
type Config struct {
	DB      *store.DB
	Clock   sk.Clock
	Limiter *ratelimit.Limiter
	Logger  *slog.Logger

	// Issuer is the "iss" of every token: the server's public base URL.
	Issuer string

	// TokenTTL is the longest a token lasts; zero means DefaultTokenTTL.
	// Every server sharing a database should use the same.
	TokenTTL time.Duration
}

// Service implements sk.ProductService.
type Service struct {
	cfg Config
}

var _ sk.ProductService = (*Service)(nil)

// New returns the service.
func New(cfg Config) *Service {
	if cfg.TokenTTL <= 0 {
		cfg.TokenTTL = DefaultTokenTTL
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Service{cfg: cfg}
}

func (s *Service) now() time.Time { return s.cfg.Clock.Now() }

// errNotValid refuses activations and tokens for a license whose
// subscription has ended or whose period has run out.
var errNotValid = sk.Errorf(sk.ECONFLICT,
	"The license is not valid now: its subscription has ended or its period is over.")

// audit records a change to a license's activations in the audit log of the
// license's organization (none for a personal license) and of its customer
// account, in the transaction that makes it.
func (s *Service) audit(ctx context.Context, tx *store.Tx, a *sk.Actor, c sk.Client,
	lic *store.HolderLicense, action string, act *sk.Activation, before, after any) error {
	b, err := marshal(before)
	if err != nil {
		return err
	}
	af, err := marshal(after)
	if err != nil {
		return err
	}
	r := &store.AuditRecord{
		CustomerID: &lic.CustomerID,
		Actor:      &sk.UserRef{ID: a.User.ID, Email: a.User.Email, Name: a.User.Name},
		Action:     action,
		TargetType: "activation",
		TargetID:   act.ID,
		Before:     b,
		After:      af,
		ClientIP:   c.IP,
		At:         s.now(),
	}
	if lic.OrgID != nil {
		r.OrgID = *lic.OrgID
	}
	return tx.InsertAudit(ctx, r)
}

// machine is an activation as the audit log records it: which license and
// what the holder called the machine. The fingerprint stays out, since the
// organization's Managers read the log and need no device identifiers.
type machine struct {
	LicenseID string `json:"license_id"`
	Name      string `json:"name"`
}

func machineOf(a *sk.Activation) machine { return machine{a.LicenseID, a.Name} }

func marshal(v any) ([]byte, error) {
	if v == nil {
		return nil, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encoding audit state: %w", err)
	}
	return b, nil
}
