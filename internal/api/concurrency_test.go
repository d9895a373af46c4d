package api_test

import (
	"fmt"
	"net/http"
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
// assignments: of one license to fifty people, and of one person to the
// other forty-nine licenses of the subscription. Exactly one wins each race; the
// rest are clear conflicts, never errors, and the store holds exactly one
// assignment.
func TestConcurrentAssignments(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		servers := []*apptest.Env{apptest.Start(t, db), apptest.Start(t, db), apptest.Start(t, db)}
		e := servers[0]
		owner := e.User(t, "Olivia Owner")
		org := e.Org(t, owner, "Acme")
		lics := e.Licenses(t, org, 50)
		const n = 50

		statuses := race(t, servers, n, func(s *apptest.Env, i int) *apptest.Response {
			return assign(t, s, owner, org, lics[0], fmt.Sprintf("p%d@example.com", i), false)
		})
		if statuses[http.StatusOK] != 1 || statuses[http.StatusConflict] != n-1 {
			t.Errorf("one license, %d people: %v", n, statuses)
		}

		// The other 49 licenses, one request each.
		statuses = race(t, servers, n-1, func(s *apptest.Env, i int) *apptest.Response {
			return assign(t, s, owner, org, lics[1+i], "solo@example.com", false)
		})
		if statuses[http.StatusOK] != 1 || statuses[http.StatusConflict] != n-2 {
			t.Errorf("one person, %d licenses: %v", n-1, statuses)
		}

		held := map[string]int{}
		for _, h := range e.Holdings(t, org) {
			if h.AssigneeUserID != nil {
				held[*h.AssigneeUserID]++
			}
		}
		pending := listLicenses(t, e, owner, org, "status=pending")
		if len(pending.Data) != 2 || len(held) != 0 {
			t.Errorf("pending after the races: %d licenses (want 2), held %v", len(pending.Data), held)
		}
	})
}
