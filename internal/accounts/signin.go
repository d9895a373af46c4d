package accounts

import (
	"context"
	"strings"
	"time"

	sk "github.com/seatkeeper/seatkeeper"
	"github.com/seatkeeper/seatkeeper/internal/ratelimit"
	"github.com/seatkeeper/seatkeeper/internal/secret"
	"github.com/seatkeeper/seatkeeper/internal/store"
)

var errWrongCredentials = sk.Errorf(sk.EUNAUTHENTICATED, "Wrong email address or password.")

// Login implements sk.AccountService.
func (s *Service) Login(ctx context.Context, c sk.Client, email, password string) (
	*sk.APIToken, *sk.User, error) {
	u, err := s.checkCredentials(ctx, c, email, password)
	if err != nil {
		return nil, nil, err
	}

	expires := s.now().Add(loginTokenTTL)
	var token *sk.APIToken
	err = s.cfg.DB.Tx(ctx, func(tx *store.Tx) error {
		token, err = s.createToken(ctx, tx, u.ID, "Sign-in", &expires)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	return token, &u.User, nil
}

// StartSession implements sk.AccountService.
func (s *Service) StartSession(ctx context.Context, c sk.Client, email, password string) (
	*sk.Session, error) {
	u, err := s.checkCredentials(ctx, c, email, password)
	if err != nil {
		return nil, err
	}

	plain, hash := secret.New(secret.PrefixSession)
	now := s.now()
	expires := now.Add(sessionAbsolute)
	err = s.cfg.DB.Tx(ctx, func(tx *store.Tx) error {
		return tx.CreateSession(ctx, hash, u.ID, now, expires)
	})
	if err != nil {
		return nil, err
	}
	return &sk.Session{Secret: plain, User: u.User, ExpiresAt: expires}, nil
}

// checkCredentials returns the user whose email and password these are. A
// wrong password and an unknown email take the same time and get the same
// answer, and both count against the client's and the account's limits.
func (s *Service) checkCredentials(ctx context.Context, c sk.Client, email, password string) (
	*store.UserRecord, error) {
	var v sk.Validation
	v.Check(email != "", "email", "is required")
	v.Check(password != "", "password", "is required")
	if err := v.Err(); err != nil {
		return nil, err
	}

	keys := []ratelimit.Key{
		{Rule: loginPerIP, Subject: c.IP},
		{Rule: loginPerAccount, Subject: strings.ToLower(email)},
	}
	if err := s.cfg.Limiter.Check(ctx, keys...); err != nil {
		return nil, err
	}

	var u *store.UserRecord
	err := s.cfg.DB.View(ctx, func(tx *store.Tx) error {
		var err error
		u, err = tx.UserByEmail(ctx, email)
		return err
	})
	if err != nil && sk.ErrorCode(err) != sk.ENOTFOUND {
		return nil, err
	}

	hash := s.dummyHash
	if u != nil {
		hash = u.PasswordHash
	}
	ok, err := verifyPassword(password, hash)
	if err != nil {
		return nil, err
	}
	if u == nil || !ok {
		if err := s.cfg.Limiter.Hit(ctx, keys...); err != nil {
			return nil, err
		}
		return nil, errWrongCredentials
	}

	if !u.EmailVerified {
		return nil, sk.Errorf(sk.EFORBIDDEN,
			"Verify your email address before signing in; the link is in the mail we sent.")
	}
	return u, nil
}

// Authenticate implements sk.AccountService.
func (s *Service) Authenticate(ctx context.Context, plain string) (*sk.Actor, error) {
	if !strings.HasPrefix(plain, secret.PrefixAPIToken) {
		return nil, errBadToken
	}

	// One statement reads the token, its user and their licenses; it needs
	// no transaction around it.
	now := s.now()
	var token *sk.APIToken
	var u *store.UserRecord
	var held []sk.HeldLicense
	err := s.cfg.DB.Read(ctx, func(tx *store.Tx) error {
		var err error
		token, u, held, err = tx.APITokenUser(ctx, secret.Hash(plain), now)
		return err
	})
	if sk.ErrorCode(err) == sk.ENOTFOUND {
		return nil, errBadToken
	}
	if err != nil {
		return nil, err
	}

	if token.LastUsedAt == nil || now.Sub(*token.LastUsedAt) >= touchInterval {
		err := s.cfg.DB.Tx(ctx, func(tx *store.Tx) error {
			return tx.TouchAPIToken(ctx, token.ID, now, now.Add(-touchInterval))
		})
		if err != nil {
			return nil, err
		}
	}
	return &sk.Actor{User: u.User, TokenID: token.ID, Held: held}, nil
}

var errBadToken = sk.Errorf(sk.EUNAUTHENTICATED,
	"The API token is unknown, revoked or expired.")

var errNoSession = sk.Errorf(sk.EUNAUTHENTICATED, "Your session has ended; sign in again.")

// AuthenticateSession implements sk.AccountService.
func (s *Service) AuthenticateSession(ctx context.Context, plain string) (*sk.Actor, error) {
	if !strings.HasPrefix(plain, secret.PrefixSession) {
		return nil, errNoSession
	}

	now := s.now()
	hash := secret.Hash(plain)
	var sess *store.SessionRecord
	var u *store.UserRecord
	err := s.cfg.DB.View(ctx, func(tx *store.Tx) error {
		var err error
		sess, u, err = tx.SessionUser(ctx, hash)
		return err
	})
	if sk.ErrorCode(err) == sk.ENOTFOUND {
		return nil, errNoSession
	}
	if err != nil {
		return nil, err
	}

	alive := sess.ExpiresAt.After(now) && sess.LastSeenAt.After(now.Add(-sessionIdle))
	if !alive || now.Sub(sess.LastSeenAt) >= touchInterval {
		err := s.cfg.DB.Tx(ctx, func(tx *store.Tx) error {
			if !alive {
				return tx.DeleteSession(ctx, hash)
			}
			return tx.TouchSession(ctx, hash, now, now.Add(-touchInterval))
		})
		if err != nil {
			return nil, err
		}
	}
	if !alive {
		return nil, errNoSession
	}
	return &sk.Actor{User: u.User, SessionID: hash}, nil
}

// Logout implements sk.AccountService.
func (s *Service) Logout(ctx context.Context, a *sk.Actor) error {
	return s.cfg.DB.Tx(ctx, func(tx *store.Tx) error {
		if a.SessionID != "" {
			return tx.DeleteSession(ctx, a.SessionID)
		}
		err := tx.DeleteAPIToken(ctx, a.User.ID, a.TokenID)
		if sk.ErrorCode(err) == sk.ENOTFOUND {
			return nil // revoked by a concurrent request; the outcome is the same
		}
		return err
	})
}

// createToken stores a new API token for the user and returns it with its
// secret.
func (s *Service) createToken(ctx context.Context, tx *store.Tx, userID, name string,
	expires *time.Time) (*sk.APIToken, error) {
	plain, hash := secret.New(secret.PrefixAPIToken)
	now := s.now()
	t := &sk.APIToken{
		ID:        sk.NewID(sk.PrefixToken, now),
		Name:      name,
		Secret:    plain,
		CreatedAt: now,
		ExpiresAt: expires,
	}
	if err := tx.CreateAPIToken(ctx, userID, hash, t); err != nil {
		return nil, err
	}
	return t, nil
}
