package proration_test

import (
	"math"
	"math/big"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/seatkeeper/seatkeeper/internal/billing/proration"
)

// A 30-day period of 2,592,000 seconds.
var (
	start = time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
	end   = start.AddDate(0, 0, 30)
)

func TestAmount(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		delta int
		price int64
		at    time.Time
		want  int64
	}{
		{"whole period", 3, 1500, start, 4500},
		{"before the period", 3, 1500, start.Add(-time.Hour), 4500},
		{"half period", 3, 1500, start.Add(15 * 24 * time.Hour), 2250},
		{"a third left", 1, 900, start.Add(20 * 24 * time.Hour), 300},
		{"at end", 5, 1500, end, 0},
		{"after end", 5, 1500, end.Add(time.Hour), 0},
		{"no seats", 0, 1500, start, 0},
		{"free plan", 7, 0, start, 0},
		// 1 × 1 × 1,296,000 / 2,592,000 = 0.5 rounds up to 1.
		{"exactly half a cent", 1, 1, start.Add(15 * 24 * time.Hour), 1},
		// 1,295,999 seconds left: 0.4999996 rounds down to 0.
		{"just under half a cent", 1, 1, start.Add(15*24*time.Hour + time.Second), 0},
		// 2,592,000 - 1 seconds left of 3 cents: 2.9999988 rounds to 3.
		{"one second in", 1, 3, start.Add(time.Second), 3},
		// 1 second left of 2,592,000 cents: exactly 1.
		{"last second", 1, 2_592_000, end.Add(-time.Second), 1},
		// 1 second left of 1,296,000 cents: 0.5 rounds up.
		{"last second, half", 1, 1_296_000, end.Add(-time.Second), 1},
		// Partial seconds do not count: 1.9s left is 1 second.
		{"partial second", 1, 2_592_000, end.Add(-1900 * time.Millisecond), 1},
		{"credit whole period", -3, 1500, start, -4500},
		{"credit half period", -3, 1500, start.Add(15 * 24 * time.Hour), -2250},
		{"credit half a cent", -1, 1, start.Add(15 * 24 * time.Hour), -1},
		{"credit under half a cent", -1, 1, start.Add(15*24*time.Hour + time.Second), 0},
		// 10^6 seats at 10^9 over 2,591,999 of 2,592,000 seconds: the product
		// (2.6 × 10^21) needs more than 64 bits.
		{"large", 1_000_000, 1_000_000_000, start.Add(time.Second), 999_999_614_197_531},
		{"large credit", -1_000_000, 1_000_000_000, start.Add(time.Second),
			-999_999_614_197_531},
		{"largest", 1, math.MaxInt64, start, math.MaxInt64},
		{"largest, half", 1, math.MaxInt64, start.Add(15 * 24 * time.Hour),
			math.MaxInt64/2 + 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, sign := range []int{1, -1} {
				delta, want := sign*tt.delta, int64(sign)*tt.want
				got := proration.Amount(delta, tt.price, start, end, tt.at)
				if got != want {
					t.Errorf("Amount(%d, %d, at %s) = %d, want %d",
						delta, tt.price, tt.at.Sub(start), got, want)
				}
			}
		})
	}
}

func TestAmountEmptyPeriod(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		start, end time.Time
	}{
		{"empty", start, start},
		{"reversed", end, start},
		{"under a second", start, start.Add(999 * time.Millisecond)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := proration.Amount(3, 1500, tt.start, tt.end, tt.start); got != 0 {
				t.Errorf("Amount = %d, want 0", got)
			}
		})
	}
}

func TestAmountOverflow(t *testing.T) {
	t.Parallel()
	defer func() {
		if recover() == nil {
			t.Error("Amount(2, MaxInt64) did not panic")
		}
	}()
	proration.Amount(2, math.MaxInt64, start, end, start)
}

