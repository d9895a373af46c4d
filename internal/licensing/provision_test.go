package licensing_test

import (
	"context"
	"testing"

	sk "github.com/seatkeeper/seatkeeper"
	"github.com/seatkeeper/seatkeeper/internal/app/apptest"
	"github.com/seatkeeper/seatkeeper/internal/licensing"
	"github.com/seatkeeper/seatkeeper/internal/store"
	"github.com/seatkeeper/seatkeeper/internal/store/storetest"
)

func TestAssignManyIsAllOrNothing(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := apptest.Start(t, db)
		ctx := context.Background()
		owner, viewer := e.User(t, "Olga Owner"), e.User(t, "Vera Viewer")
		holder, other := e.User(t, "Hal Holder"), e.User(t, "Oda Other")
		org := e.Org(t, owner, "Acme")
		e.Join(t, owner, org, nil, viewer, sk.RoleViewer)
		lics := e.Licenses(t, org, 3)
		as := func(u *apptest.User) *sk.Actor {
			return &sk.Actor{User: sk.User{ID: u.ID, Email: u.Email, Name: u.Name}}
		}
		to := func(lic string, u *apptest.User) licensing.Holder {
			return licensing.Holder{LicenseID: lic, UserID: &u.ID, Email: u.Email}
		}
		held := func() int {
			n := 0
			for _, h := range e.Holdings(t, org) {
				if h.AssigneeUserID != nil || h.AssigneeEmail != nil {
					n++
				}
			}
			return n
		}

		for _, c := range []struct {
			name    string
			actor   *sk.Actor
			holders []licensing.Holder
			code    string
		}{
			{"a Viewer", as(viewer), []licensing.Holder{to(lics[0], holder)}, sk.EFORBIDDEN},
			{"an unknown license", as(owner),
				[]licensing.Holder{to(lics[0], holder), to("lic_nope", other)}, sk.ENOTFOUND},
			{"two of one subscription", as(owner),
				[]licensing.Holder{to(lics[0], holder), to(lics[1], holder)}, sk.ECONFLICT},
		} {
			err := e.App.Licenses.AssignMany(ctx, c.actor, sk.Client{}, org, c.holders)
			if sk.ErrorCode(err) != c.code {
				t.Errorf("%s: %v, want %s", c.name, err, c.code)
			}
			if n := held(); n != 0 {
				t.Fatalf("%s: %d licenses held after a refusal, want none", c.name, n)
			}
		}

		pending := licensing.Holder{LicenseID: lics[1], Email: "new@example.com"}
		err := e.App.Licenses.AssignMany(ctx, as(owner), sk.Client{}, org,
			[]licensing.Holder{to(lics[0], holder), pending})
		if err != nil {
			t.Fatal(err)
		}
		list, _, _, err := e.App.Licenses.Licenses(ctx, as(owner), org, sk.LicenseFilter{},
			sk.Page{Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		status := map[string]string{}
		for _, l := range list {
			status[l.ID] = l.Status
		}
		if status[lics[0]] != sk.LicenseAssigned || status[lics[1]] != sk.LicensePending ||
			status[lics[2]] != sk.LicenseUnassigned {
			t.Errorf("statuses %v, want assigned, pending, unassigned", status)
		}

		err = e.App.Licenses.AssignMany(ctx, as(owner), sk.Client{}, org,
			[]licensing.Holder{to(lics[2], other), to(lics[0], other)})
		if sk.ErrorCode(err) != sk.ECONFLICT || held() != 2 {
			t.Errorf("a held license: %v with %d held, want ECONFLICT and 2", err, held())
		}
	})
}
