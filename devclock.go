package seatkeeper

import (
	"math"
	"sync"
	"time"
)

// DevClock is the clock of --dev: the wall clock plus an offset that
// Advance grows, like a payment provider's test clock. It is for one
// process; servers sharing a database would each keep their own offset.
type DevClock struct {
	mu     sync.Mutex
	offset time.Duration
}

// Now returns the wall clock moved forward by every Advance so far.
func (c *DevClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return Normalize(time.Now().Add(c.offset))
}

// Advance moves the clock forward by d, which must not be negative, and
// returns the new time. The offset stops at the longest Duration, about 292
// years, rather than wrap around into the past.
func (c *DevClock) Advance(d time.Duration) time.Time {
	c.mu.Lock()
	c.offset += min(max(d, 0), math.MaxInt64-c.offset)
	c.mu.Unlock()
	return c.Now()
}
