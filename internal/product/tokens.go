package product

import (
	"context"
	"time"

	sk "github.com/seatkeeper/seatkeeper"
	"github.com/seatkeeper/seatkeeper/internal/ratelimit"
	"github.com/seatkeeper/seatkeeper/internal/store"
	"github.com/seatkeeper/seatkeeper/licensetoken"
)

// IssueToken implements sk.ProductService.
func (s *Service) IssueToken(ctx context.Context, a *sk.Actor, licenseID string,
	in sk.TokenRequest) (*sk.LicenseToken, error) {
	if err := checkTokenRequest(in); err != nil {
		return nil, err
	}

	now := s.now()
	var lic *store.HolderLicense
	var act *sk.Activation
	err := s.cfg.DB.View(ctx, func(tx *store.Tx) error {
		var err error
		if lic, err = tx.LicenseOfHolder(ctx, a.User.ID, licenseID); err != nil {
			return err
		}
		act, err = tx.Activation(ctx, lic.ID, in.ActivationID, in.Fingerprint)
		return err
	})
	if err != nil {
		return nil, err
	}
	if in.ActivationID != "" && in.Fingerprint != "" && in.Fingerprint != act.Fingerprint {
		return nil, sk.Invalid("fingerprint", "is not the fingerprint of the activation")
	}
	if !lic.ValidAt(now) {
		return nil, errNotValid
	}

	key := ratelimit.Key{Rule: tokensPerLicense, Subject: lic.ID}
	if err := s.cfg.Limiter.Check(ctx, key); err != nil {
		return nil, err
	}
	token, err := s.sign(ctx, a, lic, act, now)
	if err != nil {
		return nil, err
	}
	// Counted before it is handed out, so that requests racing past the
	// check still cannot take more than the limit.
	if err := s.cfg.Limiter.Hit(ctx, key); err != nil {
		return nil, err
	}
	return token, nil
}

func checkTokenRequest(in sk.TokenRequest) error {
	var v sk.Validation
	switch {
	case in.ActivationID == "" && in.Fingerprint == "":
		v.Add("activation_id", "is required, unless fingerprint names the machine")
	case in.ActivationID != "":
		v.Check(sk.HasPrefix(in.ActivationID, sk.PrefixActivation), "activation_id",
			"is not an activation ID")
	default:
		checkFingerprint(&v, "fingerprint", in.Fingerprint)
	}
	return v.Err()
}

// sign makes the token of an activation. It expires after the configured
// lifetime, or when the license stops being valid if that comes first (the
// end of its period, or while past due its last payment retry); times are
// whole seconds, rounded down so that exp never passes the license's
// validity.
func (s *Service) sign(ctx context.Context, a *sk.Actor, lic *store.HolderLicense,
	act *sk.Activation, now time.Time) (*sk.LicenseToken, error) {
	key, err := s.currentKey(ctx)
	if err != nil {
		return nil, err
	}

	exp := now.Add(s.cfg.TokenTTL)
	if lic.ValidUntil.Before(exp) {
		exp = lic.ValidUntil
	}
	exp = exp.Truncate(time.Second)
	c := &licensetoken.Claims{
		Issuer:    s.cfg.Issuer,
		Subject:   a.User.ID,
		License:   lic.ID,
		Plan:      lic.PlanID,
		Machine:   act.Fingerprint,
		IssuedAt:  now.Unix(),
		NotBefore: now.Unix(),
		ExpiresAt: exp.Unix(),
	}
	if lic.OrgID != nil {
		c.Org = *lic.OrgID
	}
	token, err := licensetoken.Sign(key.private, key.id, c)
	if err != nil {
		return nil, err
	}
	return &sk.LicenseToken{Token: token, ExpiresAt: exp.UTC(), KeyID: key.id,
		ActivationID: act.ID}, nil
}
