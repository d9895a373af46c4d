-- +goose Up
-- How many licenses each scope of an organization has, and how many of them
-- are held (assigned or pending). scope is a team's ID, or '' for the
-- licenses the organization manages itself. A trigger keeps the counts exact
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

-- +goose StatementBegin
CREATE FUNCTION licenses_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.org_id IS NOT NULL THEN
        UPDATE license_counts
        SET total = total - 1,
            held = held - CASE WHEN OLD.assignee_user_id IS NOT NULL
                OR OLD.assignee_email IS NOT NULL THEN 1 ELSE 0 END
        WHERE org_id = OLD.org_id AND scope = COALESCE(OLD.team_id, '');
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') AND NEW.org_id IS NOT NULL THEN
        INSERT INTO license_counts AS c (org_id, scope, total, held)
        VALUES (NEW.org_id, COALESCE(NEW.team_id, ''), 1,
            CASE WHEN NEW.assignee_user_id IS NOT NULL
                OR NEW.assignee_email IS NOT NULL THEN 1 ELSE 0 END)
        ON CONFLICT (org_id, scope) DO UPDATE
        SET total = c.total + 1, held = c.held + excluded.held;
    END IF;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER licenses_count AFTER INSERT OR DELETE OR UPDATE OF org_id, team_id,
    assignee_user_id, assignee_email ON licenses
    FOR EACH ROW EXECUTE FUNCTION licenses_count();

-- +goose Down
DROP TRIGGER licenses_count ON licenses;
DROP FUNCTION licenses_count();
DROP TABLE license_counts;
