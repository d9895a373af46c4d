// Package ratelimit throttles what may be tried only so often: failed
// sign-ins, mail sent on request, invitations. Counters live in the database
// so that a limit holds across every server that shares it.
package ratelimit

import (
	"context"
	"math"
	"time"

	sk "github.com/seatkeeper/seatkeeper"
	"github.com/seatkeeper/seatkeeper/internal/store"
)

// Rule allows Limit hits per Window for each key.
type Rule struct {
	Name   string // names the counter, e.g. "login-ip"
	Limit  int
	Window time.Duration
}

// Limiter checks and counts hits against rules.
type Limiter struct {
	DB    *store.DB
	Clock sk.Clock
}

// Check returns ERATELIMITED, with the seconds to wait, when any of the
// rule's keys has used up its window. It counts nothing.
func (l *Limiter) Check(ctx context.Context, checks ...Key) error {
	now := l.Clock.Now()
	return l.DB.View(ctx, func(tx *store.Tx) error {
		for _, k := range checks {
			hits, err := tx.Hits(ctx, k.counter(), now, k.Rule.Window)
			if err != nil {
				return err
			}
			if hits >= k.Rule.Limit {
				return limited(now, k.Rule)
			}
		}
		return nil
	})
}

// Hit counts one hit for each key, each in a statement of its own (so that
// it stands even when the caller's work fails, and so that many servers
// counting one key wait in turn rather than fail), and returns ERATELIMITED
// if any key went over its limit.
func (l *Limiter) Hit(ctx context.Context, keys ...Key) error {
	now := l.Clock.Now()
	var over *Rule
	for _, k := range keys {
		hits, err := l.DB.Hit(ctx, k.counter(), now, k.Rule.Window)
		if err != nil {
			return err
		}
		if hits > k.Rule.Limit && over == nil {
			over = &k.Rule
		}
	}
	if over != nil {
		return limited(now, *over)
	}
	return nil
}

// Retention is how long a counter is kept after its window began: longer
// than any rule's window, so that pruning never drops a count that still
// limits.
const Retention = 24 * time.Hour

// Prune deletes the counters of windows that began more than Retention ago,
// and returns how many. The background work runs it; a counter of an ended
// window limits nothing, so pruning changes no answer.
func (l *Limiter) Prune(ctx context.Context) (int, error) {
	return l.DB.PruneRateLimits(ctx, l.Clock.Now().Add(-Retention))
}

// Acquire counts an attempt against each key, in order, before the work
// that the keys limit is done, and returns ERATELIMITED, doing nothing more,
// at the first key the attempt takes over its limit. Each count is one
// atomic statement, so only the first Limit attempts of a window get past a
// key however many requests race, on however many servers. Refused
// attempts stay counted, which changes nothing for a fixed window, and
// later keys do not count them: a client over its own limit cannot move an
// account's. The attempt counts until Release takes it back.
func (l *Limiter) Acquire(ctx context.Context, keys ...Key) (*Attempt, error) {
	a := &Attempt{l: l, now: l.Clock.Now()}
	for _, k := range keys {
		hits, err := l.DB.Hit(ctx, k.counter(), a.now, k.Rule.Window)
		if err != nil {
			return nil, err
		}
		if hits > k.Rule.Limit {
			return nil, limited(a.now, k.Rule)
		}
		a.keys = append(a.keys, k)
	}
	return a, nil
}

// Attempt is an attempt that Acquire counted and let through.
type Attempt struct {
	l    *Limiter
	now  time.Time
	keys []Key
}

// Release takes the attempt's hits back, for an attempt that should not
// count against its limits (a sign-in that succeeded). A window that ended
// since the attempt is left as it is.
func (a *Attempt) Release(ctx context.Context) error {
	for _, k := range a.keys {
		if err := a.l.DB.Unhit(ctx, k.counter(), a.now, k.Rule.Window); err != nil {
			return err
		}
	}
	a.keys = nil
	return nil
}

// Key is a rule applied to one subject: a client address, an account.
type Key struct {
	Rule    Rule
	Subject string
}

func (k Key) counter() string { return k.Rule.Name + ":" + k.Subject }

func limited(now time.Time, r Rule) error {
	end := now.Truncate(r.Window).Add(r.Window)
	e := sk.Errorf(sk.ERATELIMITED, "Too many attempts; try again in a while.")
	e.RetryAfter = int(math.Ceil(end.Sub(now).Seconds()))
	return e
}
