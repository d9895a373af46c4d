package licensing

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"

	sk "github.com/seatkeeper/seatkeeper"
	"github.com/seatkeeper/seatkeeper/internal/policy"
	"github.com/seatkeeper/seatkeeper/internal/store"
)

// license loads a license of the organization and checks that the actor may
// take the action on it: a license they may not read is ENOTFOUND, one they
// read but may not change is EFORBIDDEN.
func license(ctx context.Context, tx *store.Tx, a *sk.Actor, orgID, id string,
	action policy.Action) (*store.LicenseRecord, error) {
	g, err := grants(ctx, tx, a, orgID)
	if err != nil {
		return nil, err
	}
	r, err := tx.License(ctx, orgID, id)
	if err != nil {
		return nil, err
	}
	scope := teamOf(r.TeamID)
	if !g.Allows(policy.Read, scope) {
		return nil, sk.Errorf(sk.ENOTFOUND, "No such license.")
	}
	if !g.Allows(action, scope) {
		return nil, sk.Errorf(sk.EFORBIDDEN,
			"Your role does not allow you to assign the licenses of this scope.")
	}
	return r, nil
}

// holding is a license's holder as the audit log records it.
type holding struct {
	Status        string  `json:"status"`
	AssigneeID    *string `json:"assignee_id"`
	AssigneeEmail *string `json:"assignee_email"`
}

func holdingOf(l *sk.License) []byte {
	b, _ := json.Marshal(holding{l.Status, l.AssigneeID, l.AssigneeEmail})
	return b
}

// Assign implements sk.LicenseService.
func (s *Service) Assign(ctx context.Context, a *sk.Actor, c sk.Client, orgID, licenseID string,
	in sk.Assignment) (*sk.License, error) {
	email := strings.TrimSpace(in.Email)
	if !sk.ValidEmail(email) {
		return nil, sk.Invalid("email", "must be an email address such as name@example.com")
	}

	var result *sk.License
	mailed := false
	err := s.cfg.DB.Tx(ctx, func(tx *store.Tx) error {
		r, err := license(ctx, tx, a, orgID, licenseID, policy.Assign)
		if err != nil {
			return err
		}
		result = &r.License

		user, err := tx.UserByEmail(ctx, email)
		if err != nil && sk.ErrorCode(err) != sk.ENOTFOUND {
			return err
		}
		var userID, pending *string
		if user != nil && user.EmailVerified {
			userID, email = &user.ID, user.Email
		} else {
			pending = &email
		}

		if holds(r, userID, email) {
			return nil // already theirs
		}
		if (r.AssigneeID != nil || r.AssigneeEmail != nil) && !in.Replace {
			return sk.Errorf(sk.ECONFLICT, "The license is held by %s; replace the holder "+
				"or choose a free license.", *r.AssigneeEmail)
		}
		other, err := tx.HolderInSubscription(ctx, r.SubscriptionID, userID, email)
		if err != nil {
			return err
		}
		if other != "" && other != r.ID {
			return sk.Errorf(sk.ECONFLICT,
				"%s already holds a license of this subscription (%s).", email, other)
		}

		before := holdingOf(&r.License)
		if err := tx.SetAssignee(ctx, r.ID, userID, pending, s.now()); err != nil {
			return err
		}
		if r, err = tx.License(ctx, orgID, r.ID); err != nil {
			return err
		}
		result = &r.License
		err = s.audit(ctx, tx, a, c, orgID, "license.assigned",
			[]change{{r.ID, before, holdingOf(&r.License)}})
		if err != nil {
			return err
		}
		mailed = true
		return s.mailAssignee(ctx, tx, orgID, r, email, user)
	})
	if err != nil {
		return nil, err
	}
	if mailed {
		s.cfg.Queued()
		s.cfg.Metrics.LicensesAssigned(1)
	}
	return result, nil
}

// holds reports whether the license is already assigned to this person.
func holds(r *store.LicenseRecord, userID *string, email string) bool {
	if userID != nil {
		return r.AssigneeID != nil && *r.AssigneeID == *userID
	}
	return r.AssigneeID == nil && r.AssigneeEmail != nil &&
		strings.EqualFold(*r.AssigneeEmail, email)
}

// mailAssignee tells the new holder about their license.
func (s *Service) mailAssignee(ctx context.Context, tx *store.Tx, orgID string,
	r *store.LicenseRecord, email string, user *store.UserRecord) error {
	org, err := tx.Organization(ctx, orgID)
	if err != nil {
		return err
	}
	name, link := email, s.cfg.BaseURL+"/sign-up?email="+url.QueryEscape(email)
	if user != nil {
		name, link = user.Name, s.cfg.BaseURL+"/licenses"
	}
	m, err := s.cfg.Mail.Render("license_assigned", email, map[string]string{
		"Name":     name,
		"OrgName":  org.Name,
		"PlanName": r.Plan,
		"Link":     link,
	})
	if err != nil {
		return err
	}
	return tx.EnqueueMail(ctx, m, s.now())
}

// Unassign implements sk.LicenseService.
func (s *Service) Unassign(ctx context.Context, a *sk.Actor, c sk.Client, orgID,
	licenseID string) error {
	return s.cfg.DB.Tx(ctx, func(tx *store.Tx) error {
		r, err := license(ctx, tx, a, orgID, licenseID, policy.Assign)
		if err != nil {
			return err
		}
		if r.AssigneeID == nil && r.AssigneeEmail == nil {
			return nil
		}

		before := holdingOf(&r.License)
		if err := tx.SetAssignee(ctx, r.ID, nil, nil, s.now()); err != nil {
			return err
		}
		after := holding{Status: sk.LicenseUnassigned}
		if r.SubscriptionStatus == "ended" {
			after.Status = sk.LicenseExpired
		}
		b, _ := json.Marshal(after)
		return s.audit(ctx, tx, a, c, orgID, "license.unassigned", []change{{r.ID, before, b}})
	})
}
