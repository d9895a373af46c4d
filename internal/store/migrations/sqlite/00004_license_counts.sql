-- +goose Up
-- How many licenses each scope of an organization has, and how many of them
-- are held (assigned or pending). scope is a team's ID, or '' for the
-- licenses the organization manages itself. Triggers keep the counts exact in
-- the transaction of every change, so that the licenses list of a large
-- organization counts without scanning it.
CREATE TABLE license_counts (
    org_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    scope  TEXT NOT NULL,
    total  INTEGER NOT NULL,
    held   INTEGER NOT NULL,
    PRIMARY KEY (org_id, scope)
);

INSERT INTO license_counts (org_id, scope, total, held)
SELECT org_id, COALESCE(team_id, ''), count(*),
    count(assignee_user_id) + count(assignee_email)
FROM licenses WHERE org_id IS NOT NULL
GROUP BY org_id, COALESCE(team_id, '');

-- +goose StatementBegin
CREATE TRIGGER licenses_count_insert AFTER INSERT ON licenses
WHEN NEW.org_id IS NOT NULL
BEGIN
    INSERT INTO license_counts (org_id, scope, total, held)
    VALUES (NEW.org_id, COALESCE(NEW.team_id, ''), 1,
        NEW.assignee_user_id IS NOT NULL OR NEW.assignee_email IS NOT NULL)
    ON CONFLICT (org_id, scope) DO UPDATE
    SET total = total + 1, held = held + excluded.held;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER licenses_count_delete AFTER DELETE ON licenses
WHEN OLD.org_id IS NOT NULL
BEGIN
    UPDATE license_counts
    SET total = total - 1,
        held = held - (OLD.assignee_user_id IS NOT NULL OR OLD.assignee_email IS NOT NULL)
    WHERE org_id = OLD.org_id AND scope = COALESCE(OLD.team_id, '');
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER licenses_count_update AFTER UPDATE OF org_id, team_id, assignee_user_id,
    assignee_email ON licenses
BEGIN
    UPDATE license_counts
    SET total = total - 1,
        held = held - (OLD.assignee_user_id IS NOT NULL OR OLD.assignee_email IS NOT NULL)
    WHERE org_id = OLD.org_id AND scope = COALESCE(OLD.team_id, '');
    INSERT INTO license_counts (org_id, scope, total, held)
    SELECT NEW.org_id, COALESCE(NEW.team_id, ''), 1,
        NEW.assignee_user_id IS NOT NULL OR NEW.assignee_email IS NOT NULL
    WHERE NEW.org_id IS NOT NULL
    ON CONFLICT (org_id, scope) DO UPDATE
    SET total = total + 1, held = held + excluded.held;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER licenses_count_update;
DROP TRIGGER licenses_count_delete;
DROP TRIGGER licenses_count_insert;
DROP TABLE license_counts;
