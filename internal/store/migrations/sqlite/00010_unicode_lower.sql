-- +goose Up
-- The store gives every connection a lower() that folds all of Unicode
-- (internal/store/sqlite.go), as PostgreSQL's does. The indexes on lower()
-- were built with SQLite's ASCII-only one: rebuild them with the new one, so
-- that lookups find what the index holds and uniqueness ignores case in
-- every script. A store holding two addresses or team names that differ
-- only in the case of a non-ASCII letter stops here, naming the index.
REINDEX users_email_key;
REINDEX teams_name_key;
REINDEX licenses_pending_key;
REINDEX licenses_pending_idx;
REINDEX invitations_email_idx;

-- +goose Down
-- Nothing to undo: the indexes are rebuilt by whichever lower() the
-- connection has.
SELECT 1;
