-- +goose Up
-- Where a change came from.
ALTER TABLE audit_events ADD COLUMN client_ip TEXT;

-- The audit log is append-only: the database refuses to rewrite history.
-- +goose StatementBegin
CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only' USING ERRCODE = 'check_violation';
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();

-- "Is this address already invited here?"
CREATE INDEX invitations_email_idx ON invitations (org_id, lower(email));

-- +goose Down
DROP INDEX invitations_email_idx;
DROP TRIGGER audit_events_append_only ON audit_events;
DROP FUNCTION audit_events_append_only();
ALTER TABLE audit_events DROP COLUMN client_ip;
