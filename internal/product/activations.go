package product

import (
	"context"
	"strings"
	"unicode/utf8"

	sk "github.com/seatkeeper/seatkeeper"
	"github.com/seatkeeper/seatkeeper/internal/ratelimit"
	"github.com/seatkeeper/seatkeeper/internal/store"
)

// maxFingerprint bounds a machine's fingerprint; products send a hash or a
// UUID, far shorter.
const maxFingerprint = 200

// checkFingerprint records an error for field unless fp is 1 to
// maxFingerprint characters without spaces at either end or control
// characters.
func checkFingerprint(v *sk.Validation, field, fp string) {
	switch {
	case fp == "":
		v.Add(field, "is required")
	case utf8.RuneCountInString(fp) > maxFingerprint:
		v.Add(field, "must be at most %d characters", maxFingerprint)
	case strings.TrimSpace(fp) != fp:
		v.Add(field, "must not begin or end with spaces")
	case strings.ContainsFunc(fp, func(r rune) bool { return r < 0x20 || r == 0x7f }):
		v.Add(field, "must not contain control characters")
	}
}

// Activate implements sk.ProductService.
func (s *Service) Activate(ctx context.Context, a *sk.Actor, c sk.Client, licenseID string,
	in sk.ActivationRequest) (*sk.Activation, bool, error) {
	var v sk.Validation
	checkFingerprint(&v, "fingerprint", in.Fingerprint)
	sk.CheckName(&v, "name", in.Name, 100)
	if err := v.Err(); err != nil {
		return nil, false, err
	}
	key := ratelimit.Key{Rule: activationsPerLicense, Subject: licenseID}
	if err := s.cfg.Limiter.Check(ctx, key); err != nil {
		return nil, false, err
	}

	var act *sk.Activation
	created := false
	err := s.cfg.DB.Tx(ctx, func(tx *store.Tx) error {
		var err error
		act, created, err = s.activate(ctx, tx, a, c, licenseID, in)
		return err
	})
	if err != nil {
		return nil, false, err
	}

	if created {
		s.count(ctx, key)
	}
	return act, created, nil
}

// activate does Activate's work in its transaction.
func (s *Service) activate(ctx context.Context, tx *store.Tx, a *sk.Actor, c sk.Client,
	licenseID string, in sk.ActivationRequest) (*sk.Activation, bool, error) {
	lic, err := tx.LicenseOfHolder(ctx, a.User.ID, licenseID)
	if err != nil {
		return nil, false, err
	}
	if !lic.ValidAt(s.now()) {
		return nil, false, errNotValid
	}
	active, err := tx.Activations(ctx, lic.ID)
	if err != nil {
		return nil, false, err
	}
	for _, act := range active {
		if act.Fingerprint == in.Fingerprint {
			return &act, false, nil
		}
	}

	if err := s.makeRoom(ctx, tx, a, c, lic, active, in.ReplaceOldest); err != nil {
		return nil, false, err
	}
	now := s.now()
	act := &sk.Activation{
		ID:          sk.NewID(sk.PrefixActivation, now),
		LicenseID:   lic.ID,
		Fingerprint: in.Fingerprint,
		Name:        strings.TrimSpace(in.Name),
		CreatedAt:   now,
	}
	if err := tx.CreateActivation(ctx, act); err != nil {
		return nil, false, err
	}
	return act, true, s.audit(ctx, tx, a, c, lic, "activation.created", act, nil, machineOf(act))
}

// makeRoom refuses another activation of a license at its plan's limit, or,
// when asked to, removes its oldest activations until one more fits. The
// limit may have shrunk since they were made, so it may take more than one.
func (s *Service) makeRoom(ctx context.Context, tx *store.Tx, a *sk.Actor, c sk.Client,
	lic *store.HolderLicense, active []sk.Activation, replaceOldest bool) error {
	excess := len(active) - lic.MaxActivations + 1
	if excess <= 0 {
		return nil
	}
	if !replaceOldest {
		return sk.Errorf(sk.ECONFLICT, "The license is active on %d of the %d machines its "+
			"plan allows; remove an activation, or ask to replace the oldest "+
			"(\"replace_oldest\": true).", len(active), lic.MaxActivations)
	}

	for _, old := range active[:excess] {
		if err := tx.DeleteActivation(ctx, lic.ID, old.ID); err != nil {
			return err
		}
		err := s.audit(ctx, tx, a, c, lic, "activation.removed", &old, machineOf(&old),
			map[string]string{"reason": "replaced by a newer activation"})
		if err != nil {
			return err
		}
	}
	return nil
}

// count records an activation against the license's limit. The activation
// is committed by now, so a failure to count it is logged, not returned.
func (s *Service) count(ctx context.Context, key ratelimit.Key) {
	err := s.cfg.Limiter.Hit(ctx, key)
	if err != nil && sk.ErrorCode(err) != sk.ERATELIMITED {
		s.cfg.Logger.ErrorContext(ctx, "counting an activation", "license_id", key.Subject,
			"error", err)
	}
}

// Activations implements sk.ProductService.
func (s *Service) Activations(ctx context.Context, a *sk.Actor, licenseID string) (
	[]sk.Activation, error) {
	var list []sk.Activation
	err := s.cfg.DB.View(ctx, func(tx *store.Tx) error {
		lic, err := tx.LicenseOfHolder(ctx, a.User.ID, licenseID)
		if err != nil {
			return err
		}
		list, err = tx.Activations(ctx, lic.ID)
		return err
	})
	return list, err
}

// Deactivate implements sk.ProductService.
func (s *Service) Deactivate(ctx context.Context, a *sk.Actor, c sk.Client, licenseID,
	activationID string) error {
	return s.cfg.DB.Tx(ctx, func(tx *store.Tx) error {
		lic, err := tx.LicenseOfHolder(ctx, a.User.ID, licenseID)
		if err != nil {
			return err
		}
		act, err := tx.Activation(ctx, lic.ID, activationID, "")
		if err != nil {
			return err
		}
		if err := tx.DeleteActivation(ctx, lic.ID, act.ID); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, c, lic, "activation.removed", act, machineOf(act), nil)
	})
}
