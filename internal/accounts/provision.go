package accounts

import (
	"context"
	"fmt"
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

// NewAccount is one account for CreateVerifiedMany to make.
type NewAccount struct {
	Email, Name string
}

// CreateVerifiedMany makes many verified accounts that share one password,
// in one transaction, for the tools that fill a store at scale (the scale
// fixture). The password is hashed once, so every account carries the same
// hash: fit for test data, never for real people. It checks the rules of
// sign-up, sends no mail, counts against no limit and claims no licenses.
func (s *Service) CreateVerifiedMany(ctx context.Context, accounts []NewAccount,
	password string) ([]sk.User, error) {
	var v sk.Validation
	for i, a := range accounts {
		field := fmt.Sprintf("accounts[%d]", i)
		checkEmail(&v, field+".email", a.Email)
		sk.CheckName(&v, field+".name", a.Name, 100)
	}
	checkPasswordRules(&v, "password", password)
	if err := v.Err(); err != nil {
		return nil, err
	}

	hash := hashPassword(password, s.cfg.Hash)
	now := s.now()
	records := make([]*store.UserRecord, len(accounts))
	users := make([]sk.User, len(accounts))
	for i, a := range accounts {
		users[i] = sk.User{ID: sk.NewID(sk.PrefixUser, now), Email: a.Email,
			Name: strings.TrimSpace(a.Name), EmailVerified: true, CreatedAt: now}
		records[i] = &store.UserRecord{User: users[i], PasswordHash: hash}
	}
	err := s.cfg.DB.Tx(ctx, func(tx *store.Tx) error {
		return tx.CreateVerifiedUsers(ctx, records)
	})
	if err != nil {
		return nil, err
	}
	return users, nil
}
