package seatkeeper

import (
	"context"
	"time"
)

// User is a person with an account. Email is stored as entered and compared
// without regard to case.
type User struct {
	ID            string    `json:"id"`
	Email         string    `json:"email"`
	Name          string    `json:"name"`
	EmailVerified bool      `json:"email_verified"`
	CreatedAt     time.Time `json:"created_at"`
}

// Actor is who is making a request: a signed-in user, and the session or API
// token that proves it.
type Actor struct {
	User      User
	SessionID string // hash of the session secret, when signed in by cookie
	TokenID   string // the API token's ID, when signed in by bearer token

	// Held is the licenses the user held when an API token authenticated
	// the request, read in the same statement as the token (nil otherwise),
	// so that the product's online check costs one read.
	Held []HeldLicense
}

// Client describes where a request comes from, for rate limits.
type Client struct {
	IP string
}

// APIToken is a named secret that authenticates API requests. Its Secret is
// set only in the answer that creates it.
type APIToken struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	Secret     string     `json:"token,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  *time.Time `json:"expires_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
}

// Session is a dashboard sign-in. Secret goes into the cookie and is set
// only when the session is created.
type Session struct {
	Secret    string
	User      User
	ExpiresAt time.Time
}

// Membership is an organization where a user holds at least one role.
type Membership struct {
	ID      string    `json:"id"`
	Name    string    `json:"name"`
	MyRoles []RoleRef `json:"my_roles"`
}

// RoleRef is one role a user holds: at the organization when TeamID is nil,
// else at that team.
type RoleRef struct {
	Role   Role    `json:"role"`
	TeamID *string `json:"team_id"`

	// TeamName names the team, where the list says it (GET /api/v1/me).
	TeamName *string `json:"team_name,omitempty"`
}

// Role is a level of administrative rights.
type Role string

// The roles, lowest first.
const (
	RoleViewer   Role = "viewer"
	RoleAssigner Role = "assigner"
	RoleManager  Role = "manager"
	RoleOwner    Role = "owner"
)

// SignUp is the input of AccountService.SignUp.
type SignUp struct {
	Email    string `json:"email"`
	Name     string `json:"name"`
	Password string `json:"password"`
}

// AccountService manages users, their credentials and how they sign in.
//
// Methods that take an email address answer alike whether or not an account
// has it, so that no caller learns who is registered. Methods that mail or
// that check a password return ERATELIMITED when their client or account
// has tried too often.
type AccountService interface {
	// SignUp creates an unverified account and mails a verification link;
	// for an address that has an account it mails that account instead.
	SignUp(ctx context.Context, c Client, in SignUp) error

	// VerifyEmail consumes a verification link's token and claims what was
	// waiting for the address. It returns EINVALID for an unknown, used or
	// expired token.
	VerifyEmail(ctx context.Context, token string) (*User, error)

	// ResendVerification mails a new verification link if the address
	// belongs to an unverified account.
	ResendVerification(ctx context.Context, c Client, email string) error

	// Login checks a password and returns a new API token. It returns
	// EUNAUTHENTICATED for a wrong email or password and EFORBIDDEN for an
	// address not yet verified.
	Login(ctx context.Context, c Client, email, password string) (*APIToken, *User, error)

	// StartSession checks a password like Login and starts a dashboard
	// session with a fresh secret.
	StartSession(ctx context.Context, c Client, email, password string) (*Session, error)

	// Authenticate returns the actor of an API token's secret, or
	// EUNAUTHENTICATED when it is unknown, revoked or expired.
	Authenticate(ctx context.Context, secret string) (*Actor, error)

	// AuthenticateSession returns the actor of a session secret, or
	// EUNAUTHENTICATED when the session ended or expired.
	AuthenticateSession(ctx context.Context, secret string) (*Actor, error)

	// Logout ends the actor's session or revokes its token.
	Logout(ctx context.Context, a *Actor) error

	// RequestPasswordReset mails a reset link if the address has an account.
	RequestPasswordReset(ctx context.Context, c Client, email string) error

	// ResetPassword consumes a reset token, sets the password and ends every
	// session of the user.
	ResetPassword(ctx context.Context, token, password string) error

	// ChangePassword sets a new password after checking the current one,
	// and ends the user's other sessions.
	ChangePassword(ctx context.Context, a *Actor, current, password string) error

	// ChangeEmail checks the password and mails a confirmation link to the
	// new address; the address changes when ConfirmEmailChange consumes it.
	ChangeEmail(ctx context.Context, a *Actor, password, email string) error

	// ConfirmEmailChange consumes an email-change token.
	ConfirmEmailChange(ctx context.Context, token string) (*User, error)

	// Me returns the actor's user and the organizations where they hold a
	// role.
	Me(ctx context.Context, a *Actor) (*User, []Membership, error)

	// Tokens lists the actor's API tokens, newest first.
	Tokens(ctx context.Context, a *Actor, p Page) ([]APIToken, string, error)

	// CreateToken makes a named API token, expiring at expiresAt if given.
	CreateToken(ctx context.Context, a *Actor, name string, expiresAt *time.Time) (*APIToken, error)

	// DeleteToken revokes one of the actor's tokens; ENOTFOUND for another's.
	DeleteToken(ctx context.Context, a *Actor, id string) error
}
