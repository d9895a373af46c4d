package accounts

import (
	"context"
	"strings"

	sk "github.com/seatkeeper/seatkeeper"
	"github.com/seatkeeper/seatkeeper/internal/store"
)

// CreateVerified makes an account whose address counts as verified, for
// operators' tools that fill a store (the demo data). It checks the same
// rules as sign-up but sends no mail and counts against no limit; no route
// calls it. Licenses waiting for the address are claimed at once.
func (s *Service) CreateVerified(ctx context.Context, email, name, password string) (
	*sk.User, error) {
	var v sk.Validation
	checkEmail(&v, "email", email)
	sk.CheckName(&v, "name", name, 100)
	checkPasswordRules(&v, "password", password)
	if err := v.Err(); err != nil {
		return nil, err
	}

	hash := hashPassword(password, s.cfg.Hash)
	var user *sk.User
	err := s.cfg.DB.Tx(ctx, func(tx *store.Tx) error {
		now := s.now()
		u := &store.UserRecord{
			User: sk.User{ID: sk.NewID(sk.PrefixUser, now), Email: email,
				Name: strings.TrimSpace(name), EmailVerified: true, CreatedAt: now},
			PasswordHash: hash,
		}
		if err := tx.CreateUser(ctx, u); err != nil {
			return err
		}
		if err := tx.MarkEmailVerified(ctx, u.ID, now); err != nil {
			return err
		}
		user = &u.User
		return s.claimLicenses(ctx, tx, user)
	})
	return user, err
}
