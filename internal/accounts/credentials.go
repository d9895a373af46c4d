package accounts

import (
	"context"
	"strings"
	"time"

	sk "github.com/seatkeeper/seatkeeper"
	"github.com/seatkeeper/seatkeeper/internal/secret"
	"github.com/seatkeeper/seatkeeper/internal/store"
)

// RequestPasswordReset implements sk.AccountService.
func (s *Service) RequestPasswordReset(ctx context.Context, c sk.Client, email string) error {
	if err := s.mailRequest(ctx, c, email); err != nil {
		return err
	}

	queued := false
	err := s.cfg.DB.Tx(ctx, func(tx *store.Tx) error {
		u, err := tx.UserByEmail(ctx, email)
		if sk.ErrorCode(err) == sk.ENOTFOUND {
			return nil
		}
		if err != nil {
			return err
		}
		token, err := s.newLink(ctx, tx, &u.User, "reset", u.Email, resetLinkTTL)
		if err != nil {
			return err
		}
		queued = true
		return s.enqueue(ctx, tx, "password_reset", u.Email, map[string]string{
			"Name": u.Name,
			"Link": s.link("/reset-password", token),
		})
	})
	if queued && err == nil {
		s.cfg.Queued()
	}
	return err
}

// ResetPassword implements sk.AccountService. Following the link proves the
// address, so an unverified account becomes verified.
func (s *Service) ResetPassword(ctx context.Context, token, password string) error {
	var v sk.Validation
	v.Check(token != "", "token", "is required")
	checkPasswordRules(&v, "password", password)
	if err := v.Err(); err != nil {
		return err
	}

	hash := hashPassword(password, s.cfg.Hash)
	return s.cfg.DB.Tx(ctx, func(tx *store.Tx) error {
		now := s.now()
		t, err := tx.UseEmailToken(ctx, secret.Hash(token), "reset", now)
		if err != nil {
			return badLink(err)
		}
		u, err := tx.UserByID(ctx, t.UserID)
		if err != nil {
			return err
		}
		if !strings.EqualFold(u.Email, t.Email) {
			return badLink(sk.Errorf(sk.ENOTFOUND, "address changed since the link was sent"))
		}

		if err := tx.SetPasswordHash(ctx, u.ID, hash, now); err != nil {
			return err
		}
		if err := tx.MarkEmailVerified(ctx, u.ID, now); err != nil {
			return err
		}
		if err := s.claimLicenses(ctx, tx, &u.User); err != nil {
			return err
		}
		return endSessions(ctx, tx, u.ID, nil)
	})
}

// ChangePassword implements sk.AccountService.
func (s *Service) ChangePassword(ctx context.Context, a *sk.Actor, current, password string) error {
	var v sk.Validation
	v.Check(current != "", "current_password", "is required")
	checkPasswordRules(&v, "password", password)
	if err := v.Err(); err != nil {
		return err
	}
	if err := s.checkCurrentPassword(ctx, a, current); err != nil {
		return err
	}

	hash := hashPassword(password, s.cfg.Hash)
	return s.cfg.DB.Tx(ctx, func(tx *store.Tx) error {
		if err := tx.SetPasswordHash(ctx, a.User.ID, hash, s.now()); err != nil {
			return err
		}
		return endSessions(ctx, tx, a.User.ID, a)
	})
}

// endSessions signs the user out everywhere but in the actor's own session
// or sign-in token (a nil actor keeps none): the dashboard's sessions and
// the API's sign-in tokens end, while named tokens stay until they are
// revoked one by one.
func endSessions(ctx context.Context, tx *store.Tx, userID string, a *sk.Actor) error {
	var session, token string
	if a != nil {
		session, token = a.SessionID, a.TokenID
	}
	if err := tx.DeleteSessions(ctx, userID, session); err != nil {
		return err
	}
	return tx.DeleteSignInTokens(ctx, userID, token)
}

// checkCurrentPassword confirms the actor knows their password. Wrong
// guesses count against the same limits as sign-in.
func (s *Service) checkCurrentPassword(ctx context.Context, a *sk.Actor, password string) error {
	_, err := s.checkCredentials(ctx, sk.Client{IP: "user:" + a.User.ID}, a.User.Email, password)
	if sk.ErrorCode(err) == sk.EUNAUTHENTICATED {
		return sk.Invalid("current_password", "is not your current password")
	}
	return err
}

