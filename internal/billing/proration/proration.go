// Package proration prices seat changes made part-way through a billing
// period, exactly: integer arithmetic only, rounded once.
package proration

import (
	"fmt"
	"math"
	"math/bits"
	"time"
)

// Amount returns what delta seats cost at price per seat per period for the
// part of the period [start, end) from at to end, counted in whole seconds
// and rounded half up to a minor unit. delta may be negative (a credit) and
// then returns a negative amount of the same magnitude as for -delta. at is
// clamped into [start, end]; a period shorter than a second costs nothing.
//
// The result is exact: |delta × price| is checked to fit in an int64, so
// its product with the remaining seconds fits in 128 bits (math/bits), and
// the quotient by the period's seconds, at most |delta × price|, fits in
// an int64 again. Amount panics when |delta × price| exceeds 2^63-1, a
// programming mistake: the catalogue's bounds (a price of at most 10^9, at
// most 10^6 seats) keep it below 10^15.
func Amount(delta int, price int64, start, end, at time.Time) int64 {
	remaining, total := Remaining(start, end, at)
	if total == 0 {
		return 0
	}

	hi, perPeriod := bits.Mul64(abs(int64(delta)), abs(price))
	if hi != 0 || perPeriod > math.MaxInt64 {
		panic(fmt.Sprintf("proration: %d seats at %d overflow an int64", delta, price))
	}

	// remaining <= total, so the quotient is at most perPeriod; that keeps
	// hi below total, which Div64 needs.
	hi, lo := bits.Mul64(perPeriod, uint64(remaining))
	q, r := bits.Div64(hi, lo, uint64(total))
	if 2*r >= uint64(total) {
		q++
	}

	if (delta < 0) != (price < 0) {
		return -int64(q)
	}
	return int64(q)
}

// Remaining returns the whole seconds from at, clamped into [start, end],
// to end, and the whole seconds from start to end; total is 0 when end is
// not after start.
func Remaining(start, end, at time.Time) (remaining, total int64) {
	if !end.After(start) {
		return 0, 0
	}
	if at.Before(start) {
		at = start
	}
	if at.After(end) {
		at = end
	}
	return seconds(end.Sub(at)), seconds(end.Sub(start))
}

// seconds returns the whole seconds of d, rounded down.
func seconds(d time.Duration) int64 {
	return int64(d / time.Second)
}

// abs returns the magnitude of n, also for math.MinInt64.
func abs(n int64) uint64 {
	if n < 0 {
		return uint64(-n)
	}
	return uint64(n)
}
