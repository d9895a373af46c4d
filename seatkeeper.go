// Package seatkeeper is the domain of Seatkeeper, a self-hosted licensing and
// organization dashboard: the types every other package speaks in, the one
// error model, and the interfaces of the services that the JSON API and the
// dashboard call.
//
// The package imports nothing of the project's own. Storage, the API, mail and
// billing live in internal packages that depend on it, never the other way
// round; ARCHITECTURE.md draws the map.
package seatkeeper

import (
	"context"
	"time"
)

// Version is the release of this build. Release builds set it with
// -ldflags "-X github.com/seatkeeper/seatkeeper.Version=v1.2.3".
var Version = "dev"

// Clock tells the time. Production uses the wall clock; --dev installs one that
// can be moved forward, like a payment provider's test clock.
type Clock interface {
	Now() time.Time
}

// SystemClock is the wall clock, in UTC and truncated to microseconds so that
// a time survives a round trip through either database unchanged.
type SystemClock struct{}

// Now returns the current time.
func (SystemClock) Now() time.Time { return Normalize(time.Now()) }

// Normalize puts t in the form the stores keep: UTC, microsecond precision.
func Normalize(t time.Time) time.Time {
	return t.UTC().Truncate(time.Microsecond)
}

// Pinger reports whether a dependency can serve requests; /readyz asks it.
type Pinger interface {
	Ready(ctx context.Context) error
}