func TestRemaining(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name                     string
		at                       time.Time
		wantRemaining, wantTotal int64
	}{
		{"start", start, 2_592_000, 2_592_000},
		{"before", start.Add(-time.Hour), 2_592_000, 2_592_000},
		{"one second in", start.Add(time.Second), 2_591_999, 2_592_000},
		{"half a second in", start.Add(time.Second / 2), 2_591_999, 2_592_000},
		{"end", end, 0, 2_592_000},
		{"after", end.Add(time.Hour), 0, 2_592_000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			remaining, total := proration.Remaining(start, end, tt.at)
			if remaining != tt.wantRemaining || total != tt.wantTotal {
				t.Errorf("Remaining = %d, %d; want %d, %d",
					remaining, total, tt.wantRemaining, tt.wantTotal)
			}
		})
	}
}

// TestAmountMatchesSeatTime checks that prorated charges and credits bill
// exactly the seats used over a period. A period starts with s0 seats paid
// in full, then changes seats at random seconds; the increases are charged
// and the decreases credited with Amount. The net must equal the integral
// of seats × price over the period to within the rounding of the changes:
// each Amount is within half a minor unit of its exact value, so the net
// is within half a unit per change (the issue asks for one).
func TestAmountMatchesSeatTime(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	lengths := []time.Duration{28 * 24 * time.Hour, 31 * 24 * time.Hour,
		365 * 24 * time.Hour, 400 * 24 * time.Hour, 90 * time.Second}

	for i := range 1000 {
		periodStart := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).
			Add(time.Duration(rng.IntN(1_000_000)) * time.Second)
		periodEnd := periodStart.Add(lengths[rng.IntN(len(lengths))])
		total := int64(periodEnd.Sub(periodStart) / time.Second)
		price := randomPrice(rng)
		maxSeats := []int{3, 50, 1_000_000}[rng.IntN(3)]

		offsets := make([]int64, rng.IntN(20)+1)
		for j := range offsets {
			offsets[j] = rng.Int64N(total + 1)
		}
		slices.Sort(offsets)

		seats := rng.IntN(maxSeats) + 1
		net := new(big.Int).Mul(big.NewInt(int64(seats)), big.NewInt(price))
		exact := new(big.Rat)
		last := int64(0)
		for _, off := range offsets {
			exact.Add(exact, seatTime(seats, price, off-last, total))

			next := rng.IntN(maxSeats) + 1
			at := periodStart.Add(time.Duration(off) * time.Second)
			amount := proration.Amount(next-seats, price, periodStart, periodEnd, at)
			if (next > seats && amount < 0) || (next < seats && amount > 0) {
				t.Fatalf("sequence %d: %d → %d seats costs %d", i, seats, next, amount)
			}
			net.Add(net, big.NewInt(amount))

			seats, last = next, off
		}
		exact.Add(exact, seatTime(seats, price, total-last, total))

		diff := new(big.Rat).Sub(new(big.Rat).SetInt(net), exact)
		bound := big.NewRat(int64(len(offsets)), 2)
		if diff.Abs(diff).Cmp(bound) > 0 {
			t.Errorf("sequence %d (%d changes at %d over %ds): billed %s, used %s",
				i, len(offsets), price, total, net, exact.FloatString(3))
		}
	}
}

// randomPrice returns a per-seat price, sometimes small enough that
// rounding matters, sometimes as large as the catalogue allows.
func randomPrice(rng *rand.Rand) int64 {
	switch rng.IntN(3) {
	case 0:
		return rng.Int64N(10)
	case 1:
		return rng.Int64N(100_000)
	default:
		return rng.Int64N(1_000_000_001)
	}
}

// seatTime is what seats cost for seconds of a period of total seconds,
// as an exact fraction.
func seatTime(seats int, price, seconds, total int64) *big.Rat {
	n := new(big.Int).Mul(big.NewInt(int64(seats)), big.NewInt(price))
	n.Mul(n, big.NewInt(seconds))
	return new(big.Rat).SetFrac(n, big.NewInt(total))
}
