-- +goose Up
-- A machine on which the holder of a license runs the product. The service
-- counts a license's activations against its plan's max_activations in the
-- SERIALIZABLE transaction that adds one, so two machines racing for the last
-- place cannot both take it.
CREATE TABLE activations (
    id          TEXT PRIMARY KEY,
    license_id  TEXT NOT NULL REFERENCES licenses (id) ON DELETE CASCADE,
    fingerprint TEXT NOT NULL,
    name        TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL
);
-- One activation per machine and license, so that activating a machine twice
-- finds the first. Its prefix also serves a license's list and count.
CREATE UNIQUE INDEX activations_machine_key ON activations (license_id, fingerprint);

-- Activations are the holder's machines: when a license changes hands or is
-- freed, they go, and the next holder starts with none. A subscription that
-- ends keeps them, as it keeps the assignee, for a renewal to restore.
-- +goose StatementBegin
CREATE FUNCTION licenses_holder_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM activations WHERE license_id = NEW.id;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER licenses_holder_changed AFTER UPDATE OF assignee_user_id ON licenses
    FOR EACH ROW WHEN (OLD.assignee_user_id IS DISTINCT FROM NEW.assignee_user_id)
    EXECUTE FUNCTION licenses_holder_changed();

-- The Ed25519 keys that sign license tokens; id is the JWK's kid. Keys are
-- made on first start and never leave the server but as public keys.
-- private_key is the 32-byte seed, base64url, stored as it is: whoever reads
-- this table (or a backup of it) can sign tokens, so protect the database
-- like the key itself.
CREATE TABLE signing_keys (
    id          TEXT PRIMARY KEY,
    public_key  TEXT NOT NULL,
    private_key TEXT NOT NULL,
    is_current  BOOLEAN NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    retired_at  TIMESTAMPTZ,
    -- A key signs until it is retired, and is never current again.
    CHECK (is_current = (retired_at IS NULL))
);
-- At most one current key: of several servers that race to make the first
-- key, or of two rotations at once, one wins and the others find its key.
CREATE UNIQUE INDEX signing_keys_current_key ON signing_keys (is_current) WHERE is_current;

-- +goose Down
DROP TABLE signing_keys;
DROP TRIGGER licenses_holder_changed ON licenses;
DROP FUNCTION licenses_holder_changed();
DROP TABLE activations;
