package web

import (
	"net/http"
	"slices"
)

// route is one entry of the route table.
type route struct {
	pattern string // a net/http pattern, method first
	handle  http.Handler
}

// routes is the one list of every page and form the dashboard serves, by
// area. Forms post to paths of their own; every destructive one asks for
// confirmation first.
func (s *Server) routes() []route {
	return slices.Concat(
		s.accountRoutes(),
		s.personalRoutes(),
		s.orgRoutes(),
		s.billingRoutes(),
	)
}

func (s *Server) accountRoutes() []route {
	return []route{
		{"GET /{$}", s.public(s.home)},
		{"GET /static/{file}", http.HandlerFunc(serveStatic)},
		{"GET /sign-in", s.public(s.signInForm)},
		{"POST /sign-in", s.public(s.signIn)},
		{"POST /sign-out", s.authed(s.signOut)},
		{"GET /sign-up", s.public(s.signUpForm)},
		{"POST /sign-up", s.public(s.signUp)},
		{"GET /verify-email", s.public(s.verifyForm)},
		{"POST /verify-email", s.public(s.verify)},
		{"POST /verify-email/resend", s.public(s.resendVerification)},
		{"GET /reset-password", s.public(s.resetForm)},
		{"POST /reset-password", s.public(s.requestReset)},
		{"POST /reset-password/confirm", s.public(s.resetPassword)},
		{"GET /confirm-email", s.public(s.confirmEmailForm)},
		{"POST /confirm-email", s.public(s.confirmEmail)},
	}
}

func (s *Server) personalRoutes() []route {
	return []route{
		{"GET /licenses", s.authed(s.myLicenses)},
		{"POST /licenses/{license}/activations/{activation}/remove", s.authed(s.deactivate)},
		{"GET /subscriptions", s.authed(s.mySubscriptions)},
		{"GET /account", s.authed(s.account)},
		{"POST /account/password", s.authed(s.changePassword)},
		{"POST /account/email", s.authed(s.changeEmail)},
		{"GET /tokens", s.authed(s.tokens)},
		{"POST /tokens", s.authed(s.createToken)},
		{"POST /tokens/{id}/delete", s.authed(s.deleteToken)},
		{"GET /invitations/accept", s.authed(s.invitationForm)},
		{"POST /invitations/accept", s.authed(s.acceptInvitation)},
	}
}

func (s *Server) orgRoutes() []route {
	return []route{
		{"GET /orgs/{org}", s.authed(s.orgHome)},
		{"GET /orgs/{org}/licenses", s.authed(s.orgLicenses)},
		{"GET /orgs/{org}/licenses/{license}/assign", s.authed(s.assignForm)},
		{"POST /orgs/{org}/licenses/{license}/assign", s.authed(s.assign)},
		{"POST /orgs/{org}/licenses/{license}/unassign", s.authed(s.unassign)},
		{"GET /orgs/{org}/licenses/change-team", s.authed(s.changeTeamForm)},
		{"POST /orgs/{org}/licenses/change-team", s.authed(s.changeTeam)},
		{"GET /orgs/{org}/subscriptions", s.authed(s.orgSubscriptions)},
		{"GET /orgs/{org}/teams", s.authed(s.teams)},
		{"POST /orgs/{org}/teams", s.authed(s.createTeam)},
		{"GET /orgs/{org}/teams/{team}", s.authed(s.teamHome)},
		{"GET /orgs/{org}/teams/{team}/licenses", s.authed(s.teamLicenses)},
		{"GET /orgs/{org}/teams/{team}/roles", s.authed(s.teamRoles)},
		{"GET /orgs/{org}/teams/{team}/rename", s.authed(s.renameForm)},
		{"POST /orgs/{org}/teams/{team}/rename", s.authed(s.renameTeam)},
		{"POST /orgs/{org}/teams/{team}/remove", s.authed(s.removeTeam)},
		{"POST /orgs/{org}/teams/{team}/abandon", s.authed(s.abandonRole)},
		{"POST /orgs/{org}/teams/{team}/roles/{user}", s.authed(s.setRole)},
		{"POST /orgs/{org}/teams/{team}/roles/{user}/remove", s.authed(s.removeRole)},
		{"GET /orgs/{org}/roles", s.authed(s.orgRoles)},
		{"POST /orgs/{org}/roles/{user}", s.authed(s.setRole)},
		{"POST /orgs/{org}/roles/{user}/remove", s.authed(s.removeRole)},
		{"POST /orgs/{org}/invitations", s.authed(s.invite)},
		{"POST /orgs/{org}/teams/{team}/invitations", s.authed(s.invite)},
		{"POST /orgs/{org}/invitations/{inv}/revoke", s.authed(s.revokeInvitation)},
		{"POST /orgs/{org}/invitations/{inv}/resend", s.authed(s.resendInvitation)},
		{"GET /orgs/{org}/rename", s.authed(s.renameForm)},
		{"POST /orgs/{org}/rename", s.authed(s.renameOrg)},
		{"POST /orgs/{org}/abandon", s.authed(s.abandonRole)},
		{"GET /orgs/{org}/audit-log", s.authed(s.auditLog)},
	}
}

func (s *Server) billingRoutes() []route {
	return []route{
		{"GET /checkout", s.authed(s.checkoutForm)},
		{"POST /checkout", s.authed(s.checkout)},
		{"GET /billing/customers/{customer}", s.authed(s.portal)},
		{"POST /billing/customers/{customer}/payment-methods", s.authed(s.addCard)},
		{"POST /billing/customers/{customer}/payment-methods/{pm}/remove",
			s.authed(s.removeCard)},
		{"POST /billing/customers/{customer}/payment-methods/{pm}/default",
			s.authed(s.defaultCard)},
		{"GET /billing/invoices/{invoice}", s.authed(s.invoice)},
		{"GET /billing/subscriptions/{sub}", s.authed(s.subscription)},
		{"POST /billing/subscriptions/{sub}/seats/preview", s.authed(s.previewSeats)},
		{"POST /billing/subscriptions/{sub}/seats", s.authed(s.changeSeats)},
		{"POST /billing/subscriptions/{sub}/cancel", s.authed(s.cancel)},
		{"POST /billing/subscriptions/{sub}/renew", s.authed(s.renew)},
	}
}
