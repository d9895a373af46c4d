package store

import (
	"context"
	"fmt"
	"time"
)

// Hits returns how many hits the key has in the fixed window that contains
// now, without adding one.
func (tx *Tx) Hits(ctx context.Context, key string, now time.Time, window time.Duration) (
	int, error) {
	var hits int
	err := tx.q.QueryRowContext(ctx, `
		SELECT COALESCE(SUM(hits), 0) FROM rate_limits WHERE key = $1 AND window_start = $2`,
		key, windowStart(now, window)).Scan(&hits)
	if err != nil {
		return 0, fmt.Errorf("reading rate limit %s: %w", key, err)
	}
	return hits, nil
}

// Hit adds a hit to the key in the fixed window that contains now, and
// returns the window's count with it. A counter from an earlier window
// starts over.
func (tx *Tx) Hit(ctx context.Context, key string, now time.Time, window time.Duration) (
	int, error) {
	var hits int
	err := tx.q.QueryRowContext(ctx, `
		INSERT INTO rate_limits (key, window_start, hits) VALUES ($1, $2, 1)
		ON CONFLICT (key) DO UPDATE SET
			hits = CASE WHEN rate_limits.window_start = excluded.window_start
				THEN rate_limits.hits + 1 ELSE 1 END,
			window_start = excluded.window_start
		RETURNING hits`, key, windowStart(now, window)).Scan(&hits)
	if err != nil {
		return 0, fmt.Errorf("counting rate limit %s: %w", key, err)
	}
	return hits, nil
}

// Hit is Tx.Hit run as a statement of its own, outside any transaction.
// The upsert is atomic by itself; and a counter that every request from one
// address moves (all of them, behind a proxy) is too hot for SERIALIZABLE
// transactions, which would keep failing each other until they gave up.
func (db *DB) Hit(ctx context.Context, key string, now time.Time, window time.Duration) (
	int, error) {
	return (&Tx{q: db.sql, dialect: db.dialect}).Hit(ctx, key, now, window)
}

// Unhit takes back a hit that Hit counted at now, for an attempt that should
// not count after all. It changes nothing once the window that contains now
// has given way to the next, so it never lowers another window's count.
func (db *DB) Unhit(ctx context.Context, key string, now time.Time, window time.Duration) error {
	_, err := db.sql.ExecContext(ctx, `
		UPDATE rate_limits SET hits = hits - 1
		WHERE key = $1 AND window_start = $2 AND hits > 0`, key, windowStart(now, window))
	if err != nil {
		return fmt.Errorf("taking back rate limit hit %s: %w", key, err)
	}
	return nil
}

// PruneRateLimits deletes the counters of windows that began before cutoff,
// and returns how many. Like Hit it is one statement outside any
// transaction, so that it never fails for the counters that requests move
// meanwhile; a counter deleted under a hit starts over, as in a new window.
func (db *DB) PruneRateLimits(ctx context.Context, cutoff time.Time) (int, error) {
	res, err := db.sql.ExecContext(ctx, `DELETE FROM rate_limits WHERE window_start < $1`,
		cutoff)
	return affected(res, err, "pruning rate limits")
}

// windowStart is the start of the fixed window of the given length that
// contains t; windows are aligned to the Unix epoch.
func windowStart(t time.Time, window time.Duration) time.Time {
	return t.Truncate(window).UTC()
}
