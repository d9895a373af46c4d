package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/seatkeeper/seatkeeper/internal/app/apptest"
	"github.com/seatkeeper/seatkeeper/internal/store"
	"github.com/seatkeeper/seatkeeper/internal/store/storetest"
)

// race sends n requests at once, spread over the servers, and counts the
// answers by status.
func race(t *testing.T, servers []*apptest.Env, n int,
	send func(e *apptest.Env, i int) *apptest.Response) map[int]int {
	t.Helper()
	var mu sync.Mutex
	statuses := map[int]int{}
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			r := send(servers[i%len(servers)], i)
			mu.Lock()
			statuses[r.Status]++
			mu.Unlock()
		})
	}
	close(start)
	wg.Wait()
	return statuses
}

// TestConcurrentAssignments runs three servers on one database and races
// assignments: of one license to fifty people; of one person to the
// forty-nine licenses of a subscription; and of the last free license, every
// other seat held, to fifty people. Exactly one wins each race; the rest are
// clear conflicts, never errors, and the store holds exactly the
// assignments won.
func TestConcurrentAssignments(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		servers := apptest.Cluster(t, db, 3)
		e := servers[0]
		owner := e.User(t, "Olivia Owner")
		const n = 50

		t.Run("one license, fifty people", func(t *testing.T) {
			org := e.Org(t, owner, "One license")
			lics := e.Licenses(t, org, n)
			statuses := race(t, servers, n, func(s *apptest.Env, i int) *apptest.Response {
				return assign(t, s, owner, org, lics[0], fmt.Sprintf("p%d@example.com", i), false)
			})
			wantOneWinner(t, statuses, n)
			wantAssigned(t, e, owner, org, 1)
		})

		t.Run("one person, forty-nine licenses", func(t *testing.T) {
			org := e.Org(t, owner, "One person")
			lics := e.Licenses(t, org, n-1)
			statuses := race(t, servers, n-1, func(s *apptest.Env, i int) *apptest.Response {
				return assign(t, s, owner, org, lics[i], "solo@example.com", false)
			})
			wantOneWinner(t, statuses, n-1)
			wantAssigned(t, e, owner, org, 1)
		})

		t.Run("the last free license, fifty people", func(t *testing.T) {
			org := e.Org(t, owner, "Last seat")
			lics := e.Licenses(t, org, n)
			for i, lic := range lics[:n-1] {
				apptest.Must(t, assign(t, e, owner, org, lic,
					fmt.Sprintf("held%d@example.com", i), false), http.StatusOK)
			}
			statuses := race(t, servers, n, func(s *apptest.Env, i int) *apptest.Response {
				return assign(t, s, owner, org, lics[n-1], fmt.Sprintf("late%d@example.com", i),
					false)
			})
			wantOneWinner(t, statuses, n)
			wantAssigned(t, e, owner, org, n)
		})
	})
}

// wantOneWinner checks that a race of n requests had one success and n-1
// conflicts.
func wantOneWinner(t *testing.T, statuses map[int]int, n int) {
	t.Helper()
	if statuses[http.StatusOK] != 1 || statuses[http.StatusConflict] != n-1 {
		t.Errorf("%d racing assignments: %v, want one 200 and %d 409", n, statuses, n-1)
	}
}

// wantAssigned checks the organization's counts after a race: assigned
// licenses (all pending here), each to a different address, and none more.
func wantAssigned(t *testing.T, e *apptest.Env, by *apptest.User, org string, assigned int) {
	t.Helper()
	all := listLicenses(t, e, by, org, "limit=200")
	c := all.Counts
	if c == nil || c.Assigned != assigned || c.Free != c.Total-assigned {
		t.Errorf("counts after the race = %+v, want %d assigned", c, assigned)
	}
	holders := map[string]bool{}
	for _, l := range all.Data {
		if l.AssigneeEmail != nil {
			holders[strings.ToLower(*l.AssigneeEmail)] = true
		}
	}
	if len(holders) != assigned {
		t.Errorf("%d distinct holders after the race, want %d", len(holders), assigned)
	}
}
