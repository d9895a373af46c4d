package api

import (
	"errors"
	"fmt"
	"net/http"
	"testing"

	sk "github.com/seatkeeper/seatkeeper"
)

func TestProblemOf(t *testing.T) {
	t.Parallel()
	tests := []struct {
		err    error
		status int
		code   string
		detail string
	}{
		{sk.Errorf(sk.ENOTFOUND, "No such team."), 404, sk.ENOTFOUND, "No such team."},
		{fmt.Errorf("loading: %w", sk.Errorf(sk.ECONFLICT, "Taken.")), 409, sk.ECONFLICT, "Taken."},
		{sk.Invalid("email", "is required"), 400, sk.EINVALID, "The request has an invalid field."},
		{sk.Errorf(sk.ERATELIMITED, "Slow down."), 429, sk.ERATELIMITED, "Slow down."},
		{sk.Errorf(sk.EUNAUTHENTICATED, "Sign in."), 401, sk.EUNAUTHENTICATED, "Sign in."},
		{sk.Errorf(sk.EFORBIDDEN, "No."), 403, sk.EFORBIDDEN, "No."},
		{sk.Errorf(sk.EPAYMENT, "Declined."), 402, sk.EPAYMENT, "Declined."},
		{sk.Errorf(sk.ETOOLARGE, "Big."), 413, sk.ETOOLARGE, "Big."},
		{sk.Errorf(sk.EUNAVAILABLE, "Later."), 503, sk.EUNAVAILABLE, "Later."},
		// The cause of an internal error never reaches the client.
		{errors.New("pq: password authentication failed for secret"), 500, sk.EINTERNAL,
			"An internal error occurred."},
		{sk.Errorf("no_such_code", "Odd."), 500, sk.EINTERNAL, "Odd."},
	}
	for _, tt := range tests {
		p := ProblemOf(tt.err)
		if p.Status != tt.status || p.Code != tt.code || p.Detail != tt.detail {
			t.Errorf("ProblemOf(%v) = %d %s %q; want %d %s %q", tt.err,
				p.Status, p.Code, p.Detail, tt.status, tt.code, tt.detail)
		}
		if p.Title == "" || p.Title != statuses[p.Code].title {
			t.Errorf("ProblemOf(%v).Title = %q", tt.err, p.Title)
		}
	}

	p := ProblemOf(sk.Invalid("card.number", "is not a card number"))
	if len(p.Errors) != 1 || p.Errors[0].Field != "card.number" {
		t.Errorf("field errors = %v", p.Errors)
	}
	if got := StatusOf(sk.Errorf(sk.ENOTFOUND, "")); got != http.StatusNotFound {
		t.Errorf("StatusOf(ENOTFOUND) = %d", got)
	}
}
