-- +goose Up
-- How many licenses each scope of an organization has, and how many of them
-- are held (assigned or pending). scope is a team's ID, or '' for the
-- licenses the organization manages itself. Triggers keep the counts exact
-- in the transaction of every change, so that the licenses list of a large
-- organization counts without scanning it.
CREATE TABLE license_counts (
    org_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    scope  TEXT NOT NULL,
    total  BIGINT NOT NULL,
    held   BIGINT NOT NULL,
    PRIMARY KEY (org_id, scope)
);

INSERT INTO license_counts (org_id, scope, total, held)
SELECT org_id, COALESCE(team_id, ''), count(*),
    count(assignee_user_id) + count(assignee_email)
FROM licenses WHERE org_id IS NOT NULL
GROUP BY org_id, COALESCE(team_id, '');

-- Statement-level triggers over transition tables: one upsert per scope
-- per statement, so that moving ten thousand licenses updates a few counter
-- rows once each instead of one row ten thousand times (which PostgreSQL
-- would pay for with a long chain of row versions).
-- +goose StatementBegin
CREATE FUNCTION licenses_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE license_counts c
        SET total = c.total - d.total, held = c.held - d.held
        FROM (
            SELECT org_id, COALESCE(team_id, '') AS scope, count(*) AS total,
                count(*) FILTER (WHERE assignee_user_id IS NOT NULL
                    OR assignee_email IS NOT NULL) AS held
            FROM old_rows WHERE org_id IS NOT NULL
            GROUP BY 1, 2
        ) d
        WHERE c.org_id = d.org_id AND c.scope = d.scope;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        INSERT INTO license_counts AS c (org_id, scope, total, held)
        SELECT org_id, COALESCE(team_id, ''), count(*),
            count(*) FILTER (WHERE assignee_user_id IS NOT NULL OR assignee_email IS NOT NULL)
        FROM new_rows WHERE org_id IS NOT NULL
        GROUP BY 1, 2
        ON CONFLICT (org_id, scope) DO UPDATE
        SET total = c.total + excluded.total, held = c.held + excluded.held;
    END IF;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER licenses_count_insert AFTER INSERT ON licenses
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION licenses_count();
CREATE TRIGGER licenses_count_update AFTER UPDATE ON licenses
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION licenses_count();
CREATE TRIGGER licenses_count_delete AFTER DELETE ON licenses
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION licenses_count();

-- +goose Down
DROP TRIGGER licenses_count_delete ON licenses;
DROP TRIGGER licenses_count_update ON licenses;
DROP TRIGGER licenses_count_insert ON licenses;
DROP FUNCTION licenses_count();
DROP TABLE license_counts;
