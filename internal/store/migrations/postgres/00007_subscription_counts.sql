-- +goose Up
-- How many licenses of each subscription are held (assigned or pending),
-- for its seats_assigned. Triggers keep the count exact in the transaction
-- of every change, so that reading a subscription of 100,000 seats does not
-- count its licenses. A subscription with no row holds none.
CREATE TABLE subscription_counts (
    subscription_id TEXT PRIMARY KEY REFERENCES subscriptions (id) ON DELETE CASCADE,
    held            BIGINT NOT NULL
);

INSERT INTO subscription_counts (subscription_id, held)
SELECT subscription_id, count(*) FROM licenses
WHERE assignee_user_id IS NOT NULL OR assignee_email IS NOT NULL
GROUP BY subscription_id;

-- Statement-level, like license_counts: one change per subscription per
-- statement however many licenses it touches.
-- +goose StatementBegin
CREATE FUNCTION licenses_held_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE subscription_counts c SET held = c.held - d.held
        FROM (
            SELECT subscription_id, count(*) AS held FROM old_rows
            WHERE assignee_user_id IS NOT NULL OR assignee_email IS NOT NULL
            GROUP BY 1
        ) d
        WHERE c.subscription_id = d.subscription_id;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        INSERT INTO subscription_counts AS c (subscription_id, held)
        SELECT subscription_id, count(*) FROM new_rows
        WHERE assignee_user_id IS NOT NULL OR assignee_email IS NOT NULL
        GROUP BY 1
        ON CONFLICT (subscription_id) DO UPDATE SET held = c.held + excluded.held;
    END IF;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER licenses_held_insert AFTER INSERT ON licenses
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION licenses_held_count();
CREATE TRIGGER licenses_held_update AFTER UPDATE ON licenses
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION licenses_held_count();
CREATE TRIGGER licenses_held_delete AFTER DELETE ON licenses
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION licenses_held_count();

-- +goose Down
DROP TRIGGER licenses_held_delete ON licenses;
DROP TRIGGER licenses_held_update ON licenses;
DROP TRIGGER licenses_held_insert ON licenses;
DROP FUNCTION licenses_held_count();
DROP TABLE subscription_counts;
