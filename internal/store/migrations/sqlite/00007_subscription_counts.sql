-- +goose Up
-- How many licenses of each subscription are held (assigned or pending),
-- for its seats_assigned. Triggers keep the count exact in the transaction
-- of every change, so that reading a subscription of 100,000 seats does not
-- count its licenses. A subscription with no row holds none.
CREATE TABLE subscription_counts (
    subscription_id TEXT PRIMARY KEY REFERENCES subscriptions (id) ON DELETE CASCADE,
    held            INTEGER NOT NULL
);

INSERT INTO subscription_counts (subscription_id, held)
SELECT subscription_id, count(*) FROM licenses
WHERE assignee_user_id IS NOT NULL OR assignee_email IS NOT NULL
GROUP BY subscription_id;

-- +goose StatementBegin
CREATE TRIGGER licenses_held_insert AFTER INSERT ON licenses
WHEN NEW.assignee_user_id IS NOT NULL OR NEW.assignee_email IS NOT NULL
BEGIN
    INSERT INTO subscription_counts (subscription_id, held) VALUES (NEW.subscription_id, 1)
    ON CONFLICT (subscription_id) DO UPDATE SET held = held + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER licenses_held_delete AFTER DELETE ON licenses
WHEN OLD.assignee_user_id IS NOT NULL OR OLD.assignee_email IS NOT NULL
BEGIN
    UPDATE subscription_counts SET held = held - 1
    WHERE subscription_id = OLD.subscription_id;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER licenses_held_update AFTER UPDATE OF subscription_id, assignee_user_id,
    assignee_email ON licenses
WHEN (OLD.assignee_user_id IS NOT NULL OR OLD.assignee_email IS NOT NULL)
    != (NEW.assignee_user_id IS NOT NULL OR NEW.assignee_email IS NOT NULL)
    OR OLD.subscription_id != NEW.subscription_id
BEGIN
    UPDATE subscription_counts SET held = held - 1
    WHERE subscription_id = OLD.subscription_id
        AND (OLD.assignee_user_id IS NOT NULL OR OLD.assignee_email IS NOT NULL);
    INSERT INTO subscription_counts (subscription_id, held)
    SELECT NEW.subscription_id, 1
    WHERE NEW.assignee_user_id IS NOT NULL OR NEW.assignee_email IS NOT NULL
    ON CONFLICT (subscription_id) DO UPDATE SET held = held + 1;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER licenses_held_update;
DROP TRIGGER licenses_held_delete;
DROP TRIGGER licenses_held_insert;
DROP TABLE subscription_counts;
