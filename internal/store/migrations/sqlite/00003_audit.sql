-- +goose Up
-- Where a change came from.
ALTER TABLE audit_events ADD COLUMN client_ip TEXT;

-- The audit log is append-only: the database refuses to rewrite history.
-- +goose StatementBegin
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit events are append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit events are append-only');
END;
-- +goose StatementEnd

-- "Is this address already invited here?"
CREATE INDEX invitations_email_idx ON invitations (org_id, lower(email));

-- +goose Down
DROP INDEX invitations_email_idx;
DROP TRIGGER audit_events_no_delete;
DROP TRIGGER audit_events_no_update;
ALTER TABLE audit_events DROP COLUMN client_ip;