// ChangeEmail implements sk.AccountService.
func (s *Service) ChangeEmail(ctx context.Context, a *sk.Actor, password, email string) error {
	var v sk.Validation
	v.Check(password != "", "current_password", "is required")
	checkEmail(&v, "email", email)
	if err := v.Err(); err != nil {
		return err
	}
	if strings.EqualFold(email, a.User.Email) {
		return sk.Invalid("email", "is already your address")
	}
	if err := s.checkCurrentPassword(ctx, a, password); err != nil {
		return err
	}
	keys := mailKeys(sk.Client{IP: "user:" + a.User.ID}, email)
	if err := s.cfg.Limiter.Hit(ctx, keys...); err != nil {
		return err
	}

	// The link goes out whether or not the address is taken: the answer
	// must not tell. A taken address fails when the link is followed.
	err := s.cfg.DB.Tx(ctx, func(tx *store.Tx) error {
		token, err := s.newLink(ctx, tx, &a.User, "email_change", email, emailChangeLinkTTL)
		if err != nil {
			return err
		}
		return s.enqueue(ctx, tx, "email_change", email, map[string]string{
			"Name": a.User.Name,
			"Link": s.link("/confirm-email", token),
		})
	})
	if err == nil {
		s.cfg.Queued()
	}
	return err
}

// ConfirmEmailChange implements sk.AccountService.
func (s *Service) ConfirmEmailChange(ctx context.Context, token string) (*sk.User, error) {
	if token == "" {
		return nil, sk.Invalid("token", "is required")
	}

	var user *sk.User
	err := s.cfg.DB.Tx(ctx, func(tx *store.Tx) error {
		now := s.now()
		t, err := tx.UseEmailToken(ctx, secret.Hash(token), "email_change", now)
		if err != nil {
			return badLink(err)
		}
		if err := tx.SetEmail(ctx, t.UserID, t.Email, now); err != nil {
			return err
		}
		u, err := tx.UserByID(ctx, t.UserID)
		if err != nil {
			return err
		}
		user = &u.User
		return s.claimLicenses(ctx, tx, user)
	})
	return user, err
}

// Me implements sk.AccountService.
func (s *Service) Me(ctx context.Context, a *sk.Actor) (*sk.User, []sk.Membership, error) {
	var u *store.UserRecord
	var orgs []sk.Membership
	err := s.cfg.DB.View(ctx, func(tx *store.Tx) error {
		var err error
		if u, err = tx.UserByID(ctx, a.User.ID); err != nil {
			return err
		}
		orgs, err = tx.Memberships(ctx, a.User.ID)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	return &u.User, orgs, nil
}

// Tokens implements sk.AccountService.
func (s *Service) Tokens(ctx context.Context, a *sk.Actor, p sk.Page) (
	[]sk.APIToken, string, error) {
	var list []sk.APIToken
	err := s.cfg.DB.View(ctx, func(tx *store.Tx) error {
		var err error
		list, err = tx.APITokens(ctx, a.User.ID, p.After, p.Limit)
		return err
	})
	return list, sk.Next(p, list, func(t sk.APIToken) string { return t.ID }), err
}

// CreateToken implements sk.AccountService.
func (s *Service) CreateToken(ctx context.Context, a *sk.Actor, name string,
	expiresAt *time.Time) (*sk.APIToken, error) {
	var v sk.Validation
	sk.CheckName(&v, "name", name, 100)
	if expiresAt != nil && !expiresAt.After(s.now()) {
		v.Add("expires_at", "must be in the future")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if expiresAt != nil {
		t := sk.Normalize(*expiresAt)
		expiresAt = &t
	}

	var token *sk.APIToken
	err := s.cfg.DB.Tx(ctx, func(tx *store.Tx) error {
		var err error
		token, err = s.createToken(ctx, tx.CreateAPIToken, a.User.ID, strings.TrimSpace(name),
			expiresAt)
		return err
	})
	return token, err
}

// DeleteToken implements sk.AccountService.
func (s *Service) DeleteToken(ctx context.Context, a *sk.Actor, id string) error {
	return s.cfg.DB.Tx(ctx, func(tx *store.Tx) error {
		return tx.DeleteAPIToken(ctx, a.User.ID, id)
	})
}
