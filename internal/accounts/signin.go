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

// errWrongCredentials is the one answer to a sign-in that does not succeed
// for want of the right email, password or a verified address. It names
// the last, so that a person who has just signed up knows what to do,
// without telling anyone whether that is why.
var errWrongCredentials = sk.Errorf(sk.EUNAUTHENTICATED, "Wrong email address or password. "+
	"If you have just created your account, confirm your address first: we have "+
	"mailed you a link.")

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
		token, err = s.createToken(ctx, tx.CreateSignInToken, u.ID, "Sign-in", &expires)
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

// checkCredentials returns the user whose email and password these are,
// of a verified address. Every other outcome is errWrongCredentials, in the
// same time for an unknown email as for a wrong password.
//
// The attempt counts against the client's and the account's limits before
// the password is checked, so that requests racing each other get no more
// checks than the limits allow, and a refused attempt checks nothing. Only
// a sign-in that succeeds gives its count back.
func (s *Service) checkCredentials(ctx context.Context, c sk.Client, email, password string) (
	*store.UserRecord, error) {
	var v sk.Validation
	v.Check(email != "", "email", "is required")
	v.Check(password != "", "password", "is required")
	if err := v.Err(); err != nil {
		return nil, err
	}

	attempt, err := s.cfg.Limiter.Acquire(ctx,
		ratelimit.Key{Rule: loginPerIP, Subject: c.IP},
		ratelimit.Key{Rule: loginPerAccount, Subject: strings.ToLower(email)})
	if err != nil {
		return nil, err
	}

	u, err := s.matchPassword(ctx, email, password)
	if err != nil {
		return nil, err
	}
	if !u.EmailVerified {
		return nil, s.remindToVerify(ctx, c, &u.User)
	}

	if err := attempt.Release(ctx); err != nil {
		return nil, err
	}
	return u, nil
}

// matchPassword returns the user with the email if the password is theirs,
// else errWrongCredentials. An unknown email is checked against a dummy
// hash, so that it takes as long as a wrong password.
func (s *Service) matchPassword(ctx context.Context, email, password string) (
	*store.UserRecord, error) {
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
		return nil, errWrongCredentials
	}
	return u, nil
}

// remindToVerify answers the right password of an address not yet verified
// as a wrong one, so that signing in never tells whether an address had an
// account before someone signed up with it, and mails the person a fresh
// verification link. The link goes out at most once per verifyOnLogin
// window, and not once the address's mail limits are spent. It does not
// count against them: sign-up would show the count, and with it which case
// this was.
func (s *Service) remindToVerify(ctx context.Context, c sk.Client, u *sk.User) error {
	err := s.cfg.Limiter.Check(ctx, mailKeys(c, u.Email)...)
	if err == nil {
		key := ratelimit.Key{Rule: verifyOnLogin, Subject: strings.ToLower(u.Email)}
		err = s.cfg.Limiter.Hit(ctx, key)
	}
	if sk.ErrorCode(err) == sk.ERATELIMITED {
		return errWrongCredentials
	}
	if err != nil {
		return err
	}

	err = s.cfg.DB.Tx(ctx, func(tx *store.Tx) error {
		return s.sendVerification(ctx, tx, u)
	})
	if err != nil {
		return err
	}
	s.cfg.Queued()
	return errWrongCredentials
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

// createToken makes a new API token for the user, stores it with create
// (as a named or a sign-in token) and returns it with its secret.
func (s *Service) createToken(ctx context.Context, create storeToken, userID, name string,
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
	if err := create(ctx, userID, hash, t); err != nil {
		return nil, err
	}
	return t, nil
}

// storeToken is Tx.CreateAPIToken or Tx.CreateSignInToken.
type storeToken func(ctx context.Context, userID, secretHash string, t *sk.APIToken) error
