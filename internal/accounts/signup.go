package accounts

import (
	"context"
	"strings"
	"time"

	sk "github.com/seatkeeper/seatkeeper"
	"github.com/seatkeeper/seatkeeper/internal/secret"
	"github.com/seatkeeper/seatkeeper/internal/store"
)

// SignUp implements sk.AccountService.
func (s *Service) SignUp(ctx context.Context, c sk.Client, in sk.SignUp) error {
	var v sk.Validation
	checkEmail(&v, "email", in.Email)
	sk.CheckName(&v, "name", in.Name, 100)
	checkPasswordRules(&v, "password", in.Password)
	if err := v.Err(); err != nil {
		return err
	}
	if err := s.cfg.Limiter.Hit(ctx, mailKeys(c, in.Email)...); err != nil {
		return err
	}

	hash := hashPassword(in.Password, s.cfg.Hash)
	err := s.cfg.DB.Tx(ctx, func(tx *store.Tx) error {
		existing, err := tx.UserByEmail(ctx, in.Email)
		if err == nil {
			return s.enqueue(ctx, tx, "signup_existing", existing.Email, map[string]string{
				"Name":       existing.Name,
				"SignInLink": s.cfg.BaseURL + "/sign-in",
				"ResetLink":  s.cfg.BaseURL + "/reset-password",
			})
		}
		if sk.ErrorCode(err) != sk.ENOTFOUND {
			return err
		}

		now := s.now()
		u := &store.UserRecord{
			User: sk.User{
				ID:        sk.NewID(sk.PrefixUser, now),
				Email:     in.Email,
				Name:      strings.TrimSpace(in.Name),
				CreatedAt: now,
			},
			PasswordHash: hash,
		}
		if err := tx.CreateUser(ctx, u); err != nil {
			return err
		}
		return s.sendVerification(ctx, tx, &u.User)
	})
	if err != nil {
		return err
	}
	s.cfg.Queued()
	return nil
}

// sendVerification queues a fresh verification link for u.
func (s *Service) sendVerification(ctx context.Context, tx *store.Tx, u *sk.User) error {
	token, err := s.newLink(ctx, tx, u, "verify", u.Email, verifyLinkTTL)
	if err != nil {
		return err
	}
	return s.enqueue(ctx, tx, "verify_email", u.Email, map[string]string{
		"Name": u.Name,
		"Link": s.link("/verify-email", token),
	})
}

// newLink stores a single-use token for u and returns its secret.
func (s *Service) newLink(ctx context.Context, tx *store.Tx, u *sk.User, purpose, email string,
	ttl time.Duration) (string, error) {
	plain, hash := secret.New(secret.PrefixLink)
	now := s.now()
	err := tx.CreateEmailToken(ctx, &store.EmailToken{
		Hash:      hash,
		UserID:    u.ID,
		Purpose:   purpose,
		Email:     email,
		CreatedAt: now,
		ExpiresAt: now.Add(ttl),
	})
	return plain, err
}

// VerifyEmail implements sk.AccountService.
func (s *Service) VerifyEmail(ctx context.Context, token string) (*sk.User, error) {
	if token == "" {
		return nil, sk.Invalid("token", "is required")
	}

	var user *sk.User
	err := s.cfg.DB.Tx(ctx, func(tx *store.Tx) error {
		t, err := tx.UseEmailToken(ctx, secret.Hash(token), "verify", s.now())
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
		if err := tx.MarkEmailVerified(ctx, u.ID, s.now()); err != nil {
			return err
		}
		u.EmailVerified = true
		user = &u.User
		return s.claimLicenses(ctx, tx, user)
	})
	return user, err
}

// ResendVerification implements sk.AccountService.
func (s *Service) ResendVerification(ctx context.Context, c sk.Client, email string) error {
	if err := s.mailRequest(ctx, c, email); err != nil {
		return err
	}

	queued := false
	err := s.cfg.DB.Tx(ctx, func(tx *store.Tx) error {
		u, err := tx.UserByEmail(ctx, email)
		if sk.ErrorCode(err) == sk.ENOTFOUND || (err == nil && u.EmailVerified) {
			return nil
		}
		if err != nil {
			return err
		}
		queued = true
		return s.sendVerification(ctx, tx, &u.User)
	})
	if queued && err == nil {
		s.cfg.Queued()
	}
	return err
}

// badLink turns a token that cannot be used into the one answer every such
// token gets, whatever the reason.
func badLink(err error) error {
	if sk.ErrorCode(err) != sk.ENOTFOUND {
		return err
	}
	return sk.Invalid("token", "is not valid: the link is unknown, already used or expired")
}
